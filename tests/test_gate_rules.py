"""The PR-gate rules (AL4xx) through the runner and the command line, on scripted git repositories.

The shapes of history the rules judge are data fixtures (tests/fixtures/history,
test_gate_history.py); these tests cover what those cannot: a checkout CI
makes, a shallow clone, the command line. :class:`Batch` scripts the batch of
AGENT-SYSTEM.md (an orchestrator and two workers) for them and for the
diagram and hook tests.
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
# Where the history comes from


def test_without_since_the_history_is_not_checked(repo, batch):
    batch.update()
    batch.update()
    out = io.StringIO()
    assert check(CheckOptions(output_format="json", cwd=repo.path, no_cache=True), out=out) == 0
    assert json.loads(out.getvalue())["violations"] == []


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
