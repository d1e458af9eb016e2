"""Parallel batches in a range of commits, as the gate rules (AL4xx) and ``agent-lint batches`` see them.

AGENT-SYSTEM.md calls a batch one orchestrator session plus every worker it
dispatched. In the commits of a ``--since`` range a batch is:

* its sessions: the session logs that non-merge commits of the range add or
  change (a rename changes the log it renames to), grouped by the
  orchestrator their records name: a worker's ``Orchestrator``, an
  orchestrator's or single session's own ID, or the orchestrator whose
  ``Dispatched`` lists the log. When no log of the range says who its
  orchestrator is (no records), the whole range is one batch.
* its HANDOFF commits: the non-merge commits that change a HANDOFF file.
  Each goes to the batch holding an ID of its ``Session-Ids`` trailer, else
  to the batch whose logs it changes, else, without a trailer, to the
  range's only batch. A trailer that names no session of the range stands
  for a batch whose logs were committed before the range.
* its orchestrator: the records' one, else the first ID of the trailer of its
  first HANDOFF commit, where AGENT-SYSTEM.md puts it, else the session whose
  ID starts every other ID of the batch (a worker's ID is by convention its
  orchestrator's plus a suffix).

A HANDOFF commit that changes a worker's log is the worker's (AL406) and no
HANDOFF update of the batch, unless its trailer names the orchestrator
first: an orchestrator may commit the logs of workers that do not commit.

Merges are never "the commit that changed" a file, since their diff against
the first parent repeats the commits they bring in (see history.py); "before"
is ancestry, never dates.

Rules get a :class:`Gate` (the project, its history and the batches) and
yield :class:`Problem` s: a finding plus the diagram nodes it marks, so that
:func:`drawing` marks exactly the violations that were reported; the
renderers in report/ (tree.py, mermaid.py) draw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from .config import rule_options
from .document import MarkdownDocument
from .files import classify, excluded
from .history import Commit, History
from .model import Finding, Kind, Rule, Violation
from .project import Project
# Named alike in messages and in the drawings.
from .report.batch_view import Drawing, commit_node, describe, id_list, session_node  # noqa: F401

SESSION_RECORD = "session-log"


class Session(NamedTuple):
    id: str  # the log's file stem
    path: str  # the log as it is now, a document of the project
    role: str | None  # orchestrator, worker or single; None without a record
    orchestrator: str | None  # the batch its record puts it in
    commits: tuple[Commit, ...]  # non-merge commits of the range adding or changing the log


@dataclass(frozen=True)
class Batch:
    key: str | None  # the orchestrator ID the records give; None: the range as one batch
    sessions: tuple[Session, ...]
    handoff_commits: tuple[Commit, ...]

    @property
    def orchestrator(self) -> str | None:
        if self.key is not None:
            return self.key
        listed = next((c.session_ids()[0] for c in self.handoff_commits if c.session_ids()), None)
        if listed is not None:
            return listed
        # By convention a worker's ID is its orchestrator's ID plus a suffix.
        ids = [s.id for s in self.sessions]
        return next((i for i in ids if len(ids) > 1 and all(o == i or o.startswith(i + "-") for o in ids)), None)

    @property
    def name(self) -> str:
        return self.orchestrator or "(orchestrator unknown)"

    def is_worker(self, session: Session) -> bool:
        if session.role is not None:
            return session.role == "worker"
        return session.id != self.orchestrator

    @property
    def workers(self) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if self.is_worker(s))

    def worker_of(self, commit: Commit) -> Session | None:
        """The worker whose log ``commit`` changes, unless it is the orchestrator's batch commit."""
        ids = commit.session_ids()
        if ids and ids[0] == self.orchestrator:
            return None
        return next((s for s in self.workers if any(c.hash == commit.hash for c in s.commits)), None)

    @property
    def updates(self) -> tuple[Commit, ...]:
        """The orchestrator's HANDOFF commits, oldest first."""
        return tuple(c for c in self.handoff_commits if self.worker_of(c) is None)

    def expected_ids(self, known: Iterable[str]) -> tuple[str, ...]:
        """Every session ID the batch's trailer must list, orchestrator first."""
        ids = [s.id for s in self.sessions]
        head = self.orchestrator
        if head is not None and (head in ids or head in set(known)):
            ids = [head, *(i for i in ids if i != head)]
        return tuple(ids)


class Problem(NamedTuple):
    finding: Finding
    nodes: tuple[str, ...]  # diagram nodes to mark: commit_node() / session_node() keys


# ----------------------------------------------------------------------------
# Finding the batches


def _facts(project: Project, path: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(role, orchestrator, dispatched) as the log's record states them."""
    doc = project.documents.get(path)
    if doc is None or doc.load_error is not None:
        return None, None, ()
    try:
        from .extract.session_log import session_record
    except ImportError:  # session-log records not available: group by the range alone
        return None, None, ()
    record = project.record(doc, SESSION_RECORD, session_record)
    return record.role, record.orchestrator, tuple(record.dispatched)


@dataclass(frozen=True)
class Gate:
    """What the gate rules check: a project with its history, cut into batches."""

    project: Project
    history: History
    batches: tuple[Batch, ...]
    handoff_commits: tuple[Commit, ...]  # every non-merge commit of the range changing a HANDOFF

    @classmethod
    def of(cls, project: Project) -> Gate | None:
        history = project.history
        if history is None:
            return None
        config = project.config

        def kind(path: str | None) -> Kind | None:
            return None if path is None or excluded(path, config) else classify(path, config)

        logs: dict[str, list[Commit]] = {}
        paths: dict[str, str] = {}
        handoff: list[Commit] = []
        for commit in history.commits:
            if commit.is_merge:
                continue
            if any(kind(c.path) is Kind.HANDOFF or kind(c.old_path) is Kind.HANDOFF for c in commit.changes):
                handoff.append(commit)
            for change in commit.changes:
                if change.status != "D" and kind(change.path) is Kind.SESSION_LOG:
                    stem = change.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                    seen = logs.setdefault(stem, [])
                    if not seen or seen[-1] is not commit:  # x.md and x.json in one commit
                        seen.append(commit)
                    paths[stem] = change.path

        sessions = []
        for stem, commits in logs.items():
            if paths[stem] not in project.documents:
                continue  # deleted again within the range
            role, orchestrator, dispatched = _facts(project, paths[stem])
            sessions.append((Session(stem, paths[stem], role, orchestrator, tuple(commits)), dispatched))
        dispatched_by = {worker: s.id for s, dispatched in sessions for worker in dispatched}
        groups: dict[str | None, list[Session]] = {}
        for session, _ in sessions:
            if session.role in ("orchestrator", "single"):
                key = session.id
            else:
                key = session.orchestrator or dispatched_by.get(session.id)
            groups.setdefault(key, []).append(session)
        return cls(project, history, _assign(groups, handoff), tuple(handoff))

    # -- what rules ask --------------------------------------------------------

    @property
    def frozen(self) -> bool:
        return self.project.config.handoff_mode == "read-only"

    @property
    def known_ids(self) -> frozenset[str]:
        return self.project.session_ids

    def at_handoff(self, commit: Commit, batch: Batch | None = None) -> tuple[str, int, int]:
        """Where to report a HANDOFF commit: the file it changes, at the batch's entry when there is one."""
        config = self.project.config
        changed = sorted(c.path for c in commit.changes
                         if c.path in self.project.documents and classify(c.path, config) is Kind.HANDOFF)
        path = changed[0] if changed else self._fallback_path()
        doc = self.project.documents.get(path)
        wanted = batch.orchestrator if batch is not None else None
        if isinstance(doc, MarkdownDocument) and wanted:
            for section in doc.sections:
                if section.level == 3 and (section.title == wanted or section.title.startswith(wanted + " ")):
                    return path, section.line, section.column
        return path, 1, 1

    def _fallback_path(self) -> str:
        """A HANDOFF commit whose file is gone: report on a HANDOFF or the system document."""
        project = self.project
        candidates = [d.path for d in project.handoffs]
        if project.system_document is not None:
            candidates.append(project.system_document.path)
        return candidates[0] if candidates else next(iter(project.documents), "")


def _assign(groups: dict[str | None, list[Session]], handoff: Sequence[Commit]) -> tuple[Batch, ...]:
    """Batches from the session groups, each HANDOFF commit given to one of them."""
    if all(key is None for key in groups):  # no records: the range is one batch
        return (Batch(None, tuple(groups.get(None, ())), tuple(handoff)),) if groups or handoff else ()
    member = {s.id: key for key, sessions in groups.items() for s in sessions}
    member.update({key: key for key in groups if key is not None})
    commits: dict[str | None, list[Commit]] = {key: [] for key in groups}
    for commit in handoff:
        commits.setdefault(_batch_of(commit, groups, member, commits), []).append(commit)
    order = sorted(commits, key=lambda k: (k is None, k or ""))
    return tuple(Batch(k, tuple(groups.get(k, ())), tuple(commits[k])) for k in order)


def _batch_of(commit: Commit, groups: Mapping[str | None, list[Session]], member: dict[str, str | None],
              batches: Mapping[str | None, list[Commit]]) -> str | None:
    ids = commit.session_ids()
    for session_id in ids:
        if session_id in member:
            return member[session_id]
    changed = {c.path for c in commit.changes}
    for key, sessions in groups.items():
        if any(s.path in changed for s in sessions):
            return key
    if ids:  # a batch whose logs were committed before the range
        member.update(dict.fromkeys(ids, ids[0]))
        return ids[0]
    return next(iter(batches)) if len(batches) == 1 else None


def gate_findings(project: Project, problems: Callable[[Gate, dict], Iterable[Problem]],
                  options: dict) -> Iterator[Finding]:
    """A gate rule's ``check``: its problems' findings, none without a history."""
    gate = Gate.of(project)
    if gate is None:
        return
    for problem in problems(gate, options):
        yield problem.finding


# ----------------------------------------------------------------------------
# What the renderers draw


def problem_marks(gate: Gate, rules: Sequence[Rule], violations: Sequence[Violation]) -> dict[str, list[str]]:
    """Diagram node -> codes of the reported violations that concern it."""
    from .rules import batch_problems

    reported = {(v.code, v.path, v.line, v.column, v.message) for v in violations}
    marks: dict[str, list[str]] = {}
    gate_problems = batch_problems()
    for rule in rules:
        problems = gate_problems.get(rule.code)
        if problems is None:
            continue
        for problem in problems(gate, rule_options(gate.project.config, rule)):
            f = problem.finding
            if (rule.code, f.path, f.line, f.column, f.message) in reported:
                for key in problem.nodes:
                    codes = marks.setdefault(key, [])
                    if rule.code not in codes:
                        codes.append(rule.code)
    return marks


def drawing(project: Project, rules: Sequence[Rule], violations: Sequence[Violation]) -> Drawing | None:
    """The range's batches with the reported violations marked (None without a history)."""
    gate = Gate.of(project)
    if gate is None:
        return None
    history = gate.history
    span = f"{history.since or history.base[:12]}..HEAD" if history.base else "the whole history of HEAD"
    return Drawing(span, gate.batches, problem_marks(gate, rules, violations), history.is_ancestor)
