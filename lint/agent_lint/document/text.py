"""Decoding a document's bytes, and positions in its text.

Every position agent-lint reports is 1-based, in code points, and counts
lines with the line breaks markdown-it recognises (``\\r\\n``, ``\\r``, ``\\n``),
exact with CRLF line endings and a UTF-8 BOM. :class:`Document` is a
decoded text with those positions; the Markdown and JSON documents build on
it.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property
from itertools import accumulate
from typing import Sequence

from ..model import Kind

BOM = "\ufeff"
_NEWLINE = re.compile(r"\r\n?|\n")


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
    """A decoded text, with the positions of its offsets: common ground of Markdown and JSON documents.

    A document lives in the per-document stage (and, read again, for a
    project rule that declares it): what leaves that stage are the views
    and findings made from it (analysis.py), never the document.
    """

    format = "text"

    def __init__(self, path: str, kind: Kind | None, text: str, has_bom: bool = False):
        self.path = path
        name = path.rsplit("/", 1)[-1]
        self.stem = name.rsplit(".", 1)[0] if "." in name else name  # the session ID, for a log
        self.kind = kind
        self.text = text
        self.has_bom = has_bom
        self.load_error: LoadError | None = None

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @cached_property
    def _line_starts(self) -> list[int]:
        text = self.text
        if "\r" not in text:  # each line starts one past the end of the one before: summed in C
            return list(accumulate(map((1).__add__, map(len, text.split("\n")[:-1])), initial=0))
        return [0, *(m.end() for m in _NEWLINE.finditer(text))]

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
