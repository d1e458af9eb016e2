"""What only a live session can show: the protocol checked at the moment an agent stops.

The regular check judges documents as they are; these checks judge what a
session is doing in the working tree right now, which no commit shows yet:
files changed with no session log written, a worker touching HANDOFF, an
orchestrator ending its turn before its batch is done. ``agent-lint hook``
(hook.py) gathers a :class:`Situation` from git and the session logs; each
check here is a plain function of it, yielding :class:`Problem` s, each with
its own message and fix, so every case is testable without git.

**Which session is stopping** (the logs that are "ours"), from evidence only:

1. the logs added or changed in the working tree whose text names the
   runtime's ID of the stopping agent (the payload's ``session_id`` for the
   main agent, ``agent_id`` for a sub-agent), when any does;
2. else, for the main agent (``Stop``), every changed log but those of the
   workers of a changed orchestrator log (a worker names it as its
   ``Orchestrator``, or it lists the worker as ``Dispatched``): the main
   agent owns the working tree, and its sub-agents' logs are its workers';
3. else, for a sub-agent (``SubagentStop``), the changed logs of workers.

A session whose logs (by 1 or 2) are all workers' is a worker: a main agent
started as a worker in its own worktree stops as one. A sub-agent is a
worker. Nothing is judged on a guess: a worker whose status a log does not
state is neither complete nor incomplete, and a sub-agent that writes no
log is not asked for one (nothing says it is a protocol worker rather than
a helper that only reads; the orchestrator's stop asks for its workers'
logs).
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

from .views import START, Position, SessionLog

STOP, SUBAGENT_STOP = "Stop", "SubagentStop"


class Situation(NamedTuple):
    """What the live checks read: plain data, gathered by hook.py."""

    event: str  # STOP (the main agent) or SUBAGENT_STOP (a sub-agent it dispatched)
    changed: tuple[str, ...]  # every path the working tree changed against HEAD, staged or not, untracked too
    logs: tuple[SessionLog, ...]  # the session logs added or changed (and still there) that load
    log_paths: tuple[str, ...]  # every session log added or changed (and still there), loading or not
    handoffs: tuple[str, ...]  # the HANDOFF documents added, changed or deleted
    ours: tuple[str, ...]  # IDs of the changed logs that are the stopping session's (see the module docstring)
    workers: Mapping[str, SessionLog | None] = {}  # each ID our orchestrators dispatched -> its log (None: no log)
    handoff_lines: Mapping[str, int] = {}  # a changed HANDOFF -> the first line it changed (default 1)
    handoff_exists: bool = True  # the project has a HANDOFF document to update
    read_only: bool = False  # handoff-mode = "read-only": HANDOFF is frozen
    log_command: str = "agent-lint new-session --role single SLUG"  # writes a log for this session

    def our_logs(self, role: str | None = None) -> list[SessionLog]:
        return [log for log in self.logs if log.id in self.ours and (role is None or log.role == role)]

    def is_worker(self) -> bool:
        if self.event == SUBAGENT_STOP:
            return True
        ours = self.our_logs()
        return bool(ours) and all(log.role == "worker" for log in ours)


class Problem(NamedTuple):
    """One way the stopping session breaks the protocol, where, and how to fix it."""

    path: str  # project-relative; "" when it is about no one file
    where: Position
    message: str
    fix: str
    covers: str | None = None  # a rule code whose violation at the same place says the same


def our_ids(event: str, logs: Iterable[SessionLog], naming: Iterable[str] = ()) -> tuple[str, ...]:
    """The IDs of the logs that are the stopping session's; ``naming``: the logs naming its runtime ID."""
    logs = list(logs)
    named = set(naming)
    if named:
        return tuple(log.id for log in logs if log.id in named)
    if event == SUBAGENT_STOP:
        return tuple(log.id for log in logs if log.role == "worker")
    changed = {log.id for log in logs}
    dispatched = {ident for log in logs for ident in log.dispatched}
    return tuple(log.id for log in logs
                 if not (log.id in dispatched or (log.role == "worker" and log.orchestrator in changed)))


def complete(log: SessionLog | None) -> bool | None:
    """Has the session completed? None: its log does not say (no status and no completion time)."""
    if log is None:
        return False
    if log.status is not None:
        return log.status == "complete"
    return True if log.completed is not None else None


def _dispatched(orchestrator: SessionLog) -> Iterator[tuple[str, Position]]:
    positions = list(orchestrator.dispatched_at)
    for index, ident in enumerate(orchestrator.dispatched):
        yield ident, positions[index] if index < len(positions) else orchestrator.at("dispatched")


def _suffix(orchestrator: str, worker: str) -> str:
    """The slug new-session makes ``worker``'s ID from, when it follows the convention (else SLUG)."""
    return worker[len(orchestrator) + 1:] if worker.startswith(orchestrator + "-") else "SLUG"


def _first_change(s: Situation, path: str) -> Position:
    return Position(s.handoff_lines.get(path, 1), 1)


def _handoff_edits(s: Situation, problem: str, instead: str) -> Iterator[Problem]:
    """``problem`` at the first changed line of each HANDOFF the work tree changed: undo it, do ``instead``."""
    for path in s.handoffs:
        yield Problem(path, _first_change(s, path), problem,
                      f"undo your edits to it (`git diff HEAD -- {path}` shows them); {instead}")


def _listed(paths: Iterable[str], most: int = 3) -> str:
    paths = list(paths)
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


# ----------------------------------------------------------------------------
# The checks


def session_log_missing(s: Situation) -> Iterator[Problem]:
    """Files changed, but no session log added or updated (the main agent only)."""
    if s.event != STOP or not s.changed or s.log_paths:
        return
    yield Problem(
        "", START,
        f"files changed ({_listed(s.changed)}) but no session log added or updated: every session writes one",
        f"run `{s.log_command}` and record your work in its Work Log and Outcome (--role orchestrator if this "
        f"session dispatches workers); if this session has a log already, add what you did to it",
    )


def handoff_changed_while_frozen(s: Situation) -> Iterator[Problem]:
    """HANDOFF changed in the working tree while the config freezes it (AL402 once committed)."""
    if not s.read_only:
        return
    yield from _handoff_edits(s, 'HANDOFF is frozen (handoff-mode = "read-only"): no session changes it',
                              "the orchestrator, or a single session, writes its summary into the Outcome of its "
                              "own session log instead")


def worker_changed_handoff(s: Situation) -> Iterator[Problem]:
    """A worker (a sub-agent, or a session whose logs are workers') stopping with HANDOFF changed."""
    if not s.handoffs or s.read_only or not s.is_worker():  # frozen: said for every session alike
        return
    if s.event == SUBAGENT_STOP and any(log.role in ("orchestrator", "single") and log.handoff_updates
                                        for log in s.logs):
        return  # the main agent records an update of its own: its stop judges it
    yield from _handoff_edits(s, "a worker must not change HANDOFF: only the orchestrator updates it, once, after "
                              "every worker completes", "record your progress in your own session log")


def workers_not_complete(s: Situation) -> Iterator[Problem]:
    """An orchestrator stopping while a worker it dispatched has no log, or has not completed."""
    if s.event != STOP:
        return
    for orchestrator in s.our_logs("orchestrator"):
        for ident, where in _dispatched(orchestrator):
            log = s.workers.get(ident)
            if log is None:
                yield Problem(
                    orchestrator.path, where,
                    f"orchestrator {orchestrator.id} is stopping before its worker {ident} has a session log",
                    f"wait for {ident} to write its log and complete it (`agent-lint new-session --role worker "
                    f"--orchestrator {orchestrator.id} {_suffix(orchestrator.id, ident)}` starts one); remove it "
                    f"from Dispatched if it was never dispatched",
                    covers="AL216",
                )
            elif complete(log) is False:
                yield Problem(
                    orchestrator.path, where,
                    f"orchestrator {orchestrator.id} is stopping before its worker {ident} completed "
                    f"({log.path} says Status: {log.status})",
                    f"wait for {ident}: the orchestrator waits for every worker; a worker completes its log "
                    f"(Status: complete and a Completed time) even when it fails",
                )


def handoff_before_workers(s: Situation) -> Iterator[Problem]:
    """HANDOFF changed in the working tree while a worker of our batch has not completed."""
    if s.event != STOP or not s.handoffs or s.read_only:
        return
    for orchestrator in s.our_logs("orchestrator"):
        waiting = [ident for ident, _ in _dispatched(orchestrator) if complete(s.workers.get(ident)) is False]
        if not waiting:
            continue
        for path in s.handoffs:
            yield Problem(
                path, _first_change(s, path),
                f"HANDOFF changed before every worker of {orchestrator.id} completed ({_listed(waiting)} not yet)",
                f"a batch updates HANDOFF once, after all its sessions complete: undo this edit (`git diff HEAD -- "
                f"{path}` shows it) and make it when every worker is done",
            )


def handoff_not_updated(s: Situation) -> Iterator[Problem]:
    """Every worker of our batch complete, and HANDOFF neither changed nor recorded as updated."""
    if s.event != STOP or s.handoffs or s.read_only or not s.handoff_exists:
        return
    for orchestrator in s.our_logs("orchestrator"):
        workers = [ident for ident, _ in _dispatched(orchestrator)]
        if not workers or orchestrator.handoff_updates or not all(complete(s.workers.get(w)) for w in workers):
            continue
        yield Problem(
            orchestrator.path, orchestrator.at("handoff-updated"),
            f"every worker of {orchestrator.id} is complete, but HANDOFF is not updated",
            f"update HANDOFF once now: one entry `### {orchestrator.id}` under `## Session History` whose "
            f"**Sessions** are {', '.join([orchestrator.id, *workers])}, then record its time in "
            f"{orchestrator.id}'s HANDOFF Updated",
        )


CHECKS: tuple[Callable[[Situation], Iterable[Problem]], ...] = (
    session_log_missing, handoff_changed_while_frozen, worker_changed_handoff, workers_not_complete,
    handoff_before_workers, handoff_not_updated,
)


def live_problems(s: Situation) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(s)]
