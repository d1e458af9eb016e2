"""``check --fix`` and ``check --diff``: exact bytes on real files, with rules made for the tests.

The rules here are never registered: each test hands its own registry to the
runner, so these rules cannot leak into the real rule table.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import stat
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_lint import cli, fixer
from agent_lint.edits import dominant_newline
from agent_lint.fixer import MAX_PASSES, apply_fixes, unified_diff
from agent_lint.document import Document
from agent_lint.model import Edit, Finding, Fix, Rule, Scope, Severity, Violation
from agent_lint.parallel import POOL_THRESHOLD
from agent_lint.runner import CheckOptions, check

LOG = ".agents/sessions/2026-03-02-worker.md"
CHECKLIST = "\n## Prerequisites Checklist\n\n- [ ] Tasks are independent\n"


# --- rules made for these tests ---------------------------------------------


def check_task_marker(doc, options):
    for number, line in enumerate(doc.lines, 1):
        match = re.match(r"(\s*)\* \[X\]", line)
        if match:
            column = len(match.group(1)) + 1
            start = doc.offset(number, column)
            yield Finding(number, column, "task written '* [X]'",
                          fix=Fix("write '- [x]'", (Edit(start, start + 5, "- [x]"),)))


def check_checklist_missing(doc, options):
    if "## Prerequisites Checklist" not in doc.text:
        end = len(doc.text)
        yield Finding(1, 1, "no prerequisites checklist", fix=Fix("append the checklist", (Edit(end, end, CHECKLIST),)))


def check_done_case(doc, options):
    # Overlaps the task-marker fix on the same line: it must wait for the next pass.
    for number, line in enumerate(doc.lines, 1):
        match = re.search(r"\[[xX]\] Done", line)
        if match:
            start = doc.offset(number, match.start() + 1)
            yield Finding(number, match.start() + 1, "'Done' capitalised",
                          fix=Fix("lower-case it", (Edit(start, start + 8, "[x] done"),)))


def check_todo(doc, options):
    for number, line in enumerate(doc.lines, 1):
        if "TODO" in line:
            yield Finding(number, line.index("TODO") + 1, "TODO left in the log")


def check_never_satisfied(doc, options):
    yield Finding(1, 1, "wants one more x", fix=Fix("prepend x", (Edit(0, 0, "x"),)))


def check_out_of_range(doc, options):
    yield Finding(1, 1, "broken fix", fix=Fix("past the end", (Edit(0, len(doc.text) + 5, ""),)))


def rule(code, name, check_function, fixable=True, severity=Severity.ERROR):
    return Rule(code, name, Scope.DOCUMENT, check_function, f"{name}.\n", fixable=fixable, severity=severity,
                reads=Document)


TASK_MARKER = rule("AL901", "task-marker-not-canonical", check_task_marker)
CHECKLIST_MISSING = rule("AL902", "prerequisites-checklist-missing", check_checklist_missing)
DONE_CASE = rule("AL903", "done-capitalised", check_done_case)
TODO = rule("AL904", "todo-left", check_todo, fixable=False)
NEVER = rule("AL905", "never-satisfied", check_never_satisfied)
OUT_OF_RANGE = rule("AL906", "fix-out-of-range", check_out_of_range)


# --- helpers ----------------------------------------------------------------


def make_project(root: Path, files: dict[str, bytes]) -> Path:
    (root / ".git").mkdir(parents=True)  # the project root, without needing git itself
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def run(root: Path, rules, *, fix=False, diff=False, output_format="text", **extra) -> tuple[int, str]:
    out = io.StringIO()
    options = CheckOptions(cwd=root, fix=fix, diff=diff, output_format=output_format,
                           no_cache=extra.pop("no_cache", True), **extra)
    code = check(options, out=out, registry=rules)
    return code, out.getvalue()


# --- applying fixes to a file ------------------------------------------------


def test_crlf_and_bom_survive_a_fix(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"\xef\xbb\xbf# Log\r\n\r\n* [X] done\r\n* [ ] todo\r\n"})
    code, out = run(root, (TASK_MARKER, CHECKLIST_MISSING), fix=True)
    assert (root / LOG).read_bytes() == (
        b"\xef\xbb\xbf# Log\r\n\r\n- [x] done\r\n* [ ] todo\r\n"
        b"\r\n## Prerequisites Checklist\r\n\r\n- [ ] Tasks are independent\r\n"
    )
    assert code == 0
    assert out == "All checks passed (1 file checked).\n"
    assert capsys.readouterr().err == "Fixed 2 violations in 1 file.\n"


def test_a_file_without_final_newline_keeps_lacking_one(tmp_path):
    root = make_project(tmp_path, {LOG: b"# Log\n\n* [X] done"})
    run(root, (TASK_MARKER, CHECKLIST_MISSING), fix=True)
    assert (root / LOG).read_bytes() == (
        b"# Log\n\n- [x] done\n## Prerequisites Checklist\n\n- [ ] Tasks are independent"
    )


def test_a_read_only_file_keeps_its_mode(tmp_path):
    root = make_project(tmp_path, {LOG: b"# Log\n\n* [X] done\n"})
    (root / LOG).chmod(0o444)
    run(root, (TASK_MARKER,), fix=True)
    assert (root / LOG).read_bytes() == b"# Log\n\n- [x] done\n"
    assert stat.S_IMODE((root / LOG).stat().st_mode) == 0o444
    assert [p.name for p in (root / LOG).parent.iterdir()] == ["2026-03-02-worker.md"]  # no temporary left


def test_a_symlinked_document_is_checked_but_never_written_through(tmp_path, capsys):
    root = make_project(tmp_path, {"notes/real.md": b"* [X] done\n"})
    (root / ".agents/sessions").mkdir(parents=True)
    os.symlink(root / "notes/real.md", root / LOG)
    _, out = run(root, (TASK_MARKER,), fix=True)
    assert (root / LOG).is_symlink()
    assert (root / "notes/real.md").read_bytes() == b"* [X] done\n"
    assert f"{LOG}:1:1: " in out  # read (the link stays inside the project), not fixed
    assert "it is a symbolic link; not written through" in capsys.readouterr().err


def test_fix_is_idempotent_and_reports_what_remains(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"# Log\n\n* [X] done\n\nTODO: write more\n"})
    rules = (TASK_MARKER, CHECKLIST_MISSING, TODO)
    first = run(root, rules, fix=True)
    once = (root / LOG).read_bytes()
    assert capsys.readouterr().err == "Fixed 2 violations in 1 file.\n"
    second = run(root, rules, fix=True)
    assert (root / LOG).read_bytes() == once
    assert capsys.readouterr().err == ""
    assert first == second == (
        1,
        f"{LOG}:5:1: AL904 [error] TODO left in the log\n"
        "Found 1 violation (1 error, 0 warnings) in 1 file; 1 file checked.\n",
    )


def test_overlapping_fixes_wait_for_the_next_pass(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"* [X] Done\n"})
    code, _ = run(root, (TASK_MARKER, DONE_CASE), fix=True)
    assert (root / LOG).read_bytes() == b"- [x] done\n"
    assert code == 0
    assert capsys.readouterr().err == "Fixed 2 violations in 1 file.\n"


def test_a_rule_that_keeps_offering_fixes_stops_after_max_passes(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"# Log\n"})
    code, _ = run(root, (NEVER,), fix=True)
    assert (root / LOG).read_bytes() == b"x" * MAX_PASSES + b"# Log\n"
    assert code == 1
    err = capsys.readouterr().err
    assert f"fixes still pending after {MAX_PASSES} passes" in err
    assert err.endswith(f"Fixed {MAX_PASSES} violations in 1 file.\n")


def test_an_invalid_fix_is_reported_and_not_applied(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"# Log\n"})
    code, out = run(root, (OUT_OF_RANGE,), fix=True)
    assert (root / LOG).read_bytes() == b"# Log\n"
    assert code == 1
    assert out.startswith(f"{LOG}:1:1: AL906 [error] broken fix\n")
    assert capsys.readouterr().err == (
        f"agent-lint: warning: {LOG}:1:1: AL906 offered a fix with edits outside the file "
        "or overlapping each other; not applied\n"
    )


def test_a_file_changed_since_it_was_checked_is_skipped(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"* [X] done\n"})
    edited = []

    def check_and_edit_meanwhile(doc, options):
        # Someone saves the file while the check runs: the fix's offsets are stale.
        if not edited:
            edited.append(True)
            (root / LOG).write_bytes(b"Intro\n* [X] done\n")
        yield from check_task_marker(doc, options)

    code, _ = run(root, (rule("AL901", "task-marker-not-canonical", check_and_edit_meanwhile),), fix=True)
    assert (root / LOG).read_bytes() == b"Intro\n* [X] done\n"
    assert code == 1
    assert capsys.readouterr().err == (
        f"agent-lint: warning: {LOG} changed on disk since it was checked; not fixed\n"
    )


def test_suppressed_and_unselected_violations_are_not_fixed(tmp_path):
    text = b"<!-- agent-lint-disable-next-line AL901 -->\n* [X] kept\n* [X] fixed\n"
    root = make_project(tmp_path, {LOG: text, ".agents/sessions/other.md": b"* [X] other\n"})
    run(root, (TASK_MARKER,), fix=True, paths=(root / LOG,))
    assert (root / LOG).read_bytes() == b"<!-- agent-lint-disable-next-line AL901 -->\n* [X] kept\n- [x] fixed\n"
    assert (root / ".agents/sessions/other.md").read_bytes() == b"* [X] other\n"


def test_remaining_violations_keep_the_json_format_and_stdout_stays_json(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"* [X] done\nTODO\n"})
    code, out = run(root, (TASK_MARKER, TODO), fix=True, output_format="json")
    import json

    assert [v["code"] for v in json.loads(out)["violations"]] == ["AL904"]
    assert capsys.readouterr().err == "Fixed 1 violation in 1 file.\n"


# --- --diff -------------------------------------------------------------------


def test_diff_prints_the_fix_and_writes_nothing(tmp_path, capsys):
    before = b"# Log\n\n* [X] done\n* [ ] todo"
    root = make_project(tmp_path, {LOG: before})
    code, out = run(root, (TASK_MARKER, CHECKLIST_MISSING), diff=True)
    assert (root / LOG).read_bytes() == before
    assert code == 1
    assert out == (
        f"--- a/{LOG}\n"
        f"+++ b/{LOG}\n"
        "@@ -1,4 +1,7 @@\n"
        " # Log\n"
        " \n"
        "-* [X] done\n"
        "-* [ ] todo\n"
        "\\ No newline at end of file\n"
        "+- [x] done\n"
        "+* [ ] todo\n"
        "+## Prerequisites Checklist\n"
        "+\n"
        "+- [ ] Tasks are independent\n"
        "\\ No newline at end of file\n"
    )
    assert capsys.readouterr().err == "Would fix 2 violations in 1 file.\n"


def test_diff_applies_as_a_patch_to_what_fix_writes(tmp_path):
    root = make_project(tmp_path, {LOG: b"\xef\xbb\xbf# Log\r\n\r\n* [X] done\r\n"})
    _, patch = run(root, (TASK_MARKER, CHECKLIST_MISSING), diff=True)
    run(root, (TASK_MARKER, CHECKLIST_MISSING), fix=True)
    assert patch == unified_diff(LOG, b"\xef\xbb\xbf# Log\r\n\r\n* [X] done\r\n", (root / LOG).read_bytes())
    assert "+- [x] done\r\n" in patch


def test_diff_paths_are_relative_to_the_working_folder(tmp_path):
    root = make_project(tmp_path, {LOG: b"* [X] done\n"})
    out = io.StringIO()
    check(CheckOptions(cwd=root / ".agents", diff=True, no_cache=True), out=out, registry=(TASK_MARKER,))
    assert out.getvalue().splitlines()[:2] == ["--- a/sessions/2026-03-02-worker.md", "+++ b/sessions/2026-03-02-worker.md"]


def test_diff_with_nothing_to_fix_is_empty_and_exits_0(tmp_path, capsys):
    root = make_project(tmp_path, {LOG: b"- [x] done\nTODO\n"})
    assert run(root, (TASK_MARKER, TODO), diff=True) == (0, "")
    assert capsys.readouterr().err == ""


def test_fix_and_diff_together_are_a_usage_error(tmp_path, monkeypatch, capsys):
    make_project(tmp_path, {LOG: b"* [X] done\n"})
    monkeypatch.chdir(tmp_path)
    assert cli.run(["check", "--fix", "--diff", "--no-cache"]) == 2
    assert capsys.readouterr().err == "agent-lint: error: --fix and --diff cannot be used together\n"


def test_cli_fix_and_diff_with_nothing_to_fix(tmp_path, monkeypatch, capsys):
    make_project(tmp_path, {LOG: b"# Log\r\n\r\n- [x] done\r\n"})
    monkeypatch.chdir(tmp_path)
    assert cli.run(["check", "--fix", "--no-cache", "--select", "AL001"]) == 0
    assert (tmp_path / LOG).read_bytes() == b"# Log\r\n\r\n- [x] done\r\n"
    assert cli.run(["check", "--diff", "--no-cache", "--select", "AL001"]) == 0
    assert capsys.readouterr().out == "All checks passed (1 file checked).\n"


# --- cache and worker processes -----------------------------------------------


def test_fix_and_diff_with_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = make_project(tmp_path / "repo", {LOG: b"* [X] done\n"})
    assert run(root, (TASK_MARKER,), no_cache=False)[0] == 1  # fills the cache with the fixable violation
    assert run(root, (TASK_MARKER,), diff=True, no_cache=False)[0] == 1
    assert run(root, (TASK_MARKER,), fix=True, no_cache=False)[0] == 0
    assert (root / LOG).read_bytes() == b"- [x] done\n"
    assert run(root, (TASK_MARKER,), diff=True, no_cache=False) == (0, "")
    assert run(root, (TASK_MARKER,), no_cache=False)[0] == 0
    assert (root / ".agent_lint_cache").is_dir()


def test_fixes_computed_in_worker_processes(tmp_path, capsys):
    count = POOL_THRESHOLD + 2
    files = {f".agents/sessions/2026-03-02-worker-{n:03}.md": b"# Log\r\n\r\n* [X] done\r\n" for n in range(count)}
    root = make_project(tmp_path, files)
    code, _ = run(root, (TASK_MARKER,), fix=True, jobs=2)
    assert code == 0
    assert {(root / path).read_bytes() for path in files} == {b"# Log\r\n\r\n- [x] done\r\n"}
    assert capsys.readouterr().err == f"Fixed {count} violations in {count} files.\n"


def test_fix_objects_survive_pickling():
    finding = Finding(3, 1, "m", fix=Fix("d", (Edit(4, 9, "- [x]"), Edit(20, 20, "\n"))))
    violation = Violation("a.md", 3, 1, "AL901", "n", "m", Severity.ERROR, finding.fix)
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert pickle.loads(pickle.dumps(violation)).fix == finding.fix


# --- apply_fixes on its own ---------------------------------------------------


def fix_of(*edits: tuple[int, int, str]) -> Fix:
    return Fix("test", tuple(Edit(*edit) for edit in edits))


def test_dominant_newline():
    assert dominant_newline("a\r\nb\r\nc\n") == "\r\n"
    assert dominant_newline("a\nb\r\nc\n") == "\n"
    assert dominant_newline("a\rb\r") == "\r"
    assert dominant_newline("no newline") == "\n"


def test_first_fix_by_position_wins_an_overlap():
    result = apply_fixes(b"abcdef", [fix_of((2, 5, "X")), fix_of((0, 3, "Y")), fix_of((5, 6, "Z"))])
    assert result.data == b"YdeZ"
    assert result.applied == [1, 2] and result.deferred == [0]


def test_identical_fixes_are_applied_once_and_count_as_applied():
    result = apply_fixes(b"abc\n", [fix_of((0, 1, "A")), fix_of((0, 1, "A"))])
    assert result.data == b"Abc\n"
    assert sorted(result.applied) == [0, 1]


def test_two_insertions_at_one_point_are_not_guessed_in_order():
    result = apply_fixes(b"ab", [fix_of((1, 1, "X")), fix_of((1, 1, "Y"))])
    assert result.data == b"aXb" and result.deferred == [1]


def test_a_fix_with_edits_overlapping_each_other_is_invalid():
    result = apply_fixes(b"abcdef", [fix_of((0, 3, "X"), (2, 4, "Y")), fix_of((1, 1, "Z"), (1, 1, "W"))])
    assert result.data == b"abcdef" and result.invalid == [0, 1]


def test_one_fix_with_several_edits():
    result = apply_fixes(b"one\r\ntwo\r\n", [fix_of((0, 3, "ONE"), (5, 5, "zero\n"))])
    assert result.data == b"ONE\r\nzero\r\ntwo\r\n"


def test_a_fix_that_only_adds_the_final_newline_is_kept():
    assert apply_fixes(b"a\r\nb", [fix_of((4, 4, "\n"))]).data == b"a\r\nb\r\n"
    assert apply_fixes(b"a\nb", [fix_of((3, 3, "\nc\n"))]).data == b"a\nb\nc"


def test_a_deletion_reaching_the_end_does_not_invent_text():
    assert apply_fixes(b"a\nbc", [fix_of((2, 4, ""))]).data == b"a\n"


# Text alphabets: the file's characters, and those inserted (bracketed by
# sentinels the file never holds, so the output splits back unambiguously).
_FILE_CHARS = st.sampled_from(["a", "b", " ", "é", "ß", "🙂", "\n", "\r\n", "\r", "-", "[", "]"])
_TEXT_CHARS = st.sampled_from(["x", "Y", "\n", "\r\n", " ", "ü"])


@st.composite
def documents_and_edits(draw):
    text = "".join(draw(st.lists(_FILE_CHARS, max_size=60)))
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=10)))
    edits = []
    for start, end in zip(points[::2], points[1::2]):
        if edits and edits[-1].end == start == end == edits[-1].start:
            continue  # two insertions at one point wait for another pass: not this property
        edits.append(Edit(start, end, "\x01" + "".join(draw(st.lists(_TEXT_CHARS, max_size=8))) + "\x02"))
    bom = draw(st.booleans())
    return text, edits, bom


@settings(max_examples=400, deadline=None)
@given(documents_and_edits())
def test_a_fix_changes_no_byte_outside_its_edits(case):
    text, edits, bom = case
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    # One fix per edit, in a shuffled-looking order: applied by position regardless.
    fixes = [Fix(str(i), (edit,)) for i, edit in reversed(list(enumerate(edits)))]
    result = apply_fixes(data, fixes)
    assert sorted(result.applied) == list(range(len(edits)))

    assert result.data.startswith(b"\xef\xbb\xbf") == bom
    out = result.data[3:].decode("utf-8") if bom else result.data.decode("utf-8")
    parts = re.split(r"\x01(.*?)\x02", out, flags=re.S)
    gaps, inserted = parts[0::2], parts[1::2]
    bounds = [0] + [i for edit in edits for i in (edit.start, edit.end)] + [len(text)]
    expected_gaps = [text[bounds[i]:bounds[i + 1]] for i in range(0, len(bounds), 2)]
    newline = dominant_newline(text)
    if edits and edits[-1].end == len(text) and text.endswith(("\n", "\r")):
        # The last edit reached the end of a file ending with a newline: it keeps one.
        assert gaps[-1] == newline
        gaps[-1] = ""
    assert [g.encode() for g in gaps] == [g.encode() for g in expected_gaps]
    for got, edit in zip(inserted, edits):
        assert re.sub(r"\r\n|\r|\n", "\n", got) == re.sub(r"\r\n|\r|\n", "\n", edit.text[1:-1])
        assert set(re.findall(r"\r\n|\r|\n", got)) <= {newline}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab\n\r"), max_size=30),
       st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.text(alphabet="XY\n", max_size=4)), max_size=6))
def test_any_fixes_apply_without_overlap_and_the_first_always_wins(text, raw):
    data = text.encode()
    fixes = [fix_of((min(a, b, len(text)), min(max(a, b), len(text)), t)) for a, b, t in raw]
    result = apply_fixes(data, fixes)
    chosen = [fixes[i].edits[0] for i in result.applied]
    for i, a in enumerate(chosen):
        for b in chosen[i + 1:]:
            assert a == b or not fixer._overlap(a, b)
    assert set(result.applied) | set(result.deferred) == set(range(len(fixes)))
    if fixes:
        first = min(range(len(fixes)), key=lambda i: (fixes[i].edits[0].start, fixes[i].edits[0].end, i))
        assert first in result.applied
