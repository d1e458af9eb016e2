"""The command line as users meet it: exit codes, messages, output formats.

Exit codes: 0 nothing to report, 1 violations, 2 a usage, config or internal
error (one line on stderr, never a traceback). Each case runs in-process
through typer's CliRunner and as a real ``python -m agent_lint`` process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent_lint.cli import app
from agent_lint.model import DOC_SECTIONS
from agent_lint.rules import RULES

LOG = ".agents/sessions/2026-01-01-x.json"
NOTES = ".agents/sessions/2026-01-02-notes.md"
# The file-level rules only, so that rules added later cannot change what
# these tests about the command line expect.
CONFIG = 'select = ["AL0"]\n'
ROW = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>AL\d{3}) \[(?P<severity>error|warning)\] \S.*$")
FOUND = re.compile(r"^Found \d+ violations? \(\d+ errors?, \d+ warnings?\) in \d+ files?; \d+ files? checked\.$")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def rows(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if ROW.match(line)]


def in_process(args: list[str], cwd: Path) -> Run:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(previous)
    # The CLI turns every exception into exit code 2; one escaping is a bug.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return Run(result.exit_code, result.stdout, result.stderr)


def as_process(args: list[str], cwd: Path) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "agent_lint", *args],
        cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
    )
    # Decoded strictly: the output must be valid UTF-8 whatever the input was.
    return Run(result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8"))


@pytest.fixture(params=[in_process, as_process], ids=["cli-runner", "process"])
def agent_lint(request):
    def run(*args: str, cwd: Path) -> Run:
        result = request.param(list(args), cwd)
        assert "Traceback" not in result.stderr
        return result

    return run


def make_project(root: Path, files: dict[str, str | bytes], *, git: bool = False) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    else:
        (root / ".git").mkdir()  # marks the project root without needing git
    return root


@pytest.fixture
def clean(tmp_path) -> Path:
    return make_project(tmp_path, {".agent-lint.toml": CONFIG, LOG: '{"session": "x"}\n'})


@pytest.fixture
def broken(tmp_path) -> Path:
    return make_project(tmp_path, {".agent-lint.toml": CONFIG, LOG: '{"session": '})


@pytest.fixture
def warning_only(tmp_path) -> Path:
    """A project whose only violation is a warning: an unused suppression (AL005)."""
    notes = "# Notes\n\n<!-- agent-lint-disable-next-line AL003 -->\nNothing to suppress here.\n"
    return make_project(tmp_path, {".agent-lint.toml": CONFIG, NOTES: notes})


# ----------------------------------------------------------------------------
# Exit codes


def test_clean_project_exits_0(agent_lint, clean):
    result = agent_lint("check", cwd=clean)
    assert (result.code, result.stdout) == (0, "All checks passed (1 file checked).\n")


def test_violation_exits_1(agent_lint, broken):
    result = agent_lint("check", cwd=broken)
    assert result.code == 1
    assert result.rows() == [f"{LOG}:1:13: AL003 [error] invalid JSON: Expecting value"]


def test_exit_zero_reports_but_exits_0(agent_lint, broken):
    result = agent_lint("check", "--exit-zero", cwd=broken)
    assert result.code == 0
    assert len(result.rows()) == 1


def test_warnings_fail_only_with_fail_on_warning(agent_lint, warning_only):
    default = agent_lint("check", cwd=warning_only)
    assert default.code == 0
    assert [ROW.match(row)["code"] for row in default.rows()] == ["AL005"]
    assert agent_lint("check", "--fail-on", "warning", cwd=warning_only).code == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "--no-such-option"], "No such option"),
        (["check", "missing.md"], "missing.md: no such file or directory"),
        (["check", "--select", "AL999"], "'AL999' matches no rule"),
        (["check", "--ignore", "AL0,nonsense"], "--ignore: 'nonsense' matches no rule"),
        (["check", "--output-format", "xml"], "unknown output format 'xml'"),
        (["check", "--fail-on", "info"], "--fail-on takes 'error' or 'warning'"),
        (["check", "--config", "absent.toml"], "absent.toml: config file not found"),
        (["rules", "--output-format", "xml"], "unknown output format 'xml'"),
        (["rule", "AL999"], "no rule 'AL999'"),
        (["no-such-command"], "No such command"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_usage_errors_exit_2(agent_lint, clean, args, message):
    result = agent_lint(*args, cwd=clean)
    assert result.code == 2
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "config_file, text, message",
    [
        (".agent-lint.toml", "bogus = 1\n", "invalid config at 'bogus': unknown key"),
        (".agent-lint.toml", "[rules.AL003]\nbogus = 1\n", "invalid config at 'rules.AL003.bogus': unknown key"),
        (".agent-lint.toml", "[rules.no-such-rule]\n", "invalid config at 'rules.no-such-rule': unknown key"),
        (".agent-lint.toml", 'max-file-size = "big"\n', "invalid config at 'max-file-size': 'big' is not of type 'integer'"),
        (".agent-lint.toml", 'select = "AL0"\n', "invalid config at 'select': 'AL0' is not of type 'array'"),
        (".agent-lint.toml", 'select = ["AL999"]\n', "invalid config at 'select': 'AL999' matches no rule"),
        (".agent-lint.toml", '[per-file-ignores]\n"*.md" = ["nonsense"]\n',
         "invalid config at 'per-file-ignores.*.md': 'nonsense' matches no rule"),
        (".agent-lint.toml", "select = [\n", "invalid TOML"),
        (".agent-lint.toml", b"select = ['\xe9']\n", "invalid TOML"),
        ("pyproject.toml", "[tool.agent-lint]\nbogus = 1\n", "invalid config at 'tool.agent-lint.bogus': unknown key"),
        ("pyproject.toml", '[tool.agent-lint]\nignore = ["AL9"]\n', "invalid config at 'tool.agent-lint.ignore': 'AL9' matches no rule"),
    ],
    ids=lambda value: value.strip().replace("\n", " ") if isinstance(value, str) else None,
)
def test_invalid_config_exits_2_naming_file_and_key(agent_lint, tmp_path, config_file, text, message):
    root = make_project(tmp_path, {config_file: text, LOG: "{}\n"})
    result = agent_lint("check", cwd=root)
    assert result.code == 2
    assert result.stderr.startswith(f"agent-lint: error: {root / config_file}:")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


# ----------------------------------------------------------------------------
# Output


def test_text_output_rows_and_summary(agent_lint, tmp_path):
    root = make_project(tmp_path, {
        ".agent-lint.toml": CONFIG,
        LOG: "[1, 2,\n  oops]\n",
        NOTES: "# Notes\n<!-- agent-lint-disable-file AL003 -->\n",
    })
    result = agent_lint("check", cwd=root)
    *rows, summary = result.stdout.splitlines()
    assert [ROW.match(row).group("path", "line", "col", "code", "severity") for row in rows] == [
        (LOG, "2", "3", "AL003", "error"),
        (NOTES, "2", "1", "AL005", "warning"),
    ]
    assert FOUND.match(summary)
    assert summary == "Found 2 violations (1 error, 1 warning) in 2 files; 2 files checked."


def test_json_output_shape(agent_lint, broken):
    result = agent_lint("check", "--output-format", "json", cwd=broken)
    assert result.code == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert data["tool"]["name"] == "agent-lint"
    assert data["summary"] == {"files": 1, "violations": 1, "errors": 1, "warnings": 0}
    assert data["violations"] == [{
        "path": LOG, "line": 1, "column": 13, "code": "AL003", "name": "invalid-json",
        "severity": "error", "message": "invalid JSON: Expecting value", "fixable": False,
    }]


def test_json_output_when_clean(agent_lint, clean):
    data = json.loads(agent_lint("check", "--output-format", "json", cwd=clean).stdout)
    assert data["summary"] == {"files": 1, "violations": 0, "errors": 0, "warnings": 0}
    assert data["violations"] == []


@pytest.mark.parametrize(
    "subfolder, args, shown",
    [
        (".agents", [], "sessions/2026-01-01-x.json"),
        (".agents/sessions", ["2026-01-01-x.json"], "2026-01-01-x.json"),
        ("docs", [], "../.agents/sessions/2026-01-01-x.json"),
        ("docs", ["../.agents"], "../.agents/sessions/2026-01-01-x.json"),
    ],
)
def test_paths_are_shown_relative_to_the_current_folder(agent_lint, broken, subfolder, args, shown):
    (broken / "docs").mkdir()
    result = agent_lint("check", *args, cwd=broken / subfolder)
    assert result.code == 1
    assert [ROW.match(row)["path"] for row in result.rows()] == [shown]


def test_undecodable_file_name_is_shown_with_a_replacement_character(tmp_path):
    root = make_project(tmp_path, {".agent-lint.toml": CONFIG})
    folder = root / ".agents" / "sessions"
    folder.mkdir(parents=True)
    try:
        with open(os.path.join(os.fsencode(folder), b"caf\xe9.json"), "wb") as handle:
            handle.write(b"{")
    except (OSError, UnicodeError):
        pytest.skip("this file system only takes file names that are valid UTF-8")
    for fmt in ("text", "json"):
        result = as_process(["check", "--output-format", fmt], root)  # decodes strictly
        assert result.code == 1
        assert ".agents/sessions/caf\N{REPLACEMENT CHARACTER}.json" in result.stdout


# ----------------------------------------------------------------------------
# Bad input: a violation row, never a traceback, and the run goes on


@pytest.mark.parametrize("git", [True, False], ids=["git", "no-git"])
def test_bad_files_are_reported_and_the_run_continues(agent_lint, tmp_path, git):
    root = make_project(tmp_path, {
        ".agent-lint.toml": CONFIG,
        ".agents/sessions/a-latin1.md": "# Caf\xe9\n".encode("latin-1"),
        ".agents/sessions/b-broken.json": '{"a": 1,}',
        ".agents/sessions/c-good.json": "{}\n",
        ".agents/sessions/d-binary.json": b"\x00\xff\xfe",
        "AGENT-SYSTEM.md": "# Agent system\n",
    }, git=git)
    # A session log that is a dangling symbolic link cannot be read (AL001).
    (root / ".agents/sessions/e-gone.json").symlink_to("nowhere.json")
    result = agent_lint("check", cwd=root)
    assert result.code == 1
    assert [ROW.match(row).group("path", "code") for row in result.rows()] == [
        (".agents/sessions/a-latin1.md", "AL002"),
        (".agents/sessions/b-broken.json", "AL003"),
        (".agents/sessions/d-binary.json", "AL002"),
        (".agents/sessions/e-gone.json", "AL001"),
    ]
    assert result.stdout.splitlines()[-1].endswith("; 6 files checked.")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_among_the_logs_is_passed_over_not_read(agent_lint, tmp_path):
    # Reading a FIFO would wait for a writer for ever; the walk names only files.
    root = make_project(tmp_path, {".agent-lint.toml": CONFIG, ".agents/sessions/a-good.json": "{}\n",
                                   "AGENT-SYSTEM.md": "# Agent system\n"})
    os.mkfifo(root / ".agents/sessions/b-pipe.json")
    result = agent_lint("check", "--exit-zero", cwd=root)
    assert result.code == 0
    assert "b-pipe" not in result.stdout + result.stderr
    assert "(2 files checked)" in result.stdout.splitlines()[-1]


def test_unreadable_file_is_reported(agent_lint, tmp_path):
    root = make_project(tmp_path, {".agent-lint.toml": CONFIG, LOG: "{}\n", NOTES: "# Notes\n"})
    target = root / LOG
    target.chmod(0)
    try:
        if os.access(target, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        result = agent_lint("check", cwd=root)
    finally:
        target.chmod(0o644)
    assert result.code == 1
    assert result.rows() == [f"{LOG}:1:1: AL001 [error] cannot read file: Permission denied"]


# ----------------------------------------------------------------------------
# Rules and help


def test_rules_lists_every_registered_rule(agent_lint, tmp_path):
    result = agent_lint("rules", cwd=tmp_path)
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["CODE", "NAME"]
    assert [line.split()[:2] for line in lines[1:]] == [[rule.code, rule.name] for rule in RULES]


def test_rules_as_json(agent_lint, tmp_path):
    result = agent_lint("rules", "--output-format", "json", cwd=tmp_path)
    assert [(item["code"], item["name"]) for item in json.loads(result.stdout)] == [
        (rule.code, rule.name) for rule in RULES
    ]


@pytest.mark.parametrize("name", ["AL003", "al003", "invalid-json"])
def test_rule_prints_its_documentation(agent_lint, tmp_path, name):
    result = agent_lint("rule", name, cwd=tmp_path)
    assert result.code == 0
    assert result.stdout.startswith("AL003 invalid-json (error)\n\nA JSON agent document does not parse.\n")
    for section in DOC_SECTIONS:
        assert f"## {section}\n" in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["rules", "--help"]])
def test_help(args, tmp_path):
    result = as_process(args, tmp_path)
    assert result.code == 0
    assert "Usage:" in result.stdout
    assert "Traceback" not in result.stderr


def test_module_help_lists_the_commands(tmp_path):
    result = as_process(["--help"], tmp_path)
    for command in ("check", "rules", "rule"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_a_lone_surrogate_in_json_is_reported_not_a_crash(agent_lint, tmp_path, fmt):
    # JSON may spell a lone surrogate; UTF-8 cannot encode it, and messages quote values.
    root = make_project(tmp_path, {".agents/sessions/2026-01-01-x.json": '{"id": "\\ud800", "date": "x\\ud800"}\n'})
    result = agent_lint("check", "--no-cache", "--output-format", fmt, cwd=root)
    assert result.code == 1, result.stderr
    assert "\ufffd" in result.stdout
