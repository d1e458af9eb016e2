"""Markdown documents: markdown-it-py's token stream made into the model rules query.

A Markdown file is parsed once, blocks only, into a light model (the
heading tree, lists and checklists, tables, fenced code, front matter,
``**Key**: value`` metadata, suppression comments) in one pass over the
tokens. Inline content is parsed only where the model reads it: a heading
whose title holds markup, a paragraph with a suppression comment in it, and
the links, which are found when first asked for (no rule of a check reads
them, so a check parses no paragraph for them).

markdown-it's 0-based ``token.map`` is converted here and nowhere else.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property, lru_cache
from typing import Any, NamedTuple, Sequence
from urllib.parse import unquote

from ..model import Kind
from .text import Document, LoadError, normalize_key, split_lines, text_position, unescape

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



@lru_cache(maxsize=None)
def markdown_parser(blocks_only: bool = False):
    """The one markdown-it configuration agent-lint uses (benchmarks reuse it).

    ``blocks_only`` leaves each ``inline`` token's children unparsed: the
    document model reads them for headings and links alone, so the inline
    content of every other paragraph is never parsed
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
# Inline content that markdown-it renders as itself: no character where an inline rule of the
# commonmark preset (escapes, code, emphasis, strikethrough, links, images, HTML, entities) starts.
_PLAIN_TEXT = re.compile(r"[^\\`*_~\[\]!<&\n]*")
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
        self.suppressions: list[Suppression] = []
        self.front_matter_text: str | None = None
        self.front_matter_line = 0
        self._heading_lines: list[int] = []
        self._body_starts: list[int] = []  # 0-based first line after each heading
        self._parse()

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

    def _children(self, inline: Any) -> list[Any]:
        """An ``inline`` token's children, parsed now if the block parse left them out."""
        if not inline.children:  # block rules leave an empty list; content always gives a child
            parser = markdown_parser(blocks_only=True)
            parser.inline.parse(inline.content, parser, self._env, inline.children)
        return inline.children

    def _parse(self) -> None:
        self._env: dict[str, Any] = {}  # the block parse's link reference definitions, for _children
        self._linked: list[Any] = []  # inline tokens that may hold a link ("[" or "<"), for ``links``
        tokens = markdown_parser(blocks_only=True).parse(self.text, self._env)
        walk = _Walk(self, tokens)
        for index, tok in enumerate(tokens):
            handler = _HANDLERS.get(tok.type)
            if handler is not None:
                handler(walk, tok, index)
        n_lines = len(self.lines)
        for index in walk.open_sections:
            self._close_section(index, n_lines + self._line_offset)
        self.line_count = n_lines

    @cached_property
    def links(self) -> list[Link]:
        """Every link, with where its destination is written (inline content parsed now, once)."""
        links: list[Link] = []
        for tok in self._linked:
            self._follow_children(tok, links=links)
        self._linked = []
        return links

    def _marker_column(self, line0: int, marker: str, items: list[_Item]) -> int:
        """0-based column of a list item's marker ("- x", "> 1. x", "- - x")."""
        start = 0
        # A list nested on its parent item's line ("- - x") starts after that marker.
        if items and items[-1].token.map[0] == line0:
            start = items[-1].col0 + len(items[-1].marker)
        found = self._line_text(line0).find(marker, start)
        return found if found >= 0 else self._indent(line0)

    def _open_heading(self, tok: Any, inline: Any, open_sections: list[int]) -> None:
        level = int(tok.tag[1])
        start, end = tok.map
        line, col = self._abs(start, self._indent(start))
        while open_sections and self.sections[open_sections[-1]].level >= level:
            self._close_section(open_sections.pop(), line - 1)
        content = inline.content
        # Text with no character an inline rule starts at is its own rendering (a heading has one line).
        title = content.strip() if _PLAIN_TEXT.fullmatch(content) else _plain(self._children(inline))
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
        content = tok.content
        # A table cell is no line of its own: "| **Step**: x |" is a cell, not metadata.
        if "**" in content and not in_table:
            self._scan_metadata(self._inline_start(tok), _Content(content), in_list)
        if "agent-lint-" in content and "<" in content:
            self._follow_children(tok, suppressions=True)
        if "[" in content or "<" in content:  # (linkify is off: a link starts with one of them)
            self._linked.append(tok)

    def _follow_children(self, tok: Any, *, links: list[Link] | None = None, suppressions: bool = False) -> None:
        """The links (into ``links``) or the suppression comments of an inline token's content.

        Inline children carry no positions: follow them through the source
        with a cursor that moves past line breaks, code spans and raw HTML,
        whose extent in the source is known exactly.
        """
        children = self._children(tok)
        if not any(child.type in ("link_open", "html_inline") for child in children):
            return
        base = self._inline_start(tok)
        content = _Content(tok.content)
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
                    if suppressions and "agent-lint-" in child.content:
                        self._scan_suppressions(base, content, found, cursor)
            elif links is None:
                continue
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
                links.append(Link(link["href"], _plain(link["parts"]), line, col))
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


class _List:
    """A list being read: its items so far, where it starts."""

    __slots__ = ("ordered", "line0", "col0", "items", "depth")

    def __init__(self, ordered: bool, line0: int, depth: int):
        self.ordered, self.line0, self.col0, self.depth = ordered, line0, None, depth
        self.items: list[ListItem] = []


class _Item:
    """A list item being read: its token, marker, column, and whether its first paragraph was met."""

    __slots__ = ("token", "marker", "col0", "seen_inline")

    def __init__(self, token: Any, marker: str, col0: int):
        self.token, self.marker, self.col0, self.seen_inline = token, marker, col0, False


class _Table:
    """A table being read: its header, its rows, the cells of the current row."""

    __slots__ = ("token", "header", "rows", "cells", "row_line")

    def __init__(self, token: Any):
        self.token, self.header, self.row_line = token, None, None
        self.rows: list[TableRow] = []
        self.cells: list[str] = []


class _Walk:
    """One pass over a document's tokens: each token type has a handler (see ``_HANDLERS``)."""

    def __init__(self, doc: MarkdownDocument, tokens: list[Any]):
        self.doc, self.tokens = doc, tokens
        self.open_sections: list[int] = []
        self.lists: list[_List] = []
        self.items: list[_Item] = []
        self.table: _Table | None = None

    def heading_open(self, tok: Any, index: int) -> None:
        self.doc._open_heading(tok, self.tokens[index + 1], self.open_sections)

    def list_open(self, tok: Any, index: int) -> None:
        self.lists.append(_List(tok.type == "ordered_list_open", tok.map[0], len(self.lists)))

    def list_close(self, tok: Any, index: int) -> None:
        doc, block = self.doc, self.lists.pop()
        col0 = block.col0 if block.col0 is not None else doc._indent(block.line0)
        line, col = doc._abs(block.line0, col0)
        doc.lists.append(ListBlock(block.ordered, line, col, block.depth, tuple(block.items), doc.section_at(line)))

    def item_open(self, tok: Any, index: int) -> None:
        marker = tok.info + tok.markup if tok.info else tok.markup
        col0 = self.doc._marker_column(tok.map[0], marker, self.items)
        if self.lists[-1].col0 is None:
            self.lists[-1].col0 = col0
        self.items.append(_Item(tok, marker, col0))

    def item_close(self, tok: Any, index: int) -> None:
        doc, item = self.doc, self.items.pop()
        if not item.seen_inline:
            # An empty item, or one opening with a fence: still an item of its list.
            line0 = item.token.map[0]
            col0 = min(item.col0 + len(item.marker) + 1, len(doc._line_text(line0)))
            line, col = doc._abs(line0, col0)
            self.lists[-1].items.append(ListItem("", line, col, None, item.marker))

    def inline(self, tok: Any, index: int) -> None:
        items = self.items
        if items and not items[-1].seen_inline and tok.level == items[-1].token.level + 2:
            items[-1].seen_inline = True
            self.lists[-1].items.append(self.doc._list_item(tok, items[-1].marker))
        if self.table is not None:
            self.table.cells.append(unescape(tok.content.strip()))
        self.doc._scan_inline(tok, in_list=bool(items), in_table=self.table is not None)

    def table_open(self, tok: Any, index: int) -> None:
        self.table = _Table(tok)

    def row_open(self, tok: Any, index: int) -> None:
        if self.table is not None:
            self.table.cells = []
            self.table.row_line = tok.map[0] if tok.map else None

    def row_close(self, tok: Any, index: int) -> None:
        table = self.table
        if table is None:
            return
        if table.header is None:
            table.header = tuple(table.cells)
        else:
            line = self.doc._abs(table.row_line)[0] if table.row_line is not None else 0
            table.rows.append(TableRow(tuple(table.cells), line))

    def table_close(self, tok: Any, index: int) -> None:
        doc, table = self.doc, self.table
        if table is None:
            return
        start = table.token.map[0]
        line, col = doc._abs(start, doc._find(start, "|"))
        doc.tables.append(Table(table.header or (), tuple(table.rows), line, col, doc.section_at(line)))
        self.table = None

    def code(self, tok: Any, index: int) -> None:
        doc = self.doc
        start, end = tok.map
        fenced = tok.type == "fence"
        col0 = doc._find(start, tok.markup) if fenced else doc._indent(start)
        line, col = doc._abs(start, col0)
        info = tok.info.strip().split(" ")[0].lower() if tok.info else ""
        doc.code_blocks.append(CodeBlock(info, tok.content, line, doc._abs(max(start, end - 1))[0], col,
                                         doc.section_at(line), fenced))

    def html_block(self, tok: Any, index: int) -> None:
        self.doc._scan_suppressions(tok.map[0], _Content(tok.content), 0, len(tok.content))

    def front_matter(self, tok: Any, index: int) -> None:
        self.doc.front_matter_text = tok.content
        self.doc.front_matter_line = self.doc._abs(0)[0]


# What each token type adds to the model; tokens of other types add nothing.
_HANDLERS = {
    "heading_open": _Walk.heading_open,
    "bullet_list_open": _Walk.list_open,
    "ordered_list_open": _Walk.list_open,
    "bullet_list_close": _Walk.list_close,
    "ordered_list_close": _Walk.list_close,
    "list_item_open": _Walk.item_open,
    "list_item_close": _Walk.item_close,
    "inline": _Walk.inline,
    "table_open": _Walk.table_open,
    "tr_open": _Walk.row_open,
    "tr_close": _Walk.row_close,
    "table_close": _Walk.table_close,
    "fence": _Walk.code,
    "code_block": _Walk.code,
    "html_block": _Walk.html_block,
    "front_matter": _Walk.front_matter,
}


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
