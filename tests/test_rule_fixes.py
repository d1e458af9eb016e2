"""The fixes the real rules offer (AL205, AL213, AL305, AL306): exact bytes before and after.

Each test builds a small project in a temporary folder (the repository's
own AGENT-SYSTEM.md as its system document), runs ``check --fix`` or
``--diff`` with the real registry, and compares whole files. A second
``--fix`` must change nothing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from agent_lint.docs import rule_text, rules_table
from agent_lint.rules import by_code_or_name
from agent_lint.runner import CheckOptions, check

REFERENCE = (Path(__file__).resolve().parents[1] / "AGENT-SYSTEM.md").read_bytes()
ITEMS = (
    "Tasks are independent",
    "No shared file modifications",
    "Orchestrator can aggregate results",
    "Rate limit budget checked for all agents",
    "Each agent has its own session log path",
    "HANDOFF will be updated once, by the orchestrator, after all sessions complete",
)
SECTION = "## Prerequisites Checklist\n\n" + "".join(f"- [ ] {item}\n" for item in ITEMS)
SESSIONS = ".agents/sessions"
ORCH = f"{SESSIONS}/2026-03-02-review.md"
HANDOFF = ".agents/HANDOFF.md"


def make_project(root: Path, files: dict[str, bytes | str], system: bool = True) -> Path:
    (root / ".git").mkdir(parents=True)
    if system:
        (root / "AGENT-SYSTEM.md").write_bytes(REFERENCE)
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return root


def run(root: Path, *select: str, fix: bool = False, diff: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = check(CheckOptions(cwd=root, select=select, fix=fix, diff=diff, no_cache=True), out=out)
    return code, out.getvalue()


def fixed_twice(root: Path, path: str, *select: str) -> bytes:
    """Fix, then fix again: the second run must not change a byte."""
    run(root, *select, fix=True)
    once = (root / path).read_bytes()
    run(root, *select, fix=True)
    assert (root / path).read_bytes() == once, "a second --fix changed the file"
    return once


def orchestrator_md(body: str, dispatched: str = "") -> str:
    return ("# Session 2026-03-02-review\n\n**Date**: 2026-03-02\n**Agent**: claude-code\n"
            f"**Role**: orchestrator\n**Objective**: Review\n**Dispatched**:{dispatched}\n\n{body}")


def worker_md(ident: str, orchestrator: str = "2026-03-02-review") -> str:
    return (f"# Session {ident}\n\n**Date**: 2026-03-02\n**Agent**: claude-code\n**Role**: worker\n"
            f"**Objective**: Review one\n**Orchestrator**: {orchestrator}\n**HANDOFF Updated**: no\n\n"
            "## Work Log\n\n- Reviewed.\n\n## Outcome\n\nDone.\n")


# --- AL213: the prerequisites checklist, Markdown -------------------------------


def test_al213_inserts_the_template_before_the_outcome(tmp_path):
    before = orchestrator_md("## Work Log\n\n- Listed the PRs.\n## Outcome\n\nDone.\n")
    root = make_project(tmp_path, {ORCH: before})
    assert fixed_twice(root, ORCH, "AL213").decode() == orchestrator_md(
        "## Work Log\n\n- Listed the PRs.\n\n" + SECTION + "\n## Outcome\n\nDone.\n")
    assert run(root) == (0, "All checks passed (2 files checked).\n")  # nothing dispatched: AL215 waits


def test_al213_appends_the_template_without_adding_a_final_newline(tmp_path):
    root = make_project(tmp_path, {ORCH: orchestrator_md("## Work Log\n\n- Listed the PRs.")})
    assert fixed_twice(root, ORCH, "AL213").decode() == orchestrator_md(
        "## Work Log\n\n- Listed the PRs.\n\n" + SECTION.rstrip("\n"))


def test_al213_keeps_crlf_and_the_bom(tmp_path):
    crlf = orchestrator_md("## Work Log\n\n- Listed.\n\n## Outcome\n\nDone.\n").replace("\n", "\r\n")
    root = make_project(tmp_path, {ORCH: b"\xef\xbb\xbf" + crlf.encode()})
    expected = orchestrator_md("## Work Log\n\n- Listed.\n\n" + SECTION + "\n## Outcome\n\nDone.\n")
    assert fixed_twice(root, ORCH, "AL213") == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode()


def test_al213_diff_shows_the_section(tmp_path, capsys):
    before = orchestrator_md("## Work Log\n\n## Outcome\n\nDone.\n")
    root = make_project(tmp_path, {ORCH: before})
    code, out = run(root, "AL213", diff=True)
    assert code == 1
    assert (root / ORCH).read_text() == before
    assert out == (
        f"--- a/{ORCH}\n+++ b/{ORCH}\n@@ -8,6 +8,15 @@\n"
        " \n ## Work Log\n \n"
        + "".join(f"+{line}\n" for line in SECTION.splitlines())
        + "+\n ## Outcome\n \n Done.\n"
    )
    assert capsys.readouterr().err == "Would fix 1 violation in 1 file.\n"


@pytest.mark.parametrize("body", [
    "## Prerequisites\n\n- [x] Tasks are independent\n\n## Outcome\n\nDone.\n",  # another title: which one?
    "## Work Log\n\n## Prerequisites Checklist\n\nAll fine.\n\n## Outcome\n\nDone.\n",  # empty, not missing
])
def test_al213_offers_no_fix_where_it_would_guess(tmp_path, body):
    root = make_project(tmp_path, {ORCH: orchestrator_md(body)})
    code, out = run(root, "AL213", diff=True)
    assert (code, out) == (0, "")
    assert "AL213" in run(root, "AL213")[1]


def test_al213_offers_no_fix_without_a_template(tmp_path):
    root = make_project(tmp_path, {ORCH: orchestrator_md("## Outcome\n\nDone.\n")}, system=False)
    assert run(root, "AL213", diff=True) == (0, "")


# --- AL213: JSON ------------------------------------------------------------------


def orchestrator_json(indent: str | None) -> str:
    data = {"id": "2026-03-02-review", "date": "2026-03-02", "agent": "claude-code", "role": "orchestrator",
            "objective": "Review", "dispatched": [], "workLog": [], "outcome": "Done."}
    if indent is None:
        return json.dumps(data)
    return json.dumps(data, indent=indent) + "\n"


def items_json(indent: str) -> str:
    rows = [json.dumps({"item": item, "checked": False, "note": ""}) for item in ITEMS]
    return "[\n" + ",\n".join(indent * 2 + row for row in rows) + "\n" + indent + "]"


@pytest.mark.parametrize("indent", ["  ", "    ", "\t"])
def test_al213_adds_the_json_array_with_the_files_indentation(tmp_path, indent):
    path = f"{SESSIONS}/2026-03-02-review.json"
    before = orchestrator_json(indent)
    root = make_project(tmp_path, {path: before})
    after = fixed_twice(root, path, "AL213").decode()
    assert after == before.replace('"Done."\n}', f'"Done.",\n{indent}"prerequisites": {items_json(indent)}\n}}')
    assert json.loads(after)["prerequisites"][0] == {"item": ITEMS[0], "checked": False, "note": ""}


def test_al213_json_on_one_line_stays_on_one_line(tmp_path):
    path = f"{SESSIONS}/2026-03-02-review.json"
    root = make_project(tmp_path, {path: orchestrator_json(None)})
    after = fixed_twice(root, path, "AL213").decode()
    rows = ", ".join(json.dumps({"item": item, "checked": False, "note": ""}) for item in ITEMS)
    assert after == orchestrator_json(None)[:-1] + f', "prerequisites": [{rows}]}}'


def test_al213_json_keeps_crlf_and_the_bom(tmp_path):
    path = f"{SESSIONS}/2026-03-02-review.json"
    before = orchestrator_json("  ").replace("\n", "\r\n")
    root = make_project(tmp_path, {path: b"\xef\xbb\xbf" + before.encode()})
    expected = orchestrator_json("  ").replace('"Done."\n}', f'"Done.",\n  "prerequisites": {items_json("  ")}\n}}')
    assert fixed_twice(root, path, "AL213") == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode()


def test_al213_json_with_another_prerequisites_key_is_not_fixed(tmp_path):
    path = f"{SESSIONS}/2026-03-02-review.json"
    data = json.loads(orchestrator_json(None)) | {"prerequisitesChecked": True}
    root = make_project(tmp_path, {path: json.dumps(data, indent=2)})
    assert run(root, "AL213", diff=True) == (0, "")
    assert "AL213" in run(root, "AL213")[1]


# --- AL305: a link to a renamed log -----------------------------------------------


def handoff(history: str) -> str:
    return f"# Handoff\n\n## Current State\n\nGreen.\n\n## Session History\n\n{history}\n## Next Steps\n\n- More.\n"


def test_al305_points_the_link_at_the_log_that_exists(tmp_path):
    files = {
        f"{SESSIONS}/2026-03-02-solo.json": json.dumps({"id": "2026-03-02-solo"}),
        HANDOFF: handoff("See [solo](sessions/2026-03-02-solo.md#outcome) and [solo](./sessions/2026-03-02-solo.md).\n"),
    }
    root = make_project(tmp_path, files)
    assert fixed_twice(root, HANDOFF, "AL305").decode() == handoff(
        "See [solo](sessions/2026-03-02-solo.json#outcome) and [solo](./sessions/2026-03-02-solo.json).\n")
    assert run(root, "AL305") == (0, "All checks passed (3 files checked).\n")


def test_al305_with_two_candidate_logs_is_not_fixed(tmp_path):
    # From the HANDOFF's folder the link means .agents/sessions/; from the root, sessions/.
    files = {
        ".agent-lint.toml": 'session-logs = [".agents/sessions/*", "sessions/*"]\n',
        f"{SESSIONS}/2026-03-02-solo.json": "{}",
        "sessions/2026-03-02-solo.json": "{}",
        HANDOFF: handoff("See [solo](sessions/2026-03-02-solo.md).\n"),
    }
    root = make_project(tmp_path, files)
    assert run(root, "AL305", diff=True) == (0, "")
    assert "AL305" in run(root, "AL305")[1]


def test_al305_bare_id_without_a_log_is_not_fixed(tmp_path):
    root = make_project(tmp_path, {HANDOFF: handoff("### 2026-03-02-gone\n\n**Sessions**: 2026-03-02-gone\n\n")})
    assert run(root, "AL305", diff=True) == (0, "")


# --- AL306: the batch's sessions on the Sessions line ------------------------------


def batch_files(sessions_line: str, after: str = "\n**Summary**: Reviewed.\n\n") -> dict[str, str]:
    return {
        ORCH: orchestrator_md("## Work Log\n\n## Outcome\n\nDone.\n",
                              " 2026-03-02-review-a, 2026-03-02-review-b"),
        f"{SESSIONS}/2026-03-02-review-a.md": worker_md("2026-03-02-review-a"),
        f"{SESSIONS}/2026-03-02-review-b.md": worker_md("2026-03-02-review-b"),
        HANDOFF: handoff(f"### 2026-03-02-review\n\n**Sessions**: {sessions_line}{after}"),
    }


@pytest.mark.parametrize("written, fixed", [
    ("2026-03-02-review, 2026-03-02-review-a",
     "2026-03-02-review, 2026-03-02-review-a, 2026-03-02-review-b"),
    ("2026-03-02-review-a", "2026-03-02-review, 2026-03-02-review-a, 2026-03-02-review-b"),
    ("2026-03-02-review-b, 2026-03-02-review,  2026-03-02-review-a",
     "2026-03-02-review, 2026-03-02-review-b, 2026-03-02-review-a"),
    ("2026-03-02-review-b  ", "2026-03-02-review, 2026-03-02-review-b, 2026-03-02-review-a  "),
    ("", "2026-03-02-review, 2026-03-02-review-a, 2026-03-02-review-b"),
    ("[2026-03-02-review](sessions/2026-03-02-review.md)",
     "[2026-03-02-review](sessions/2026-03-02-review.md), "
     "[2026-03-02-review-a](sessions/2026-03-02-review-a.md), "
     "[2026-03-02-review-b](sessions/2026-03-02-review-b.md)"),
    ("[2026-03-02-review](.agents/sessions/2026-03-02-review.md)",
     "[2026-03-02-review](.agents/sessions/2026-03-02-review.md), "
     "[2026-03-02-review-a](.agents/sessions/2026-03-02-review-a.md), "
     "[2026-03-02-review-b](.agents/sessions/2026-03-02-review-b.md)"),
], ids=["worker-missing", "orchestrator-missing", "orchestrator-not-first", "trailing-spaces", "empty",
        "links-from-the-handoff-folder", "links-from-the-root"])
def test_al306_adds_the_missing_sessions(tmp_path, written, fixed):
    root = make_project(tmp_path, batch_files(written))
    assert fixed_twice(root, HANDOFF, "AL306").decode() == batch_files(fixed)[HANDOFF]
    assert run(root, "AL3") == (0, "All checks passed (5 files checked).\n")


@pytest.mark.parametrize("written, after", [
    ("2026-03-02-review,", "\n2026-03-02-review-a\n\n**Summary**: Reviewed.\n\n"),  # the list goes on below
    ("review, 2026-03-02-review-a", "\n**Summary**: Reviewed.\n\n"),  # a session named by other text
])
def test_al306_offers_no_fix_where_it_would_guess(tmp_path, written, after):
    root = make_project(tmp_path, batch_files(written, after))
    assert run(root, "AL306", diff=True) == (0, "")
    assert "AL306" in run(root, "AL306")[1]


def test_al305_and_al306_fix_one_line_in_one_pass(tmp_path, capsys):
    files = batch_files("[2026-03-02-review](sessions/2026-03-02-review.json)")
    root = make_project(tmp_path, files)
    run(root, "AL305", "AL306", fix=True)
    assert capsys.readouterr().err == "Fixed 2 violations in 1 file.\n"
    assert (root / HANDOFF).read_text() == batch_files(
        "[2026-03-02-review](sessions/2026-03-02-review.md), "
        "[2026-03-02-review-a](sessions/2026-03-02-review-a.md), "
        "[2026-03-02-review-b](sessions/2026-03-02-review-b.md)")[HANDOFF]


# --- AL205: checklist syntax, opt-in ----------------------------------------------


def single_md(body: str) -> str:
    return ("# Session 2026-03-02-solo\n\n**Date**: 2026-03-02\n**Agent**: claude-code\n**Role**: single\n"
            f"**Objective**: Solo\n\n## Work Log\n\n{body}\n## Outcome\n\nDone.\n")


SOLO = f"{SESSIONS}/2026-03-02-solo.md"


def test_al205_is_opt_in(tmp_path):
    root = make_project(tmp_path, {SOLO: single_md("* [X] Checked\n")})
    assert run(root) == (0, "All checks passed (2 files checked).\n")
    assert "AL205" not in run(root, "AL2")[1]
    for selector in ("AL205", "checklist-syntax-nonstandard"):
        assert run(root, selector)[1] == (
            f"{SOLO}:10:3: AL205 [warning] checklist written '* [X]'; write '- [ ]' and '- [x]'\n"
            "Found 1 violation (0 errors, 1 warning) in 1 file; 2 files checked, 1 fixable with --fix.\n")
    assert "warning (opt-in)" in rules_table()
    assert rule_text(by_code_or_name("AL205")).startswith("AL205 checklist-syntax-nonstandard (warning, fixable, opt-in)")


def test_al205_fixes_bullets_and_marks_and_nothing_else(tmp_path):
    body = ("* [X] One\n* [ ] Two\n  + [x] Nested\n* Plain item of the same list\n\n"
            "1. [X] Ordered lists are left alone\n\n```markdown\n* [X] Fenced\n```\n\n- [X] Only the mark\n")
    root = make_project(tmp_path, {SOLO: single_md(body)})
    assert fixed_twice(root, SOLO, "AL205").decode() == single_md(
        "- [x] One\n- [ ] Two\n  - [x] Nested\n- Plain item of the same list\n\n"
        "1. [X] Ordered lists are left alone\n\n```markdown\n* [X] Fenced\n```\n\n- [x] Only the mark\n")
    assert run(root, "AL205") == (0, "All checks passed (2 files checked).\n")


def test_al205_does_not_fix_a_list_that_would_merge_with_its_neighbour(tmp_path):
    body = "* [x] First list\n\n- Second list\n\n+ [X] Third list\n"
    root = make_project(tmp_path, {SOLO: single_md(body)})
    # Either bullet changed to '-' would join the second list; the mark is in the same fix.
    assert run(root, "AL205", diff=True) == (0, "")
    assert run(root, "AL205")[1].count("AL205") == 2
    body = "* [x] First list\n\n+ [X] Second list\n"
    root = make_project(tmp_path / "two", {SOLO: single_md(body)})
    run(root, "AL205", fix=True)
    # Changing both would merge them: the first is fixed, the second keeps its bullet.
    assert (root / SOLO).read_text() == single_md("- [x] First list\n\n+ [X] Second list\n")


def test_al205_checks_other_documents_only_when_configured(tmp_path):
    files = {HANDOFF: handoff("* [X] Done\n"), ".agent-lint.toml": '[rules.AL205]\ndocuments = ["handoff"]\n'}
    root = make_project(tmp_path, files)
    assert fixed_twice(root, HANDOFF, "AL205").decode() == handoff("- [x] Done\n")
