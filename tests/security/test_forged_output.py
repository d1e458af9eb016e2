"""Output that cannot be forged: what a document or a file name holds never breaks a line or starts a command."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from attack import agent_lint, git, no_traceback

FORMATS = ("text", "json", "github", "sarif", "junit")
SARIF_SCHEMA = Path("/work/shared/schemas/sarif-schema-2.1.0.json")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
INJECTED = "\n::error::pwned\r\x1b[31m"
ROW = re.compile(r"^(?P<path>\S.*):(?P<line>\d+):(?P<col>\d+): AL\d{3} \[(error|warning)\] \S.*$")
SUMMARY = re.compile(r"^(Found \d+ violations? .*|All checks passed .*)\.$")
ANNOTATION = re.compile(r"^::(error|warning) (file=[^,]*,line=\d+,col=\d+,)?title=AL\d{3} [a-z0-9-]+::.*$")


@pytest.fixture
def forged(hostile):
    """Logs whose values and names carry line breaks, escapes and a workflow command."""
    sessions = hostile / ".agents" / "sessions"
    (sessions / "2026-03-02-forged.json").write_text(
        json.dumps({"id": INJECTED, "role": INJECTED, "date": "\u2028::warning::x\u202e"}), encoding="utf-8")
    with open(bytes(sessions / "2026-03-02-") + b"\xff\xfe.json", "wb") as handle:  # not a UTF-8 name
        handle.write(b"{")
    (sessions / "2026-03-02-line\nbreak::error::x.json").write_text("{", encoding="utf-8")
    (hostile / ".agent-lint.toml").write_text('session-logs = ["*.json"]\n', encoding="utf-8")
    (hostile / "::error::root.json").write_text("{", encoding="utf-8")
    git(hostile, "add", "-A")
    return hostile


def run_format(root: Path, cache: Path, fmt: str):
    run = agent_lint("check", "--output-format", fmt, cwd=root, cache=cache)
    no_traceback(run)
    assert run.code == 1 and run.stderr == "", run.stderr
    assert not CONTROL.search(run.stdout), repr(CONTROL.search(run.stdout))
    assert "\r" not in run.stdout
    return run


def test_text_is_one_line_per_violation_and_no_line_is_a_command(forged, user_cache):
    run = run_format(forged, user_cache, "text")
    *rows, summary = run.lines
    assert all(ROW.match(row) for row in rows), rows
    assert SUMMARY.match(summary) and summary.startswith(f"Found {len(rows)} violations")
    assert not any(line.startswith("::") for line in run.lines)
    assert any("'id' is '\\n::error::pwned\\r\\x1b[31m'" in row for row in rows)
    assert "./::error::root.json:1:2: AL003 [error] invalid JSON" in run.stdout


def test_github_writes_only_its_own_commands(forged, user_cache):
    run = run_format(forged, user_cache, "github")
    *annotations, summary = run.lines
    assert all(ANNOTATION.match(line) for line in annotations), annotations
    assert SUMMARY.match(summary) and summary.startswith(f"Found {len(annotations)} violations")


def test_json_and_junit_parse_and_hold_no_control_character(forged, user_cache):
    document = json.loads(run_format(forged, user_cache, "json").stdout)
    assert len(document["violations"]) == document["summary"]["violations"] > 0
    suites = ET.fromstring(run_format(forged, user_cache, "junit").stdout.encode("utf-8"))
    assert int(suites.get("failures")) == 4  # four files with violations, whatever their names


def test_sarif_takes_a_file_name_that_is_not_utf8(forged, user_cache):
    log = json.loads(run_format(forged, user_cache, "sarif").stdout)
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in log["runs"][0]["results"]}
    assert ".agents/sessions/2026-03-02-%FF%FE.json" in uris  # the name's own bytes
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF 2.1.0 schema not found at {SARIF_SCHEMA}")
    import jsonschema

    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
