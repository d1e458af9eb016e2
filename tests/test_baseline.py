"""A baseline hides recorded violations, survives line shifts, and reports entries that went stale."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from agent_lint.model import AgentLintError
from agent_lint.runner import CheckOptions, check
from harness import FIXTURES

CASE = FIXTURES / "projects" / "batch-violations"


def run(root: Path, **options) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = check(CheckOptions(output_format="json", cwd=root, no_cache=True, **options), out=out)
    text = out.getvalue()
    rows = [f"{v['path']}:{v['line']}:{v['column']} {v['code']} {v['message']}"
            for v in json.loads(text)["violations"]] if text else []
    return code, rows


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(CASE, root, ignore=shutil.ignore_patterns("expected.txt"))
    (root / ".agent-lint.toml").write_text('select = ["AL2", "AL3", "AL007"]\n', encoding="utf-8")
    (root / ".git").mkdir()
    return root


def insert_lines(path: Path, at: int, lines: str) -> None:
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(text[:at] + [lines] + text[at:]), encoding="utf-8")


def test_write_then_rerun_is_clean_and_the_file_is_stable(project):
    _, before = run(project)
    assert len(before) == 20
    assert run(project, write_baseline=Path("baseline.json")) == (0, [])
    written = (project / "baseline.json").read_text(encoding="utf-8")
    entries = json.loads(written)["entries"]
    assert len(entries) == 20
    keys = [(e["path"], e["code"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys)
    assert run(project, write_baseline=Path("baseline.json")) == (0, [])
    assert (project / "baseline.json").read_text(encoding="utf-8") == written
    assert run(project, baseline=Path("baseline.json")) == (0, [])


def test_line_shifts_keep_matching_and_a_fix_leaves_one_stale_entry(project):
    run(project, write_baseline=Path("baseline.json"))
    insert_lines(project / "HANDOFF.md", 2, "Intro paragraph.\n\nAnother line.\n\n")
    insert_lines(project / ".agents/sessions/2026-04-01-docs.md", 12, "- 09:55 Planned the batch.\n")
    assert run(project, baseline=Path("baseline.json")) == (0, [])

    handoff = project / "HANDOFF.md"
    handoff.write_text(handoff.read_text(encoding="utf-8").replace("Owner: {team lead}", "Owner: Ana"),
                       encoding="utf-8")
    code, rows = run(project, baseline=Path("baseline.json"))
    entries = json.loads((project / "baseline.json").read_text(encoding="utf-8"))["entries"]
    index = next(i for i, e in enumerate(entries) if e["code"] == "AL304" and "team lead" in e["message"])
    line = (project / "baseline.json").read_text(encoding="utf-8").splitlines().index("    {", 0) + 1 + 6 * index
    assert code == 0  # AL007 is a warning
    assert rows == [f"baseline.json:{line}:5 AL007 baseline entry AL304 for 'HANDOFF.md' matches no violation "
                    f"any more (template placeholder '{{team lead}}': fill it in or remove it before "
                    f"committing); remove it"]


def test_a_new_violation_is_reported_despite_the_baseline(project):
    run(project, write_baseline=Path("baseline.json"))
    handoff = project / "HANDOFF.md"
    handoff.write_text(handoff.read_text(encoding="utf-8") + "\nAnother TODO: here.\n", encoding="utf-8")
    code, rows = run(project, baseline=Path("baseline.json"))
    assert code == 1
    assert rows == ["HANDOFF.md:27:9 AL304 TODO marker: fill it in or remove it before committing"]


def test_identical_violations_are_told_apart_by_an_occurrence_counter(project):
    handoff = project / "HANDOFF.md"
    handoff.write_text(handoff.read_text(encoding="utf-8") + "\nTODO\n\nTODO\n", encoding="utf-8")
    run(project, write_baseline=Path("baseline.json"))
    handoff.write_text(handoff.read_text(encoding="utf-8").replace("\nTODO\n\nTODO\n", "\nTODO\n"), encoding="utf-8")
    _, rows = run(project, baseline=Path("baseline.json"))
    assert [r.split(" ", 2)[1] for r in rows] == ["AL007"]


def test_entries_outside_the_checked_paths_are_not_judged(project):
    run(project, write_baseline=Path("baseline.json"))
    (project / "HANDOFF.md").write_text("# Handoff\n", encoding="utf-8")
    code, rows = run(project, baseline=Path("baseline.json"), paths=(project / ".agents",))
    assert (code, rows) == (0, [])


@pytest.mark.parametrize("content", ["{}", "[]", '{"version": 1, "entries": [{"path": 1}]}', "not json"])
def test_a_file_that_is_no_baseline_is_a_usage_error(project, content):
    (project / "baseline.json").write_text(content, encoding="utf-8")
    with pytest.raises(AgentLintError, match="baseline.json"):
        run(project, baseline=Path("baseline.json"))
