"""Session logs as one record, whatever their format.

A JSON log already is the record: its data, as written. A Markdown log is
read into the same shape (the JSON log of AGENT-SYSTEM.md's "Session Log
Conventions"): metadata from front matter and from the ``**Key**: value``
lines before the first level-2 heading, ``workLog`` and ``outcome`` from
their sections, ``prerequisites`` from the ``Prerequisites Checklist``
section. Because both formats give one shape, one JSON Schema validates both,
and every rule about logs reads records, never documents.

A Markdown record keeps a map from each JSON path it filled to the (line,
column) it came from, so a schema error on ``$.date`` points at the date as
written. Checklists (task lists, compliance tables whose cells hold ``[x]`` /
``[ ]``, JSON objects with a boolean ``complete`` or ``checked``) are kept
beside the data, for the rules about evidence; they are not part of what a
schema sees.
"""

from __future__ import annotations

import re
from functools import cached_property
from datetime import date, datetime, timezone
from typing import Any, Iterable, NamedTuple, Sequence

from ..document import Document, JsonDocument, MarkdownDocument, normalize_key

SESSION_ID_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$"
ROLES = ("orchestrator", "worker", "single")
# The fields project rules read; slim() keeps these and drops the rest (a log's prerequisites
# stay as CheckItems, not twice). Date, agent, branch and objective are for the schema and the
# document rules alone: kept, they were a third of what 15,000 cached records held, and an
# edit to an objective would have looked like news to the project rules (incremental.py).
PROTOCOL_KEYS = ("id", "role", "orchestrator", "dispatched", "status", "completed", "handoffUpdated")

JsonPath = tuple[Any, ...]

# Markdown metadata keys (normalised) -> record keys.
_KEYS = {
    "date": "date",
    "agent": "agent",
    "role": "role",
    "branch": "branch",
    "objective": "objective",
    "orchestrator": "orchestrator",
    "dispatched": "dispatched",
    "status": "status",
    "completed": "completed",
    "handoff updated": "handoffUpdated",
    "handoffupdated": "handoffUpdated",
}
_SECTIONS = {"work log": "workLog", "outcome": "outcome", "objective": "objective"}
_PREREQUISITES = "prerequisites checklist"
_NO = {"", "no", "false", "none", "n/a", "-"}
_CHECK_KEYS = ("checked", "complete", "Complete", "done")
_NOTE_KEYS = ("note", "evidence", "Evidence", "notes", "justification")
_TEXT_KEYS = ("item", "step", "name", "task")
# The justification of a checklist item follows the item text after a dash.
_NOTE_SEPARATOR = re.compile(r"\s+(?:—|–|--|-)\s+|\s*—\s*")
_CHECKBOX = re.compile(r"^\[(?P<mark>[ xX])\]$")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")


class CheckItem(NamedTuple):  # a tuple: a log can hold thousands, built ten times faster than a frozen dataclass
    text: str
    checked: bool
    note: str  # justification or evidence, "" when none
    path: JsonPath  # where the item is, for SessionRecord.locate
    note_key: str | None = None  # JSON: the key holding the note, so a finding can point at it


class Checklist(NamedTuple):
    name: str  # section title (Markdown) or dotted JSON path of the object holding the items
    items: tuple[CheckItem, ...]


class SessionRecord:
    """Plain, picklable data: it crosses process boundaries and sits in the cache."""

    FIELDS = ("path", "id", "data", "_checklists", "positions", "prerequisites")

    def __init__(self, path: str, id: str, data: Any, _checklists: tuple[Checklist, ...] | None = None,
                 positions: dict[JsonPath, tuple[int, int]] | None = None,
                 prerequisites: tuple[CheckItem, ...] | None = None):
        self.path = path
        self.id = id  # the file stem
        self.data = data
        self._checklists = _checklists  # None: a JSON log's, looked for on first use
        self.positions = positions  # Markdown only
        self.prerequisites = prerequisites  # None: the log has no prerequisites checklist

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionRecord):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment] - equal by value, and mutable (cached fields)

    def __repr__(self) -> str:
        return f"SessionRecord({', '.join(f'{name}={getattr(self, name)!r}' for name in self.FIELDS)})"

    @property
    def checklists(self) -> tuple[Checklist, ...]:
        """Every checklist of the log. Only document rules read them, so a JSON log's whole
        data is searched only for the files a run reports on."""
        if self._checklists is None:
            self._checklists = tuple(_json_checklists(self.data))
        return self._checklists

    def locate(self, path: Sequence[Any], doc: Document | None = None) -> tuple[int, int]:
        """Position of the value at a JSON path (or of its nearest recorded parent).

        A JSON log is located in its text, so its document is needed; a
        Markdown log answers from the position map it was built with.
        """
        if self.positions is None:
            return doc.locate(list(path)) if isinstance(doc, JsonDocument) else (1, 1)
        parts = tuple(path)
        while parts:
            if parts in self.positions:
                return self.positions[parts]
            parts = parts[:-1]
        return self.positions.get((), (1, 1))

    def get(self, key: str) -> Any:
        return self.data.get(key) if isinstance(self.data, dict) else None

    def slim(self) -> "SessionRecord":
        """The record as project rules need it, once the schema and the document rules have seen it.

        Project rules read only the protocol's fields and the prerequisites;
        keeping each JSON log's whole data and every checklist would make
        memory (and the cache) grow with the logs' size.
        """
        data = self.data
        if isinstance(data, dict):
            data = {key: data[key] for key in PROTOCOL_KEYS if key in data}
        slim = SessionRecord(self.path, self.id, data, (), self.positions, self.prerequisites)
        for name in _DERIVED:
            getattr(slim, name)  # worked out here, in the per-document stage, and cached with the record
        return slim

    # The protocol's fields are read by every batch rule, of every record: each is worked
    # out once (the record does not change once extracted).

    def text(self, key: str) -> str | None:
        value = self.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    @cached_property
    def orchestrator(self) -> str | None:
        return self.text("orchestrator")

    @cached_property
    def dispatched(self) -> tuple[str, ...]:
        value = self.get("dispatched")
        if isinstance(value, str):
            value = split_ids(value)
        if not isinstance(value, list):
            return ()
        return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())

    @cached_property
    def role(self) -> str | None:
        """The declared role, or the one the log's fields imply."""
        role = (self.text("role") or "").casefold()
        if role in ROLES:
            return role
        if self.dispatched:
            return "orchestrator"
        if self.orchestrator:
            return "worker"
        return None

    @cached_property
    def status(self) -> str | None:
        status = self.text("status")
        return status.casefold() if status else None

    @cached_property
    def completed(self) -> datetime | None:
        return parse_time(self.text("completed"))

    @cached_property
    def handoff_updates(self) -> tuple[Any, ...]:
        """Each HANDOFF update the log records (a time string, or True when no time is given)."""
        value = self.get("handoffUpdated")
        values = value if isinstance(value, list) else [value]
        updates: list[Any] = []
        for item in values:
            if item is True:
                updates.append(True)
            elif isinstance(item, str) and item.strip().casefold() not in _NO:
                times = _TIME.findall(item)
                updates.extend(times if len(times) > 1 else [item.strip()])
        return tuple(updates)


_DERIVED = ("role", "orchestrator", "dispatched", "status", "completed", "handoff_updates")


def split_ids(value: str) -> list[str]:
    return [part.strip().strip("`") for part in re.split(r"[,\s]+", value) if part.strip().strip("`")]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime (naive ones taken as UTC)."""
    if not isinstance(value, str):
        return None
    match = _TIME.search(value)
    if match is None:
        return None
    text = match.group()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def session_record(doc: Document) -> SessionRecord:
    """The record of a loaded session log (see the module docstring)."""
    if isinstance(doc, MarkdownDocument):
        return _markdown_record(doc)
    data = getattr(doc, "data", None)
    record = SessionRecord(doc.path, doc.stem, data)
    prerequisites = record.get("prerequisites")
    if isinstance(prerequisites, list):
        items = [_json_item(item, ("prerequisites", i)) if isinstance(item, dict) else None
                 for i, item in enumerate(prerequisites)]
        record.prerequisites = tuple(item for item in items if item is not None)
    return record


# ----------------------------------------------------------------------------
# JSON


def _json_item(node: dict, path: JsonPath) -> CheckItem | None:
    for key in _CHECK_KEYS:
        checked = node.get(key)
        if checked is True or checked is False:
            break
    else:
        return None
    for key in _TEXT_KEYS:
        text = node.get(key)
        if isinstance(text, str):
            break
    else:
        text = str(path[-1])
    for note_key in _NOTE_KEYS:
        note = node.get(note_key)
        if isinstance(note, str):
            break
    else:
        note_key, note = None, ""
    return CheckItem(text.strip(), checked, note.strip(), path, note_key)


def _json_checklists(data: Any) -> Iterable[Checklist]:
    """Objects or arrays whose members are checklist items, wherever they sit.

    Every value of a log passes through here, so scalars cost one type test:
    a path is built only for objects and arrays.
    """
    stack: list[tuple[Any, JsonPath]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > 12:
            continue
        members = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        items = []
        for key, child in members:
            if isinstance(child, dict):
                item = _json_item(child, (*path, key))
                if item is not None:
                    items.append(item)
                else:
                    stack.append((child, (*path, key)))
            elif isinstance(child, list):
                stack.append((child, (*path, key)))
        if items:
            yield Checklist(".".join(str(p) for p in path) or "$", tuple(items))


# ----------------------------------------------------------------------------
# Markdown


def _plain_value(value: Any) -> Any:
    """YAML scalars as the strings a JSON log would hold."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return value


def _front_matter_positions(doc: MarkdownDocument) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for n, raw in enumerate((doc.front_matter_text or "").split("\n")):
        match = re.match(r"^([^\s:#][^:]*):", raw)
        if match:
            found.setdefault(normalize_key(match.group(1)), (doc.front_matter_line + 1 + n, 1))
    return found


def _split_note(text: str) -> tuple[str, str]:
    parts = _NOTE_SEPARATOR.split(text, maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else (text.strip(), "")


def _table_items(doc: MarkdownDocument, table: Any) -> list[tuple[str, bool, str, int, int]]:
    """Rows of a compliance table that hold a checkbox cell: (item, checked, note, line, column)."""
    header = [normalize_key(h) for h in table.header]

    def column(names: tuple[str, ...]) -> int | None:
        return next((i for i, h in enumerate(header) if h in names), None)

    rows = []
    for row in table.rows:
        box = next((i for i, c in enumerate(row.cells) if _CHECKBOX.match(c.strip())), None)
        if box is None:
            continue
        others = [i for i in range(len(row.cells)) if i != box]
        item_col = column(("step", "item", "task", "check", "requirement", "action", "prerequisite"))
        if item_col is None or item_col == box:
            item_col = next((i for i in others if row.cells[i].strip().upper() not in ("MUST", "SHOULD", "MAY", "MUST NOT")), None)
        note_col = column(("evidence", "note", "notes", "justification", "reason", "comment", "comments"))
        if note_col is None:
            after = [i for i in others if i > box and i != item_col]
            note_col = after[0] if after else None
        item = row.cells[item_col] if item_col is not None and item_col < len(row.cells) else ""
        note = row.cells[note_col] if note_col is not None and note_col < len(row.cells) else ""
        checked = _CHECKBOX.match(row.cells[box].strip()).group("mark") != " "
        rows.append((item, checked, note.strip(), row.line, _cell_column(doc, row.line, row.cells[box])))
    return rows


def _cell_column(doc: MarkdownDocument, line: int, cell: str) -> int:
    text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    found = text.find(cell.strip())
    return found + 1 if found >= 0 else 1


def _markdown_record(doc: MarkdownDocument) -> SessionRecord:
    data: dict[str, Any] = {"id": doc.stem}
    positions: dict[JsonPath, tuple[int, int]] = {(): (1, 1), ("id",): (1, 1)}

    front = doc.front_matter if doc.front_matter_error is None else {}
    fm_positions = _front_matter_positions(doc)
    for key, value in front.items():
        target = _KEYS.get(normalize_key(str(key)))
        if target is not None:
            data[target] = _plain_value(value)
            positions[(target,)] = fm_positions.get(normalize_key(str(key)), (doc.front_matter_line, 1))

    level2 = [s.line for s in doc.sections if s.level <= 2 and s.level > 1]
    header_end = level2[0] if level2 else len(doc.lines) + 1
    updates: list[tuple[str, tuple[int, int]]] = []
    for entry in doc.metadata_entries:
        target = _KEYS.get(normalize_key(entry.key))
        if entry.line >= header_end or target is None:
            continue
        where = (entry.line, entry.value_column)
        if target == "handoffUpdated":
            updates.append((entry.value, where))
            continue
        if target in data and (target,) in positions and target != "id":
            continue  # the first statement of a key wins, as in Document.metadata
        data[target] = entry.value
        positions[(target,)] = where
        if target == "dispatched":
            line_text = doc.lines[entry.line - 1]
            for i, ident in enumerate(split_ids(entry.value)):
                col = line_text.find(ident, entry.value_column - 1)
                positions[("dispatched", i)] = (entry.line, col + 1 if col >= 0 else entry.value_column)
    if isinstance(data.get("dispatched"), str):
        data["dispatched"] = split_ids(data["dispatched"])
    if updates and "handoffUpdated" not in data:
        # Several lines, or several times on one line, are several updates: a list.
        values: list[tuple[Any, tuple[int, int]]] = []
        for value, (line, column) in updates:
            times = _TIME.findall(value)
            if value.strip().casefold() in _NO:
                values.append((False, (line, column)))
            elif len(times) > 1:
                text = doc.lines[line - 1]
                values.extend((t, (line, text.find(t, column - 1) + 1)) for t in times)
            else:
                values.append((value.strip(), (line, column)))
        data["handoffUpdated"] = values[0][0] if len(values) == 1 else [v for v, _ in values]
        positions[("handoffUpdated",)] = values[0][1]
        for i, (_, where) in enumerate(values):
            positions[("handoffUpdated", i)] = where

    checklists: list[Checklist] = []
    prerequisites: tuple[CheckItem, ...] | None = None
    for index, section in enumerate(doc.sections):
        title = normalize_key(section.title)
        if section.level == 2 and title in _SECTIONS:
            key = _SECTIONS[title]
            if key in data:
                continue
            positions[(key,)] = (section.line, section.column)
            if key == "workLog":
                data[key] = _work_log(doc, index, positions)
            else:
                data[key] = _section_body(doc, index)
        elif title == _PREREQUISITES and prerequisites is None:
            positions[("prerequisites",)] = (section.line, section.column)
            prerequisites = tuple(_section_items(doc, index, ("prerequisites",), positions))
            data["prerequisites"] = [{"item": i.text, "checked": i.checked, "note": i.note} for i in prerequisites]
            checklists.append(Checklist(section.title, prerequisites))

    counter = 0
    for block in doc.checklists:
        if prerequisites is not None and _in_prerequisites(doc, block.line):
            continue
        items = []
        for item in block.tasks:
            text, note = _split_note(item.text)
            path = ("~checklists", counter)
            counter += 1
            positions[path] = (item.line, item.column)
            items.append(CheckItem(text, bool(item.checked), note, path))
        checklists.append(Checklist(_title(doc, block.section), tuple(items)))
    for table in doc.tables:
        if prerequisites is not None and _in_prerequisites(doc, table.line):
            continue
        items = []
        for text, checked, note, line, column in _table_items(doc, table):
            path = ("~checklists", counter)
            counter += 1
            positions[path] = (line, column)
            items.append(CheckItem(text, checked, note, path))
        if items:
            checklists.append(Checklist(_title(doc, table.section), tuple(items)))
    return SessionRecord(doc.path, doc.stem, data, tuple(checklists), positions, prerequisites)


def _title(doc: MarkdownDocument, index: int | None) -> str:
    return doc.sections[index].title if index is not None else ""


def _in_prerequisites(doc: MarkdownDocument, line: int) -> bool:
    index = doc.section_at(line)
    while index is not None:
        if normalize_key(doc.sections[index].title) == _PREREQUISITES:
            return True
        index = doc.sections[index].parent
    return False


def _work_log(doc: MarkdownDocument, index: int, positions: dict) -> list[str]:
    blocks = [b for b in doc.within(index, doc.lists) if b.depth == 0]
    entries: list[str] = []
    for block in blocks:
        for item in block.items:
            positions[("workLog", len(entries))] = (item.line, item.column)
            entries.append(item.text)
    if not entries:
        text = _section_body(doc, index)
        if text:
            sec = doc.sections[index]
            positions[("workLog", 0)] = (min(sec.line + 1, sec.end_line), 1)
            entries.append(text)
    return entries


def _section_body(doc: MarkdownDocument, index: int) -> str:
    """A section's text without its heading and without HTML comments (they are not content)."""
    return re.sub(r"<!--.*?-->", "", doc.section_text(index), flags=re.S).strip()


def _section_items(doc: MarkdownDocument, index: int, base: JsonPath, positions: dict) -> Iterable[CheckItem]:
    n = 0
    for block in doc.within(index, doc.lists):
        for item in block.tasks:
            text, note = _split_note(item.text)
            positions[(*base, n)] = (item.line, item.column)
            yield CheckItem(text, bool(item.checked), note, (*base, n))
            n += 1
    for table in doc.within(index, doc.tables):
        for text, checked, note, line, column in _table_items(doc, table):
            positions[(*base, n)] = (line, column)
            yield CheckItem(text, checked, note, (*base, n))
            n += 1


# ----------------------------------------------------------------------------
# Batches


class Batch(NamedTuple):
    """An orchestrator's log and the worker logs that name it as their orchestrator."""

    orchestrator: SessionRecord
    workers: tuple[SessionRecord, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.orchestrator.id, *(w.id for w in self.workers))


def session_records(project: Any) -> list[SessionRecord]:
    """Records of every loaded session log of a project, extracted once per run."""
    def extract(p: Any) -> list[SessionRecord]:
        records = []
        for doc in p.session_logs:
            if doc.load_error is None:
                # Project.record would find it there too; asked directly, 15,000 calls cost 9 ms less.
                record = doc.records.get("session-log")
                records.append(record if record is not None else p.record(doc, "session-log", session_record))
        return records

    return project.derived("session-records", extract)


def records_by_role(project: Any, role: str | None) -> list[SessionRecord]:
    """The session records of one role (orchestrator, worker, single; None: no role), in order.

    Most protocol rules judge one role; on a large project a pass over every
    record per rule was most of their time.
    """
    def group(p: Any) -> dict[str | None, list[SessionRecord]]:
        grouped: dict[str | None, list[SessionRecord]] = {}
        for record in session_records(p):
            grouped.setdefault(record.role, []).append(record)
        return grouped

    return project.derived("records-by-role", group).get(role, [])


def project_batches(project: Any) -> list[Batch]:
    """The batches of a project's session records, worked out once per run."""
    # Only these two roles make batches: the workers, then the orchestrators, gives the same ones.
    return project.derived("batches",
                           lambda p: batches(records_by_role(p, "worker") + records_by_role(p, "orchestrator")))


def batches(records: Sequence[SessionRecord]) -> list[Batch]:
    workers: dict[str, list[SessionRecord]] = {}
    orchestrators = []
    for record in records:
        role = record.role
        if role == "worker":
            if record.orchestrator:
                workers.setdefault(record.orchestrator, []).append(record)
        elif role == "orchestrator":
            orchestrators.append(record)
    return [Batch(record, tuple(workers.get(record.id, ()))) for record in orchestrators]


def locate(project: Any, record: SessionRecord, path: Sequence[Any]) -> tuple[int, int]:
    """Where a JSON path of a record is, for a project-scope rule."""
    return record.locate(path, project.documents.get(record.path))


def describe_update(update: Any) -> str:
    return "a HANDOFF update" if update is True else f"a HANDOFF update at {update}"
