"""Decoding a document's bytes, and positions in its text.

Every position agent-lint reports is 1-based, in code points, and counts
lines with the line breaks markdown-it recognises (``\\r\\n``, ``\\r``, ``\\n``),
exact with CRLF line endings and a UTF-8 BOM. :class:`Document` is a
decoded text with those positions; the Markdown and JSON documents build on
it.
"""

from __future__ import annotations

import bisect
import os
import re
from functools import cached_property
from typing import Any, Sequence

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
        from ..files import read_document  # through the project's boundary, as the first read

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
