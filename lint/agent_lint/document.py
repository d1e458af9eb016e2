"""Parsed agent documents: the model every rule queries.

A Markdown file is parsed once with markdown-it-py into a light model (the
heading tree, lists and checklists, tables, fenced code, front matter,
``**Key**: value`` metadata, links, suppression comments); the token stream
is dropped afterwards so documents stay small. A JSON file keeps its data and
text and maps a JSON pointer to a position on demand.

Positions are converted from markdown-it's 0-based ``token.map`` here and
nowhere else: every position leaving this module is 1-based, in code points,
exact with CRLF line endings and a UTF-8 BOM.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Sequence

from .model import Kind

BOM = "\ufeff"
_NEWLINE = re.compile(r"\r\n?|\n")
_NUMBERED = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\.?\s+(?P<title>\S.*)$")
_TASK = re.compile(r"^\[(?P<mark>[ xX])\](?:[ \t]+|$)")
_METADATA = re.compile(r"^\*\*(?P<key>[^*\n]+?)(?P<inner>:)?\*\*(?(inner)|:)[ \t]*(?P<value>.*)$")
_SUPPRESSION = re.compile(
    r"<!--\s*agent-lint-(?P<action>disable-next-line|disable-file|disable|enable)\b(?P<codes>[^>]*?)-->"
)


# ----------------------------------------------------------------------------
# Load failures


@dataclass(frozen=True)
class LoadError:
    """Why a file could not be turned into a model, and where."""

    kind: str  # "unreadable", "encoding", "json", "front-matter", "too-large"
    message: str
    line: int = 1
    column: int = 1


# ----------------------------------------------------------------------------
# Model records


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    number: str | None
    line: int
    column: int
    end_line: int
    parent: int | None  # index into Document.sections


@dataclass(frozen=True)
class ListItem:
    text: str  # the item's first paragraph as written, task marker removed
    line: int
    column: int  # where the item's text (or its checkbox) starts
    checked: bool | None  # None: not a task-list item
    marker: str  # "-", "*", "+", "1." ...
    checkbox: str | None = None  # "[ ]", "[x]" or "[X]" as written


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    line: int
    column: int
    depth: int  # 0 for a top-level list
    items: tuple[ListItem, ...]
    section: int | None

    @property
    def is_checklist(self) -> bool:
        return any(item.checked is not None for item in self.items)

    @property
    def tasks(self) -> tuple[ListItem, ...]:
        return tuple(item for item in self.items if item.checked is not None)


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    line: int
    column: int
    section: int | None


@dataclass(frozen=True)
class CodeBlock:
    info: str  # first word of the info string, lower-cased ("" if none)
    content: str
    line: int  # the opening fence
    end_line: int
    column: int
    section: int | None
    fenced: bool = True


@dataclass(frozen=True)
class Metadata:
    key: str  # as written
    value: str
    line: int
    column: int
    value_column: int
    section: int | None
    in_list: bool


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Suppression:
    action: str  # "disable", "enable", "disable-next-line", "disable-file"
    codes: tuple[str, ...]  # empty: every rule
    line: int
    column: int
    target: int = 0  # disable-next-line: the next non-blank line (formatters add a blank one)


def normalize_key(key: str) -> str:
    """Compare metadata keys and titles the way people read them."""
    return " ".join(key.replace("_", " ").replace("-", " ").split()).casefold()


# ----------------------------------------------------------------------------
# Text and positions


def split_lines(text: str) -> list[str]:
    """Split on the line endings markdown-it recognises (and nothing else)."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    return lines


def decode(data: bytes) -> tuple[str, bool] | LoadError:
    """Decode UTF-8 (BOM allowed); a failure names the first bad byte's position."""
    has_bom = data.startswith(b"\xef\xbb\xbf")
    if has_bom:
        data = data[3:]
    try:
        return data.decode("utf-8"), has_bom
    except UnicodeDecodeError as err:
        good = data[: err.start].decode("utf-8", errors="replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        return LoadError(
            "encoding",
            f"not valid UTF-8: byte 0x{data[err.start]:02x} cannot be decoded ({err.reason})",
            line,
            column,
        )


class Document:
    """Common ground of Markdown and JSON documents.

    A document travels between processes and into the cache without its text
    (and, for JSON, its data): what rules need afterwards is the model and the
    ``records`` extracted from it. Should anything still ask for the text, it
    is read again from ``source``.
    """

    format = "text"
    _HEAVY = ("_text", "lines", "_line_starts")

    def __init__(self, path: str, kind: Kind | None, text: str, has_bom: bool = False):
        self.path = path
        self.kind = kind
        self._text: str | None = text
        self.has_bom = has_bom
        self.load_error: LoadError | None = None
        self.source: str | None = None  # absolute path, for reloading the text
        self.records: dict[str, Any] = {}  # extractor name -> record, filled before rules run

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._reload()
        return self._text

    def _reload(self) -> str:
        if self.source is None:
            return ""
        with open(self.source, "rb") as handle:
            decoded = decode(handle.read())
        return "" if isinstance(decoded, LoadError) else decoded[0]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key in self._HEAVY:
            state.pop(key, None)
        state["_text"] = None
        return state

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in _NEWLINE.finditer(self.text))
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into ``text``."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        """Character offset into ``text`` of a 1-based position."""
        return self._line_starts[line - 1] + column - 1

    @property
    def stem(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0] if "." in name else name


class FailedDocument(Document):
    """A file that could not be read, decoded or parsed: rules AL0xx report it."""

    def __init__(self, path: str, kind: Kind | None, error: LoadError, fmt: str):
        super().__init__(path, kind, "")
        self.load_error = error
        self.format = fmt


# ----------------------------------------------------------------------------
# Markdown


_PARSER = None


def markdown_parser():
    """The one markdown-it configuration agent-lint uses (benchmarks reuse it)."""
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.front_matter import front_matter_plugin

        # commonmark keeps maxNesting at 20: deeply nested input stops nesting
        # instead of recursing, so a hostile document cannot exhaust the stack.
        _PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    return _PARSER


def _plain(children: Sequence[Any] | None) -> str:
    """Rendered text of inline tokens: emphasis and code markers dropped."""
    if not children:
        return ""
    parts = []
    for tok in children:
        if tok.type in ("text", "code_inline", "html_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append(_plain(tok.children))
    return "".join(parts).strip()


class MarkdownDocument(Document):
    format = "markdown"

    def __init__(
        self,
        path: str,
        kind: Kind | None,
        text: str,
        has_bom: bool = False,
        *,
        line_offset: int = 0,
        column_offsets: Sequence[int] | None = None,
    ):
        super().__init__(path, kind, text, has_bom)
        # A document parsed out of a fenced block of another keeps the host's
        # positions: its line N is host line N + line_offset, shifted right by
        # that line's indentation in the host.
        self._line_offset = line_offset
        self._column_offsets = column_offsets
        self.sections: list[Section] = []
        self.lists: list[ListBlock] = []
        self.tables: list[Table] = []
        self.code_blocks: list[CodeBlock] = []
        self.metadata_entries: list[Metadata] = []
        self.links: list[Link] = []
        self.suppressions: list[Suppression] = []
        self.front_matter_text: str | None = None
        self.front_matter_line = 0
        self._heading_lines: list[int] = []
        self._parse()

    # -- positions -----------------------------------------------------------

    def _abs(self, line0: int, col0: int = 0) -> tuple[int, int]:
        """Host position of a 0-based (line, column) of this text."""
        shift = 0
        if self._column_offsets is not None and line0 < len(self._column_offsets):
            shift = self._column_offsets[line0]
        return line0 + 1 + self._line_offset, col0 + 1 + shift

    def _line_text(self, line0: int) -> str:
        lines = self.lines
        return lines[line0] if 0 <= line0 < len(lines) else ""

    def _indent(self, line0: int) -> int:
        text = self._line_text(line0)
        return len(text) - len(text.lstrip())

    def _find(self, line0: int, needle: str, start: int = 0) -> int:
        col = self._line_text(line0).find(needle, start) if needle else -1
        return col if col >= 0 else self._indent(line0)

    # -- parsing ---------------------------------------------------------------

    def _parse(self) -> None:
        tokens = markdown_parser().parse(self.text)
        n_lines = len(self.lines)
        open_sections: list[int] = []
        list_stack: list[dict[str, Any]] = []
        item_stack: list[dict[str, Any]] = []
        table: dict[str, Any] | None = None
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            ttype = tok.type
            if ttype == "heading_open":
                self._open_heading(tok, tokens[i + 1], open_sections)
            elif ttype in ("bullet_list_open", "ordered_list_open"):
                line, col = self._abs(tok.map[0], self._indent(tok.map[0]))
                list_stack.append(
                    {"ordered": ttype == "ordered_list_open", "line": line, "column": col,
                     "items": [], "depth": len(list_stack)}
                )
            elif ttype in ("bullet_list_close", "ordered_list_close"):
                info = list_stack.pop()
                self.lists.append(
                    ListBlock(info["ordered"], info["line"], info["column"], info["depth"],
                              tuple(info["items"]), self.section_at(info["line"]))
                )
            elif ttype == "list_item_open":
                marker = tok.info + tok.markup if tok.info else tok.markup
                item_stack.append({"token": tok, "marker": marker, "seen_inline": False})
            elif ttype == "list_item_close":
                item_stack.pop()
            elif ttype == "inline":
                if item_stack and not item_stack[-1]["seen_inline"] and tok.level == item_stack[-1]["token"].level + 2:
                    item_stack[-1]["seen_inline"] = True
                    list_stack[-1]["items"].append(self._list_item(tok, item_stack[-1]["marker"]))
                if table is not None:
                    table["cells"].append(tok.content.strip())
                self._scan_inline(tok, in_list=bool(item_stack))
            elif ttype == "table_open":
                table = {"token": tok, "header": None, "rows": [], "cells": []}
            elif ttype == "tr_open" and table is not None:
                table["cells"] = []
                table["row_line"] = tok.map[0] if tok.map else None
            elif ttype == "tr_close" and table is not None:
                if table["header"] is None:
                    table["header"] = tuple(table["cells"])
                else:
                    line = self._abs(table["row_line"])[0] if table["row_line"] is not None else 0
                    table["rows"].append(TableRow(tuple(table["cells"]), line))
            elif ttype == "table_close" and table is not None:
                start = table["token"].map[0]
                line, col = self._abs(start, self._indent(start))
                self.tables.append(
                    Table(table["header"] or (), tuple(table["rows"]), line, col, self.section_at(line))
                )
                table = None
            elif ttype in ("fence", "code_block"):
                start, end = tok.map
                line, col = self._abs(start, self._indent(start))
                self.code_blocks.append(
                    CodeBlock(
                        tok.info.strip().split(" ")[0].lower() if tok.info else "",
                        tok.content, line, self._abs(max(start, end - 1))[0], col,
                        self.section_at(line), ttype == "fence",
                    )
                )
            elif ttype == "html_block":
                self._scan_suppressions(tok.content, tok.map[0])
            elif ttype == "front_matter":
                self.front_matter_text = tok.content
                self.front_matter_line = self._abs(0)[0]
            i += 1
        for index in open_sections:
            self._close_section(index, n_lines + self._line_offset)
        self.line_count = n_lines

    def _open_heading(self, tok: Any, inline: Any, open_sections: list[int]) -> None:
        level = int(tok.tag[1])
        start = tok.map[0]
        line, col = self._abs(start, self._indent(start))
        while open_sections and self.sections[open_sections[-1]].level >= level:
            self._close_section(open_sections.pop(), line - 1)
        title = _plain(inline.children)
        number = None
        match = _NUMBERED.match(title)
        if match:
            number, title = match.group("number"), match.group("title").strip()
        parent = open_sections[-1] if open_sections else None
        self.sections.append(Section(level, title, number, line, col, line, parent))
        self._heading_lines.append(line)
        open_sections.append(len(self.sections) - 1)
        self._scan_inline(inline, in_list=False)

    def _close_section(self, index: int, end_line: int) -> None:
        sec = self.sections[index]
        self.sections[index] = Section(
            sec.level, sec.title, sec.number, sec.line, sec.column, max(sec.line, end_line), sec.parent
        )

    def _list_item(self, inline: Any, marker: str) -> ListItem:
        line0 = inline.map[0]
        content = inline.content
        first = content.split("\n", 1)[0]
        task = _TASK.match(content)
        if task:
            checkbox = content[:3]
            col0 = self._find(line0, checkbox)
            text = content[task.end():]
            checked: bool | None = task.group("mark") != " "
        else:
            checkbox, checked, text = None, None, content
            col0 = self._find(line0, first[:20])
        line, col = self._abs(line0, col0)
        return ListItem(" ".join(text.split()), line, col, checked, marker, checkbox)

    def _scan_inline(self, tok: Any, in_list: bool) -> None:
        if tok.map is None:
            return
        base = tok.map[0]
        # Metadata lines: one per source line of the paragraph.
        if "**" in tok.content:
            for n, raw in enumerate(tok.content.split("\n")):
                match = _METADATA.match(raw.strip())
                if match:
                    line0 = base + n
                    col0 = self._find(line0, "**")
                    line, col = self._abs(line0, col0)
                    value_col = self._find(line0, match.group("value"), col0) if match.group("value") else col0
                    self.metadata_entries.append(
                        Metadata(match.group("key").strip(), match.group("value").strip(), line, col,
                                 self._abs(line0, value_col)[1], self.section_at(line), in_list)
                    )
        children = tok.children or ()
        line0 = base
        for child in children:
            ctype = child.type
            if ctype in ("softbreak", "hardbreak"):
                line0 += 1
            elif ctype == "link_open":
                href = str(child.attrs.get("href", ""))
                col0 = self._find(line0, href)
                line, col = self._abs(line0, col0)
                self.links.append(Link(href, "", line, col))
            elif ctype == "html_inline" and "agent-lint-" in child.content:
                self._scan_suppressions(child.content, line0)

    def _scan_suppressions(self, content: str, line0: int) -> None:
        if "agent-lint-" not in content:
            return
        for match in _SUPPRESSION.finditer(content):
            rel_line = content.count("\n", 0, match.start())
            l0 = line0 + rel_line
            col0 = self._find(l0, "<!--")
            codes = tuple(c for c in re.split(r"[\s,]+", match.group("codes").strip()) if c)
            line, col = self._abs(l0, col0)
            target = 0
            if match.group("action") == "disable-next-line":
                after = l0 + match.group().count("\n") + 1
                while after < len(self.lines) and not self.lines[after].strip():
                    after += 1
                target = self._abs(after)[0]
            self.suppressions.append(Suppression(match.group("action"), codes, line, col, target))

    # -- queries ---------------------------------------------------------------

    def section_at(self, line: int) -> int | None:
        """Index of the innermost section containing ``line`` (None before any heading)."""
        index = bisect.bisect_right(self._heading_lines, line) - 1
        return index if index >= 0 else None

    def subsections(self, index: int | None) -> list[int]:
        """Direct children of a section (top-level sections for None)."""
        return [i for i, s in enumerate(self.sections) if s.parent == index]

    def descendants(self, index: int) -> list[int]:
        sec = self.sections[index]
        return [i for i in range(index + 1, len(self.sections)) if self.sections[i].line <= sec.end_line]

    def within(self, index: int | None, items: Sequence[Any]) -> list[Any]:
        """The items (lists, tables, code blocks ...) located in a section or its subsections."""
        if index is None:
            return list(items)
        sec = self.sections[index]
        return [item for item in items if sec.line <= item.line <= sec.end_line]

    def find_sections(self, title: str) -> list[int]:
        wanted = normalize_key(title)
        return [i for i, s in enumerate(self.sections) if normalize_key(s.title) == wanted]

    def section_text(self, index: int) -> str:
        sec = self.sections[index]
        first = sec.line - self._line_offset
        last = sec.end_line - self._line_offset
        return "\n".join(self.lines[first:last])

    @cached_property
    def front_matter(self) -> dict[str, Any]:
        """YAML front matter as a mapping ({} when absent or invalid; see front_matter_error)."""
        return self._front_matter[0]

    @property
    def front_matter_error(self) -> LoadError | None:
        return self._front_matter[1]

    @cached_property
    def _front_matter(self) -> tuple[dict[str, Any], LoadError | None]:
        if not self.front_matter_text:
            return {}, None
        import yaml  # only documents that have front matter pay for it

        try:
            value = yaml.safe_load(self.front_matter_text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = self.front_matter_line + 1 + (mark.line if mark else 0)
            column = (mark.column + 1) if mark else 1
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            return {}, LoadError("front-matter", f"invalid YAML front matter: {problem}", line, column)
        if value is None:
            return {}, None
        if not isinstance(value, dict):
            return {}, LoadError("front-matter", "front matter is not a mapping of keys to values",
                                 self.front_matter_line, 1)
        return value, None

    @property
    def checklists(self) -> list[ListBlock]:
        return [block for block in self.lists if block.is_checklist]

    @cached_property
    def metadata(self) -> dict[str, Metadata]:
        """First ``**Key**: value`` entry per normalised key."""
        result: dict[str, Metadata] = {}
        for entry in self.metadata_entries:
            result.setdefault(normalize_key(entry.key), entry)
        return result

    def embedded(self, block: CodeBlock) -> MarkdownDocument:
        """Parse a fenced block's content as Markdown, keeping host positions.

        Real system documents show their checklist templates inside
        ```` ```markdown ```` fences; rules that want them ask for them here.
        """
        content_line0 = block.line - self._line_offset  # 0-based index of the first content line
        content_lines = split_lines(block.content)
        offsets = []
        for n, text in enumerate(content_lines):
            host = self._line_text(content_line0 + n)
            offsets.append(len(host) - len(text) if host.endswith(text) else 0)
        return MarkdownDocument(
            self.path, self.kind, block.content,
            line_offset=block.line, column_offsets=offsets,
        )

    def fenced_checklists(self) -> Iterator[tuple[CodeBlock, ListBlock]]:
        for block in self.code_blocks:
            if block.fenced and block.info in ("", "markdown", "md", "gfm"):
                if "[" in block.content:
                    for checklist in self.embedded(block).checklists:
                        yield block, checklist


# ----------------------------------------------------------------------------
# JSON


_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: no alternation per character
_STRUCTURE = re.compile(r'["\[\]{}]')
_SCALAR = re.compile(r"[^,\]\}\s]+")


class JsonDocument(Document):
    format = "json"
    _HEAVY = Document._HEAVY + ("_data",)

    def __init__(self, path: str, kind: Kind | None, text: str, data: Any, has_bom: bool = False):
        super().__init__(path, kind, text, has_bom)
        self._data = data

    @property
    def data(self) -> Any:
        if getattr(self, "_data", None) is None:
            self._data = json.loads(self.text)
        return self._data

    def locate(self, pointer: Sequence[str | int]) -> tuple[int, int]:
        """1-based position of the value at a JSON path (keys and indexes).

        Scans only along the path, so the cost is paid for documents with
        findings, not for every document. Duplicate keys resolve to the last,
        as ``json.loads`` does.
        """
        text = self.text
        pos = _WS.match(text, 0).end()
        for step in pointer:
            found = self._child(text, pos, step)
            if found is None:
                break
            pos = found
        return self.position(pos)

    @staticmethod
    def _child(text: str, pos: int, step: str | int) -> int | None:
        if pos >= len(text):
            return None
        opener = text[pos]
        if opener not in "{[":
            return None
        pos = _WS.match(text, pos + 1).end()
        index = 0
        found = None
        while pos < len(text) and text[pos] not in "}]":
            if opener == "{":
                key_match = _STRING.match(text, pos)
                if key_match is None:
                    return found
                key = json.loads(key_match.group())
                pos = _WS.match(text, key_match.end()).end() + 1  # past ':'
                pos = _WS.match(text, pos).end()
                if key == step:
                    found = pos
            else:
                if index == step:
                    return pos
                index += 1
            pos = _skip_value(text, pos)
            pos = _WS.match(text, pos).end()
            if pos < len(text) and text[pos] == ",":
                pos = _WS.match(text, pos + 1).end()
        return found


def _skip_value(text: str, pos: int) -> int:
    """Offset just past the JSON value starting at ``pos`` (iterative: no recursion)."""
    if pos >= len(text):
        return pos
    char = text[pos]
    if char == '"':
        match = _STRING.match(text, pos)
        return match.end() if match else len(text)
    if char not in "{[":
        match = _SCALAR.match(text, pos)
        return match.end() if match else pos + 1
    depth = 0
    while True:
        # Jump from one bracket or quote to the next: scalars and white space are never looked at.
        match = _STRUCTURE.search(text, pos)
        if match is None:
            return len(text)
        pos = match.start()
        char = text[pos]
        if char == '"':
            string = _STRING.match(text, pos)
            pos = string.end() if string else len(text)
            continue
        depth += 1 if char in "{[" else -1
        pos += 1
        if depth == 0:
            return pos


# ----------------------------------------------------------------------------
# Entry point


def parse_document(path: str, kind: Kind | None, data: bytes, *, max_bytes: int | None = None) -> Document:
    """Turn a file's bytes into a model, or a FailedDocument saying why not."""
    fmt = "json" if path.lower().endswith(".json") else "markdown"
    if max_bytes is not None and len(data) > max_bytes:
        return FailedDocument(
            path, kind, LoadError("too-large", f"file is {len(data):,} bytes, over the limit of {max_bytes:,}"), fmt
        )
    decoded = decode(data)
    if isinstance(decoded, LoadError):
        return FailedDocument(path, kind, decoded, fmt)
    text, has_bom = decoded
    if fmt == "json":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            return FailedDocument(path, kind, LoadError("json", f"invalid JSON: {err.msg}", err.lineno, err.colno), fmt)
        except RecursionError:
            return FailedDocument(path, kind, LoadError("json", "invalid JSON: nested too deeply to parse"), fmt)
        return JsonDocument(path, kind, text, value, has_bom)
    return MarkdownDocument(path, kind, text, has_bom)
