"""What the units of a range actually did: whose commit each commit is, what each session changed, when it ran.

The orchestrator ticks "No shared file modifications" and "Each agent has
its own session log path" before it dispatches; the history says whether it
was so, and the logs' times say whether the batch ran in parallel at all
and what that saved. This module works those facts out once per run, as
plain data beside :class:`~agent_lint.batches.Gate`'s units; the rules
(AL407-AL409) and the renderers only read them.

**Whose commit.** A non-merge commit of the range is a session's by
evidence, in this order:

1. its ``Session-Ids`` trailer: the first ID it lists;
2. the log of a batch's orchestrator that it adds or changes: the
   orchestrator's (it may carry its workers' logs and results);
3. the one session of the range whose log it adds;
4. the one session of the range whose log it changes.

Anything else (a merge, a commit that adds the logs of several sessions, a
commit that touches no log and has no trailer) is nobody's: it counts for
no session. A unit's HANDOFF update is its orchestrator's aggregation, never
a worker's change.

**What a session of a batch changed.** Every path its commits add,
change, delete or rename (both names of a rename), apart from its own log
(in either format) and HANDOFF files (AL406 judges a worker's HANDOFF
change): other sessions' logs on one side, every other file on the other.

**One log, two sessions.** A session log that two commits on parallel
branches (neither in the other's history) each add, with different content
(``History.added_twice``): two sessions picked one log path. The same
addition on both branches (a cherry-pick, a branch stacked on another) is
one session.

**When it ran.** A session's start and end are its log's ``started`` and
``completed`` (``[tool.agent-lint.session-fields]`` maps them), when each
gives a time of day. A batch's figures count its workers, every session but
the orchestrator, which dispatches and aggregates whether they run in
parallel or not: the **span** (earliest start to latest completion), the
**sum** of their durations (what running them one after another would
have taken), the **saving** ``1 - span / sum``, and the **critical path**,
the longest worker. A worker without a start or an end leaves the figures
unknown, and says so: no figure is ever guessed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, Mapping, NamedTuple

from .batches import Gate, Member, Unit
from .files import Classifier
from .history import Commit
from .model import Kind
from .views import Prerequisite, Stamp

_TIME_OF_DAY = re.compile(r"\d[T ]\d{2}:\d{2}")


class Touched(NamedTuple):
    """A path a session's commits changed, with the first of them that did."""

    path: str
    commit: Commit


class Work(NamedTuple):
    """What a session's own commits (by evidence) changed."""

    files: tuple[Touched, ...]  # paths other than session logs and HANDOFF, in path order
    logs: tuple[Touched, ...]  # logs of other sessions, in path order


class Run(NamedTuple):
    """A session's time, as its log gives it."""

    session: str
    role: str
    started: datetime | None
    completed: datetime | None
    lacks: str  # why it has no duration ("" when it has one): "no Started", "no time of day in Completed", ...

    @property
    def duration(self) -> timedelta | None:
        return self.completed - self.started if not self.lacks else None  # type: ignore[operator]


class Timing(NamedTuple):
    """When a batch's sessions ran, and what running its workers in parallel saved."""

    runs: tuple[Run, ...]  # every session of the batch with a log in the range, orchestrator first
    counted: tuple[Run, ...]  # the workers: what the figures count
    span: timedelta | None  # None: the figures are unknown (see ``missing``)
    total: timedelta | None
    critical: Run | None  # the longest worker

    @property
    def missing(self) -> tuple[Run, ...]:
        """The workers whose times are incomplete, so that the figures are unknown."""
        return tuple(run for run in self.counted if run.lacks)

    @property
    def known(self) -> bool:
        return self.span is not None

    @property
    def saving(self) -> float | None:
        """``1 - span / sum``: the share of the sequential time that parallel dispatch saved (negative: lost)."""
        if self.span is None or not self.total:
            return None
        return 1 - self.span / self.total

    @property
    def overlapped(self) -> bool | None:
        """Did any two workers run at the same time? None: fewer than two, or times unknown."""
        if self.span is None or len(self.counted) < 2:
            return None
        ordered = sorted(self.counted, key=lambda run: run.started)  # type: ignore[arg-type, return-value]
        latest = ordered[0].completed
        for run in ordered[1:]:
            if run.started < latest:  # type: ignore[operator]
                return True
            latest = max(latest, run.completed)  # type: ignore[type-var]
        return False


class SharedLog(NamedTuple):
    """A session log that parallel branches each added with content of their own."""

    path: str
    commits: tuple[Commit, ...]  # its additions on parallel branches, oldest first


class Facts(NamedTuple):
    work: Mapping[str, Work]  # session ID of a batch -> what its commits changed
    timing: Mapping[str, Timing]  # a batch's key -> its times
    shared_logs: tuple[SharedLog, ...]

    def of(self, member: Member) -> Work:
        return self.work.get(member.id) or Work((), ())


def facts(gate: Gate) -> Facts:
    """The facts of the gate's range, worked out once per run."""
    return gate.project.derived("unit-facts", lambda project: _facts(gate))


def counted(unit: Unit) -> tuple[Member, ...]:
    """The sessions of a batch that ran in parallel: every one but its orchestrator."""
    return tuple(m for m in unit.sessions if m.role != "orchestrator")


def prerequisite(unit: Unit, *words: str) -> tuple[Member, Prerequisite] | None:
    """The orchestrator's log and its prerequisites item holding every one of ``words`` (casefolded)."""
    own = unit.member(unit.orchestrator) if unit.orchestrator else None
    if own is None or own.log is None:
        return None
    for item in own.log.prerequisites or ():
        text = item.text.casefold()
        if all(word in text for word in words):
            return own, item
    return None


def declared(found: tuple[Member, Prerequisite] | None) -> bool:
    """Does the orchestrator leave the item unchecked with a reason? A declared exception, not a false tick."""
    return found is not None and not found[1].checked and bool(found[1].note)


def to_verify(gate: Gate, *words: str) -> Iterator[tuple[Unit, tuple[Member, Prerequisite] | None]]:
    """Each batch of the range whose prerequisites item holding ``words`` is to be checked against history,
    with that item (None when the orchestrator's log has none): every batch but those that declare an exception."""
    for unit in gate.units:
        if unit.batch:
            item = prerequisite(unit, *words)
            if not declared(item):
                yield unit, item


# ----------------------------------------------------------------------------
# Working them out


def _facts(gate: Gate) -> Facts:
    """Whose each commit is, then what each session of a batch changed, then the batches' times and shared logs."""
    owner = _owners(gate)
    kind = Classifier(gate.project.config).document_kind
    config = gate.project.config
    work = {session_id: _work(session_id, commits, kind, config.session_id)
            for session_id, commits in _owned(gate, owner).items()}
    timing = {unit.key: _timing(unit) for unit in gate.units if unit.batch}
    return Facts(work, timing, _shared_logs(gate))


def _owners(gate: Gate) -> dict[str, str]:
    """Commit hash -> the session whose commit it is, for each non-merge commit with evidence (module docstring)."""
    orchestrators = {unit.orchestrator for unit in gate.units if unit.batch and unit.orchestrator}
    touching, adding = _log_commits(gate)
    owner: dict[str, str] = {}
    for commit in gate.history.commits:
        if commit.is_merge:
            continue
        found = _owner(commit.session_ids(), touching.get(commit.hash, []), adding.get(commit.hash, []),
                       orchestrators)
        if found is not None:
            owner[commit.hash] = found
    return owner


def _log_commits(gate: Gate) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Commit hash -> the sessions of the range whose logs it adds or changes; commit hash -> those it adds."""
    members = {m.id: m for unit in gate.units for m in unit.sessions}
    touching: dict[str, list[str]] = {}
    adding: dict[str, list[str]] = {}
    for session_id, member in members.items():
        for commit in member.commits:
            touching.setdefault(commit.hash, []).append(session_id)
        if member.committed is not None:
            adding.setdefault(member.committed.hash, []).append(session_id)
    return touching, adding


def _owner(trailer: tuple[str, ...], touched: list[str], added: list[str], orchestrators: set[str]) -> str | None:
    """The session a commit is, by the evidence in order: its trailer, an orchestrator's log, the one log it
    adds, the one log it changes (``touched``: the logs it adds or changes; ``added``: those it adds)."""
    if trailer:
        return trailer[0]
    own = next((i for i in touched if i in orchestrators), None)
    if own is not None:
        return own
    if len(added) == 1:
        return added[0]
    if len(touched) == 1:
        return touched[0]
    return None


def _owned(gate: Gate, owner: Mapping[str, str]) -> dict[str, list[Commit]]:
    """Session ID of a batch -> its own commits, in history order, leaving out its units' HANDOFF updates."""
    aggregation = {c.hash for unit in gate.units for c in unit.updates}
    in_batches = {m.id for unit in gate.units if unit.batch for m in unit.sessions}
    owned: dict[str, list[Commit]] = {}
    for commit in gate.history.commits:
        session_id = owner.get(commit.hash)
        if session_id is not None and session_id in in_batches and commit.hash not in aggregation:
            owned.setdefault(session_id, []).append(commit)
    return owned


def _work(session_id: str, commits: list[Commit], kind: Callable[[str], Kind | None],
          session_of: Callable[[str], str]) -> Work:
    """What a session's commits changed: other sessions' logs apart, its own log and HANDOFF files left out."""
    files: dict[str, Commit] = {}
    logs: dict[str, Commit] = {}
    for commit in commits:
        for change in commit.changes:
            for path in (change.path, change.old_path):
                if path is None:
                    continue
                found = kind(path)
                if found is Kind.HANDOFF or found is Kind.SESSION_LOG and session_of(path) == session_id:
                    continue
                (logs if found is Kind.SESSION_LOG else files).setdefault(path, commit)
    return Work(tuple(Touched(p, c) for p, c in sorted(files.items())),
                tuple(Touched(p, c) for p, c in sorted(logs.items())))


def _shared_logs(gate: Gate) -> tuple[SharedLog, ...]:
    history = gate.history
    objects: dict[str, dict[str, str]] = {}  # path -> commit hash -> object it added
    for (hash_, path), blob in history.added_twice.items():
        objects.setdefault(path, {})[hash_] = blob
    found = []
    for path, added in sorted(objects.items()):
        if path not in gate.project.kinds:
            continue  # deleted again: no log of HEAD is shared
        commits = [c for c in (history.get(h) for h in added) if c is not None]
        commits.sort(key=lambda c: history.index[c.hash])
        parallel = {c.hash: c for i, a in enumerate(commits) for b in commits[i + 1:]
                    if added[a.hash] != added[b.hash] and not history.is_ancestor(a, b)
                    and not history.is_ancestor(b, a) for c in (a, b)}
        if parallel:
            found.append(SharedLog(path, tuple(c for c in commits if c.hash in parallel)))
    return tuple(found)


def _timing(unit: Unit) -> Timing:
    runs = tuple(_run(m) for m in unit.sessions)
    workers = tuple(run for run, m in zip(runs, unit.sessions) if m.role != "orchestrator")
    if not workers or any(run.lacks for run in workers):
        return Timing(runs, workers, None, None, None)
    # Every worker has both times here (none lacks one), so each has a duration.
    starts = [run.started for run in workers]
    ends = [run.completed for run in workers]
    durations = [(run.duration, run) for run in workers]
    total = sum((d for d, _ in durations), timedelta())  # type: ignore[misc]
    critical = max(durations, key=lambda pair: pair[0])[1]  # the first of the longest
    return Timing(runs, workers, max(ends) - min(starts), total, critical)


def _run(member: Member) -> Run:
    log = member.log
    started = _moment(log.started) if log else None
    completed = _moment(log.completed) if log else None
    lacks = []
    for name, stamp, moment in (("Started", log and log.started, started), ("Completed", log and log.completed,
                                                                            completed)):
        if moment is None:
            lacks.append(f"no time of day in {name}" if stamp else f"no {name}")
    if not lacks and completed < started:  # type: ignore[operator]
        lacks.append("Completed before Started")
    return Run(member.id, member.role, started, completed, " and ".join(lacks))


def _moment(stamp: Stamp | None) -> datetime | None:
    """The time a stamp gives, when it gives a time of day (a bare date says when, not how long)."""
    if stamp is None or stamp.at is None or not _TIME_OF_DAY.search(stamp.text):
        return None
    return stamp.at


# ----------------------------------------------------------------------------
# Numbers, as messages and renderers write them


def duration(delta: timedelta) -> str:
    """``12 min``, ``1 h 05 min``, ``40 s``, ``10 min 30 s``: exact, never rounded."""
    seconds = delta.total_seconds()
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{int(hours)} h")
    if minutes or hours and secs:
        parts.append(f"{int(minutes):02d} min" if hours else f"{int(minutes)} min")
    if secs or not parts:
        parts.append(f"{secs:g} s")
    return sign + " ".join(parts)


def percent(share: float) -> str:
    """``60%``, ``56.7%``, ``-20%``: one decimal at most."""
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}%"


def clock(moment: datetime, day: bool = False) -> str:
    """A time as the batch's figures show it, in UTC: ``10:00`` (``2026-03-05 10:00`` with ``day``)."""
    moment = moment.astimezone(timezone.utc)
    text = moment.strftime("%Y-%m-%d %H:%M" if day else "%H:%M")
    return text + (moment.strftime(":%S") if moment.second else "")
