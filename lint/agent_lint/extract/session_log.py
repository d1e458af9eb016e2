"""Session logs as one record, whatever their format.

A JSON log already is the record: its data, as written. A Markdown log is
read into the same shape (the JSON log of AGENT-SYSTEM.md's "Session Log
Conventions"): metadata from front matter and from the ``**Key**: value``
lines before the first level-2 heading, ``workLog`` and ``outcome`` from
their sections, ``prerequisites`` from the ``Prerequisites Checklist``
section. Because both formats give one shape, one JSON Schema validates both,
and the rules read one shape.

A Markdown record keeps a map from each JSON path it filled to the (line,
column) it came from, so a schema error on ``$.date`` points at the date as
written. Checklists (task lists, compliance tables whose cells hold ``[x]`` /
``[ ]``, JSON objects with a boolean ``complete`` or ``checked``) are kept
beside the data, for the rules about evidence; they are not part of what a
schema sees.

The record is what the schema (:func:`schema_check`) and the rules that
read the whole log see, in the per-document stage. What the protocol's
rules read is the log's :class:`~agent_lint.views.SessionLog`, made from the
record by :func:`session_log` in the same stage: the fields AGENT-SYSTEM.md's
protocol needs, from wherever the team's config says its logs keep them
(``[tool.agent-lint.session-fields]``, JSON pointers), each with its
position.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from ..document import Document, JsonDocument, MarkdownDocument, derived, normalize_key
from ..views import (ROLES, SESSION_FIELDS, START, JsonPath, Position, Prerequisite, SchemaCheck, SessionLog, Stamp,
                     field_positions, locate)

SESSION_ID_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$"

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
    "started": "started",
    "completed": "completed",
    "handoff updated": "handoffUpdated",
    "handoffupdated": "handoffUpdated",
}
_SECTIONS = {"work log": "workLog", "outcome": "outcome", "objective": "objective"}
_PREREQUISITES = "prerequisites checklist"
_NO = {"", "no", "false", "none", "n/a", "-"}
_CHECK_KEYS = ("checked", "complete", "Complete", "done")
_ANY_CHECK_KEY = frozenset(_CHECK_KEYS)  # an object with none of them is no item: one test in C
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
    """A log's data in one shape, whatever its format: made in the per-document stage, never kept past it."""

    FIELDS = ("path", "id", "data", "_checklists", "positions", "prerequisites")

    def __init__(self, path: str, id: str, data: Any, _checklists: tuple[Checklist, ...] | None = None,
                 positions: dict[JsonPath, tuple[int, int]] | None = None,
                 prerequisites: tuple[CheckItem, ...] | None = None):
        self.path = path
        self.id = id  # the session ID: the file stem, or the folder's name (Config.session_id)
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
        return locate(self.positions, path)

    def get(self, key: str) -> Any:
        return self.data.get(key) if isinstance(self.data, dict) else None


def split_ids(value: str) -> list[str]:
    return [part.strip().strip("`") for part in re.split(r"[,\s]+", value) if part.strip().strip("`")]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime (naive ones taken as UTC)."""
    if not isinstance(value, str):
        return None
    return _parse_time(value)


@lru_cache(maxsize=4096)
def _parse_time(value: str) -> datetime | None:
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
    """The record of a loaded session log (see the module docstring), made once per document."""
    return derived(doc, _record)


def _record(doc: Document) -> SessionRecord:
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
                item = None if _ANY_CHECK_KEY.isdisjoint(child) else _json_item(child, (*path, key))
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
    """The record of a Markdown log: its metadata (front matter, then the lines before the first
    ``##`` heading), its sections, its prerequisites and its other checklists, each with its position."""
    build = _MarkdownRecord(doc)
    build.front_matter()
    build.header()
    build.sections()
    build.checklists()
    return SessionRecord(doc.path, doc.stem, build.data, tuple(build.found), build.positions, build.prerequisites)


class _MarkdownRecord:
    """A Markdown log's record as its steps fill it in: data, positions, checklists, in document order."""

    def __init__(self, doc: MarkdownDocument):
        self.doc = doc
        self.data: dict[str, Any] = {"id": doc.stem}
        self.positions: dict[JsonPath, tuple[int, int]] = {(): (1, 1), ("id",): (1, 1)}
        self.found: list[Checklist] = []
        self.prerequisites: tuple[CheckItem, ...] | None = None
        self._counter = 0  # the next index of the ~checklists path

    def front_matter(self) -> None:
        """The keys of a YAML front matter that name a record field (none when it does not parse)."""
        doc = self.doc
        front = doc.front_matter if doc.front_matter_error is None else {}
        at = _front_matter_positions(doc)
        for key, value in front.items():
            target = _KEYS.get(normalize_key(str(key)))
            if target is not None:
                self.data[target] = _plain_value(value)
                self.positions[(target,)] = at.get(normalize_key(str(key)), (doc.front_matter_line, 1))

    def header(self) -> None:
        """The ``**Key**: value`` lines before the first ``##`` heading; the first statement of a key wins."""
        doc, data, positions = self.doc, self.data, self.positions
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
                self._dispatched_positions(entry)
        if isinstance(data.get("dispatched"), str):
            data["dispatched"] = split_ids(data["dispatched"])
        if updates and "handoffUpdated" not in data:
            self._handoff_updates(updates)

    def _dispatched_positions(self, entry: Any) -> None:
        """Where each ID of a ``**Dispatched**:`` line stands."""
        line_text = self.doc.lines[entry.line - 1]
        for i, ident in enumerate(split_ids(entry.value)):
            col = line_text.find(ident, entry.value_column - 1)
            self.positions[("dispatched", i)] = (entry.line, col + 1 if col >= 0 else entry.value_column)

    def _handoff_updates(self, updates: list[tuple[str, tuple[int, int]]]) -> None:
        """Several lines, or several times on one line, are several updates: a list."""
        values: list[tuple[Any, tuple[int, int]]] = []
        for value, (line, column) in updates:
            times = _TIME.findall(value)
            if value.strip().casefold() in _NO:
                values.append((False, (line, column)))
            elif len(times) > 1:
                text = self.doc.lines[line - 1]
                values.extend((t, (line, text.find(t, column - 1) + 1)) for t in times)
            else:
                values.append((value.strip(), (line, column)))
        self.data["handoffUpdated"] = values[0][0] if len(values) == 1 else [v for v, _ in values]
        self.positions[("handoffUpdated",)] = values[0][1]
        for i, (_, where) in enumerate(values):
            self.positions[("handoffUpdated", i)] = where

    def sections(self) -> None:
        """The ``##`` sections that hold record fields (the first of each wins), and the prerequisites section."""
        doc, data, positions = self.doc, self.data, self.positions
        for index, section in enumerate(doc.sections):
            title = normalize_key(section.title)
            if section.level == 2 and title in _SECTIONS:
                key = _SECTIONS[title]
                if key in data:
                    continue
                positions[(key,)] = (section.line, section.column)
                data[key] = _work_log(doc, index, positions) if key == "workLog" else _section_body(doc, index)
            elif title == _PREREQUISITES and self.prerequisites is None:
                positions[("prerequisites",)] = (section.line, section.column)
                self.prerequisites = tuple(_section_items(doc, index, ("prerequisites",), positions))
                data["prerequisites"] = [{"item": i.text, "checked": i.checked, "note": i.note}
                                         for i in self.prerequisites]
                self.found.append(Checklist(section.title, self.prerequisites))

    def checklists(self) -> None:
        """Every task list, then every table with a checkbox column, outside the prerequisites section."""
        doc = self.doc
        for block in doc.checklists:
            if not self._in_prerequisites(block.line):
                items = [self._item(*_split_note(item.text), bool(item.checked), item.line, item.column)
                         for item in block.tasks]
                self.found.append(Checklist(_title(doc, block.section), tuple(items)))
        for table in doc.tables:
            if not self._in_prerequisites(table.line):
                items = [self._item(text, note, checked, line, column)
                         for text, checked, note, line, column in _table_items(doc, table)]
                if items:
                    self.found.append(Checklist(_title(doc, table.section), tuple(items)))

    def _in_prerequisites(self, line: int) -> bool:
        return self.prerequisites is not None and _in_prerequisites(self.doc, line)

    def _item(self, text: str, note: str, checked: bool, line: int, column: int) -> CheckItem:
        """One checklist item, given the next ``~checklists`` path and its position."""
        path = ("~checklists", self._counter)
        self._counter += 1
        self.positions[path] = (line, column)
        return CheckItem(text, checked, note, path)


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
# Schema errors in a Markdown log's terms

_MARKDOWN_KEYS = {"date": "Date", "agent": "Agent", "role": "Role", "branch": "Branch", "objective": "Objective",
                  "orchestrator": "Orchestrator", "dispatched": "Dispatched", "status": "Status",
                  "started": "Started", "completed": "Completed", "handoffUpdated": "HANDOFF Updated"}
_MARKDOWN_SECTIONS = {"workLog": "Work Log", "outcome": "Outcome", "prerequisites": "Prerequisites Checklist"}
_REQUIRED = re.compile(r"^'(?P<key>[^']+)' is a required property$")


def metadata_place(doc: MarkdownDocument) -> str:
    """Where a Markdown log's metadata lines belong, as a message says it."""
    first = next((s for s in doc.sections if s.level == 2), None)
    if first is None:
        return "in the log"
    title = first.title if len(first.title) <= 40 else first.title[:39] + "…"
    return f"before the first `##` heading (`## {title}`, line {first.line})"


def markdown_missing(place: str, keys: Sequence[str]) -> str:
    """Required members missing from a Markdown log's record, said as the log is written
    (``place``: :func:`metadata_place` of the log).

    ``no `**Date**:` or `**Role**:` line before the first `##` heading (...)
    and no `## Outcome` section``.
    """
    lines = [f"`**{_MARKDOWN_KEYS[key]}**:`" for key in keys if key in _MARKDOWN_KEYS]
    sections = [f"`## {_MARKDOWN_SECTIONS[key]}`" for key in keys if key in _MARKDOWN_SECTIONS]
    others = [f"`{key}`" for key in keys if key not in _MARKDOWN_KEYS and key not in _MARKDOWN_SECTIONS]
    parts = []
    if lines:
        parts.append(f"no {_or(lines)} line {place}")
    if sections:
        parts.append(f"no {_or(sections)} section")
    if others:
        parts.append(f"no {_or(others)}")
    return " and ".join(parts)


def _or(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def markdown_terms(doc: MarkdownDocument, path: Sequence[Any], message: str) -> str | None:
    """A schema error of a Markdown log's record said as the log is written, and where it was looked for.

    The record is JSON-shaped; its author wrote ``**Date**:`` lines and
    ``## Work Log`` sections. None where the JSON wording is as good.
    """
    required = _REQUIRED.match(message) if not path else None
    if required is not None:
        key = required.group("key")
        if key in _MARKDOWN_SECTIONS:
            return f"no `## {_MARKDOWN_SECTIONS[key]}` section"
        if key not in _MARKDOWN_KEYS:
            return None
        name = _MARKDOWN_KEYS[key]
        first = next((s for s in doc.sections if s.level == 2), None)
        where = metadata_place(doc)
        found = "" if first is None else next(
            (f"; the one at line {e.line} comes after that heading, where lines are not metadata"
             for e in doc.metadata_entries if e.line > first.line and _KEYS.get(normalize_key(e.key)) == key), "")
        return f"no `**{name}**:` line {where}, nor `{key}` in front matter{found}"
    if path and path[0] in _MARKDOWN_KEYS:
        return f"`**{_MARKDOWN_KEYS[path[0]]}**`{''.join(f'[{p}]' for p in path[1:])}: {message}"
    return None


# ----------------------------------------------------------------------------
# The protocol's view


@lru_cache(maxsize=64)
def _pointer(text: str) -> tuple[str, ...]:
    """The steps of a JSON pointer (RFC 6901): ``/session/role`` -> ('session', 'role')."""
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in text.split("/")[1:]) if text else ()


def _follow(data: Any, steps: Sequence[str]) -> tuple[Any, JsonPath] | None:
    """The value at ``steps`` with its JSON path (array indexes as ints), or None when absent."""
    path: list[Any] = []
    for step in steps:
        if isinstance(data, dict) and step in data:
            data = data[step]
            path.append(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
            path.append(int(step))
        else:
            return None
    return data, tuple(path)


class _Reader:
    """Reads the protocol's fields out of one record, at the pointers the config gives.

    Values are read first, each with its JSON path; :meth:`locate` then
    finds every path at once (a JSON log's object is read only up to the
    last member asked for), and the view is built from both.
    """

    def __init__(self, doc: Document, record: SessionRecord, fields: Mapping[str, str]):
        self.doc, self.record, self.fields = doc, record, fields
        self.found: dict[str, tuple[Any, JsonPath | Position]] = {}  # field -> (value, path or position)
        self.paths: list[JsonPath] = []  # every path whose position the view holds
        self.positions: dict[JsonPath, Position] = {}

    def read(self, field: str) -> Any:
        """The value the log gives ``field`` (None when it gives none); its position is asked for."""
        steps = _pointer(self.fields.get(field, SESSION_FIELDS[field]))
        found = _follow(self.record.data, steps)
        if found is None and len(steps) == 1 and isinstance(self.doc, MarkdownDocument):
            found = self._metadata(steps[0])
        if found is None or found[0] is None:
            return None
        self.found[field] = found
        if not isinstance(found[1], Position):
            self.paths.append(found[1])
        return found[0]

    def _metadata(self, key: str) -> tuple[str, Position] | None:
        """A Markdown log's ``**Key**: value`` line before the first level-2 heading that the record has no slot for."""
        doc = self.doc
        assert isinstance(doc, MarkdownDocument)
        level2 = next((s.line for s in doc.sections if s.level == 2), len(doc.lines) + 1)
        wanted = normalize_key(key)
        for entry in doc.metadata_entries:
            if entry.line < level2 and normalize_key(entry.key) == wanted:
                return entry.value, Position(entry.line, entry.value_column)
        return None

    def text(self, field: str) -> str | None:
        value = self.read(field)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            return None
        return str(value).strip() or None

    def path(self, field: str) -> JsonPath:
        where = self.found[field][1]
        return () if isinstance(where, Position) else where

    def below(self, field: str, key: Any) -> JsonPath:
        """The path of a member of ``field``'s value, whose position is asked for too."""
        path = (*self.path(field), key)
        self.paths.append(path)
        return path

    def locate(self) -> None:
        doc, record = self.doc, self.record
        if isinstance(doc, JsonDocument):
            found = doc.locate_members(self.paths) if self.paths else []
        else:
            found = [record.locate(path, doc) for path in self.paths]
        self.positions = {path: Position(*where) for path, where in zip(self.paths, found)}

    def at(self, path: JsonPath) -> Position:
        return self.positions.get(path, START)

    def where(self, field: str) -> Position:
        where = self.found[field][1]
        return where if isinstance(where, Position) else self.at(where)

    def stamp(self, field: str, text: str | None) -> Stamp | None:
        return Stamp(text, parse_time(text), self.where(field)) if text else None


def view(doc: Document, context: Any) -> SessionLog:
    """The log's view (views.SessionLog), read where the run's config says its logs keep each field."""
    return session_log(doc, context.config.session_fields, context.config.session_id(doc.path))


def schema_check(doc: Document, context: Any) -> SchemaCheck:
    """The log checked against the schema it is held to (views.SchemaCheck)."""
    from ..schema_check import validation_errors

    return validation_errors(doc, session_record(doc), context.schema())


def session_log(doc: Document, fields: Mapping[str, str] | None = None, session_id: str | None = None) -> SessionLog:
    """The protocol's view of a loaded session log (see views.SessionLog).

    ``fields`` maps protocol fields to JSON pointers where a team's logs keep
    them (config ``session-fields``); a field it does not name is read where
    agent-lint's own format keeps it. ``session_id`` is the session's ID as
    the config gives it (Config.session_id: the folder's name for a
    folder-per-session layout); the file name without its suffix if None. Every value is read first, in the
    order the view lists the fields' positions; then every position is found
    at once (:meth:`_Reader.locate`).
    """
    read = _Reader(doc, session_record(doc), fields or {})
    orchestrator = read.text("orchestrator")
    stated = read.text("role")
    status = read.text("status")
    started = read.text("started")
    completed = read.text("completed")
    dispatched = _dispatched(read)
    updates = _handoff_updated(read)
    items = _prerequisites(read)
    read.locate()

    role = stated.casefold() if stated else ""
    role_stated = role in ROLES
    if role_stated:
        role = ROLES[ROLES.index(role)]  # one string for every log (a large tree holds 100,000 views)
    else:
        role = "orchestrator" if dispatched else "worker" if orchestrator else ""
    return SessionLog(
        path=doc.path,
        id=session_id or doc.stem,
        role=role or None,
        role_stated=role_stated,
        orchestrator=orchestrator,
        dispatched=tuple(ident for ident, _ in dispatched),
        started=read.stamp("started", started),
        completed=read.stamp("completed", completed),
        status=sys.intern(status.casefold()) if status else None,  # the few statuses, one string each
        handoff_updates=_handoff_stamps(read, updates),
        prerequisites=None if items is None else tuple(
            Prerequisite(i.text, i.checked, i.note, read.at(i.path)) for i in items),
        dispatched_at=_dispatched_at(doc, read, dispatched),
        where=field_positions({field: read.where(field) for field in read.found}),
    )


def _dispatched(read: _Reader) -> list[tuple[str, JsonPath | None]]:
    """The worker IDs a log dispatched, each with its JSON path; no path: IDs in one text, found where written."""
    value = read.read("dispatched")
    if isinstance(value, str):
        return [(ident, None) for ident in split_ids(value)]
    if isinstance(value, list):
        return [(item.strip(), read.below("dispatched", i)) for i, item in enumerate(value)
                if isinstance(item, str) and item.strip()]
    return []


def _dispatched_at(doc: Document, read: _Reader, dispatched: list[tuple[str, JsonPath | None]]
                   ) -> tuple[Position, ...]:
    """Where each dispatched ID is written: found in its line when the IDs share one text, else at its path."""
    if not dispatched or dispatched[0][1] is not None:
        return tuple(read.at(path) for _, path in dispatched if path is not None)
    line, column = read.where("dispatched")
    text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    found = (text.find(ident, column - 1) for ident, _ in dispatched)
    return tuple(Position(line, at + 1) if at >= 0 else Position(line, column) for at in found)


def _handoff_updated(read: _Reader) -> list[tuple[Any, JsonPath | None]]:
    """What the log says of its HANDOFF updates: each item of a list with its path, else the one value."""
    value = read.read("handoff-updated")
    if isinstance(value, list):
        return [(item, read.below("handoff-updated", i)) for i, item in enumerate(value)]
    return [(value, None)] if value is not None else []


def _handoff_stamps(read: _Reader, updates: list[tuple[Any, JsonPath | None]]) -> tuple[Stamp, ...]:
    """The HANDOFF updates as stamps: ``true`` one without a time, a text one per time it names (or as written)."""
    stamps: list[Stamp] = []
    for item, path in updates:
        where = read.at(path) if path is not None else read.where("handoff-updated")
        if item is True:
            stamps.append(Stamp("", None, where))
        elif isinstance(item, str) and item.strip().casefold() not in _NO:
            times = _TIME.findall(item)
            stamps.extend(Stamp(t, parse_time(t), where) for t in (times if len(times) > 1 else [item.strip()]))
    return tuple(stamps)


def _prerequisites(read: _Reader) -> list[CheckItem] | None:
    """A JSON-shaped prerequisites checklist's items, their positions asked for; None when the log has none."""
    value = read.read("prerequisites")
    if not isinstance(value, (dict, list)):
        return None
    members = value.items() if isinstance(value, dict) else enumerate(value)
    base = read.path("prerequisites")
    items = [item for key, child in members if isinstance(child, dict)
             for item in [_json_item(child, (*base, key))] if item is not None]
    read.paths.extend(item.path for item in items)
    return items


def describe_update(update: Stamp) -> str:
    return f"a HANDOFF update at {update.text}" if update.text else "a HANDOFF update"
