"""The github, sarif and junit output formats, on hand-made reports and end to end."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agent_lint import DOCS_URL, cli
from agent_lint.model import Severity, Violation
from agent_lint.report import Report, render
from agent_lint.report.github import MAX_SUMMARY_ROWS, step_summary
from agent_lint.rules import RULES
from agent_lint.runner import CheckOptions, check

SARIF_SCHEMA = Path("/work/shared/schemas/sarif-schema-2.1.0.json")


def violation(path="AGENT-SYSTEM.md", line=3, column=1, code="AL003", message="broken", severity=Severity.ERROR):
    rule = next(r for r in RULES if r.code == code)
    return Violation(path, line, column, code, rule.name, message, severity)


def report(*violations: Violation, files: int = 2) -> Report:
    return Report(list(violations), files, RULES, lambda path: path or ".", "9.9.9")


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch):
    # The suite may itself run inside GitHub Actions.
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    sessions = tmp_path / ".agents" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "2026-03-02-worker.json").write_text('{"id": "w1",}\n', encoding="utf-8")
    return tmp_path


# --- github -----------------------------------------------------------------


def test_github_annotations_and_summary_line():
    out = render("github", report(
        violation(".agents/sessions/a.json", 1, 12, "AL003", "invalid JSON: Expecting value"),
        violation(".agents/HANDOFF.md", 4, 2, "AL005", "unused suppression", Severity.WARNING),
    ))
    assert out.splitlines() == [
        "::error file=.agents/sessions/a.json,line=1,col=12,title=AL003 invalid-json::invalid JSON: Expecting value",
        "::warning file=.agents/HANDOFF.md,line=4,col=2,title=AL005 unused-suppression::unused suppression",
        "Found 2 violations (1 error, 1 warning) in 2 files; 2 files checked.",
    ]


def test_github_escaping_blocks_injected_commands():
    crafted = violation(
        "evil,file=x:y%0A\n::error file=z::.md", 7, 3, "AL003", "bad\r\n::error file=pwned.md::owned 100%0A"
    )
    # Control characters are written as escapes first (every format does so), then the
    # toolkit's escaping applies: either alone would keep the injected command off its own line.
    assert render("github", report(crafted)).splitlines() == [
        "::error file=evil%2Cfile=x%3Ay%250A\\n%3A%3Aerror file=z%3A%3A.md,line=7,col=3,"
        "title=AL003 invalid-json::bad\\r\\n::error file=pwned.md::owned 100%250A",
        "Found 1 violation (1 error, 0 warnings) in 1 file; 2 files checked.",
    ]


def test_github_project_level_violation_has_no_file():
    out = render("github", report(violation("", 1, 1, "AL003", "no batch")))
    assert out.splitlines()[0] == "::error title=AL003 invalid-json::no batch"


def test_github_clean_report_is_only_the_summary():
    assert render("github", report(files=3)) == "All checks passed (3 files checked).\n"


def test_step_summary_table_escapes_cells():
    text = step_summary(report(
        violation("a|b.md", 2, 1, "AL003", "pipe | and\nnewline `code` <b>"),
        violation("c.md", 5, 1, "AL005", "plain", Severity.WARNING),
    ), extra_markdown="```mermaid\ngraph TD\n```")
    lines = text.splitlines()
    assert lines[0] == "## agent-lint"
    assert "Found 2 violations (1 error, 1 warning) in 2 files; 2 files checked." in lines
    header = lines.index("| File | Line | Code | Severity | Message |")
    assert lines[header + 2] == (
        r"| a\|b\.md | 2 | AL003 | error | pipe \| and<br>newline \`code\` \<b\> |"
    )
    assert lines[header + 3] == "| c\\.md | 5 | AL005 | warning | plain |"
    # The closing blank line keeps whatever a later step appends out of the table.
    assert text.endswith("| c\\.md | 5 | AL005 | warning | plain |\n\n```mermaid\ngraph TD\n```\n\n")


def test_step_summary_caps_rows():
    many = [violation("a.md", n, 1) for n in range(1, MAX_SUMMARY_ROWS + 6)]
    lines = step_summary(report(*many)).splitlines()
    assert sum(1 for line in lines if line.startswith("| a\\.md |")) == MAX_SUMMARY_ROWS
    assert "5 more violations not shown; run agent-lint locally for the full list." in lines


def test_step_summary_is_appended_by_the_cli(project, monkeypatch, capsys, tmp_path):
    summary_file = tmp_path / "summary.md"
    summary_file.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    monkeypatch.chdir(project)
    assert cli.run(["check", "--output-format", "github"]) == 1
    assert capsys.readouterr().out.startswith(
        "::error file=.agents/sessions/2026-03-02-worker.json,line=1,col=13,title=AL003 invalid-json::"
    )
    written = summary_file.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## agent-lint\n")
    assert "| \\.agents\\/sessions\\/2026\\-03\\-02\\-worker\\.json | 1 | AL003 | error |" in written


def test_unwritable_step_summary_only_warns(project, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "summary.md"))
    monkeypatch.chdir(project)
    assert cli.run(["check", "--output-format", "github"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("::error file=.agents/sessions/2026-03-02-worker.json,")
    assert captured.err.startswith("agent-lint: warning: cannot write GITHUB_STEP_SUMMARY: ")
    assert captured.err.count("\n") == 1


# --- sarif ------------------------------------------------------------------


@pytest.fixture
def sarif_validator(monkeypatch):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF 2.1.0 schema not found at {SARIF_SCHEMA}")
    import urllib.request

    import jsonschema

    def offline(*args, **kwargs):
        raise AssertionError("schema validation tried to fetch a URL")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft7Validator  # the schema's $schema is draft-07
    return cls(schema)


def sarif(rep: Report) -> dict:
    return json.loads(render("sarif", rep))


def test_sarif_is_valid_and_describes_every_rule(sarif_validator):
    log = sarif(report(
        violation(".agents/sessions/a b%é.json", 2, 5, "AL003", "invalid JSON"),
        violation(".agents/HANDOFF.md", 1, 1, "AL005", "unused", Severity.WARNING),
    ))
    sarif_validator.validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("agent-lint", "9.9.9")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    al003 = driver["rules"][[r.code for r in RULES].index("AL003")]
    assert al003["name"] == "invalid-json"
    assert al003["helpUri"] == DOCS_URL + "#al003"
    assert al003["fullDescription"]["text"].startswith("## What it checks")
    assert al003["help"]["markdown"].startswith("A JSON agent document does not parse.")
    first, second = run["results"]
    assert driver["rules"][first["ruleIndex"]]["id"] == first["ruleId"] == "AL003"
    assert (first["level"], second["level"]) == ("error", "warning")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": ".agents/sessions/a%20b%25%C3%A9.json", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2, "startColumn": 5}


def test_sarif_project_level_violation_points_at_the_root(sarif_validator):
    log = sarif(report(violation("", 1, 1, "AL003", "no batch")))
    sarif_validator.validate(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "./", "uriBaseId": "%SRCROOT%"}}


def test_sarif_clean_report_is_valid(sarif_validator):
    log = sarif(report())
    sarif_validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_fingerprints_survive_line_shifts_and_tell_repeats_apart():
    def prints(*lines):
        log = sarif(report(*(violation("a.md", n, 1, "AL003", "same") for n in lines)))
        return [r["partialFingerprints"]["agentLint/v1"] for r in log["runs"][0]["results"]]

    assert prints(3, 9) == prints(13, 19)
    assert len(set(prints(3, 9))) == 2


# --- junit ------------------------------------------------------------------


def junit(rep: Report) -> ET.Element:
    return ET.fromstring(render("junit", rep).encode("utf-8"))


def test_junit_one_testcase_per_file_one_failure_per_violation():
    root = junit(report(
        violation("a.md", 1, 2, "AL003", "first"),
        violation("a.md", 4, 1, "AL005", "second", Severity.WARNING),
        violation("b.md", 3, 3, "AL003", "third"),
    ))
    suite = root.find("testsuite")
    assert suite.get("name") == "agent-lint"
    assert [(s.get("tests"), s.get("failures"), s.get("errors")) for s in (root, suite)] == [("2", "2", "0")] * 2
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == ["a.md", "b.md"]
    failures = cases[0].findall("failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [("AL003", "AL003 first"), ("AL005", "AL005 second")]
    assert failures[1].text == "a.md:4:1: AL005 [warning] second"


def test_junit_clean_report_is_one_passing_testcase():
    suite = junit(report()).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "agent-lint" and list(case) == []


def test_junit_escapes_markup_and_writes_control_characters_as_escapes():
    controls = "".join(chr(c) for c in range(0x20))
    root = junit(report(violation('x<&">.md', 1, 1, "AL003", f"<tag> & \"q\" {controls}end")))
    case = root.find("testsuite/testcase")
    assert case.get("classname") == 'x<&">.md'
    failure = case.find("failure")
    escaped = "".join({"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(c, f"\\x{ord(c):02x}") for c in controls)
    assert failure.get("message") == f"AL003 <tag> & \"q\" {escaped}end"
    assert failure.text.startswith('x<&">.md:1:1: AL003 [error] <tag> & "q" \\x00')
    assert not any(c in failure.text for c in controls)


# --- end to end -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_each_format_through_the_runner(project, fmt):
    out = io.StringIO()
    code = check(CheckOptions(output_format=fmt, cwd=project), out=out)
    assert code == 1
    text = out.getvalue()
    path = ".agents/sessions/2026-03-02-worker.json"
    if fmt == "github":
        assert text.splitlines()[0].startswith(f"::error file={path},line=1,col=13,title=AL003 invalid-json::")
    elif fmt == "sarif":
        (result,) = json.loads(text)["runs"][0]["results"]
        assert result["ruleId"] == "AL003"
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path
    else:
        (failure,) = ET.fromstring(text.encode("utf-8")).iter("failure")
        assert failure.text.startswith(f"{path}:1:13: AL003 [error] ")
