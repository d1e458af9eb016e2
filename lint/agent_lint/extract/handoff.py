"""A HANDOFF document's view (views.Handoff): its sections, batch entries, size and references.

``Handoff.data`` is what ``schemas/handoff.schema.json`` validates: the
level-2 section titles, one entry per level-3 heading under ``## Session
History`` (``id`` from the heading, ``sessions`` from the ``**Sessions**:``
line, ``summary`` from ``**Summary**:``), and the size in bytes.
``positions`` maps JSON paths of ``data`` to where they were written.

Beside the data: every session reference (an ID on a Sessions line, or a
link to a ``.md`` / ``.json`` file) and every template placeholder outside
code, each with its position. Which links lead into the session-log folders
is for the rules to decide, since that depends on the config.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

from ..document import Document, MarkdownDocument, normalize_key
from ..views import Handoff, HandoffEntry, Heading, Placeholder, SessionRef

_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<href>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_INLINE_CODE = re.compile(r"(`+)(?:.+?)\1")
# A TODO is a word of prose: not part of a file name or path (modernize-TODO.md, docs/TODO).
_PLACEHOLDER = re.compile(r"\{[A-Za-z_.][^{}\n]{0,60}\}|(?<![\w./\\-])TODO(?![\w/\\-]|\.\w)")
# Where a placeholder is no text of the document: link targets, autolinks, bare URLs, and
# TeX math, whose braces group ($[t - 1.0\text{s}, t]$).
_ADDRESSES = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<[a-z][\w+.-]*:[^>\s]*>|\b[a-z][\w+.-]*://\S+"
                        r"|\$\$?(?=[^$\n]*\\[A-Za-z])[^$\n]+?\$\$?", re.I)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s")
_WORD = re.compile(r"[^\W_]")
# A code span holding one path to a Markdown or JSON file: how many HANDOFFs cite a session log.
_CODE_PATH = re.compile(r"(?<!`)`(?P<path>[^`\s]+\.(?:md|json))`(?!`)", re.I)
_HISTORY = "session history"
_QUALIFIER = re.compile(r"\s+\([^()]*\)$")


def view(doc: Document) -> Handoff:
    """The HANDOFF's view (see the module docstring)."""
    size = len(doc.text.encode("utf-8")) + (3 if doc.has_bom else 0)
    positions: dict[tuple[Any, ...], tuple[int, int]] = {(): (1, 1), ("bytes",): (1, 1), ("sections",): (1, 1)}
    if not isinstance(doc, MarkdownDocument):
        return Handoff(doc.path, (), (), size, len(doc.lines), (), (), (), positions)
    entries, refs = _history(doc, positions)
    refs += _file_refs(doc, {(r.line, r.column) for r in refs})
    return Handoff(
        doc.path, tuple(_without_qualifier(s.title) for s in doc.sections if s.level == 2), tuple(entries), size,
        len(doc.lines),
        tuple(refs), tuple(_placeholders(doc)),
        tuple(Heading(s.title, s.line, s.column) for s in doc.sections if s.level == 3), positions,
    )


def _history(doc: MarkdownDocument, positions: dict) -> tuple[list[HandoffEntry], list[SessionRef]]:
    """The entries under ``## Session History`` and the sessions their Sessions lines name."""
    entries: list[HandoffEntry] = []
    refs: list[SessionRef] = []
    for index, section in enumerate(doc.sections):
        if section.level != 2 or normalize_key(_without_qualifier(section.title)) != _HISTORY:
            continue
        for child in doc.subsections(index):
            refs.extend(_entry(doc, child, entries, positions))
    return entries, refs


def _file_refs(doc: MarkdownDocument, seen: set[tuple[int, int]]) -> list[SessionRef]:
    """Links to ``.md`` / ``.json`` files, then code spans holding one such path (outside code blocks), line by
    line, except where ``seen`` has a reference already."""
    refs: list[SessionRef] = []
    fenced = _fenced_lines(doc)
    for line_no, text in enumerate(doc.lines, start=1):
        for match in _LINK.finditer(text):
            href = match.group("href").split("#", 1)[0]
            if href.lower().endswith((".md", ".json")) and "://" not in href and (line_no, match.start() + 1) not in seen:
                refs.append(SessionRef(match.group("text").strip("` "), href, line_no, match.start() + 1, None))
        if line_no in fenced or "`" not in text:
            continue
        for match in _CODE_PATH.finditer(text):
            column = match.start("path") + 1
            if (line_no, column) not in seen and "://" not in match.group("path"):
                refs.append(SessionRef(match.group("path"), match.group("path"), line_no, column, None, True))
    return refs


def _without_qualifier(title: str) -> str:
    """A section title without a qualifier in parentheses: ``Next Steps (priority order)`` is ``Next Steps``."""
    return _QUALIFIER.sub("", title) or title


def _entry(doc: MarkdownDocument, index: int, entries: list[HandoffEntry], positions: dict) -> list[SessionRef]:
    section = doc.sections[index]
    n = len(entries)
    ident = section.title.strip("` ")
    summary: str | None = None
    sessions: list[str] | None = None
    positions[("entries", n)] = positions[("entries", n, "id")] = (section.line, section.column)
    refs: list[SessionRef] = []
    for meta in doc.metadata_entries:
        if not section.line <= meta.line <= section.end_line:
            continue
        key = normalize_key(meta.key)
        if key == "summary" and summary is None:
            summary = meta.value
            positions[("entries", n, "summary")] = (meta.line, meta.value_column)
        elif key == "sessions" and sessions is None:
            sessions = []
            positions[("entries", n, "sessions")] = (meta.line, meta.value_column)
            text = doc.lines[meta.line - 1]
            for part in split_parts(meta.value):
                link = _LINK.fullmatch(part)
                session = (link.group("text") if link else part).strip("` ")
                column = text.find(part, meta.value_column - 1) + 1 or meta.value_column
                positions[("entries", n, "sessions", len(sessions))] = (meta.line, column)
                sessions.append(session)
                refs.append(SessionRef(session, link.group("href").split("#", 1)[0] if link else None, meta.line,
                                       column, n))
    entries.append(HandoffEntry(ident, None if sessions is None else tuple(sessions), summary))
    return refs


def split_parts(value: str) -> list[str]:
    """Comma-separated parts, without splitting inside a link's brackets."""
    parts, depth, current = [], 0, ""
    for char in value:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def _fenced_lines(doc: MarkdownDocument) -> set[int]:
    """Lines of code blocks and front matter: text that is not prose."""
    in_code = set()
    for block in doc.code_blocks:
        in_code.update(range(block.line, block.end_line + 1))
    if doc.front_matter_text is not None:
        in_code.update(range(1, doc.front_matter_text.count("\n") + 3))
    return in_code


def _placeholders(doc: MarkdownDocument) -> list[Placeholder]:
    """Template placeholders in prose: examples in code are meant literally, addresses are not text."""
    in_code = _fenced_lines(doc)
    found = []
    in_comment = False
    for line_no, text in enumerate(doc.lines, start=1):
        if line_no in in_code:
            continue
        visible, in_comment = _outside_comments(text, in_comment)
        visible = _INLINE_CODE.sub(lambda m: " " * len(m.group()), visible)
        visible = _ADDRESSES.sub(lambda m: " " * len(m.group()), visible)
        for match in _PLACEHOLDER.finditer(visible):
            if match.group() != "TODO" or _marker(visible, match.start(), match.end()):
                found.append(Placeholder(match.group(), line_no, match.start() + 1))
    return found


def _marker(line: str, start: int, end: int) -> bool:
    """Is the TODO at line[start:end] a marker of text still to write, not a word naming something?

    A marker is ``TODO:`` or ``TODO(who)``, or a TODO standing alone in its
    line, table cell, metadata value or brackets (``- TODO``, ``| TODO |``,
    ``**Summary**: TODO``, ``(TODO)``). In a sentence or a heading it names a
    to-do list ("HANDOFF / TODO lag", "TODO = checkboxes only", ``# TODO — open
    items``).
    """
    if line[end:end + 1] == "(" or line[end:].lstrip().startswith(":"):
        return True
    if _HEADING.match(line):
        return False
    left, right = line.rfind("|", 0, start), line.find("|", end)
    before, after = line[left + 1:start], line[end:right if right >= 0 else len(line)]
    if re.search(r"[(\[]\W*$", before) and re.match(r"\W*[)\]]", after):
        return True
    before = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?", "", before).rpartition(":")[2]
    return not _WORD.search(before) and not _WORD.search(after)


def _outside_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    """The line with HTML comment text blanked out (columns kept), and whether a comment stays open."""
    out, pos = [], 0
    while pos < len(text):
        if in_comment:
            end = text.find("-->", pos)
            stop = len(text) if end < 0 else end + 3
            out.append(" " * (stop - pos))
            pos, in_comment = stop, end < 0
        else:
            start = text.find("<!--", pos)
            stop = len(text) if start < 0 else start
            out.append(text[pos:stop])
            pos, in_comment = stop, start >= 0
    return "".join(out), in_comment


def handoff_schema(required_sections: tuple[str, ...] | None = None, max_bytes: int | None = None) -> dict[str, Any]:
    """The built-in HANDOFF schema, with a rule's options in place of its defaults."""
    import copy

    from ..resources import load_schema

    schema = copy.deepcopy(load_schema("handoff.schema.json"))
    props = schema["properties"]
    if required_sections is not None:
        props["sections"]["allOf"] = [{"contains": {"const": title}} for title in required_sections]
    if max_bytes is not None:
        props["bytes"]["maximum"] = max_bytes
    return schema


@lru_cache(maxsize=None)
def _validator(required_sections: tuple[str, ...] | None, max_bytes: int | None) -> Any:
    from ..schema_check import compile_schema

    return compile_schema(handoff_schema(required_sections, max_bytes))


def handoff_errors(handoff: Handoff, part: str, *, required_sections: Sequence[str] | None = None,
                   max_bytes: int | None = None) -> list[Any]:
    """The schema errors of one top-level part of the HANDOFF's data ("sections", "entries", "bytes")."""
    sections = tuple(required_sections) if required_sections is not None else None
    errors = _validator(sections, max_bytes).errors(handoff.data)
    return [e for e in errors if list(e.absolute_path)[:1] == [part]]
