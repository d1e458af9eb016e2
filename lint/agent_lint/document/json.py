"""JSON documents, and the position of a value at a JSON path in their text.

The locator scans only along the path asked for, so the cost is paid by
documents with findings, not by every document.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from ..model import Kind
from .text import Document

_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: no alternation per character
_STRUCTURE = re.compile(r'["\[\]{}]')
_SCALAR = re.compile(r"[^,\]\}\s]+")


class JsonDocument(Document):
    format = "json"

    def __init__(self, path: str, kind: Kind | None, text: str, data: Any, has_bom: bool = False):
        super().__init__(path, kind, text, has_bom)
        self.data = data

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
            pos = _WS.match(text, skip_value(text, pos)).end()
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
            pos = _WS.match(text, skip_value(text, pos)).end()
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


def skip_value(text: str, pos: int) -> int:
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
