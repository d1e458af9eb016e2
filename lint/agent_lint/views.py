"""What rules read of a document: typed, immutable, plain data, the same at every stage.

A view is made once, in the per-document stage, and is then what a
document rule, a project rule, the cache and a worker process all hold:
nothing is stripped from it on the way, so a field a rule reads is there
whether the run was cold, cached or incremental. Views hold only str, int,
bool, None, datetimes and tuples of those (NamedTuples included), so any
codec can carry them.

:class:`SessionLog` is the protocol's view of a session log: the facts
AGENT-SYSTEM.md's protocol needs (role, orchestrator, dispatch list, start
and completion, status, HANDOFF updates, prerequisites), each with the
position it was read from. It is made from every log that loads, whether or
not the log is valid against its schema: a schema error never hides a
protocol fact.

:class:`SchemaCheck` is a log checked against the schema it is held to,
which AL201 reports; it is read by that document rule alone and is not kept
past the per-document stage.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

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
    where: tuple[tuple[str, Position], ...]  # field (a SESSION_FIELDS key) -> where the log states it

    def at(self, field: str) -> Position:
        """Where the log states ``field``; (1, 1) when it does not."""
        return next((position for name, position in self.where if name == field), START)


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

    schema: str  # "built-in", or the path of the team's schema
    required: tuple[str, ...]  # the members that schema requires at the top level
    errors: tuple[SchemaError, ...]
