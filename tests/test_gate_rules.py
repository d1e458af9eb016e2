"""The PR-gate rules (AL4xx) on real git repositories with scripted parallel batches.

Each repository starts with ``main`` holding HANDOFF.md and a config that
selects the AL4 family only, then a branch where an orchestrator and two
workers run one batch the way AGENT-SYSTEM.md describes it (logs with
``**Role**``, ``**Orchestrator**`` and ``**Dispatched**``, one HANDOFF commit
with a ``Session-Ids:`` trailer). Every test breaks one step and asserts the
exact rows of ``agent-lint check --since main``.
"""

from __future__ import annotations

import io
import json
import subprocess

import pytest

from agent_lint.cli import run
from agent_lint.runner import CheckOptions, check
from test_history import Repo, isolated_git  # noqa: F401 - the fixture keeps git config out

ORCH = "2026-03-02-review"
API, DOCS = f"{ORCH}-api", f"{ORCH}-docs"
SESSIONS = ".agents/sessions"
CONFIG = 'select = ["AL4"]\n'
HANDOFF_START = """# Handoff

## Current State

Main is green.

## Session History

## Next Steps

- Review the API and the docs.
"""


def markdown_log(session_id: str, role: str, *, status: str = "complete") -> str:
    lines = [
        f"# Session {session_id}: {role}",
        "",
        "**Date**: 2026-03-02",
        "**Agent**: claude-code",
        f"**Role**: {role}",
        f"**Objective**: {'Review the API and the docs in parallel' if role == 'orchestrator' else 'Review one part'}",
    ]
    if role == "orchestrator":
        lines.append(f"**Dispatched**: {API}, {DOCS}")
    else:
        lines.append(f"**Orchestrator**: {ORCH}")
    lines.append(f"**Status**: {status}")
    if status == "complete":
        lines.append("**Completed**: 2026-03-02T11:30Z")
    lines.append(f"**HANDOFF Updated**: {'2026-03-02T11:20Z' if role == 'orchestrator' and status == 'complete' else 'no'}")
    lines += ["", "## Work Log", "", "- 10:00 Started.", "- 10:40 Finished the task.", ""]
    if role == "orchestrator":
        lines += ["## Prerequisites Checklist", ""]
        lines += [f"- [x] {item}" for item in (
            "Tasks are independent", "No shared file modifications", "Orchestrator can aggregate results",
            "Rate limit budget checked for all agents", "Each agent has its own session log path",
            "HANDOFF will be updated once, by the orchestrator, after all sessions complete")]
        lines.append("")
    lines += ["## Outcome", "", "Done.", ""]
    return "\n".join(lines)


def json_log(session_id: str) -> str:
    return json.dumps({
        "id": session_id, "date": "2026-03-02", "agent": "claude-code", "role": "worker",
        "objective": "Review one part", "orchestrator": ORCH, "status": "complete",
        "completed": "2026-03-02T11:10Z", "handoffUpdated": False,
        "workLog": ["10:00 Started.", "10:40 Finished the task."], "outcome": "Done.",
    }, indent=2) + "\n"


def handoff(*ids: str) -> str:
    entry = f"### {ORCH}\n\n**Sessions**: {', '.join(ids)}\n\n**Summary**: Reviewed the API and the docs.\n\n"
    return HANDOFF_START.replace("## Next Steps", entry + "## Next Steps")


ENTRY_LINE = handoff(ORCH).splitlines().index(f"### {ORCH}") + 1


def log_path(session_id: str, suffix: str = ".md") -> str:
    return f"{SESSIONS}/{session_id}{suffix}"


def trailer(*ids: str) -> str:
    return f"\n\nSession-Ids: {', '.join(ids)}\n"


class Batch:
    """The scripted batch: a branch off main where sessions commit in the order a test asks."""

    def __init__(self, repo: Repo, branch: str = "review"):
        self.repo = repo
        repo.git("checkout", "-q", "-b", branch, "main")

    def dispatch(self) -> str:
        return self.repo.commit("orchestrator: dispatch two reviewers\n",
                                {log_path(ORCH): markdown_log(ORCH, "orchestrator", status="in-progress")})

    def worker(self, session_id: str, subject: str | None = None, extra: dict | None = None) -> str:
        return self.repo.commit(f"{subject or session_id + ': review log'}\n",
                                {log_path(session_id): markdown_log(session_id, "worker"), **(extra or {})})

    def update(self, *ids: str, subject: str = "docs: record the review batch", text: str | None = None,
               extra: dict | None = None) -> str:
        message = subject + (trailer(*ids) if ids else "\n")
        return self.repo.commit(message, {"HANDOFF.md": text or handoff(ORCH, API, DOCS), **(extra or {})})

    def complete(self) -> str:
        return self.repo.commit("orchestrator: complete the session log\n",
                                {log_path(ORCH): markdown_log(ORCH, "orchestrator")})


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("Initial commit", {"README.md": "hello\n", ".agent-lint.toml": CONFIG, "HANDOFF.md": HANDOFF_START})
    return repo


@pytest.fixture
def batch(repo) -> Batch:
    return Batch(repo)


def short(repo: Repo, sha: str) -> str:
    return repo.git("log", "-1", "--format=%h", sha)


def described(repo: Repo, sha: str) -> str:
    return f'{short(repo, sha)} "{repo.git("log", "-1", "--format=%s", sha)}"'


def gate_rows(repo: Repo, since: str = "main") -> list[str]:
    out = io.StringIO()
    code = check(CheckOptions(output_format="json", cwd=repo.path, since=since, no_cache=True), out=out)
    data = json.loads(out.getvalue())
    rows = [f"{v['path']}:{v['line']}:{v['column']} {v['code']} {v['message']}" for v in data["violations"]]
    assert code == (1 if rows else 0)
    return rows


def at_entry(code: str, message: str) -> str:
    return f"HANDOFF.md:{ENTRY_LINE}:1 {code} {message}"


# ----------------------------------------------------------------------------
# A correct batch


def test_correct_batch_has_no_rows(repo, batch):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    batch.update(ORCH, API, DOCS)
    batch.complete()  # the orchestrator may complete its own log after the update

    assert gate_rows(repo) == []


def test_without_since_the_history_is_not_checked(repo, batch):
    batch.update()
    batch.update()
    out = io.StringIO()
    assert check(CheckOptions(output_format="json", cwd=repo.path, no_cache=True), out=out) == 0
    assert json.loads(out.getvalue())["violations"] == []


def test_orchestrator_may_commit_the_logs_of_workers_that_do_not_commit(repo, batch):
    # "Independent Documentation Updates": workers write their logs, the orchestrator commits everything.
    batch.update(ORCH, API, DOCS, extra={
        log_path(ORCH): markdown_log(ORCH, "orchestrator"),
        log_path(API): markdown_log(API, "worker"),
        log_path(DOCS): markdown_log(DOCS, "worker"),
    })

    assert gate_rows(repo) == []


def test_worker_branches_merged_before_the_update_are_fine(repo, batch):
    batch.dispatch()
    for worker in (API, DOCS):
        repo.git("checkout", "-q", "-b", worker, "review")
        batch.worker(worker)
        repo.git("checkout", "-q", "review")
    for worker in (API, DOCS):
        repo.git("merge", "-q", "--no-ff", "--no-edit", worker)
    batch.update(ORCH, API, DOCS)

    assert gate_rows(repo) == []


def test_pull_request_merge_commit_checks_the_commits_it_brings_in(repo, batch):
    # actions/checkout of a pull request: HEAD is a merge of the PR into the advanced base.
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    update = batch.update(ORCH, API)
    repo.git("checkout", "-q", "main")
    repo.commit("unrelated change on main\n", {"notes.txt": "x\n"})
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "review")

    assert gate_rows(repo) == [
        at_entry("AL404", f"Session-Ids trailer of {described(repo, update)} does not list {DOCS} of batch {ORCH}"),
    ]


# ----------------------------------------------------------------------------
# Each way to break it


def test_handoff_changed_in_two_commits(repo, batch):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    first = batch.update(ORCH, API, DOCS)
    again = batch.update(subject="docs: fix a typo in HANDOFF", text=handoff(ORCH, API, DOCS) + "\n")

    assert gate_rows(repo) == [
        at_entry("AL401", f"HANDOFF changed again for batch {ORCH} in {described(repo, again)}"
                          f" (first changed in {short(repo, first)}); a batch updates HANDOFF in one commit"),
        at_entry("AL404", f"{described(repo, again)} updates HANDOFF without a Session-Ids trailer;"
                          f" add 'Session-Ids: {ORCH}, {API}, {DOCS}'"),
    ]


def test_handoff_updated_before_the_last_worker_log(repo, batch):
    batch.dispatch()
    batch.worker(API)
    update = batch.update(ORCH, API, DOCS)
    late = batch.worker(DOCS)

    assert gate_rows(repo) == [
        f"{log_path(DOCS)}:1:1 AL403 HANDOFF updated in {described(repo, update)} before this session log was"
        f" committed: {described(repo, late)} is not an ancestor of the update",
    ]


def test_worker_branch_merged_after_the_update_is_late_whatever_its_date(repo, batch):
    batch.dispatch()
    repo.git("checkout", "-q", "-b", DOCS, "review")
    late = batch.worker(DOCS)  # committed before the update, but on a branch not yet merged
    repo.git("checkout", "-q", "review")
    batch.worker(API)
    update = batch.update(ORCH, API, DOCS)
    repo.git("merge", "-q", "--no-ff", "--no-edit", DOCS)

    assert gate_rows(repo) == [
        f"{log_path(DOCS)}:1:1 AL403 HANDOFF updated in {described(repo, update)} before this session log was"
        f" committed: {described(repo, late)} is not an ancestor of the update",
    ]


def test_trailer_missing_a_worker(repo, batch):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    update = batch.update(ORCH, API)

    assert gate_rows(repo) == [
        at_entry("AL404", f"Session-Ids trailer of {described(repo, update)} does not list {DOCS} of batch {ORCH}"),
    ]


def test_update_without_a_trailer(repo, batch):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    update = batch.update()

    assert gate_rows(repo) == [
        at_entry("AL404", f"{described(repo, update)} updates HANDOFF without a Session-Ids trailer;"
                          f" add 'Session-Ids: {ORCH}, {API}, {DOCS}'"),
    ]


def test_trailer_lists_an_id_without_a_log(repo, batch):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    update = batch.update(ORCH, API, DOCS, f"{ORCH}-tests")

    assert gate_rows(repo) == [
        at_entry("AL405", f"Session-Ids trailer of {described(repo, update)} lists {ORCH}-tests,"
                          f" which has no session log"),
    ]


def test_worker_commit_changes_handoff(repo, batch):
    batch.dispatch()
    batch.worker(API)
    culprit = batch.worker(DOCS, "docs reviewer: log and progress note",
                           extra={"HANDOFF.md": HANDOFF_START + "\nDocs review in progress.\n"})
    batch.update(ORCH, API, DOCS)

    assert gate_rows(repo) == [
        f"{log_path(DOCS)}:1:1 AL406 {described(repo, culprit)} changes the log of worker {DOCS} and HANDOFF;"
        f" only the orchestrator changes HANDOFF",
    ]


def test_log_renamed_to_json_before_the_update_keeps_its_id(repo, batch):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    repo.git("mv", log_path(DOCS), log_path(DOCS, ".json"))
    repo.commit("docs reviewer: move the log to JSON\n")
    repo.commit("docs reviewer: convert the log\n", {log_path(DOCS, ".json"): json_log(DOCS)})
    batch.update(ORCH, API, DOCS)

    assert gate_rows(repo) == []


def test_log_renamed_to_json_after_the_update_is_late(repo, batch):
    from agent_lint.history import Change, read_history

    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    update = batch.update(ORCH, API, DOCS)
    repo.git("mv", log_path(DOCS), log_path(DOCS, ".json"))
    renamed = repo.commit("docs reviewer: move the log to JSON\n")
    converted = repo.commit("docs reviewer: convert the log\n", {log_path(DOCS, ".json"): json_log(DOCS)})

    # The case is a rename (R), not an addition, for the history reader.
    by_hash = {c.hash: c for c in read_history(repo.path, "main").commits}
    assert by_hash[renamed].changes == (Change("R", log_path(DOCS, ".json"), log_path(DOCS)),)
    assert gate_rows(repo) == [
        f"{log_path(DOCS, '.json')}:1:1 AL403 HANDOFF updated in {described(repo, update)} before this session"
        f" log was committed: {described(repo, converted)} is not an ancestor of the update",
    ]


def test_read_only_mode_reports_every_handoff_change_and_nothing_else(repo, batch):
    repo.commit("freeze HANDOFF\n", {".agent-lint.toml": CONFIG + 'handoff-mode = "read-only"\n'})
    batch.dispatch()
    batch.worker(API)
    update = batch.update(ORCH, API)  # also lacks DOCS and comes too early: not this mode's business
    batch.worker(DOCS)

    assert gate_rows(repo) == [
        at_entry("AL402", f'HANDOFF is read-only (handoff-mode = "read-only") but {described(repo, update)}'
                          f" changes it"),
    ]


def test_read_only_mode_passes_a_batch_that_leaves_handoff_alone(repo, batch):
    repo.commit("freeze HANDOFF\n", {".agent-lint.toml": CONFIG + 'handoff-mode = "read-only"\n'})
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    batch.complete()

    assert gate_rows(repo) == []


def test_two_batches_in_one_range_each_updating_once_are_fine(repo, batch):
    pytest.importorskip("agent_lint.extract.session_log", reason="grouping by orchestrator needs session-log records")
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    batch.update(ORCH, API, DOCS)
    other, worker = "2026-03-03-triage", "2026-03-03-triage-bugs"
    orchestrator_log = markdown_log(ORCH, "orchestrator").replace(ORCH, other).replace(
        f"{API}, {DOCS}", worker)
    repo.commit("triage: dispatch\n", {log_path(other): orchestrator_log})
    repo.commit("triage worker: log\n", {log_path(worker): markdown_log(worker, "worker").replace(ORCH, other)})
    repo.commit(f"docs: record the triage batch{trailer(other, worker)}", {"HANDOFF.md": handoff(ORCH, API, DOCS)
                                                                          + f"\n### {other}\n"})

    assert gate_rows(repo) == []


# ----------------------------------------------------------------------------
# The command line


def test_shallow_clone_is_a_clear_error_and_exit_2(repo, batch, tmp_path, monkeypatch, capsys):
    batch.dispatch()
    batch.worker(API)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "review", "--no-single-branch",
                    f"file://{repo.path}", str(clone)], check=True)
    monkeypatch.chdir(clone)

    assert run(["check", "--since", "origin/main"]) == 2
    err = capsys.readouterr().err
    assert err == ("agent-lint: error: no common history of 'origin/main' and HEAD in this shallow clone;"
                   " fetch the full history: 'fetch-depth: 0' in actions/checkout, or 'git fetch --unshallow'\n")


def test_cli_rows_and_exit_1(repo, batch, monkeypatch, capsys):
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    update = batch.update(ORCH, API)
    monkeypatch.chdir(repo.path)

    assert run(["check", "--since", "main", "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"HANDOFF.md:{ENTRY_LINE}:1: AL404 [error] Session-Ids trailer of {described(repo, update)} does not list"
        f" {DOCS} of batch {ORCH}",
        "Found 1 violation (1 error, 0 warnings) in 1 file; 4 files checked.",
    ]
