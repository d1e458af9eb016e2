"""What rules read of a document: typed, immutable, plain data, the same at every stage.

A view is made once, in the per-document stage, and is then what a
document rule, a project rule, the cache and a worker process all hold:
nothing is stripped from it on the way, so a field a rule reads is there
whether the run was cold or answered from the cache. Views hold only str,
int, bool, None, datetimes, and tuples and dicts of those (NamedTuples
included), so the cache's codec carries them.

Each kind of document has one (``extract.VIEWS`` says which is whose):

* :class:`SessionLog`, the protocol's view of a session log: the facts
  AGENT-SYSTEM.md's protocol needs (role, orchestrator, dispatch list,
  start and completion, status, HANDOFF updates, prerequisites), each with
  the position it was read from. It is made from every log that loads,
  whether or not the log is valid against its schema: a schema error never
  hides a protocol fact.
* :class:`Handoff`: a HANDOFF's sections, Session History entries, size,
  session references and placeholders, with positions.
* :class:`SystemDocument`: the system document's Parallel Execution Pattern
  (:class:`ParallelPattern`, read with the default titles).

:class:`SchemaCheck` is a log checked against the schema it is held to,
which AL201 reports: made only for the logs a run reports on, for the rule
that reads it, and not kept past the per-document stage.

Positions are 1-based (line, column). A view that records where each JSON
path of its data was written finds them with :func:`locate`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, NamedTuple, Sequence

ROLES = ("orchestrator", "worker", "single")

# The protocol's fields, as [tool.agent-lint.session-fields] names them, and where a
# log in agent-lint's own format (schemas/session-log.schema.json) keeps each.
SESSION_FIELDS = {
    "role": "/role",
    "orchestrator": "/orchestrator",
    "dispatched": "/dispatched",
    "started": "/started",
    "completed": "/completed",
    "status": "/status",
    "handoff-updated": "/handoffUpdated",
    "prerequisites": "/prerequisites",
}


class Position(NamedTuple):
    line: int
    column: int


START = Position(1, 1)

JsonPath = tuple[Any, ...]


def locate(positions: Mapping[JsonPath, tuple[int, int]], path: Sequence[Any]) -> Position:
    """Where the value at a JSON path was written: its own position, else its nearest recorded parent's.

    The one way a view that was built from a Markdown document (whose data
    has no text of its own) answers where a value is; (1, 1) when nothing on
    the path was recorded.
    """
    parts = tuple(path)
    while parts:
        if parts in positions:
            return Position(*positions[parts])
        parts = parts[:-1]
    return Position(*positions.get((), START))


class Stamp(NamedTuple):
    """A time a log records: as written, as read, and where."""

    text: str  # stripped; "" for a HANDOFF update recorded without a time (JSON true)
    at: datetime | None  # None when the text is no ISO 8601 date or date-time
    where: Position


class Prerequisite(NamedTuple):
    """One item of a log's prerequisites checklist."""

    text: str
    checked: bool
    note: str  # the justification after " — ", or the JSON item's note; "" when none
    where: Position


class SessionLog(NamedTuple):
    """The protocol's view of one session log (see the module docstring)."""

    path: str
    id: str  # the session ID: its file's stem, or its folder's name (config session-id-from-folder)
    role: str | None  # orchestrator, worker or single: as stated, else as the fields imply; None: unknown
    role_stated: bool  # the log states its role; False when implied by an orchestrator or a dispatch list
    orchestrator: str | None  # the orchestrator a worker names
    dispatched: tuple[str, ...]  # the workers an orchestrator lists
    started: Stamp | None
    completed: Stamp | None
    status: str | None  # casefolded
    handoff_updates: tuple[Stamp, ...]  # every HANDOFF update the log records, in order
    prerequisites: tuple[Prerequisite, ...] | None  # None: the log has no prerequisites checklist
    dispatched_at: tuple[Position, ...]  # where each ID of ``dispatched`` is written
    # Where the log states each field: line and column of each SESSION_FIELDS key, in that order; 0, 0
    # for a field it does not state. (Plain ints, a few bytes each: a large tree holds 100,000 views.)
    where: tuple[int, ...]

    def at(self, field: str) -> Position:
        """Where the log states ``field``; (1, 1) when it does not."""
        n = _FIELD_INDEX[field]
        line = self.where[n] if n < len(self.where) else 0
        return Position(line, self.where[n + 1]) if line else START


_FIELD_INDEX = {field: 2 * n for n, field in enumerate(SESSION_FIELDS)}


def field_positions(found: Mapping[str, Position]) -> tuple[int, ...]:
    """SessionLog.where for the positions of the fields a log states."""
    where = [0] * (2 * len(SESSION_FIELDS))
    for field, (line, column) in found.items():
        n = _FIELD_INDEX[field]
        where[n], where[n + 1] = line, column
    return tuple(where)


# ----------------------------------------------------------------------------
# HANDOFF


class SessionRef(NamedTuple):
    """A session a HANDOFF names: an ID on a Sessions line, a link to a log, or a log's path in a code span."""

    text: str  # the ID as written, or the link text
    href: str | None  # the link target (or a path in a code span), None for a bare ID
    line: int
    column: int
    entry: int | None  # index into Handoff.entries, None outside the Sessions lines
    code: bool = False  # a path written as a code span, not a link


class Placeholder(NamedTuple):
    text: str
    line: int
    column: int


class HandoffEntry(NamedTuple):
    """One entry of ``## Session History``: a level-3 heading and its Sessions and Summary lines."""

    id: str  # the heading
    sessions: tuple[str, ...] | None  # None: no Sessions line
    summary: str | None  # None: no Summary line


class Heading(NamedTuple):
    title: str
    line: int
    column: int


class Handoff(NamedTuple):
    """A HANDOFF document as its rules read it."""

    path: str
    sections: tuple[str, ...]  # the level-2 titles, in order
    entries: tuple[HandoffEntry, ...]  # one per level-3 heading under ## Session History
    bytes: int  # the size of the file
    lines: int  # its number of lines
    refs: tuple[SessionRef, ...]  # every session it names or links
    placeholders: tuple[Placeholder, ...]  # template placeholders outside code
    headings: tuple[Heading, ...]  # every level-3 heading (an entry's, or any other)
    positions: Mapping[JsonPath, tuple[int, int]]  # JSON path of ``data`` -> where it is written

    @property
    def data(self) -> dict[str, Any]:
        """What schemas/handoff.schema.json validates: sections, entries and size, as JSON."""
        entries = []
        for entry in self.entries:
            item: dict[str, Any] = {"id": entry.id}
            if entry.summary is not None:
                item["summary"] = entry.summary
            if entry.sessions is not None:
                item["sessions"] = list(entry.sessions)
            entries.append(item)
        return {"sections": list(self.sections), "entries": entries, "bytes": self.bytes}

    def locate(self, path: Sequence[Any]) -> Position:
        return locate(self.positions, path)


# ----------------------------------------------------------------------------
# The system document


class Subsection(NamedTuple):
    key: str  # canonical key, e.g. "execution-steps"
    title: str  # as written, numbering removed
    line: int
    column: int
    end_line: int


class PatternItem(NamedTuple):
    """A prerequisites template item or an execution step."""

    text: str
    line: int
    column: int
    checked: bool | None = None  # None: not a task-list item (always None for steps)


class Example(NamedTuple):
    title: str
    line: int
    column: int


class Limitation(NamedTuple):
    text: str
    mitigation: str | None  # None: no mitigation column or marker at all; "" an empty cell
    line: int
    column: int


class ParallelPattern(NamedTuple):
    """The Parallel Execution Pattern section of a system document (extract.parallel_pattern reads it)."""

    title: str
    line: int
    column: int
    end_line: int
    subsections: dict[str, Subsection]  # only the subsections found, by canonical key
    prerequisites: tuple[PatternItem, ...] = ()
    prerequisites_fenced: bool = False
    prerequisites_is_task_list: bool = False
    steps: tuple[PatternItem, ...] = ()
    steps_fenced: bool = False
    examples: tuple[Example, ...] = ()
    limitations: tuple[Limitation, ...] = ()

    def to_json(self) -> tuple[dict[str, Any], dict[tuple[str | int, ...], tuple[int, int]]]:
        """The record as plain JSON data, and the Markdown position of each JSON path.

        Positions are kept out of the data so a schema describes content
        only; :func:`locate` resolves an error's path to the nearest
        positioned ancestor.
        """
        where: dict[tuple[str | int, ...], tuple[int, int]] = {(): (self.line, self.column)}
        subsections = {}
        for key, sub in self.subsections.items():
            subsections[key] = {"title": sub.title}
            where[("subsections", key)] = (sub.line, sub.column)
        prereq_sub = self.subsections.get("prerequisites")
        if prereq_sub is not None:
            where[("prerequisites",)] = (prereq_sub.line, prereq_sub.column)
        items = []
        for n, item in enumerate(self.prerequisites):
            items.append({"text": item.text, "checked": item.checked})
            where[("prerequisites", "items", n)] = (item.line, item.column)
        steps = []
        for n, step in enumerate(self.steps):
            steps.append({"text": step.text})
            where[("steps", n)] = (step.line, step.column)
        examples = []
        for n, example in enumerate(self.examples):
            examples.append({"title": example.title})
            where[("examples", n)] = (example.line, example.column)
        limitations = []
        for n, limitation in enumerate(self.limitations):
            limitations.append({"limitation": limitation.text, "mitigation": limitation.mitigation})
            where[("limitations", n)] = (limitation.line, limitation.column)
        data = {
            "title": self.title,
            "subsections": subsections,
            "prerequisites": {
                "fenced": self.prerequisites_fenced,
                "taskList": self.prerequisites_is_task_list,
                "items": items,
            },
            "steps": steps,
            "examples": examples,
            "limitations": limitations,
        }
        return data, where


class SystemDocument(NamedTuple):
    """The system document as project rules read it: its Parallel Execution Pattern, default titles."""

    path: str
    pattern: ParallelPattern | None  # None: no such section (or not a Markdown document)

    @property
    def template(self) -> tuple[str, ...]:
        """The prerequisites checklist template's items, in order (empty without one)."""
        return tuple(item.text for item in self.pattern.prerequisites) if self.pattern else ()


# ----------------------------------------------------------------------------
# What the session-log schema says


class SchemaError(NamedTuple):
    """One error of a session log against its schema, as AL201 reads it."""

    line: int
    column: int
    message: str  # as reported: the JSON path (a Markdown log: its line or section) and what is wrong
    path: tuple[str | int, ...]  # the JSON path of the offending value in the log's record
    keyword: str  # the schema keyword that failed: "required", "type", ...
    missing: str | None = None  # a "required" error's missing member


class SchemaCheck(NamedTuple):
    """A session log checked against the schema it is held to."""

    path: str
    schema: str  # "built-in", or the path of the team's schema
    required: tuple[str, ...]  # the members that schema requires at the top level
    errors: tuple[SchemaError, ...]
    format: str = "json"  # the log's: "json" or "markdown"
    # A Markdown log: where its metadata lines belong, as a message says it ("before the first `##`
    # heading (`## Work Log`, line 7)"); "" for a JSON log.
    metadata_place: str = ""
