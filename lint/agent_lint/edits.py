"""Minimal text edits of agent documents, shared by rule fixes and the scaffolding commands.

Each function answers with :class:`~agent_lint.model.Edit` objects on a
document's decoded text (BOM removed, newlines as written), or None when the
edit cannot be made without reformatting what is there. Inserted text uses
"\\n"; :mod:`agent_lint.fixer` writes it with the file's own newline. Nothing
here reformats: an edit adds characters at one point, in the style of the
text around it (its indentation, its separators). :func:`splice` makes edits
into text, for the fixer and for a rule that checks what its fix would make.
"""

from __future__ import annotations

import json
import re
from typing import Sequence

from .document import JsonDocument, MarkdownDocument, Metadata, normalize_key
from .document.json import skip_value
from .model import Edit

PREREQUISITES_TITLE = "Prerequisites Checklist"
_WS = re.compile(r"[ \t\r\n]*")
_KEY = re.compile(r'"(?:[^"\\]|\\.)*"([ \t]*):([ \t]*)')
_NEWLINES = re.compile(r"\r\n|\r|\n")


# ----------------------------------------------------------------------------
# The prerequisites checklist, as AGENT-SYSTEM.md's conventions write it


def checklist_markdown(items: Sequence[str]) -> str:
    """The template items as an unchecked task list: nothing was verified yet."""
    return "".join(f"- [ ] {item}\n" for item in items)


def checklist_section(items: Sequence[str]) -> str:
    return f"## {PREREQUISITES_TITLE}\n\n{checklist_markdown(items)}"


def checklist_json_items(items: Sequence[str]) -> list[str]:
    """One compact JSON object per item, as in the conventions' JSON example."""
    return [json.dumps({"item": item, "checked": False, "note": ""}, ensure_ascii=False) for item in items]


# ----------------------------------------------------------------------------
# Markdown


def _blank(line: str) -> bool:
    return not line.strip()


def section_insertion(doc: MarkdownDocument, section: str, before: str) -> Edit:
    """Insert a level-2 ``section`` (ending in a newline) before the ``## before`` heading, else at the end.

    A blank line separates it from what precedes and follows, as a heading
    needs; no blank line is added where one already is.
    """
    lines = doc.lines
    wanted = normalize_key(before)
    target = next((s for s in doc.sections if s.level == 2 and normalize_key(s.title) == wanted), None)
    if target is not None:
        at = doc.offset(target.line, 1)
        lead = "\n" if target.line > 1 and not _blank(lines[target.line - 2]) else ""
        return Edit(at, at, lead + section + "\n")
    text = doc.text
    end = len(text)
    lead = "" if not text or text.endswith(("\n", "\r")) else "\n"
    if lines and not _blank(lines[-1]):
        lead += "\n"
    return Edit(end, end, lead + section)


def metadata_append(doc: MarkdownDocument, entry: Metadata, value: str) -> Edit:
    """Append ``value`` to a comma-separated ``**Key**: a, b`` line."""
    line = doc.lines[entry.line - 1]
    end = doc.offset(entry.line, 1) + len(line.rstrip())
    return Edit(end, end, (", " if entry.value else " ") + value)


# ----------------------------------------------------------------------------
# JSON


def _layout(text: str, open_at: int) -> tuple[str | None, str]:
    """How a JSON container is written: the indentation of its members (None: all on one line),
    and the whitespace its members put after a colon."""
    first = _WS.match(text, open_at + 1).end()
    gap = text[open_at + 1:first]
    key = _KEY.match(text, first)
    after_colon = key.group(2) if key else " "
    if "\n" in gap or "\r" in gap:
        return re.split(r"\r\n|\r|\n", gap)[-1], after_colon
    return None, after_colon


def json_array(elements: Sequence[str], indent: str | None, inner: str) -> str:
    """An array of already-encoded elements: one a line at ``inner`` (closing at ``indent``), or inline."""
    if not elements:
        return "[]"
    if indent is None:
        return "[" + ", ".join(elements) + "]"
    return "[\n" + ",\n".join(inner + e for e in elements) + "\n" + indent + "]"


def json_append_member(doc: JsonDocument, key: str, elements: Sequence[str]) -> Edit | None:
    """Add ``"key": [elements]`` as the last member of the top-level object.

    The member is written the way the object's first member is: on its own
    line with the same indentation (its elements one level deeper), or
    inline when the whole object is on one line. None when the document is
    not a non-empty object.
    """
    text = doc.text
    start = _WS.match(text).end()
    end = len(text.rstrip())
    if not isinstance(doc.data, dict) or not doc.data or text[start:start + 1] != "{" or text[end - 1:end] != "}":
        return None
    last = len(text[:end - 1].rstrip())  # just past the last member's value
    indent, after_colon = _layout(text, start)
    value = json_array(elements, indent, (indent or "") * 2)
    member = f"{json.dumps(key)}:{after_colon}{value}"
    return Edit(last, last, f",\n{indent}{member}" if indent is not None else f", {member}")


def json_append_element(doc: JsonDocument, path: Sequence[str | int], element: str) -> Edit | None:
    """Add an already-encoded element at the end of the array at ``path``, written like its elements."""
    text = doc.text
    line, column = doc.locate(list(path))
    start = doc.offset(line, column)
    if text[start:start + 1] != "[":
        return None
    close = skip_value(text, start) - 1
    if text[close:close + 1] != "]":
        return None
    if not text[start + 1:close].strip():
        return Edit(start + 1, close, element)
    last = len(text[:close].rstrip())
    first = _WS.match(text, start + 1).end()
    gap = text[start + 1:first]
    if "\n" in gap or "\r" in gap:
        return Edit(last, last, ",\n" + re.split(r"\r\n|\r|\n", gap)[-1] + element)
    return Edit(last, last, ", " + element)


def _line_indent(text: str, at: int) -> str:
    """The white space that starts the line holding offset ``at``."""
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    return _WS.match(text, start).group().lstrip("\r\n")


def json_add_member(doc: JsonDocument, path: Sequence[str | int], key: str, value: object) -> Edit | None:
    """Add ``"key": value`` as the last member of the object at ``path`` (``[]``: the top-level one).

    The value is written the way the object's members are: on its own line,
    indented like them (its own members one step deeper, as far in as they
    are from the object), or inline when the object is on one line; an empty
    object gets two spaces. None when there is no object at ``path``.
    """
    text = doc.text
    if path:
        line, column = doc.locate(list(path))
        start = doc.offset(line, column)
    else:
        start = _WS.match(text).end()
    if text[start:start + 1] != "{":
        return None
    close = skip_value(text, start) - 1
    if text[close:close + 1] != "}":
        return None
    outer = _line_indent(text, start)
    if not text[start + 1:close].strip():
        inner = outer + "  "
        rendered = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + inner)
        return Edit(start + 1, close, f"\n{inner}{json.dumps(key)}: {rendered}\n{outer}")
    indent, after_colon = _layout(text, start)
    if indent is None:
        rendered = json.dumps(value, ensure_ascii=False)
        return Edit(len(text[:close].rstrip()), len(text[:close].rstrip()),
                    f", {json.dumps(key)}:{after_colon}{rendered}")
    step = indent[len(outer):] if indent.startswith(outer) and len(indent) > len(outer) else "  "
    rendered = json.dumps(value, indent=step, ensure_ascii=False).replace("\n", "\n" + indent)
    last = len(text[:close].rstrip())
    return Edit(last, last, f",\n{indent}{json.dumps(key)}:{after_colon}{rendered}")


# ----------------------------------------------------------------------------
# Applying edits


def dominant_newline(text: str) -> str:
    """The most frequent line ending of ``text`` ("\\n" on a tie or when there is none)."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    best = max(lf, crlf, cr)
    if best == 0 or best == lf:
        return "\n"
    return "\r\n" if best == crlf else "\r"


def splice(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` (in position order) made: the one way edits become text
    (agent_lint.fixer writes it; a rule that checks its own fix's result, AL205, parses it).

    Inserted line breaks take the text's own; an edit that reaches the end
    keeps the file's final newline, or its absence.
    """
    newline = dominant_newline(text)
    had_final = text.endswith(("\n", "\r"))
    pieces: list[str] = []
    pos = 0
    for edit in edits:
        pieces.append(text[pos:edit.start])
        pieces.append(_NEWLINES.sub(newline, edit.text))
        pos = edit.end
    tail = text[pos:]
    if not tail and pieces[-1]:
        # The last edit reaches the end of the file: keep the file's final newline, or its absence.
        last = pieces[-1]
        if had_final and not last.endswith(("\n", "\r")):
            pieces[-1] = last + newline
        elif not had_final and last.endswith(newline) and last.strip("\r\n"):
            # (An edit of nothing but line breaks is a fix that adds the final newline: kept.)
            pieces[-1] = last[: -len(newline)]
    pieces.append(tail)
    return "".join(pieces)
