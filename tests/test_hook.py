"""``agent-lint hook`` end to end: Claude Code's payloads piped into the real command, in scratch repositories.

Each test builds a git repository that ``agent-lint init`` set up (a HANDOFF
committed with it), changes its working tree as an agent would, and runs
``python -m agent_lint hook`` with a Stop or SubagentStop payload shaped as
Claude Code's hook reference documents it (plus a field the hook does not
know, which it must accept). Exit 2 blocks the stop and stderr is what the
model reads; anything else must be exit 0.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent_lint.hook import MAX_LINES
from agent_lint.init import InitOptions, run_init

SESSIONS = ".agents/sessions"
HANDOFF = """# Handoff

## Current State

Main is green.

## Session History

## Next Steps

- Nothing planned.
"""
SESSION_ID = "8f2c1a9e-4b7d-4e0a-9c3f-2d6b5e8a1f04"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                          cwd=root, check=True, capture_output=True, text=True)
    return done.stdout


def write(root: Path, path: str, text: str) -> Path:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A committed repository set up by init, with a HANDOFF; the hook's state in a cache folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "feature-x")
    run_init(InitOptions(cwd=root), out=io.StringIO())
    write(root, "HANDOFF.md", HANDOFF)
    write(root, "app.py", "print('hello')\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def stop_payload(root: Path, **fields) -> dict:
    """Claude Code's Stop input: the common fields, stop_hook_active and the last message."""
    payload = {
        "session_id": SESSION_ID,
        "transcript_path": f"/home/dev/.claude/projects/repo/{SESSION_ID}.jsonl",
        "cwd": str(root),
        "permission_mode": "default",
        "hook_event_name": "Stop",
        "stop_hook_active": False,
        "last_assistant_message": "I've finished the change.",
        "background_tasks": [],  # a field newer than the reference: accepted, not read
    }
    payload.update(fields)
    return payload


def subagent_payload(root: Path, **fields) -> dict:
    """Claude Code's SubagentStop input: Stop's fields plus the sub-agent's ID, type and transcript."""
    payload = stop_payload(root, hook_event_name="SubagentStop", agent_id="a7d2e91", agent_type="general-purpose",
                           agent_transcript_path=f"/home/dev/.claude/projects/repo/{SESSION_ID}/subagents/"
                                                 f"agent-a7d2e91.jsonl",
                           last_assistant_message="Review done.")
    payload.update(fields)
    return payload


class Hooked:
    def __init__(self, done: subprocess.CompletedProcess):
        self.code = done.returncode
        self.stdout = done.stdout.decode("utf-8")
        self.stderr = done.stderr.decode("utf-8")

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def hook(root: Path, payload: dict | bytes, *args: str, cwd: Path | None = None) -> Hooked:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    done = subprocess.run([sys.executable, "-m", "agent_lint", "hook", *args], cwd=cwd or root, input=data,
                          capture_output=True, timeout=120, env=os.environ.copy())
    result = Hooked(done)
    assert "Traceback" not in result.stderr
    assert result.code in (0, 2), result.stderr
    assert result.stdout == ""  # Claude Code shows stdout to the user: nothing to say there
    return result


def agent_lint(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "agent_lint", *args], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def fill(path: Path, *, status: str = "complete", handoff: str = "no") -> None:
    """What a session does with the log new-session wrote: the work, the outcome, and its end."""
    text = path.read_text()
    text = text.replace("## Work Log\n", "## Work Log\n\n- 10:00 Changed app.py to greet by name.\n")
    text = text.replace("Pending: the session is in progress.", "app.py greets by name.")
    text = text.replace("**Status**: in-progress", f"**Status**: {status}"
                        + ("\n**Completed**: 2026-03-02T11:00Z" if status == "complete" else ""))
    text = text.replace("**HANDOFF Updated**: no", f"**HANDOFF Updated**: {handoff}")
    path.write_text(text)


def orchestrator(root: Path, slug: str = "review") -> tuple[str, Path]:
    """An orchestrator's log with its checklist worked through, as before a dispatch."""
    path = root / agent_lint(root, "new-session", "--role", "orchestrator", "--agent", "claude-code",
                             "--date", "2026-03-02", slug)
    path.write_text(path.read_text().replace("- [ ]", "- [x]"))
    return path.stem, path


def worker(root: Path, ident: str, slug: str) -> Path:
    return root / agent_lint(root, "new-session", "--role", "worker", "--orchestrator", ident, "--agent",
                             "claude-code", slug)


def handoff_entry(root: Path, ident: str, sessions: list[str]) -> None:
    text = (root / "HANDOFF.md").read_text().replace(
        "## Session History\n",
        f"## Session History\n\n### {ident}\n\n**Sessions**: {', '.join(sessions)}\n\n**Summary**: Reviewed.\n")
    (root / "HANDOFF.md").write_text(text)


# --- the cases of the issue -----------------------------------------------------------


def test_a_session_that_changed_code_and_wrote_no_log_is_blocked_with_the_command_to_run(repo):
    write(repo, "app.py", "print('hello, you')\n")
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    assert result.lines[0].startswith("agent-lint: this session breaks the agent protocol")
    assert "files changed (app.py) but no session log added or updated" in result.stderr
    command = re.search(r"run `(agent-lint new-session [^`]+)`", result.stderr).group(1)
    assert command == "agent-lint new-session --role single --agent claude-code feature-x"

    # The command it names works as written, and a log it wrote and the session filled lets the stop through.
    path = repo / agent_lint(repo, *command.split()[1:])
    assert hook(repo, stop_payload(repo)).code == 0  # a log just started is a log: the session is under way
    fill(path)
    result = hook(repo, stop_payload(repo))
    assert (result.code, result.stderr) == (0, "")


def test_a_log_that_breaks_its_conventions_is_reported_as_agent_lint_check_reports_it(repo):
    write(repo, "app.py", "print('hello, you')\n")
    path = repo / agent_lint(repo, "new-session", "--role", "single", "--agent", "claude-code", "greet")
    fill(path)
    path.write_text(path.read_text().replace("**Agent**: claude-code\n", ""))
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    rel = path.relative_to(repo).as_posix()
    assert re.search(rf"^- {re.escape(rel)}:\d+:\d+: AL201 .*Agent.*`agent-lint rule AL201` explains the rule\.$",
                     result.stderr, re.M), result.stderr


def test_a_worker_that_edited_handoff_is_blocked(repo):
    ident, _ = orchestrator(repo)
    path = worker(repo, ident, "api")
    fill(path)
    with (repo / "HANDOFF.md").open("a") as handoff:
        handoff.write("- Reviewed the API change (worker).\n")
    result = hook(repo, subagent_payload(repo))
    assert result.code == 2
    assert result.lines[0].startswith("agent-lint: this sub-agent breaks the agent protocol")
    assert "- HANDOFF.md:12:1: a worker must not change HANDOFF" in result.stderr  # the line it added
    assert "`git diff HEAD -- HANDOFF.md`" in result.stderr
    # Undone, the worker may stop.
    git(repo, "checkout", "HEAD", "--", "HANDOFF.md")
    assert hook(repo, subagent_payload(repo)).code == 0


def test_a_main_agent_whose_only_log_is_a_workers_is_a_worker(repo):
    ident, path = orchestrator(repo)
    worker_log = worker(repo, ident, "docs")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dispatch")
    fill(worker_log)  # a worker running as its own Claude Code session, in this work tree
    write(repo, "HANDOFF.md", HANDOFF.replace("Main is green.", "Docs refreshed."))
    result = hook(repo, stop_payload(repo))
    assert result.code == 2 and "a worker must not change HANDOFF" in result.stderr


def test_an_orchestrator_stopping_before_its_workers_logs_exist_is_blocked(repo):
    ident, path = orchestrator(repo)
    text = path.read_text().replace("**Dispatched**:", f"**Dispatched**: {ident}-api, {ident}-docs")
    path.write_text(text)
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("**Dispatched**"))
    rel = path.relative_to(repo).as_posix()
    assert f"- {rel}:{line}:17: orchestrator {ident} is stopping before its worker {ident}-api has a session log" \
        in result.stderr
    assert f"before its worker {ident}-docs has a session log" in result.stderr
    assert "AL216" not in result.stderr  # said once, by the live check


def test_an_orchestrator_through_its_batch(repo):
    ident, path = orchestrator(repo)
    api, docs = worker(repo, ident, "api"), worker(repo, ident, "docs")
    # Workers still running: the orchestrator may not stop, nor touch HANDOFF yet.
    handoff_entry(repo, ident, [ident, api.stem, docs.stem])
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    assert f"before its worker {api.stem} completed ({api.relative_to(repo).as_posix()} says Status: in-progress)" \
        in result.stderr
    assert f"HANDOFF.md:9:1: HANDOFF changed before every worker of {ident} completed" in result.stderr  # the entry
    git(repo, "checkout", "HEAD", "--", "HANDOFF.md")

    # Workers complete, HANDOFF not updated: the orchestrator is told to make its one update.
    fill(api)
    fill(docs)
    result = hook(repo, stop_payload(repo))
    assert result.code == 2 and len(result.lines) == 2
    assert f"every worker of {ident} is complete, but HANDOFF is not updated" in result.lines[1]
    assert f"**Sessions** are {ident}, {api.stem}, {docs.stem}" in result.lines[1]

    # The update made and recorded: the stop goes through.
    handoff_entry(repo, ident, [ident, api.stem, docs.stem])
    fill(path, handoff="2026-03-02T11:30Z")
    result = hook(repo, stop_payload(repo))
    assert (result.code, result.stderr) == (0, "")


def test_stop_hook_active_with_nothing_changed_lets_the_stop_through(repo):
    write(repo, "app.py", "print('hello, you')\n")
    assert hook(repo, stop_payload(repo)).code == 2
    result = hook(repo, stop_payload(repo, stop_hook_active=True))
    assert result.code == 0
    assert result.lines == ["agent-lint hook: nothing changed since this stop was blocked: letting it through"]
    # Not twice for the same state, whatever the flag; a change is a new state.
    assert hook(repo, stop_payload(repo)).code == 0
    write(repo, "lib.py", "x = 1\n")
    assert hook(repo, stop_payload(repo, stop_hook_active=True)).code == 2


def test_garbage_on_stdin_is_one_line_and_exit_0(repo):
    write(repo, "app.py", "print('hello, you')\n")
    for garbage in (b"", b"not json at all\n", b"\xff\xfe\x00", b"[1, 2]", b'{"hook_event_name": 7}',
                    b'{"hook_event_name": "PreToolUse", "tool_name": "Bash"}', b"{" * 100_000):
        result = hook(repo, garbage)
        assert result.code == 0 and len(result.lines) == 1, (garbage[:20], result.stderr)
        assert result.lines[0].startswith("agent-lint hook: ") and result.lines[0].endswith("; nothing checked")


# --- never a block by accident ------------------------------------------------------------


def test_nothing_to_judge_is_exit_0(repo, tmp_path):
    # A clean tree: silent.
    assert (hook(repo, stop_payload(repo)).code, hook(repo, stop_payload(repo)).stderr) == (0, "")
    # No git repository; no commit yet; no agent-lint set-up: one line each.
    plain = tmp_path / "plain"
    plain.mkdir()
    write(plain, ".agent-lint.toml", "")
    write(plain, "app.py", "x = 1\n")
    result = hook(plain, stop_payload(plain))
    assert (result.code, len(result.lines)) == (0, 1) and "not in a git work tree" in result.stderr
    git(plain, "init", "-q")
    result = hook(plain, stop_payload(plain))
    assert (result.code, len(result.lines)) == (0, 1) and "no commit yet" in result.stderr
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    write(other, "app.py", "x = 1\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "x")
    write(other, "app.py", "x = 2\n")
    result = hook(other, stop_payload(other))
    assert (result.code, len(result.lines)) == (0, 1) and "nothing to enforce" in result.stderr


def test_errors_and_unknown_options_never_block(repo):
    write(repo, "app.py", "print('hello, you')\n")
    result = hook(repo, stop_payload(repo), "--no-such-option")
    assert (result.code, result.lines) == (0, ["agent-lint hook: No such option: --no-such-option; nothing checked"])
    write(repo, ".agent-lint.toml", 'session-log = ["*.md"]\n')  # a config error
    result = hook(repo, stop_payload(repo))
    assert result.code == 0 and len(result.lines) == 1 and "did you mean 'session-logs'" in result.stderr


def test_the_payloads_cwd_is_the_project_whatever_the_hooks_own(repo, tmp_path):
    write(repo, "app.py", "print('hello, you')\n")
    assert hook(repo, stop_payload(repo), cwd=tmp_path).code == 2


def test_a_subagent_without_a_log_is_not_asked_for_one(repo):
    # A helper that only reads (or one whose role nothing states) is no protocol worker by evidence.
    write(repo, "app.py", "print('hello, you')\n")
    assert hook(repo, subagent_payload(repo)).code == 0


def test_a_subagent_answers_for_its_own_log_only(repo):
    ident, path = orchestrator(repo)
    api = worker(repo, ident, "api")
    path.write_text(path.read_text().replace("**Agent**: claude-code\n", ""))  # the orchestrator's to fix
    api.write_text(api.read_text().replace("**Objective**: Api\n", ""))  # the worker's
    result = hook(repo, subagent_payload(repo))
    assert result.code == 2
    assert api.name in result.stderr and path.name + ":" not in result.stderr
    # The orchestrator's own stop reports both.
    result = hook(repo, stop_payload(repo))
    assert path.name + ":" in result.stderr and api.name + ":" in result.stderr


def test_a_log_naming_the_runtime_session_is_this_sessions(repo):
    # Two orchestrators' logs in the working tree: only the one naming this session's ID is judged.
    ours, ours_path = orchestrator(repo, "review")
    other, other_path = orchestrator(repo, "triage")
    for path, ident in ((ours_path, ours), (other_path, other)):
        path.write_text(path.read_text().replace("**Dispatched**:", f"**Dispatched**: {ident}-api"))
    ours_path.write_text(ours_path.read_text().replace("## Work Log\n", f"## Work Log\n\n- Claude session "
                                                                         f"{SESSION_ID}.\n"))
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    assert f"orchestrator {ours} is stopping" in result.stderr and f"orchestrator {other} is" not in result.stderr


def test_the_report_is_at_most_twenty_lines(repo):
    write(repo, "app.py", "print('hello, you')\n")
    for number in range(30):
        write(repo, f"{SESSIONS}/2026-03-02-broken-{number:02}.json", "{not json")
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    assert len(result.lines) == MAX_LINES
    assert re.fullmatch(r"and 12 more: `agent-lint check` over the changed agent documents lists them", result.lines[-1])


def test_a_damaged_or_foreign_state_file_is_ignored(repo, tmp_path):
    write(repo, "app.py", "print('hello, you')\n")
    assert hook(repo, stop_payload(repo)).code == 2
    state = next((tmp_path / "cache" / "agent-lint" / "hook").iterdir())
    recorded = json.loads(state.read_text())
    for damaged in ("{", "[]", json.dumps({**recorded, "root": "/elsewhere"}), json.dumps({**recorded, "version": 9}),
                    json.dumps({**recorded, "blocked": "x"}), "\x00" * 70_000):
        state.write_text(damaged)
        assert hook(repo, stop_payload(repo, stop_hook_active=True)).code == 2, damaged[:30]


def test_a_frozen_handoff_changed_is_blocked_for_any_session(repo):
    with (repo / ".agent-lint.toml").open("a") as config:
        config.write('handoff-mode = "read-only"\n')
    git(repo, "commit", "-q", "-am", "freeze HANDOFF")
    fill(repo / agent_lint(repo, "new-session", "--role", "single", "--agent", "claude-code", "notes"))
    write(repo, "HANDOFF.md", HANDOFF.replace("Main is green.", "Main is green; notes added."))
    result = hook(repo, stop_payload(repo))
    assert result.code == 2 and len(result.lines) == 2
    assert result.lines[1].startswith('- HANDOFF.md:5:1: HANDOFF is frozen (handoff-mode = "read-only")')


def test_putting_handoff_back_as_it_was_is_no_edit(repo):
    # A session that committed an edit to a frozen HANDOFF, then restores the version before it, as the
    # corpus's sessions did ("revert HANDOFF.md to main per ADR-014"): what it does now authors nothing.
    with (repo / ".agent-lint.toml").open("a") as config:
        config.write('handoff-mode = "read-only"\n')
    write(repo, "HANDOFF.md", HANDOFF.replace("Main is green.", "Session 81 done."))
    git(repo, "commit", "-q", "-am", "docs: add session 81 to HANDOFF")
    fill(repo / agent_lint(repo, "new-session", "--role", "single", "--agent", "claude-code", "revert"))
    write(repo, "HANDOFF.md", HANDOFF)
    assert (hook(repo, stop_payload(repo)).code, hook(repo, subagent_payload(repo)).code) == (0, 0)
    # Nor is it work that needs a log of its own.
    next((repo / SESSIONS).glob("*-revert.md")).unlink()
    assert hook(repo, stop_payload(repo)).code == 0
    write(repo, "HANDOFF.md", HANDOFF.replace("Main is green.", "Main is green again."))
    assert hook(repo, stop_payload(repo)).code == 2


def test_a_workers_log_linked_outside_the_project_is_not_read(repo, tmp_path):
    """The hook reads other sessions' logs through the same boundary as the check: a link out is no log."""
    ident, path = orchestrator(repo)
    api = worker(repo, ident, "api")
    fill(api)
    outside = tmp_path / "outside.md"
    outside.write_text(api.read_text().replace("app.py greets by name.", "TOPSECRET"))
    api.unlink()
    os.symlink(outside, api)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the worker's log, linked")
    path.write_text(path.read_text().replace("## Work Log\n", "## Work Log\n\n- 10:30 Waited for the api reviewer.\n"))
    result = hook(repo, stop_payload(repo))
    assert result.code == 2
    assert "TOPSECRET" not in result.stderr
    assert f"before its worker {api.stem}" in result.stderr, result.stderr
