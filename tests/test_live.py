"""The hook's pieces as plain functions: the live checks over a Situation, the payload, git's status, the state.

Session logs are written as Markdown and read through the same protocol
view every rule reads (extract.session_log.session_log), so a check sees
exactly what it sees in a run.
"""

from __future__ import annotations

import json

import pytest

from agent_lint.document import parse_document
from agent_lint.extract.session_log import session_log
from agent_lint.hook import (MAX_LINES, Payload, Row, WorkTree, blocked_before, first_changed_line, parse_status,
                             read_payload, remember_block, report, rows, state_digest)
from agent_lint.live import (STOP, SUBAGENT_STOP, Situation, complete, handoff_before_workers,
                             handoff_changed_while_frozen, handoff_not_updated, live_problems, our_ids,
                             session_log_missing, worker_changed_handoff, workers_not_complete)
from agent_lint.model import Kind
from agent_lint.views import SessionLog

O = "2026-03-02-review"


def view(ident: str, **fields: str) -> SessionLog:
    """The protocol view of a Markdown log with these metadata lines (``handoff_updated`` for HANDOFF Updated)."""
    lines = [f"# Session {ident}", "", "**Date**: 2026-03-02", "**Agent**: claude-code"]
    for key, value in fields.items():
        label = "HANDOFF Updated" if key == "handoff_updated" else key.capitalize()
        lines.append(f"**{label}**: {value}")
    lines += ["", "## Work Log", "", "## Outcome", "", "Done.", ""]
    path = f".agents/sessions/{ident}.md"
    return session_log(parse_document(path, Kind.SESSION_LOG, "\n".join(lines).encode()))


def orchestrator(*workers: str, **fields: str) -> SessionLog:
    return view(O, role="orchestrator", dispatched=", ".join(f"{O}-{w}" for w in workers), **fields)


def worker(suffix: str, status: str = "complete", **fields: str) -> SessionLog:
    extra = {"completed": "2026-03-02T11:00Z"} if status == "complete" else {}
    return view(f"{O}-{suffix}", role="worker", orchestrator=O, status=status, **{**extra, **fields})


def situation(event: str = STOP, logs: tuple[SessionLog, ...] = (), *, changed: tuple[str, ...] = ("app.py",),
              handoffs: tuple[str, ...] = (), workers: dict | None = None, naming: tuple[str, ...] = (),
              **extra) -> Situation:
    return Situation(event=event, changed=changed + tuple(log.path for log in logs) + handoffs, logs=logs,
                     log_paths=tuple(log.path for log in logs), handoffs=handoffs,
                     ours=our_ids(event, logs, naming), workers=workers or {}, **extra)


# --- which session is stopping ----------------------------------------------------------


def test_the_main_agent_owns_the_changed_logs_but_its_workers():
    logs = (orchestrator("a", "b"), worker("a"), view(f"{O}-b", status="complete"), view("2026-03-02-notes"))
    # b names no orchestrator, but the orchestrator dispatched it: a worker too.
    assert our_ids(STOP, logs) == (O, "2026-03-02-notes")
    assert our_ids(STOP, (worker("a"),)) == (f"{O}-a",)  # its orchestrator's log is not in the working tree


def test_a_subagent_owns_the_changed_workers_logs_and_a_log_naming_it_wins():
    logs = (orchestrator("a", "b"), worker("a"), worker("b"))
    assert our_ids(SUBAGENT_STOP, logs) == (f"{O}-a", f"{O}-b")
    assert our_ids(SUBAGENT_STOP, logs, naming=(f"{O}-b",)) == (f"{O}-b",)
    assert our_ids(STOP, logs, naming=(O,)) == (O,)


def test_complete_only_from_evidence():
    assert complete(worker("a")) is True
    assert complete(worker("a", status="in-progress")) is False
    assert complete(None) is False  # no log at all
    assert complete(view("x", completed="2026-03-02T11:00Z")) is True
    assert complete(view("x")) is None  # a log that says neither: not judged


# --- files changed, no session log ------------------------------------------------------------


def test_files_changed_without_a_log():
    [problem] = session_log_missing(situation(log_command="agent-lint new-session --role single x"))
    assert problem.path == "" and "files changed (app.py)" in problem.message
    assert "`agent-lint new-session --role single x`" in problem.fix
    many = situation(changed=("a.py", "b.py", "c.py", "d.py", "e.py"))
    assert "(a.py, b.py, c.py and 2 more)" in next(session_log_missing(many)).message


@pytest.mark.parametrize("case", [
    dict(logs=(view("2026-03-02-x"),)),  # a log added or changed
    dict(event=SUBAGENT_STOP),  # a sub-agent is not known to be a protocol worker
    dict(changed=()),  # nothing changed
])
def test_no_log_asked_for(case):
    assert list(session_log_missing(situation(**case))) == []


def test_a_log_that_does_not_load_still_counts_as_written():
    s = situation()._replace(log_paths=(".agents/sessions/2026-03-02-x.json",))
    assert list(session_log_missing(s)) == []


# --- a worker touching HANDOFF ---------------------------------------------------------------


def test_a_subagent_with_handoff_changed():
    [problem] = worker_changed_handoff(situation(SUBAGENT_STOP, (worker("a"),), handoffs=("HANDOFF.md",),
                                                 handoff_lines={"HANDOFF.md": 9}))
    assert (problem.path, problem.where) == ("HANDOFF.md", (9, 1))
    assert "a worker must not change HANDOFF" in problem.message and "git diff HEAD -- HANDOFF.md" in problem.fix
    # A sub-agent that writes no log is still a sub-agent.
    assert list(worker_changed_handoff(situation(SUBAGENT_STOP, handoffs=("HANDOFF.md",))))


def test_a_main_agent_that_is_a_worker_by_its_logs():
    assert list(worker_changed_handoff(situation(STOP, (worker("a"),), handoffs=("HANDOFF.md",))))
    # An orchestrator, a single session, or a session with no log: not workers.
    for logs in ((orchestrator("a"), worker("a")), (view("2026-03-02-x", role="single"),), ()):
        assert list(worker_changed_handoff(situation(STOP, logs, handoffs=("HANDOFF.md",)))) == []


def test_a_handoff_update_the_main_agent_records_is_its_own():
    logs = (view("2026-03-02-x", role="single", handoff_updated="2026-03-02T10:00Z"),)
    assert list(worker_changed_handoff(situation(SUBAGENT_STOP, logs, handoffs=("HANDOFF.md",)))) == []


def test_a_frozen_handoff_changed_by_any_session():
    frozen = 'HANDOFF is frozen (handoff-mode = "read-only"): no session changes it'
    for event, logs in ((STOP, (view(O, role="orchestrator"),)), (STOP, (view("2026-03-02-x", role="single"),)),
                        (SUBAGENT_STOP, (worker("a"),))):
        s = situation(event, logs, handoffs=("HANDOFF.md",), read_only=True)
        assert [p.message for p in live_problems(s)] == [frozen]  # said once, also to a worker
        assert list(handoff_changed_while_frozen(s._replace(read_only=False))) == []
        assert list(handoff_changed_while_frozen(s._replace(handoffs=()))) == []


# --- the orchestrator's stop ----------------------------------------------------------------


def test_an_orchestrator_stopping_before_its_workers():
    o = orchestrator("a", "b", "c")
    s = situation(STOP, (o, worker("b", status="in-progress")),
                  workers={f"{O}-a": None, f"{O}-b": worker("b", status="in-progress"), f"{O}-c": worker("c")})
    missing, running = workers_not_complete(s)
    assert (missing.path, missing.where, missing.covers) == (o.path, o.dispatched_at[0], "AL216")
    assert f"before its worker {O}-a has a session log" in missing.message
    assert f"`agent-lint new-session --role worker --orchestrator {O} a` starts one" in missing.fix
    assert running.where == o.dispatched_at[1]
    assert f"before its worker {O}-b completed (.agents/sessions/{O}-b.md says Status: in-progress)" in running.message
    # Its workers' own stops are not the orchestrator's.
    assert list(workers_not_complete(s._replace(event=SUBAGENT_STOP))) == []


def test_a_worker_whose_log_says_nothing_of_its_state_is_not_waited_for():
    s = situation(STOP, (orchestrator("a"),), workers={f"{O}-a": view(f"{O}-a", role="worker", orchestrator=O)})
    assert list(workers_not_complete(s)) == []
    assert list(handoff_not_updated(s)) == []  # nor known to be complete


def test_handoff_changed_before_the_workers_completed():
    s = situation(STOP, (orchestrator("a", "b"),), handoffs=("HANDOFF.md",),
                  workers={f"{O}-a": worker("a"), f"{O}-b": worker("b", status="in-progress")})
    [problem] = handoff_before_workers(s)
    assert problem.path == "HANDOFF.md" and f"before every worker of {O} completed ({O}-b not yet)" in problem.message
    assert list(handoff_before_workers(s._replace(read_only=True))) == []  # frozen: nothing to time
    done = s._replace(workers={f"{O}-a": worker("a"), f"{O}-b": worker("b")})
    assert list(handoff_before_workers(done)) == []


def test_handoff_not_updated_after_the_workers_completed():
    o = orchestrator("a", "b")
    s = situation(STOP, (o,), workers={f"{O}-a": worker("a"), f"{O}-b": worker("b")})
    [problem] = handoff_not_updated(s)
    assert (problem.path, problem.where) == (o.path, (1, 1))  # the log has no HANDOFF Updated line to point at
    assert f"**Sessions** are {O}, {O}-a, {O}-b" in problem.fix
    for settled in (s._replace(handoffs=("HANDOFF.md",)),  # being updated now
                    s._replace(logs=(orchestrator("a", "b", handoff_updated="2026-03-02T12:00Z"),)),  # updated before
                    s._replace(read_only=True),  # frozen: the summary goes into the log's Outcome
                    s._replace(handoff_exists=False),  # no HANDOFF to update
                    situation(STOP, (view(O, role="orchestrator"),))):  # nothing dispatched yet
        assert list(handoff_not_updated(settled)) == []


def test_every_check_runs():
    s = situation(SUBAGENT_STOP, (worker("a"),), handoffs=("HANDOFF.md",))
    assert [p.message.split(":")[0] for p in live_problems(s)] == ["a worker must not change HANDOFF"]


# --- the report ---------------------------------------------------------------------------------


def test_rows_put_the_live_problems_first_and_say_each_thing_once():
    o = orchestrator("a")
    [missing] = workers_not_complete(situation(STOP, (o,), workers={f"{O}-a": None}))
    violations = [
        {"path": o.path, "line": missing.where.line, "column": 1, "code": "AL216", "message": "no log",
         "fixable": False},  # what the live check says already
        {"path": "HANDOFF.md", "line": 3, "column": 1, "code": "AL305", "message": "link", "fixable": True},
        {"path": o.path, "line": 2, "column": 1, "code": "AL201", "message": "schema", "fixable": False},
    ]
    found = rows([missing], violations)
    assert [row.message.split(" ")[0] for row in found] == ["orchestrator", "AL305", "AL201"]
    assert found[1].fix == "`agent-lint check --fix HANDOFF.md` fixes it"
    assert found[2].fix == "`agent-lint rule AL201` explains the rule"


def test_the_report_speaks_from_where_the_agent_works_and_stops_at_twenty_lines(tmp_path):
    row = Row(".agents/sessions/x.md", 3, 1, "AL201 schema", "`agent-lint rule AL201` explains the rule")
    text = report([row, Row("", 1, 1, "files changed", "write a log")], STOP, tmp_path / "src", tmp_path,
                  [row.path])
    assert text.splitlines()[1:] == [
        "- ../.agents/sessions/x.md:3:1: AL201 schema. Fix: `agent-lint rule AL201` explains the rule.",
        "- files changed. Fix: write a log.",
    ]
    lines = report([row] * 25, SUBAGENT_STOP, tmp_path, tmp_path, [row.path]).splitlines()
    assert len(lines) == MAX_LINES and lines[0].startswith("agent-lint: this sub-agent breaks")
    assert lines[-1] == "and 7 more: `agent-lint check .agents/sessions/x.md` lists them"
    assert len(report([row] * 19, STOP, tmp_path, tmp_path, [row.path]).splitlines()) == MAX_LINES  # all fit


# --- the payload ------------------------------------------------------------------------------


def test_the_payload_fields_read_and_the_rest_ignored():
    data = {"session_id": "s1", "transcript_path": "/t.jsonl", "cwd": "/repo", "permission_mode": "default",
            "hook_event_name": "SubagentStop", "stop_hook_active": True, "agent_id": "a1", "agent_type": "Explore",
            "agent_transcript_path": "/a1.jsonl", "last_assistant_message": "Done.", "something_new": {"x": [1]}}
    assert read_payload(json.dumps(data).encode()) == Payload("SubagentStop", "s1", "/repo", True, "a1")
    minimal = read_payload(b'{"hook_event_name": "Stop"}')
    assert minimal == Payload("Stop", "", None, False, None)
    assert read_payload(b'{"hook_event_name": "Stop", "stop_hook_active": "yes"}').stop_hook_active is False


@pytest.mark.parametrize("data, why", [
    (b"", "no JSON payload"), (b"\xff", "no JSON payload"), (b"[]", "not a JSON object"),
    (b'{"hook_event_name": "PreToolUse"}', "'PreToolUse' is none of Stop, SubagentStop"),
    (b"{}", "no hook_event_name is none of"), (b"[" * 200_000 + b"]" * 200_000, "no JSON payload"),
])
def test_a_payload_the_hook_does_not_act_on(data, why):
    result = read_payload(data)
    assert isinstance(result, str) and why in result


# --- git's status -------------------------------------------------------------------------------


def test_parse_status_porcelain_v2():
    raw = b"\0".join([
        b"# branch.oid 6059f1ce13beb5b6eb5c9b26bc4be30cd194063d", b"# branch.head feature/x",
        b"1 .M N... 100644 100644 100644 aaaa bbbb src/app.py",
        b"1 D. N... 100644 000000 000000 aaaa 0000 gone.md",
        b"2 R. N... 100644 100644 100644 aaaa aaaa R100 moved to.md", b"sp ace.md",
        b"u UU N... 100644 100644 100644 100644 aaaa bbbb cccc HANDOFF.md",
        b"? new file.md", b"? gone.md", b"",
    ])
    head, branch, changes = parse_status(raw)
    assert (head, branch) == ("6059f1ce13beb5b6eb5c9b26bc4be30cd194063d", "feature/x")
    assert [(c.path, c.status) for c in changes] == [
        ("src/app.py", ".M"), ("gone.md", "D."), ("moved to.md", "R."), ("sp ace.md", "D."), ("HANDOFF.md", "UU"),
        ("new file.md", "??"),
    ]
    assert parse_status(b"# branch.oid (initial)\0# branch.head (detached)\0")[:2] == (None, None)


def test_first_changed_line_of_a_diff():
    diff = b"diff --git a/H.md b/H.md\n--- a/H.md\n+++ b/H.md\n@@ -7,0 +8,3 @@ ## Session History\n+### x\n@@ -20 +23 @@\n"
    assert first_changed_line(diff) == 8
    assert first_changed_line(b"@@ -1,2 +0,0 @@\n") == 1  # everything deleted
    assert first_changed_line(b"") is None


# --- the state: never twice for the same -------------------------------------------------------


def test_the_state_digest_follows_the_stopping_agent_and_the_files(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    tree = WorkTree(tmp_path, "abc", "main", (parse_status(b"1 .M N... 1 1 1 a b a.py\0")[2]))
    stop = Payload(STOP, "s1", None, False, None)
    first = state_digest(stop, tree)
    assert state_digest(stop._replace(stop_hook_active=True), tree) == first
    assert state_digest(stop._replace(session_id="s2"), tree) != first
    assert state_digest(stop, tree._replace(head="abd")) != first
    (tmp_path / "a.py").write_text("x = 22\n")
    assert state_digest(stop, tree) != first


def test_the_state_file_keeps_the_last_blocks_and_ignores_what_it_did_not_write(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "project"
    assert blocked_before(root) == []
    for number in range(40):
        assert remember_block(root, f"{number:032x}")
    assert blocked_before(root) == [f"{number:032x}" for number in range(8, 40)]
    assert blocked_before(tmp_path / "elsewhere") == []
    [state] = (tmp_path / "cache" / "agent-lint" / "hook").iterdir()
    state.write_text(json.dumps({"version": 1, "root": str(root), "blocked": ["short", 7, "f" * 32]}))
    assert blocked_before(root) == ["f" * 32]
    state.write_bytes(b"\xff")
    assert blocked_before(root) == []
