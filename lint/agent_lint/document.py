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
import os
import re
from functools import cached_property, lru_cache
from typing import Any, Iterator, NamedTuple, Sequence
from urllib.parse import unquote

from .model import Kind

BOM = "\ufeff"
_NEWLINE = re.compile(r"\r\n?|\n")
# Heading numbers: "6.3 Title", "6.3. Title", "3.1: Title", "6. Title", "6) Title".
# A lone integer counts only with its "." or ")": real headings such as
# "2026 plans", "404 Not Found" or "11 Thinking Models" start with a number
# that is part of the title, and numbered outlines write "1." anyway.
_NUMBERED = re.compile(
    r"^(?P<number>\d+(?:\.\d+)+(?=[.:)]?\s)|\d+(?=[.)]\s))[.:)]?\s+(?P<title>\S.*)$"
)
_TASK = re.compile(r"^\[(?P<mark>[ xX])\](?:[ \t]+|$)")
_METADATA = re.compile(r"^\*\*(?P<key>[^*\n]+?)(?P<inner>:)?\*\*(?(inner)|:)[ \t]*(?P<value>.*)$")
_SUPPRESSION = re.compile(
    r"<!--\s*agent-lint-(?P<action>disable-next-line|disable-file|disable|enable)\b(?P<codes>[^>]*?)-->"
)


# ----------------------------------------------------------------------------
# Load failures


class LoadError:
    """Why a file could not be turned into a model, and where. (Not a tuple: decode() returns one or the other.)"""

    __slots__ = ("kind", "message", "line", "column")

    def __init__(self, kind: str, message: str, line: int = 1, column: int = 1):
        self.kind = kind  # "unreadable", "encoding", "json", "front-matter", "too-large"
        self.message = message
        self.line = line
        self.column = column

    def _fields(self) -> tuple[str, str, int, int]:
        return (self.kind, self.message, self.line, self.column)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LoadError) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"LoadError(kind={self.kind!r}, message={self.message!r}, line={self.line}, column={self.column})"


# ----------------------------------------------------------------------------
# Model records


class Section(NamedTuple):
    level: int
    title: str
    number: str | None
    line: int
    column: int
    end_line: int
    parent: int | None  # index into Document.sections


class ListItem(NamedTuple):
    text: str  # the item's first paragraph as written, task marker removed
    line: int
    column: int  # where the item's text (or its checkbox) starts
    checked: bool | None  # None: not a task-list item
    marker: str  # "-", "*", "+", "1." ...
    checkbox: str | None = None  # "[ ]", "[x]" or "[X]" as written


class ListBlock(NamedTuple):
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


class TableRow(NamedTuple):
    cells: tuple[str, ...]
    line: int


class Table(NamedTuple):
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    line: int
    column: int
    section: int | None


class CodeBlock(NamedTuple):
    info: str  # first word of the info string, lower-cased ("" if none)
    content: str
    line: int  # the opening fence
    end_line: int
    column: int
    section: int | None
    fenced: bool = True


class Metadata(NamedTuple):
    key: str  # as written
    value: str
    line: int
    column: int
    value_column: int
    section: int | None
    in_list: bool


class Link(NamedTuple):
    href: str  # as markdown-it normalises it (percent-encoded)
    text: str
    line: int  # where the destination is written; for a reference link, where the link is
    column: int


class Suppression(NamedTuple):
    action: str  # "disable", "enable", "disable-next-line", "disable-file"
    codes: tuple[str, ...]  # empty: every rule
    line: int
    column: int
    end_line: int | None = None  # where the comment's "-->" is, when not on ``line``
    target: int = 0  # disable-next-line: the next non-blank line (formatters add a blank one)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(text: str) -> str:
    """Drop Markdown backslash escapes (``\\_`` is ``_``), as a reader sees the text.

    Formatters such as mdformat add them freely; the text rules compare must
    not depend on whether a document was formatted.
    """
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


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


def text_position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of an offset, with the line breaks ``split_lines`` knows.

    Parsers count lines their own way (json only "\\n", YAML also "\\x85" and
    "\\u2028"); every error position goes through here so it names a line
    of ``Document.lines``.
    """
    offset = max(0, min(offset, len(text)))
    line, start = 1, 0
    for match in _NEWLINE.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    if offset == start == len(text) and line > 1:
        # Just past the final line break: Document.lines has no such line.
        lines = split_lines(text)
        return len(lines), len(lines[-1]) + 1
    return line, offset - start + 1


def decode(data: bytes) -> tuple[str, bool] | LoadError:
    """Decode UTF-8 (BOM allowed); a failure names the first bad byte's position."""
    has_bom = data.startswith(b"\xef\xbb\xbf")
    if has_bom:
        data = data[3:]
    try:
        return data.decode("utf-8"), has_bom
    except UnicodeDecodeError as err:
        good = data[: err.start].decode("utf-8")
        line, column = text_position(data.decode("utf-8", errors="replace"), len(good))
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
    is read again from ``source`` (its ``root`` and path).
    """

    format = "text"
    _HEAVY = ("_text", "lines", "_line_starts")
    # Also left out of a cached document (the cache holds thousands; each attribute costs every
    # load): where to read its text from and how much of it (set by whoever loads it), how many
    # positions were asked.
    _UNCACHED = ("root", "read_limit", "_positions_asked")
    _text: str | None = None
    root: str | None = None  # the project's folder, for reloading the text (one string shared by all)
    read_limit = 4 * 1024 * 1024  # the most bytes a reload reads: the run's max-file-size

    def __init__(self, path: str, kind: Kind | None, text: str, has_bom: bool = False):
        self.path = path
        name = path.rsplit("/", 1)[-1]
        self.stem = name.rsplit(".", 1)[0] if "." in name else name  # the session ID, for a log
        self.kind = kind
        self._text: str | None = text
        self.has_bom = has_bom
        self.load_error: LoadError | None = None
        self.records: dict[str, Any] = {}  # extractor name -> record, filled before rules run

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._reload()
        return self._text

    @property
    def text_loaded(self) -> bool:
        """Is the text in memory? A cached or dropped document has none until something reads it."""
        return self._text is not None

    @property
    def source(self) -> str | None:
        """The file's absolute path, where it is known."""
        return None if self.root is None else os.path.join(self.root, self.path)

    def _reload(self) -> str:
        if self.root is None:
            return ""
        from .files import read_document  # through the project's boundary, as the first read

        data = read_document(self.root, self.path, self.read_limit)
        decoded = decode(data) if isinstance(data, bytes) else None
        return decoded[0] if isinstance(decoded, tuple) else ""

    def __getstate__(self) -> dict[str, Any]:
        """What the cache keeps of a document (codec.py): neither its text nor where it was read."""
        state = dict(self.__dict__)
        for key in (*self._HEAVY, *self._UNCACHED):
            state.pop(key, None)
        return state

    def drop_heavy(self) -> None:
        """Let go of the text and what is derived from it, as caching does; reread on demand."""
        for key in self._HEAVY:
            self.__dict__.pop(key, None)
        self._text = None

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
        asked = self.__dict__.get("_positions_asked", 0)
        if asked < 8 and "_line_starts" not in self.__dict__:
            # For a few positions, one count in C beats indexing every line; past that,
            # each count would read the text again, so the index is built.
            self._positions_asked = asked + 1
            text = self.text
            if "\r" not in text:
                return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def positions(self, offsets: Sequence[int]) -> list[tuple[int, int]]:
        """:meth:`position` of several offsets, counting line breaks once up to the last of them."""
        text = self.text
        if "_line_starts" in self.__dict__ or "\r" in text:
            return [self.position(offset) for offset in offsets]
        found: dict[int, tuple[int, int]] = {}
        line, at = 1, 0
        for offset in sorted(set(offsets)):
            line += text.count("\n", at, offset)
            at = offset
            found[offset] = (line, offset - text.rfind("\n", 0, offset))
        return [found[offset] for offset in offsets]

    def offset(self, line: int, column: int) -> int:
        """Character offset into ``text`` of a 1-based position."""
        return self._line_starts[line - 1] + column - 1


class FailedDocument(Document):
    """A file that could not be read, decoded or parsed: rules AL0xx report it."""

    def __init__(self, path: str, kind: Kind | None, error: LoadError, fmt: str):
        super().__init__(path, kind, "")
        self.load_error = error
        self.format = fmt


# ----------------------------------------------------------------------------
# Markdown


@lru_cache(maxsize=None)
def markdown_parser(blocks_only: bool = False):
    """The one markdown-it configuration agent-lint uses (benchmarks reuse it).

    ``blocks_only`` leaves each ``inline`` token's children unparsed: the
    document model reads them for headings and links alone, and parsing the
    inline content of every other paragraph was a third of the parse
    (:meth:`MarkdownDocument._children` parses the few it needs).
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    # commonmark keeps maxNesting at 20: deeply nested input stops nesting
    # instead of recursing, so a hostile document cannot exhaust the stack.
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    return parser.disable("inline") if blocks_only else parser


def _plain(children: Sequence[Any] | None) -> str:
    """Rendered text of inline tokens: emphasis and code markers dropped."""
    if not children:
        return ""
    parts = []
    for tok in children:
        # text_special: an escape or entity, left unjoined when the children were parsed on demand
        if tok.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append(_plain(tok.children))
    return "".join(parts).strip()


_BACKTICKS = re.compile(r"`+")
_LINK_WINDOW = 2000  # characters of link text searched for a link's destination
_CONTAINER_PREFIX = re.compile(r"^(?:[ \t>]|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))*")


class _Content:
    """The content of a token, with what maps offsets into it back to the source.

    markdown-it tokens carry only their first and last source line; the
    content itself keeps the line breaks, so an offset into it names a line
    exactly, and the line's text names the column (see ``_column``).
    """

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def _starts(self) -> list[int]:
        return [0, *(m.end() for m in re.finditer("\n", self.text))]

    def line_of(self, offset: int) -> tuple[int, int, int]:
        """(index, start, end) of the content line holding ``offset``."""
        n = bisect.bisect_right(self._starts, offset) - 1
        end = self._starts[n + 1] - 1 if n + 1 < len(self._starts) else len(self.text)
        return n, self._starts[n], end

    def line_spans(self) -> list[tuple[int, int]]:
        ends = [start - 1 for start in self._starts[1:]] + [len(self.text)]
        return list(zip(self._starts, ends))

    @cached_property
    def code_spans(self) -> list[tuple[int, int]]:
        """[start, end) of each code span, paired the CommonMark way: a run of
        backticks closes at the next run of exactly the same length."""
        text = self.text
        runs = []
        for match in _BACKTICKS.finditer(text):
            start, end = match.span()
            backslashes = 0
            while start - backslashes > 0 and text[start - backslashes - 1] == "\\":
                backslashes += 1
            runs.append((start, end, backslashes % 2))
        by_length: dict[int, list[int]] = {}
        for index, (start, end, _) in enumerate(runs):
            by_length.setdefault(end - start, []).append(index)
        spans = []
        index = 0
        while index < len(runs):
            start, end, escaped = runs[index]
            start += escaped  # an escaped backtick is literal; the rest of the run may open
            same = by_length.get(end - start, [])
            after = bisect.bisect_right(same, index)
            if end > start and after < len(same):
                closer = same[after]
                spans.append((start, runs[closer][1]))
                index = closer + 1
            else:
                index += 1
        return spans

    @cached_property
    def _span_starts(self) -> list[int]:
        return [start for start, _ in self.code_spans]

    def skip_code_span(self, cursor: int) -> int:
        """Offset just past the first code span at or after ``cursor``."""
        at = bisect.bisect_left(self._span_starts, cursor)
        return self.code_spans[at][1] if at < len(self.code_spans) else cursor

    def masked(self) -> str:
        """The text with code spans blanked out (line breaks kept)."""
        if "`" not in self.text:
            return self.text
        chars = list(self.text)
        for start, end in self.code_spans:
            for k in range(start, end):
                if chars[k] != "\n":
                    chars[k] = "\0"
        return "".join(chars)

    def find_href(self, href: str, start: int) -> int | None:
        """Offset of a link destination as written: after "](" or "<".

        The search stops a link text's length away, so that paragraphs full of
        reference links (whose destinations are elsewhere) stay linear.
        """
        if not href:
            return None
        best = None
        stop = start + _LINK_WINDOW + len(href)
        for form in {href, unquote(href)}:
            for opener in ("](", "](<", "<"):
                found = self.text.find(opener + form, start, stop)
                if found >= 0 and (best is None or found + len(opener) < best):
                    best = found + len(opener)
        return best


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
        self._body_starts: list[int] = []  # 0-based first line after each heading
        self._parse()

    # What only document rules read: a session log's lists, tables, code, metadata and links
    # become its record, and project rules read the record.
    DOCUMENT_STAGE_ONLY = ("lists", "tables", "code_blocks", "metadata_entries", "links")

    def release_document_stage(self) -> None:
        """Drop the parts only document rules read, once they have run (see pipeline)

        A later read of one is an AttributeError, never a silently empty list.
        """
        for name in self.DOCUMENT_STAGE_ONLY:
            self.__dict__.pop(name, None)

    # -- positions -----------------------------------------------------------

    def _abs(self, line0: int, col0: int = 0) -> tuple[int, int]:
        """Host position of a 0-based (line, column) of this text."""
        shift = 0
        if self._column_offsets is not None and line0 < len(self._column_offsets):
            shift = self._column_offsets[line0]
        return line0 + 1 + self._line_offset, max(1, col0 + 1 + shift)

    def _line_text(self, line0: int) -> str:
        """A source line as markdown-it sees it: NUL reads as U+FFFD (same length)."""
        lines = self.lines
        return lines[line0].replace("\0", "\ufffd") if 0 <= line0 < len(lines) else ""

    def _indent(self, line0: int) -> int:
        text = self._line_text(line0)
        return len(text) - len(text.lstrip())

    def _find(self, line0: int, needle: str) -> int:
        col = self._line_text(line0).find(needle) if needle else -1
        return col if col >= 0 else self._indent(line0)

    def _column(self, line0: int, part: str, offset: int) -> int:
        """Source column of ``offset`` into ``part``, a line of token content.

        markdown-it strips container prefixes ("> ", list indentation) and, for
        headings, the "#" markers; the content line is what remains, so it is a
        suffix of the source line (trailing blanks aside) or, for headings, a
        part of it. Its leading blanks may differ: markdown-it turns a partly
        used tab into spaces.
        """
        host = self._line_text(line0).rstrip()
        body = part.rstrip()
        if host.endswith(body):
            return len(host) - len(body) + offset
        found = host.find(body.strip()) if body.strip() else -1
        if found >= 0:
            return found + max(0, offset - (len(body) - len(body.lstrip())))
        return self._indent(line0)

    def _inline_start(self, tok: Any) -> int:
        """0-based source line where an inline token's content begins.

        markdown-it strips paragraph content with ``str.strip()``, which also
        eats leading lines holding only Unicode whitespace ("\\xa0",
        "\\u2028") that CommonMark does not call blank: skip those lines.
        """
        start, end = tok.map
        extra = (end - start) - (tok.content.count("\n") + 1)
        while extra > 0 and not _CONTAINER_PREFIX.sub("", self._line_text(start)).strip():
            start, extra = start + 1, extra - 1
        return start

    def _content_pos(self, base0: int, content: _Content, offset: int) -> tuple[int, int]:
        """0-based source (line, column) of an offset into a token's content."""
        n, start, end = content.line_of(offset)
        line0 = base0 + n
        col0 = self._column(line0, content.text[start:end], offset - start)
        return line0, min(col0, len(self._line_text(line0)))  # content may keep blanks the source lacks

    # -- parsing ---------------------------------------------------------------

    def _children(self, inline: Any, *, links_only: bool = False) -> list[Any]:
        """An ``inline`` token's children, parsed now if the block parse left them out.

        ``links_only``: the caller reads links and inline HTML alone, which
        start with "[" or "<" (linkify is off): content with neither has none.
        """
        if not inline.children:  # block rules leave an empty list; content always gives a child
            if links_only and "[" not in inline.content and "<" not in inline.content:
                return []
            parser = markdown_parser(blocks_only=True)
            parser.inline.parse(inline.content, parser, self._env, inline.children)
        return inline.children

    def _parse(self) -> None:
        self._env: dict[str, Any] = {}  # the block parse's link reference definitions, for _children
        tokens = markdown_parser(blocks_only=True).parse(self.text, self._env)
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
                list_stack.append(
                    {"ordered": ttype == "ordered_list_open", "line0": tok.map[0], "col0": None,
                     "items": [], "depth": len(list_stack)}
                )
            elif ttype in ("bullet_list_close", "ordered_list_close"):
                info = list_stack.pop()
                col0 = info["col0"] if info["col0"] is not None else self._indent(info["line0"])
                line, col = self._abs(info["line0"], col0)
                self.lists.append(
                    ListBlock(info["ordered"], line, col, info["depth"], tuple(info["items"]), self.section_at(line))
                )
            elif ttype == "list_item_open":
                marker = tok.info + tok.markup if tok.info else tok.markup
                col0 = self._marker_column(tok.map[0], marker, item_stack)
                if list_stack[-1]["col0"] is None:
                    list_stack[-1]["col0"] = col0
                item_stack.append({"token": tok, "marker": marker, "col0": col0, "seen_inline": False})
            elif ttype == "list_item_close":
                item = item_stack.pop()
                if not item["seen_inline"]:
                    # An empty item, or one opening with a fence: still an item of its list.
                    line0 = item["token"].map[0]
                    col0 = min(item["col0"] + len(item["marker"]) + 1, len(self._line_text(line0)))
                    line, col = self._abs(line0, col0)
                    list_stack[-1]["items"].append(ListItem("", line, col, None, item["marker"]))
            elif ttype == "inline":
                if item_stack and not item_stack[-1]["seen_inline"] and tok.level == item_stack[-1]["token"].level + 2:
                    item_stack[-1]["seen_inline"] = True
                    list_stack[-1]["items"].append(self._list_item(tok, item_stack[-1]["marker"]))
                if table is not None:
                    table["cells"].append(unescape(tok.content.strip()))
                self._scan_inline(tok, in_list=bool(item_stack), in_table=table is not None)
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
                line, col = self._abs(start, self._find(start, "|"))
                self.tables.append(
                    Table(table["header"] or (), tuple(table["rows"]), line, col, self.section_at(line))
                )
                table = None
            elif ttype in ("fence", "code_block"):
                start, end = tok.map
                col0 = self._find(start, tok.markup) if ttype == "fence" else self._indent(start)
                line, col = self._abs(start, col0)
                self.code_blocks.append(
                    CodeBlock(
                        tok.info.strip().split(" ")[0].lower() if tok.info else "",
                        tok.content, line, self._abs(max(start, end - 1))[0], col,
                        self.section_at(line), ttype == "fence",
                    )
                )
            elif ttype == "html_block":
                self._scan_suppressions(tok.map[0], _Content(tok.content), 0, len(tok.content))
            elif ttype == "front_matter":
                self.front_matter_text = tok.content
                self.front_matter_line = self._abs(0)[0]
            i += 1
        for index in open_sections:
            self._close_section(index, n_lines + self._line_offset)
        self.line_count = n_lines
        del self._env

    def _marker_column(self, line0: int, marker: str, item_stack: list[dict[str, Any]]) -> int:
        """0-based column of a list item's marker ("- x", "> 1. x", "- - x")."""
        start = 0
        # A list nested on its parent item's line ("- - x") starts after that marker.
        if item_stack and item_stack[-1]["token"].map[0] == line0:
            start = item_stack[-1]["col0"] + len(item_stack[-1]["marker"])
        found = self._line_text(line0).find(marker, start)
        return found if found >= 0 else self._indent(line0)

    def _open_heading(self, tok: Any, inline: Any, open_sections: list[int]) -> None:
        level = int(tok.tag[1])
        start, end = tok.map
        line, col = self._abs(start, self._indent(start))
        while open_sections and self.sections[open_sections[-1]].level >= level:
            self._close_section(open_sections.pop(), line - 1)
        title = _plain(self._children(inline))
        number = None
        match = _NUMBERED.match(title)
        if match:
            number, title = match.group("number"), match.group("title").strip()
        parent = open_sections[-1] if open_sections else None
        self.sections.append(Section(level, title, number, line, col, line, parent))
        self._heading_lines.append(line)
        self._body_starts.append(end)  # a setext heading's underline is no body
        open_sections.append(len(self.sections) - 1)

    def _close_section(self, index: int, end_line: int) -> None:
        sec = self.sections[index]
        self.sections[index] = Section(
            sec.level, sec.title, sec.number, sec.line, sec.column, max(sec.line, end_line), sec.parent
        )

    def _list_item(self, inline: Any, marker: str) -> ListItem:
        line0 = self._inline_start(inline)
        content = inline.content
        task = _TASK.match(content)
        if task:
            checkbox = content[:3]
            text = content[task.end():]
            checked: bool | None = task.group("mark") != " "
        else:
            checkbox, checked, text = None, None, content
        line, col = self._abs(*self._content_pos(line0, _Content(content), 0))
        return ListItem(unescape(" ".join(text.split())), line, col, checked, marker, checkbox)

    def _scan_inline(self, tok: Any, in_list: bool, in_table: bool = False) -> None:
        if tok.map is None:
            return
        base = self._inline_start(tok)
        content = _Content(tok.content)
        # A table cell is no line of its own: "| **Step**: x |" is a cell, not metadata.
        if "**" in content.text and not in_table:
            self._scan_metadata(base, content, in_list)
        children = self._children(tok, links_only=True)
        if not any(child.type in ("link_open", "html_inline") for child in children):
            return
        # Inline children carry no positions: follow them through the source
        # with a cursor that moves past line breaks, code spans and raw HTML,
        # whose extent in the source is known exactly.
        cursor = 0
        link_from = 0
        link: dict[str, Any] | None = None
        for child in children:
            ctype = child.type
            if ctype in ("softbreak", "hardbreak"):
                found = content.text.find("\n", cursor)
                cursor = found + 1 if found >= 0 else cursor
            elif ctype == "code_inline":
                cursor = content.skip_code_span(cursor)
            elif ctype == "html_inline":
                found = content.text.find(child.content, cursor)
                if found >= 0:
                    cursor = found + len(child.content)
                    if "agent-lint-" in child.content:
                        self._scan_suppressions(base, content, found, cursor)
            elif ctype == "link_open":
                href = str(child.attrs.get("href", ""))
                at = content.find_href(href, max(cursor, link_from))
                if at is None:
                    at = cursor
                else:
                    link_from = at + 1
                link = {"href": href, "offset": at, "parts": []}
            elif ctype == "link_close" and link is not None:
                line, col = self._abs(*self._content_pos(base, content, link["offset"]))
                self.links.append(Link(link["href"], _plain(link["parts"]), line, col))
                link = None
            if link is not None and ctype != "link_open":
                link["parts"].append(child)

    def _scan_metadata(self, base: int, content: _Content, in_list: bool) -> None:
        """``**Key**: value`` lines of a paragraph, outside code spans."""
        masked = None
        for start, end in content.line_spans():
            if not content.text[start:end].lstrip().startswith("**"):
                continue
            masked = masked if masked is not None else content.masked()
            line = masked[start:end]
            lead = len(line) - len(line.lstrip())
            match = _METADATA.match(line[lead:].rstrip())
            if not match:
                continue
            origin = start + lead
            key = content.text[origin + match.start("key"): origin + match.end("key")]
            raw_value = content.text[origin + match.start("value"): origin + match.end("value")]
            value = raw_value.strip()
            line0, col0 = self._content_pos(base, content, origin)
            value_offset = origin + match.start("value") + (len(raw_value) - len(raw_value.lstrip()))
            value_col = self._content_pos(base, content, value_offset)[1] if value else col0
            line, col = self._abs(line0, col0)
            self.metadata_entries.append(
                Metadata(unescape(key.strip()), unescape(value), line, col, self._abs(line0, value_col)[1], self.section_at(line), in_list)
            )

    def _scan_suppressions(self, base: int, content: _Content, start: int, end: int) -> None:
        if "agent-lint-" not in content.text[start:end]:
            return
        for match in _SUPPRESSION.finditer(content.text, start, end):
            codes = tuple(c for c in re.split(r"[\s,]+", match.group("codes").strip()) if c)
            line, col = self._abs(*self._content_pos(base, content, match.start()))
            end0 = self._content_pos(base, content, match.end() - 1)[0]
            end_line = self._abs(end0)[0]
            target = 0
            if match.group("action") == "disable-next-line":
                after = end0 + 1
                while after < len(self.lines) and not self.lines[after].strip():
                    after += 1
                target = self._abs(after)[0]
            self.suppressions.append(Suppression(
                match.group("action"), codes, line, col, end_line if end_line != line else None, target
            ))

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
        """The source lines under a heading (not the heading), subsections included."""
        sec = self.sections[index]
        last = sec.end_line - self._line_offset
        return "\n".join(self.lines[self._body_starts[index]:last])

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
            value = yaml.load(self.front_matter_text, Loader=_front_matter_loader())  # noqa: S506 - safe, no aliases
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
            index = mark.index if mark else getattr(err, "position", 0)  # ReaderError has a position
            line, column = text_position(self.front_matter_text, index)
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            return {}, LoadError("front-matter", f"invalid YAML front matter: {problem}",
                                 self.front_matter_line + line, column)
        except RecursionError:
            return {}, LoadError("front-matter", "invalid YAML front matter: nested too deeply to parse",
                                 self.front_matter_line + 1, 1)
        except Exception as err:  # noqa: BLE001 - YAML constructors leak ValueError and others
            # e.g. "date: 2024-13-45" parses, then datetime.date() refuses it.
            return {}, LoadError("front-matter", f"invalid YAML front matter: a value cannot be read ({err})",
                                 self.front_matter_line + 1, 1)
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
            host = self._line_text(content_line0 + n).rstrip()
            body = text.rstrip()
            # Where the text sits in its source line; the leading blanks may be a
            # tab that markdown-it turned into spaces, so the shift can be negative.
            own = len(host) - len(body) if host.endswith(body.lstrip()) else 0
            # A fence inside an embedded document: add that document's own shift.
            offsets.append(own + self._abs(content_line0 + n)[1] - 1)
        return MarkdownDocument(
            self.path, self.kind, block.content,
            line_offset=block.line, column_offsets=offsets,
        )

    def fenced_checklists(self) -> Iterator[tuple[CodeBlock, ListBlock]]:
        """Task lists written inside Markdown fences, at host positions.

        Their ``section`` is the host section holding the fence: an index into
        the embedded document's own headings would mean nothing to a caller.
        """
        for block in self.code_blocks:
            if block.fenced and block.info in ("", "markdown", "md", "gfm"):
                if "[" in block.content:
                    for checklist in self.embedded(block).checklists:
                        yield block, checklist._replace(section=block.section)


@lru_cache(maxsize=None)
def _front_matter_loader() -> Any:
    """YAML's safe loader, refusing aliases (``*name``).

    An alias shares a value, so nine of them nine deep (a "billion laughs")
    are a few lines that every reader of the value (the schema, a message
    quoting it) walks a billion times, and ``&a [*a]`` is a list inside
    itself; no agent document needs one.
    """
    import yaml

    class NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"aliases are not allowed (found *{event.anchor})", event.start_mark)
            return super().compose_node(parent, index)

    return NoAliases


# ----------------------------------------------------------------------------
# JSON


_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: no alternation per character
_STRUCTURE = re.compile(r'["\[\]{}]')
_SCALAR = re.compile(r"[^,\]\}\s]+")
_LONG_NUMBER = re.compile(r"-?\d{4000,}")


class JsonDocument(Document):
    format = "json"
    _HEAVY = Document._HEAVY + ("_data", "_members")

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
        findings, not for every document; each container on a path is scanned
        once however many findings point into it (an array of 300,000 invalid
        items costs one pass, not one per item). Duplicate keys resolve to
        the last, as ``json.loads`` does. A step that names nothing stops the
        walk at the deepest value found. Steps compare as text, so a JSON
        pointer's "0" finds an array's first item.
        """
        return self.position(self._walk(_WS.match(self.text, 0).end(), pointer))

    def _walk(self, pos: int, pointer: Sequence[str | int]) -> int:
        """Offset of the value at ``pointer`` below the value at ``pos`` (see locate)."""
        text = self.text
        scanned = self.__dict__.setdefault("_members", {})  # container offset -> _Members
        for step in pointer:
            if pos >= len(text) or text[pos] not in "{[":
                break
            members = scanned.get(pos)
            if members is None:
                members = scanned[pos] = _Members(text, pos)
            found = members.get(str(step))
            if found is None:
                break
            pos = found
        return pos

    def locate_members(self, paths: Sequence[Sequence[str | int]]) -> list[tuple[int, int]]:
        """``locate`` of paths into the top-level object, reading it only as far as they need.

        ``locate`` reads a whole object before answering, because a key
        written twice resolves to its last value. A log's protocol fields
        come before its long work log, so here the object is read only up to
        the last member asked for; a value that is not the one ``data``
        holds for its key (a key written again later) is looked up by
        ``locate`` after all.
        """
        text, data = self.text, self.data
        start = _WS.match(text, 0).end()
        if not isinstance(data, dict) or start >= len(text) or text[start] != "{":
            return [self.locate(path) for path in paths]
        wanted = {str(path[0]) for path in paths if path}
        head = _head(text, start, set(wanted))
        for key, top in list(head.items()):
            if key not in wanted:
                continue
            try:
                if _SCAN_ONCE(text, top)[0] != data.get(key):
                    del head[key]
            except (ValueError, StopIteration, RecursionError):
                del head[key]
        offsets = []
        for path in paths:
            top = head.get(str(path[0])) if path else None
            if top is None:
                offsets.append(self._walk(start, path))
            else:
                offsets.append(self._walk(top, path[1:]) if len(path) > 1 else top)
        return self.positions(offsets)


# One member of an object up to its value, and a plain value with what follows it up to the next member.
_KEY = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\r\n]*:[ \t\r\n]*')
_PLAIN = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[-+0-9.eE]+|true|false|null)[ \t\r\n]*(?:,[ \t\r\n]*)?')


def _head(text: str, opener: int, wanted: set[str]) -> dict[str, int]:
    """Offsets of the values of the first members of the object at ``opener``, up to the last wanted key."""
    found: dict[str, int] = {}
    pos = _WS.match(text, opener + 1).end()
    while wanted:
        member = _KEY.match(text, pos)
        if member is None:
            break
        key = member.group(1)
        key = json.loads(f'"{key}"') if "\\" in key else key
        pos = member.end()
        found[key] = pos
        wanted.discard(key)
        plain = _PLAIN.match(text, pos)
        if plain is not None:
            pos = plain.end()
        else:
            pos = _WS.match(text, _skip_value(text, pos)).end()
            if text.startswith(",", pos):
                pos = _WS.match(text, pos + 1).end()
    return found


class _Members:
    """Where the members of one JSON container start, read as far as a lookup needs.

    A member's value is skipped only when a later member is asked for: an
    array's first item is found without reading past it, so a path down
    50,000 nested arrays costs one pass, not one per level.
    """

    __slots__ = ("text", "is_object", "found", "next", "unskipped", "count")

    def __init__(self, text: str, opener: int):
        self.text = text
        self.is_object = text[opener] == "{"
        self.found: dict[str, int] = {}  # key, or index as text -> offset of the value
        self.next: int | None = _WS.match(text, opener + 1).end()  # None: read to the end
        self.unskipped = False  # next is the start of the last value found, not yet skipped
        self.count = 0

    def get(self, step: str) -> int | None:
        # An object is read whole before answering: its last duplicate key wins.
        while self.next is not None and (self.is_object or step not in self.found):
            self._read_one()
        return self.found.get(step)

    def _read_one(self) -> None:
        text, pos = self.text, self.next
        assert pos is not None
        if self.unskipped:
            pos = _WS.match(text, _skip_value(text, pos)).end()
            if pos < len(text) and text[pos] == ",":
                pos = _WS.match(text, pos + 1).end()
            self.unskipped = False
        if pos >= len(text) or text[pos] in "}]":
            self.next = None
            return
        if self.is_object:
            key_match = _STRING.match(text, pos)
            if key_match is None:
                self.next = None
                return
            key = key_match.group()
            key = json.loads(key) if "\\" in key else key[1:-1]  # escapes are rare in keys
            pos = _WS.match(text, key_match.end()).end() + 1  # past ':'
            pos = _WS.match(text, pos).end()
            self.found[key] = pos
        else:
            self.found[str(self.count)] = pos
            self.count += 1
        self.next, self.unskipped = pos, True


_SCAN_ONCE = json.scanner.make_scanner(json.JSONDecoder())


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
    try:
        # json's C scanner reads a container several times faster than the loop below;
        # the loop is left for what it refuses (nesting deeper than the recursion limit).
        return _SCAN_ONCE(text, pos)[1]
    except (RecursionError, ValueError, StopIteration):
        pass
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


def document_format(path: str) -> str:
    return "json" if path.lower().endswith(".json") else "markdown"


def too_large(path: str, kind: Kind | None, size: int, max_bytes: int) -> FailedDocument:
    """A document over the size limit (AL004), which is not parsed."""
    error = LoadError("too-large", f"file is {size:,} bytes, over the limit of {max_bytes:,}")
    return FailedDocument(path, kind, error, document_format(path))


def parse_document(path: str, kind: Kind | None, data: bytes, *, max_bytes: int | None = None) -> Document:
    """Turn a file's bytes into a model, or a FailedDocument saying why not."""
    fmt = document_format(path)
    if max_bytes is not None and len(data) > max_bytes:
        return too_large(path, kind, len(data), max_bytes)
    decoded = decode(data)
    if isinstance(decoded, LoadError):
        return FailedDocument(path, kind, decoded, fmt)
    text, has_bom = decoded
    if fmt == "json":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            line, column = text_position(text, err.pos)
            return FailedDocument(path, kind, LoadError("json", f"invalid JSON: {err.msg}", line, column), fmt)
        except RecursionError:
            return FailedDocument(path, kind, LoadError("json", "invalid JSON: nested too deeply to parse"), fmt)
        except ValueError:
            # Valid JSON that Python refuses: an integer over sys.get_int_max_str_digits().
            long_number = _LONG_NUMBER.search(text)
            line, column = text_position(text, long_number.start()) if long_number else (1, 1)
            return FailedDocument(path, kind, LoadError("json", "invalid JSON: number too long to read", line, column), fmt)
        return JsonDocument(path, kind, text, value, has_bom)
    return MarkdownDocument(path, kind, text, has_bom)
