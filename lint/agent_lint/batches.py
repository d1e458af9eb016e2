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
:func:`diagrams` marks exactly the violations that were reported.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from .config import rule_options
from .document import MarkdownDocument
from .files import classify, excluded
from .history import Commit, History
from .model import Finding, Kind, Rule, Violation
from .project import Project

SESSION_RECORD = "session-log"
SUBJECT_WIDTH = 60
IDS_SHOWN = 10  # a message names at most this many IDs: a bulk import lists hundreds
SESSIONS_DRAWN = 30  # GitHub refuses diagrams past 500 edges or 50,000 characters


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


def commit_node(commit: Commit) -> str:
    return f"commit:{commit.hash}"


def session_node(session_id: str) -> str:
    return f"session:{session_id}"


def describe(commit: Commit) -> str:
    """A commit as messages name it: short hash and subject."""
    subject = commit.subject if len(commit.subject) <= SUBJECT_WIDTH else commit.subject[:SUBJECT_WIDTH - 1] + "…"
    return f'{commit.short} "{subject}"'


def id_list(ids: Sequence[str]) -> str:
    """IDs as messages name them: comma-separated, the tail of a long list counted, not named."""
    shown = ", ".join(ids[:IDS_SHOWN])
    hidden = len(ids) - IDS_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown


# ----------------------------------------------------------------------------
# Finding the batches


def _facts(project: Project, path: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(role, orchestrator, dispatched) as the log's record states them."""
    from .extract.session_log import session_logs

    log = next((log for log in session_logs(project) if log.path == path), None)
    if log is None:
        return None, None, ()
    return log.role, log.orchestrator, log.dispatched


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
# Diagrams

# Characters shown as themselves in a Mermaid label; every other ASCII one
# becomes an entity code (#35;), so a subject can close no quote, bracket or
# code fence, start no comment and inject no HTML.
_LABEL_SAFE = frozenset(string.ascii_letters + string.digits + " -_.,:/@+=!?'")
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>()#|!~&$")
_CLASSES = (
    "classDef violation fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#82071e",
    "classDef handoff fill:#ddf4ff,stroke:#0969da",
)


def label(*lines: str) -> str:
    """A quoted Mermaid node label of ``lines``, each escaped, joined by line breaks."""
    def escape(text: str) -> str:
        out = []
        for ch in text:
            if ch in _LABEL_SAFE or (ord(ch) > 127 and ch.isprintable()):
                out.append(ch)
            elif ch.isprintable():
                out.append(f"#{ord(ch)};")
            else:
                out.append(" ")  # newlines, tabs, bidi and other controls
        return "".join(out)

    return '"' + "<br/>".join(escape(line) for line in lines) + '"'


def mermaid(batch: Batch, history: History, marks: Mapping[str, Sequence[str]]) -> str:
    """One batch as a Mermaid flowchart: orchestrator, workers, their log commits, HANDOFF."""
    lines = ["flowchart LR", *(f"  {c}" for c in _CLASSES)]
    names: dict[str, str] = {}

    def node(key: str, *text: str, css: str | None = None) -> str:
        if key in names:
            return names[key]
        names[key] = f"n{len(names)}"
        codes = marks.get(key, ())
        if codes:
            text, css = (*text, " ".join(codes)), "violation"
        lines.append(f"  {names[key]}[{label(*text)}]" + (f":::{css}" if css else ""))
        return names[key]

    updates = {c.hash for c in batch.handoff_commits}

    def commit(c: Commit) -> str:
        if c.hash in updates:
            ids = c.session_ids()
            trailer = f"Session-Ids: {id_list(ids)}" if ids else "no Session-Ids trailer"
            worker = batch.worker_of(c)
            what = f"changes HANDOFF (worker {worker.id})" if worker else "HANDOFF update"
            return node(commit_node(c), what, describe(c), trailer, css="handoff")
        return node(commit_node(c), describe(c))

    head = batch.orchestrator
    own = next((s for s in batch.sessions if s.id == head), None)
    top = node(session_node(head or ""), "orchestrator", batch.name, *((own.path,) if own else ()))
    edges = []
    drawn = _drawn(batch, marks)
    for session in drawn:
        role = session.role or ("worker" if batch.is_worker(session) else "session")
        start = top if session is own else node(session_node(session.id), role, session.id, session.path)
        if session is not own:
            edges.append(f"  {top} --> {start}")
        for c in session.commits:
            edges.append(f"  {start} --> {commit(c)}")
    hidden = len(batch.sessions) - len(drawn)
    if hidden:
        edges.append(f"  {top} --> {node('more', f'{hidden} more session logs, not drawn')}")
    for update in batch.updates:
        target = commit(update)
        edges.append(f"  {top} -->|{label('updates HANDOFF')}| {target}")
        for session in drawn:
            if not batch.is_worker(session):
                continue
            for c in session.commits:
                if c.hash == update.hash:
                    continue
                if history.is_ancestor(c, update):
                    edges.append(f"  {commit(c)} --> {target}")
                else:
                    edges.append(f"  {commit(c)} -.->|{label('not before')}| {target}")
    for c in batch.handoff_commits:
        commit(c)
    return "\n".join(lines + list(dict.fromkeys(edges))) + "\n"


def _drawn(batch: Batch, marks: Mapping[str, Sequence[str]]) -> list[Session]:
    """The sessions a diagram shows: those with a violation first, at most SESSIONS_DRAWN in all."""
    def marked(session: Session) -> bool:
        keys = (session_node(session.id), *(commit_node(c) for c in session.commits))
        return any(key in marks for key in keys)

    ranked = sorted(batch.sessions, key=lambda s: (s.id != batch.orchestrator, not marked(s)))
    chosen = {s.id for s in ranked[:SESSIONS_DRAWN]}
    return [s for s in batch.sessions if s.id in chosen]


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


def diagrams(project: Project, rules: Sequence[Rule], violations: Sequence[Violation]) -> str:
    """Markdown: a Mermaid diagram per batch of the range, reported violations marked."""
    gate = Gate.of(project)
    if gate is None:
        return ""
    marks = problem_marks(gate, rules, violations)
    history = gate.history
    span = _markdown(f"{history.since or history.base[:12]}..HEAD")
    out = [f"### Parallel batches in {span}", ""]
    if not gate.batches:
        out += ["No session log or HANDOFF changes in this range.", ""]
    for batch in gate.batches:
        codes = sorted({code for key, found in marks.items() if _in_batch(key, batch) for code in found})
        sessions = f"{len(batch.sessions)} session log{'s' if len(batch.sessions) != 1 else ''}"
        updates = f"{len(batch.handoff_commits)} HANDOFF commit{'s' if len(batch.handoff_commits) != 1 else ''}"
        verdict = f"violations: {', '.join(codes)}" if codes else "no violations"
        out += [f"#### Batch {_markdown(batch.name)}", "", f"{sessions}, {updates}; {verdict}.", "",
                "```mermaid", mermaid(batch, history, marks).rstrip("\n"), "```", ""]
    return "\n".join(out)


def _markdown(text: str) -> str:
    """Text shown literally in a Markdown heading or paragraph (IDs and refs are user data)."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else " " if not ch.isprintable() else ch
                   for ch in text)


def _in_batch(key: str, batch: Batch) -> bool:
    kind, _, value = key.partition(":")
    if kind == "session":
        return value == (batch.orchestrator or "") or any(s.id == value for s in batch.sessions)
    commits = {c.hash for s in batch.sessions for c in s.commits} | {c.hash for c in batch.handoff_commits}
    return value in commits
