"""Runs after a small edit reuse the project rules' findings only while those rules would see nothing new."""

import io
import json
import random
import shutil
from pathlib import Path

import pytest

import agent_lint.engine as engine
from agent_lint.runner import CheckOptions, check

FIXTURE = Path(__file__).parent / "fixtures" / "projects" / "batch-violations"
SESSIONS = ".agents/sessions"
SOLO = f"{SESSIONS}/2026-04-04-solo.json"
README_LOG = f"{SESSIONS}/2026-04-01-docs-readme.json"  # AL210 quotes a position in its text
ORCHESTRATOR = f"{SESSIONS}/2026-04-01-docs.md"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The batch-violations project, with one more log no project rule reports on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / ".git").mkdir()
    (root / "expected.txt").unlink()
    (root / SOLO).write_text(json.dumps({
        "id": "2026-04-04-solo", "date": "2026-04-04", "agent": "claude-code", "role": "single",
        "objective": "Tidy the changelog", "workLog": ["09:00 Sorted the entries."], "outcome": "Done.",
    }, indent=2) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def project_runs(monkeypatch):
    """How many times the project rules ran."""
    calls = []
    original = engine.project_findings

    def spy(project, rules):
        calls.append(len(project.documents))
        return original(project, rules)

    monkeypatch.setattr(engine, "project_findings", spy)
    return calls


def run(root: Path, paths=(), **options) -> list[tuple]:
    out = io.StringIO()
    check(CheckOptions(cwd=root, output_format="json", jobs=1, paths=[root / p for p in paths], **options), out=out)
    return [tuple(v.values()) for v in json.loads(out.getvalue())["violations"]]


def edit_json(root: Path, path: str, **changes) -> None:
    file = root / path
    data = json.loads(file.read_text(encoding="utf-8"))
    data.update(changes)
    file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def test_an_edit_to_what_no_project_rule_reads_reuses_their_findings(project, project_runs):
    first = run(project)
    assert project_runs == [9] and first
    edit_json(project, SOLO, workLog=["09:00 Sorted the entries.", "09:20 Fixed two links."], outcome="Done twice.",
              objective="Tidy the changelog and its links", agent="cursor-agent")
    project_runs.clear()
    after = run(project)
    assert project_runs == []  # answered from the memo: the log's record is what it was
    assert after == run(project, no_cache=True) == first


def test_the_edited_file_is_checked_again_with_the_reused_project_findings(project, project_runs):
    run(project)
    edit_json(project, SOLO, outcome=["not", "a", "string"])  # a schema error; the record is the same
    project_runs.clear()
    after = run(project)
    assert project_runs == []
    assert after == run(project, no_cache=True)
    assert any(row[0] == SOLO and row[3] == "AL201" for row in after)


def test_a_changed_protocol_field_runs_the_project_rules_again(project, project_runs):
    first = run(project)
    # The log joins the batch: its orchestrator did not dispatch it (AL218 on the orchestrator's log).
    edit_json(project, SOLO, role="worker", orchestrator="2026-04-01-docs", status="complete")
    project_runs.clear()
    after = run(project)
    assert project_runs == [9]
    assert after == run(project, no_cache=True)
    joined = [row for row in after if row not in first]
    assert any(row[0] == ORCHESTRATOR and row[3] == "AL218" and "2026-04-04-solo" in str(row) for row in joined)


def test_a_file_whose_text_a_project_rule_read_is_never_taken_on_trust(project, project_runs):
    # AL210 reports on this log at the position of its handoffUpdated field, found in its text;
    # a new member above it moves that position while the record stays the same.
    first = run(project)
    assert any(row[:4] == (README_LOG, 10, 21, "AL210") for row in first)
    edit_json(project, README_LOG, branch="docs/readme")  # a protocol key: moved below, not above
    log = project / README_LOG
    data = json.loads(log.read_text(encoding="utf-8"))
    reordered = {"notes": "moved the field down", **data}
    log.write_text(json.dumps(reordered, indent=2) + "\n", encoding="utf-8")
    run(project)  # the record changed (branch): a full run, which reads the text again
    log.write_text(json.dumps({"notes": "one more line", "more": 1, **data}, indent=2) + "\n", encoding="utf-8")
    project_runs.clear()
    after = run(project)
    assert project_runs == [9]  # same record, but its text was read: not trusted
    assert after == run(project, no_cache=True)
    assert any(row[:4] == (README_LOG, 12, 21, "AL210") for row in after)


def test_a_file_added_or_removed_runs_the_project_rules_again(project, project_runs):
    run(project)
    extra = project / SESSIONS / "2026-04-05-extra.json"
    extra.write_text((project / SOLO).read_text(encoding="utf-8").replace("04-solo", "05-extra"), encoding="utf-8")
    project_runs.clear()
    assert run(project) == run(project, no_cache=True)
    (project / SOLO).unlink()
    assert run(project) == run(project, no_cache=True)
    assert project_runs == [10, 10, 9, 9]


def test_a_run_on_some_files_after_an_edit_reports_what_a_whole_run_does_on_them(project, project_runs):
    run(project)
    edit_json(project, SOLO, outcome="Changed.")
    project_runs.clear()
    for paths in ([SOLO], [SOLO, ORCHESTRATOR], [README_LOG, "HANDOFF.md"]):
        assert run(project, paths) == run(project, paths, no_cache=True)
    assert project_runs == [9, 9, 9]  # only the runs without a cache ran them


def test_the_memo_does_not_outlive_the_run_it_points_to(project, project_runs):
    run(project)
    for stale in (project / ".agent_lint_cache").glob("run-*.bin"):
        stale.unlink()
    edit_json(project, SOLO, outcome="Changed.")
    project_runs.clear()
    assert run(project) == run(project, no_cache=True)
    assert project_runs == [9, 9]  # without the run it points to, the memo is not enough


EDITS = (
    ("json", SOLO, {"outcome": "Changed."}),
    ("json", SOLO, {"status": "complete", "completed": "2026-04-04T10:00Z"}),
    ("json", SOLO, {"role": "worker", "orchestrator": "2026-04-01-docs"}),
    ("json", README_LOG, {"workLog": ["10:05 Rewrote the install section.", "10:06 And the rest."]}),
    ("json", README_LOG, {"handoffUpdated": "no"}),
    ("first", README_LOG, {"notes": "a member above the others moves every position"}),
    ("json", f"{SESSIONS}/2026-04-03-lonely.json", {"outcome": "Still nothing."}),
    ("json", f"{SESSIONS}/2026-04-03-lonely.json", {"dispatched": ["2026-04-04-solo"]}),
    ("text", ORCHESTRATOR, "\nA closing remark.\n"),
    ("text", "HANDOFF.md", "\n"),
    ("text", f"{SESSIONS}/2026-04-01-docs-setup.md", "\n<!-- agent-lint: disable AL204 -->\n"),
)


@pytest.mark.parametrize("seed", range(4))
def test_any_sequence_of_edits_reports_what_a_run_without_a_cache_does(project, seed):
    rng = random.Random(seed)
    paths = [None, [SOLO], [README_LOG, ORCHESTRATOR], [ORCHESTRATOR, "HANDOFF.md"]]
    run(project)
    for _ in range(8):
        how, path, change = rng.choice(EDITS)
        if how == "json":
            edit_json(project, path, **change)
        elif how == "first":
            file = project / path
            data = {**change, **json.loads(file.read_text(encoding="utf-8"))}
            data[next(iter(change))] += "!"  # never the same text twice
            file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        else:
            with open(project / path, "a", encoding="utf-8") as handle:
                handle.write(change)
        targets = rng.choice(paths) or ()
        assert run(project, targets) == run(project, targets, no_cache=True), (how, path, change, targets)
        assert run(project) == run(project, no_cache=True)


def test_a_finding_on_a_file_that_is_not_there_survives_an_edit(project, project_runs):
    # AL101 reports a missing configured system document at its path, on whole runs only.
    (project / "AGENT-SYSTEM.md").unlink()
    config = project / ".agent-lint.toml"
    config.write_text('system-document = "AGENT-SYSTEM.md"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    first = run(project, extend_select=("AL101",))
    assert any(row[0] == "AGENT-SYSTEM.md" and row[3] == "AL101" for row in first)
    edit_json(project, SOLO, outcome="Changed.")
    project_runs.clear()
    assert run(project, extend_select=("AL101",)) == first
    assert project_runs == []
    assert run(project, [SOLO], extend_select=("AL101",)) == []  # not a whole run: not reported
    assert project_runs == []


def test_the_memo_and_its_run_serve_every_later_edit(project, project_runs):
    from agent_lint.cache import RUNS_KEPT

    run(project)
    project_runs.clear()
    for n in range(RUNS_KEPT + 3):  # more runs than the cache keeps: the memo's is kept while used
        edit_json(project, SOLO, outcome=f"Edit {n}.")
        assert run(project) == run(project, no_cache=True)
    assert project_runs == [9] * (RUNS_KEPT + 3)  # the runs without a cache alone


def test_a_data_file_among_the_logs_does_not_stop_the_reuse(project, project_runs):
    (project / SESSIONS / "scan-results.json").write_text('[{"file": "a.ts"}]\n', encoding="utf-8")
    first = run(project)
    edit_json(project, SOLO, outcome="Done twice.")
    project_runs.clear()
    after = run(project)
    assert project_runs == []  # the memo holds the data file as it was found, not as a missing kind
    assert after == run(project, no_cache=True) == first
