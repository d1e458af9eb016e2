"""Units of work in a range of commits, from evidence: what the gate rules (AL4xx) and ``agent-lint batches`` read.

The model is AGENT-SYSTEM.md's ("Units of work and HANDOFF"): every session
belongs to one **unit**, a parallel batch or a single session, and

* each unit updates HANDOFF at most once (AL401 reports the repeats),
* after every log of the unit is committed (AL403),
* workers never update it (AL406),
* and the commit that does lists the unit's session IDs (AL404).

**Sessions of the range.** Every session log that a non-merge commit of the
range adds or changes, and that is still there at HEAD. Its **log commit**
is the commit that adds it. A log older than the range was committed before
it: edits to it in the range (a formatter run over old logs, a checklist
added to them, a typo) are no session's work, and it is no session of the
range, unless it said at the base that its session was still going (a
status other than ``complete``, no completion time): that session goes on
in the range, and its first commit there is its log commit.

**Batches from evidence.** A parallel batch exists only where something says
so; every other session is a **single session**, its own unit. What counts:

1. a log's own record: an orchestrator (``Role: orchestrator`` or a
   dispatch list), the workers its ``Dispatched`` names, a worker whose
   ``Orchestrator`` names it (these decide the roles; ``Role: single``
   keeps a session out of any batch);
2. a ``Session-Ids`` trailer naming several sessions: one unit, the first
   ID its orchestrator, the others its workers;
3. sessions whose logs' start and completion times overlap: one batch
   whose orchestrator is unknown, unless other evidence names it, and whose
   members are workers by that evidence alone.

The worker-ID convention (an orchestrator's ID plus a suffix) names the
orchestrator of a batch the evidence above makes; it makes no batch on its
own: teams that number sessions per day write ``2025-12-20-session-01`` and
``2025-12-20-session-01-pr-89-review`` for two unrelated sessions
(rjmurillo/ai-agents holds 131 such pairs).

**HANDOFF commits.** The non-merge commits that change a HANDOFF file, and
the merges that resolve one in their own words (history.py). Each goes to:

1. the units its ``Session-Ids`` trailer names (IDs of no session of the
   range stand for a unit whose logs were committed before the range);
2. else the one unit whose logs it commits (adds), or else changes;
3. else no unit: a HANDOFF commit that names no session (a HANDOFF edit
   between sessions, or by a session that wrote no log), or that commits
   the logs of several units and says whose update it is no more than a
   clean-up over their logs does. AL404 asks it for a trailer; no other
   rule can judge it. Not even a range of one unit makes such a commit
   that unit's: a second session that wrote no log updates HANDOFF in
   real pull requests as often as the first session does again.

A commit that a batch's worker makes (it changes a worker's log and not
the orchestrator's, and its trailer does not name the orchestrator first)
is the worker's HANDOFF change, reported by AL406, and no update of the
batch. "Before" is ancestry, never dates.

Rules read the project's :class:`Gate` (``project.gate``: the history cut
into units) and yield findings that name the diagram nodes they concern
(``Finding.marks``), so that the drawings of ``agent-lint batches``
(report/batch_view.py) mark exactly the violations that were reported. Each
unit is worked out once, plainly: renderers and later rules read the same
:class:`Unit` s. What the units then did (whose commit each commit is, the
files each session changed, when the sessions ran and what parallelism
saved) is unit_facts.py's, worked out from these units.

**Batches the logs declare.** Without a history, the protocol rules about
batches (AL212, AL218, AL306) read the batches the logs themselves declare
(``project.batches``, :func:`declared`): each orchestrator's log with the
worker logs that name it, as :class:`Unit` s too.
"""

from __future__ import annotations

from typing import Callable, Iterator, Mapping, NamedTuple, Sequence

from .document import parse_document
from .files import Classifier
from .history import Change, Commit, History
from .model import Kind
from .project import Project
from .views import SessionLog


NO_LOGS = ("the project has no session logs, so the pull-request gate's rules about sessions (AL401, AL403-AL409)"
           " had nothing to judge")
SUBJECT_WIDTH = 60
IDS_SHOWN = 10  # a message names at most this many IDs: a bulk import lists hundreds


class Member(NamedTuple):
    """A session of the range, as its unit holds it."""

    id: str  # the log's session ID (Config.session_id)
    path: str  # the log as it is now, a document of the project
    log: SessionLog | None  # its protocol view; None when the log does not load
    role: str  # orchestrator, worker or single; "session" in a batch that says no more
    evidence: str  # what makes it a member of its unit in that role ("" for a single session)
    committed: Commit | None  # its log commit; None: committed before the range
    commits: tuple[Commit, ...]  # every non-merge commit of the range that adds or changes the log


class Unit(NamedTuple):
    """A parallel batch or a single session, with its HANDOFF commits."""

    key: str  # the orchestrator's ID (or, unknown, the first session's), the single session's ID
    batch: bool
    orchestrator: str | None  # its ID, known by evidence, its log in the range or not
    sessions: tuple[Member, ...]  # the orchestrator first, when its log is in the range
    evidence: tuple[str, ...]  # what makes it a batch (empty for a single session)
    updates: tuple[Commit, ...]  # its HANDOFF updates, oldest first
    worker_changes: tuple[tuple[Commit, Member], ...]  # HANDOFF commits of its workers (AL406)
    listed: tuple[str, ...] = ()  # IDs a trailer gives it beyond its sessions (logs before the range)

    @property
    def name(self) -> str:
        if not self.batch:
            return f"session {self.key}"
        return f"batch {self.orchestrator}" if self.orchestrator else f"batch with {self.key} (orchestrator unknown)"

    @property
    def ids(self) -> tuple[str, ...]:
        """Every session ID of the unit, orchestrator first: what its HANDOFF commit lists."""
        head = [self.orchestrator] if self.orchestrator else [] if self.batch else [self.key]
        return tuple(dict.fromkeys(head + [m.id for m in self.sessions] + list(self.listed)))

    @property
    def workers(self) -> tuple[Member, ...]:
        return tuple(m for m in self.sessions if m.role == "worker")

    def member(self, session_id: str) -> Member | None:
        return next((m for m in self.sessions if m.id == session_id), None)


def commit_node(commit: Commit) -> str:
    return f"commit:{commit.hash}"


def session_node(session_id: str) -> str:
    return f"session:{session_id}"


def describe(commit: Commit) -> str:
    """A commit as messages name it: short hash and subject."""
    subject = commit.subject if len(commit.subject) <= SUBJECT_WIDTH else commit.subject[:SUBJECT_WIDTH - 1] + "…"
    return f'{commit.short} "{subject}"'


def id_list(ids: Sequence[str], most: int = IDS_SHOWN) -> str:
    """IDs as messages name them: comma-separated, the tail of a long list counted, not named."""
    shown = ", ".join(ids[:most])
    hidden = len(ids) - most
    return f"{shown} and {hidden} more" if hidden > 0 else shown


# ----------------------------------------------------------------------------
# The gate


class Gate(NamedTuple):
    """What the gate rules check: a project with its history, cut into units."""

    project: Project
    history: History
    units: tuple[Unit, ...]
    handoff_commits: tuple[Commit, ...]  # every commit of the range that changes a HANDOFF, oldest first
    unattributed: tuple[Commit, ...]  # HANDOFF commits that name no unit
    updated_by: Mapping[str, tuple[Unit, ...]]  # commit hash -> the units it updates HANDOFF for
    candidates: Mapping[str, tuple[str, ...]]  # unattributed commit hash -> the sessions whose logs it holds
    changed_by_worker: Mapping[str, tuple[Unit, Member]]  # commit hash -> the worker whose HANDOFF change it is

    @property
    def frozen(self) -> bool:
        return self.project.config.handoff_mode == "read-only"

    @property
    def judged(self) -> bool:
        """Do the rules about units apply? Not when HANDOFF is frozen, nor in a project without session logs."""
        return not self.frozen and bool(self.project.session_paths)

    @property
    def known_ids(self) -> frozenset[str]:
        return self.project.session_ids

    def units_updated_by(self, commit: Commit) -> tuple[Unit, ...]:
        return self.updated_by.get(commit.hash, ())

    def worker_change(self, commit: Commit) -> tuple[Unit, Member] | None:
        return self.changed_by_worker.get(commit.hash)

    def at_handoff(self, commit: Commit, unit: Unit | None = None) -> tuple[str, int, int]:
        """Where to report a HANDOFF commit: the file it changes, at the unit's entry when there is one."""
        project = self.project
        changed = sorted(c.path for c in commit.changes if project.kinds.get(c.path) is Kind.HANDOFF)
        path = changed[0] if changed else self._fallback_path()
        handoff = next((h for h in project.handoffs if h.path == path), None)
        wanted = unit.key if unit is not None else None
        if handoff is not None and wanted:
            for heading in handoff.headings:
                if heading.title == wanted or heading.title.startswith(wanted + " "):
                    return path, heading.line, heading.column
        return path, 1, 1

    def _fallback_path(self) -> str:
        """A HANDOFF commit whose file is gone: report on a HANDOFF or the system document."""
        project = self.project
        candidates = sorted(path for path, kind in project.kinds.items() if kind is Kind.HANDOFF)
        system = next((path for path in project.config.system_document_candidates if path in project.kinds), None)
        if system is not None:
            candidates.append(system)
        return candidates[0] if candidates else next(iter(project.kinds), "")


# ----------------------------------------------------------------------------
# Working the units out


class _Log(NamedTuple):
    """A session log the range touches, before it has a unit."""

    id: str
    path: str
    log: SessionLog | None
    committed: Commit | None
    commits: tuple[Commit, ...]


def gate(project: Project) -> Gate:
    """The project's history cut into units (see the module docstring); ``project.gate`` keeps it."""
    history = project.history
    views = {log.path: log for log in project.sessions}
    project.by_role(None)  # says once if no log states a role
    if not project.session_paths and project.config.handoff_mode != "read-only":
        project.note(NO_LOGS)
    touched = _touched(project, history)
    logs = _range_logs(project, history, touched, views)
    position = history.index
    units = _units(logs, touched.handoff, lambda log: position.get(log.committed.hash, -1) if log.committed else -1)
    units, unattributed, candidates = _attribute(units, touched.handoff)
    updated_by, changed_by_worker = _by_commit(units)
    return Gate(project, history, units, tuple(touched.handoff), unattributed, updated_by, candidates,
                changed_by_worker)


class _Touched(NamedTuple):
    """What one pass over the range's commits finds: the session logs they add or change, the HANDOFF commits."""

    commits: dict[str, list[Commit]]  # session ID -> the non-merge commits that add or change its log
    first: dict[str, tuple[Commit, str | None]]  # session ID -> (its first commit, its path at the base; None: added)
    paths: dict[str, str]  # session ID -> its log's path, as the range last changed it
    handoff: list[Commit]  # every commit that changes a HANDOFF, oldest first


def _touched(project: Project, history: History) -> _Touched:
    """The session logs each non-merge commit of the range adds or changes, and the commits that change a HANDOFF."""
    kind = Classifier(project.config).document_kind
    touched = _Touched({}, {}, {}, [])
    for commit in history.commits:
        if any(kind(c.path) is Kind.HANDOFF or kind(c.old_path) is Kind.HANDOFF for c in commit.changes):
            touched.handoff.append(commit)
        if commit.is_merge:
            continue
        for change in commit.changes:
            if change.status == "D" or kind(change.path) is not Kind.SESSION_LOG:
                continue
            stem = project.config.session_id(change.path)
            seen = touched.commits.setdefault(stem, [])
            if not seen or seen[-1] is not commit:  # x.md and x.json in one commit
                seen.append(commit)
            touched.paths[stem] = change.path
            if stem not in touched.first:
                touched.first[stem] = (commit, _path_at_base(change, kind))
    return touched


def _path_at_base(change: Change, kind: Callable[[str | None], Kind | None]) -> str | None:
    """Where the log a change first touches in the range was at the base: None when the change adds it."""
    if change.status == "R":
        return change.old_path if kind(change.old_path) is Kind.SESSION_LOG else None
    return None if change.status in "AC" else change.path


def _range_logs(project: Project, history: History, touched: _Touched,
                views: Mapping[str, SessionLog]) -> list[_Log]:
    """The sessions of the range: logs it adds, or whose session went on in it, still there at HEAD."""
    logs: list[_Log] = []
    for stem, commits in touched.commits.items():
        path = touched.paths[stem]
        if project.kinds.get(path) is not Kind.SESSION_LOG:
            continue  # deleted again within the range, or data kept beside the logs
        commit, older = touched.first[stem]
        if older is not None and not _unfinished(history.at_base.get(older), older, project.config.session_fields):
            continue  # finished before the range: its edits here are not its session's work
        # Added in the range, or a session that goes on in it: this commit is its log commit.
        logs.append(_Log(stem, path, views.get(path), commit, tuple(commits)))
    return logs


def _by_commit(units: Sequence[Unit]) -> tuple[dict[str, tuple[Unit, ...]], dict[str, tuple[Unit, Member]]]:
    """Each HANDOFF commit's units, and the worker whose change it is, by commit hash."""
    updated_by: dict[str, list[Unit]] = {}
    changed_by_worker: dict[str, tuple[Unit, Member]] = {}
    for unit in units:
        for commit in unit.updates:
            updated_by.setdefault(commit.hash, []).append(unit)
        for commit, worker in unit.worker_changes:
            changed_by_worker.setdefault(commit.hash, (unit, worker))
    return {key: tuple(found) for key, found in updated_by.items()}, changed_by_worker


def _unfinished(data: bytes | None, path: str, fields: Mapping[str, str]) -> bool:
    """Did a log, as it was at the base, say its session was still going (a status, not complete, no end)?"""
    if data is None:
        return True  # no such log at the base: the range is where it begins
    from .extract.session_log import session_log

    doc = parse_document(path, Kind.SESSION_LOG, data)
    if doc.load_error is not None:
        return False
    log = session_log(doc, fields)
    return log.status is not None and log.status != "complete" and log.completed is None


def _units(logs: list[_Log], handoff: Sequence[Commit], when: Callable[[_Log], int]) -> list[Unit]:
    """The range's sessions cut into batches (where evidence says so) and single sessions.

    The evidence is weighed strongest first (the module docstring's order):
    a session that one kind of evidence placed in a batch stays there.
    ``when`` orders logs as their log commits come in the range (older logs first).
    """
    batches = _Batches(logs)
    batches.add_what_the_logs_say()
    batches.add_trailers(handoff)
    batches.add_overlapping_times()
    batches.name_orchestrators_by_convention()
    return batches.units(when)


class _Group:
    """A batch being assembled: its orchestrator and members, with the evidence of each."""

    def __init__(self, orchestrator: str | None):
        self.orchestrator = orchestrator
        self.members: dict[str, tuple[str, str]] = {}  # session ID -> (role, evidence)
        self.evidence: list[str] = []


class _Batches:
    """The batches of the range's sessions as evidence assembles them, and where each session was placed."""

    def __init__(self, logs: list[_Log]):
        self.logs = logs
        self.by_id = {log.id: log for log in logs}
        self.placed: dict[str, _Group] = {}  # session ID -> its batch
        self.groups: list[_Group] = []
        # Sessions whose logs say ``Role: single``: no other evidence makes them a batch's worker.
        self.single = {log.id for log in logs
                       if log.log is not None and log.log.role == "single" and log.log.role_stated}

    def group_of(self, orchestrator: str | None, evidence: str) -> _Group:
        """The batch of ``orchestrator`` (a new one when it has none, or is unknown), with ``evidence`` for it."""
        group = self.placed.get(orchestrator) if orchestrator else None
        if group is None:
            group = _Group(orchestrator)
            self.groups.append(group)
            if orchestrator:
                self.placed[orchestrator] = group
        if evidence not in group.evidence:
            group.evidence.append(evidence)
        return group

    def join(self, group: _Group, session_id: str, role: str, evidence: str) -> None:
        if session_id in self.placed and self.placed[session_id] is not group:
            return  # stronger evidence placed it already
        self.placed[session_id] = group
        group.members.setdefault(session_id, (role, evidence))

    def add_what_the_logs_say(self) -> None:
        """1. A log's own record: orchestrators with the workers they dispatched, then workers naming theirs."""
        for log in self.logs:
            if log.log is not None and log.log.role == "orchestrator":
                self._orchestrator_log(log.id, log.log)
        for log in self.logs:
            if log.log is not None and log.log.role == "worker" and not self._has_orchestrator(log.id):
                self._worker_log(log.id, log.log)

    def _orchestrator_log(self, session_id: str, view: SessionLog) -> None:
        stated = "its log's Role" if view.role_stated else "its log's dispatch list"
        group = self.group_of(session_id, f"{session_id}: orchestrator by {stated}")
        self.join(group, session_id, "orchestrator", stated)
        for worker in view.dispatched:
            if worker not in self.single:
                self.join(group, worker, "worker", f"dispatched by {session_id}")

    def _has_orchestrator(self, session_id: str) -> bool:
        return session_id in self.placed and bool(self.placed[session_id].orchestrator)

    def _worker_log(self, session_id: str, view: SessionLog) -> None:
        naming = f", naming {view.orchestrator}" if view.orchestrator else ""
        group = self.group_of(view.orchestrator, f"{session_id}: worker by its log{naming}")
        self.join(group, session_id, "worker", "its log's Role" if view.role_stated else "its log's Orchestrator")

    def add_trailers(self, handoff: Sequence[Commit]) -> None:
        """2. A ``Session-Ids`` trailer naming several sessions, one of the range's among them."""
        for commit in handoff:
            ids = list(dict.fromkeys(commit.session_ids()))
            if len(ids) >= 2 and any(i in self.by_id for i in ids):
                self._trailer(commit, ids)

    def _trailer(self, commit: Commit, ids: list[str]) -> None:
        """One unit: the first ID its orchestrator, the others its workers."""
        head, trailer = ids[0], f"Session-Ids trailer of {commit.short}"
        if head not in self.placed:
            group = self.group_of(head, trailer)
        elif self.placed[head].orchestrator == head:
            group = self.placed[head]
        else:
            return  # its first ID is a member of another session's batch
        if head in self.by_id:
            self.join(group, head, "orchestrator", f"first in the {trailer}")
        for session_id in ids[1:]:
            if session_id in self.by_id and session_id not in self.single:
                self.join(group, session_id, "worker", f"in the {trailer}")

    def add_overlapping_times(self) -> None:
        """3. Sessions whose times overlap: one batch whose orchestrator is unknown, unless other evidence names it."""
        overlapping: set[_Group] = set()  # the batches this evidence made or joined
        for a, b in self._overlapping_pairs():
            found = {self.placed[log.id] for log in (a, b) if log.id in self.placed}
            if len(found) > 1 or any(group not in overlapping for group in found):
                continue  # placed by stronger evidence, or already in two batches
            pair = f"{a.id} and {b.id} ran at the same time"
            group = found.pop() if found else self.group_of(None, pair)
            overlapping.add(group)
            if pair not in group.evidence:
                group.evidence.append(pair)
            for log in (a, b):
                self.join(group, log.id, "session", "its times overlap another session's")

    def _overlapping_pairs(self) -> Iterator[tuple[_Log, _Log]]:
        """Each pair of logs whose start and completion times overlap, the earlier start first."""
        timed = sorted((log for log in self.logs if log.id not in self.single and _times_known(log)),
                       key=lambda log: log.log.started.at)  # type: ignore[union-attr]
        for i, a in enumerate(timed):
            for b in timed[i + 1:]:
                if b.log.started.at >= a.log.completed.at:  # type: ignore[union-attr, operator]
                    break  # sorted by start: no later session overlaps ``a`` either
                yield a, b

    def name_orchestrators_by_convention(self) -> None:
        """The worker-ID convention names a batch's orchestrator that the evidence left unknown."""
        for group in self.groups:
            if group.orchestrator is None:
                ids = list(group.members)
                head = next((i for i in ids if all(o == i or o.startswith(i + "-") for o in ids)), None)
                if head is not None and len(ids) > 1:
                    group.orchestrator = head
                    group.members[head] = ("orchestrator", "its ID starts every other ID of the batch")
                    group.evidence.append(f"{head}: orchestrator by the worker-ID convention")

    def units(self, when: Callable[[_Log], int]) -> list[Unit]:
        """The batches, and each session no evidence placed as a single session, ordered by their earliest logs."""
        order = {log.id: (when(log), log.id) for log in self.logs}
        units = [unit for unit in (self._batch(group, order) for group in self.groups) if unit is not None]
        units += [Unit(log.id, False, None, (_member(log, "single", ""),), (), (), ())
                  for log in self.logs if log.id not in self.placed]
        units.sort(key=lambda u: min((order[m.id] for m in u.sessions), default=(len(order), u.key)))
        return units

    def _batch(self, group: _Group, order: Mapping[str, tuple[int, str]]) -> Unit | None:
        """The batch as a unit, its orchestrator first; None when it has neither an orchestrator nor a log."""
        members = sorted((_member(self.by_id[i], role, evidence) for i, (role, evidence) in group.members.items()
                          if i in self.by_id), key=lambda m: (m.role != "orchestrator", order[m.id]))
        key = group.orchestrator or (members[0].id if members else "")
        return Unit(key, True, group.orchestrator, tuple(members), tuple(group.evidence), (), ()) if key else None


def _times_known(log: _Log) -> bool:
    """Does the log give both the start and the completion time of its session?"""
    view = log.log
    return view is not None and bool(view.started and view.completed and view.started.at and view.completed.at)


def _member(log: _Log, role: str, evidence: str) -> Member:
    return Member(log.id, log.path, log.log, role, evidence, log.committed, log.commits)


def _attribute(units: list[Unit], handoff: Sequence[Commit]
               ) -> tuple[tuple[Unit, ...], tuple[Commit, ...], dict[str, tuple[str, ...]]]:
    """Give each HANDOFF commit to its units (see the module docstring); return them and the commits left.

    The third value maps each commit left that commits the logs of several
    units to the sessions whose logs it holds.
    """
    attribution = _Attribution(units)
    unattributed = []
    for commit in handoff:
        ids = list(dict.fromkeys(commit.session_ids()))
        owners = attribution.by_trailer(ids) if ids else attribution.by_logs(commit)
        if not owners:
            unattributed.append(commit)
        attribution.give(commit, owners, ids)
    return attribution.done(), tuple(unattributed), attribution.candidates


class _Attribution:
    """The units with the HANDOFF commits given to them so far: their updates and their workers' changes."""

    def __init__(self, units: list[Unit]):
        self.units = list(units)
        self.updates: list[list[Commit]] = [[] for _ in units]
        self.workers: list[list[tuple[Commit, Member]]] = [[] for _ in units]
        self.holder = {session_id: i for i, unit in enumerate(units) for session_id in unit.ids}
        self.logged: dict[str, list[int]] = {}  # commit hash -> the units whose log it commits
        self.touching: dict[str, set[int]] = {}  # commit hash -> the units whose logs it adds or changes
        for i, unit in enumerate(units):
            for m in unit.sessions:
                if m.committed is not None:
                    self.logged.setdefault(m.committed.hash, []).append(i)
                for c in m.commits:
                    self.touching.setdefault(c.hash, set()).add(i)
        self.candidates: dict[str, tuple[str, ...]] = {}  # commit hash -> the sessions whose logs it holds

    def by_trailer(self, ids: Sequence[str]) -> list[int]:
        """1. The units a ``Session-Ids`` trailer names; a new one when none of them is of the range."""
        owners = list(dict.fromkeys(self.holder[i] for i in ids if i in self.holder))
        return owners or [self._before_the_range(ids)]

    def _before_the_range(self, ids: Sequence[str]) -> int:
        """A unit whose logs were all committed before the range, as a trailer names it: its index."""
        batch = len(ids) > 1
        self.units.append(Unit(ids[0], batch, ids[0] if batch else None, (), (), (), (), tuple(ids[1:])))
        self.updates.append([])
        self.workers.append([])
        index = len(self.units) - 1
        self.holder.update(dict.fromkeys(ids, index))
        return index

    def by_logs(self, commit: Commit) -> list[int]:
        """2. Without a trailer: the one unit whose logs it commits, else whose logs it changes; 3. none of several."""
        logging = list(dict.fromkeys(self.logged.get(commit.hash, ()))) or sorted(self.touching.get(commit.hash, ()))
        if len(logging) > 1:
            self.candidates[commit.hash] = tuple(m.id for i in logging for m in self.units[i].sessions
                                                 if any(c.hash == commit.hash for c in m.commits))
        return logging if len(logging) == 1 else []

    def give(self, commit: Commit, owners: Sequence[int], ids: Sequence[str]) -> None:
        """The commit to each of its units: an update of the unit, or the HANDOFF change of one of its workers."""
        for index in owners:
            worker = _worker(self.units[index], commit, ids)
            if worker is not None:
                self.workers[index].append((commit, worker))
            else:
                self.updates[index].append(commit)

    def done(self) -> tuple[Unit, ...]:
        return tuple(unit._replace(updates=tuple(self.updates[i]), worker_changes=tuple(self.workers[i]))
                     for i, unit in enumerate(self.units))


def _worker(unit: Unit, commit: Commit, ids: Sequence[str]) -> Member | None:
    """The worker whose HANDOFF change ``commit`` is, or None when it is the unit's update."""
    if not unit.batch or (ids and unit.orchestrator and ids[0] == unit.orchestrator):
        return None
    own = {m.id: m for m in unit.sessions}
    mine = [m for m in unit.sessions if any(c.hash == commit.hash for c in m.commits)]
    if any(m.role == "orchestrator" for m in mine):
        return None  # the orchestrator commits its own log with it: its update
    worker = next((m for m in mine if m.role == "worker"), None)
    if worker is None and ids and ids[0] in own and own[ids[0]].role == "worker":
        worker = own[ids[0]]
    return worker


# ----------------------------------------------------------------------------
# Batches the logs declare


def declared(project: Project) -> tuple[Unit, ...]:
    """The batches the project's session logs declare: each orchestrator with the workers that name it.

    No history is needed: members have no commits, and the evidence is the
    logs' own. ``project.batches`` keeps them for the run.
    """
    workers: dict[str, list[SessionLog]] = {}
    for log in project.by_role("worker"):
        if log.orchestrator:
            workers.setdefault(log.orchestrator, []).append(log)
    units = []
    for log in project.by_role("orchestrator"):
        members = [Member(log.id, log.path, log, "orchestrator", "its log's Role" if log.role_stated
                          else "its log's dispatch list", None, ())]
        members += [Member(w.id, w.path, w, "worker", f"its log names {log.id}", None, ())
                    for w in workers.get(log.id, ())]
        units.append(Unit(log.id, True, log.id, tuple(members), (f"{log.id}: orchestrator by its log",), (), ()))
    return tuple(units)
