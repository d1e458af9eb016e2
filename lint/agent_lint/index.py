"""The project index: what a run needs of every document it does not report on, in one cache file.

A run on a few named files (pre-commit's) reports their findings alone, yet
its project rules read the view of every document. The index holds, by
path, the view each document had in the last run, the digest of the bytes
it was made of and the document's kind as analysed: such a run reads this
one file and the entries of the files named (caching.py), not the analysis
of every document; a whole run after an edit reads the views here too.
A record is used only for a document whose bytes still have its digest.

A record is the digest, the kind, the digest of the view's bytes and the
view as the cache encodes it (codec.py), separated by NUL bytes, which none
of the first three holds and the fourth, ASCII JSON text, never does. An
entry of the cache (cache.py's buckets) is the view's digest, a line break,
the same view, a line break, and the rest of the analysis: the index copies
the view of an entry, or of a fresh analysis, as bytes, never encoding it
again. The view's digest, made where the view was encoded, is what the
project stage's key is made of (caching.py), so a run whose project stage is
kept decodes no view of a document it does not report on. Like every cache
file the index is signed and holds plain data; a record that does not split
as it should is no record.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import codec
from .analysis import Analysis
from .cache import digest as digest_of
from .extract import VIEWS
from .model import KIND_VALUES, Kind

_KINDS = {kind.value: kind for kind in Kind}


class Record(NamedTuple):
    digest: str  # of the document's bytes
    kind: Kind | None
    view_digest: str  # of the view's bytes
    view: bytes | memoryview  # the view, encoded


def record(digest: str, kind: Kind | None, view_digest: str, view: bytes | memoryview) -> bytes:
    """A record's bytes."""
    return b"".join((digest.encode("ascii"), b"\0", KIND_VALUES[kind].encode("ascii"), b"\0",
                     view_digest.encode("ascii", "replace"), b"\0", view))


def parse(blob: bytes | memoryview) -> Record | None:
    """The record in ``blob``, or None."""
    head = _head(blob)
    if head is None:
        return None
    digest, kind, view_digest = head
    return Record(digest.decode("ascii", "replace"), _KINDS.get(kind), view_digest.decode("ascii", "replace"),
                  blob[len(digest) + len(kind) + len(view_digest) + 3:])


def fact(kind: Kind | None, view_digest: str) -> str:
    """What the project stage's key holds of a document (caching.project_key): its kind and the digest
    of its view's bytes, a NUL between."""
    return f"{KIND_VALUES[kind]}\0{view_digest}"


def fact_if_current(blob: bytes | memoryview, digest: str) -> str | None:
    """The :func:`fact` of the record in ``blob`` when it is the record of bytes with ``digest``; None
    otherwise.

    What a run on a few files asks of every other record, without making a Record of each.
    """
    head = _head(blob)
    if head is None or head[0] != digest.encode("ascii", "replace"):
        return None
    return head[1] + "\0" + head[2].decode("ascii", "replace")


def _head(blob: bytes | memoryview) -> tuple[bytes, str, bytes] | None:
    """A record's digest, kind (as text) and view's digest, or None for bytes that are no record."""
    # Digests and kind are short: look for the separators in the first 200 bytes alone, in one split.
    parts = bytes(blob[:200]).split(b"\0", 3)
    if len(parts) < 4:
        return None
    kind = parts[1].decode("ascii", "replace")
    if kind and kind not in _KINDS:
        return None
    return parts[0], kind, parts[2]


def entry(analysis: Analysis) -> tuple[Analysis, bytes, str, bytes]:
    """An analysis with its view encoded, that view's digest, and its entry (the view's digest, a line
    break, the view, a line break, the rest).

    Made where the analysis was (a worker process), so this process copies
    bytes into the cache and the index instead of encoding them. The rest
    leaves out the path and the digest, which the entry's key holds: the
    rest of most documents (no finding, no suppression comment) is then
    the same bytes for many, decoded once (:func:`split_entry`).
    """
    view = codec.dumps(analysis.view)
    view_digest = digest_of(view)
    rest = codec.dumps(analysis._replace(path="", digest="", view=None))
    return analysis, view, view_digest, b"".join((view_digest.encode("ascii"), b"\n", view, b"\n", rest))


def from_entry(blob: bytes | memoryview, path: str, digest: str) -> tuple[Analysis, bytes, str] | None:
    """The analysis an entry holds (the entry of ``path`` with bytes of ``digest``), its view's bytes
    (a copy: the entry is not kept) and their digest; None for anything else."""
    split = split_entry(blob, path, digest)
    if split is None:
        return None
    rest, view_bytes, view_digest = split
    view = view_of(view_bytes, rest.kind)
    if view is BAD:
        return None
    return rest._replace(view=view), view_bytes, view_digest


def split_entry(blob: bytes | memoryview, path: str, digest: str) -> tuple[Analysis, bytes, str] | None:
    """What an entry holds with its view left encoded: the analysis without its view (``view`` None),
    the view's bytes and their digest; None for anything else.

    The view is the most of an entry to decode; a run whose project stage
    is kept reads a target's findings alone.
    """
    data = bytes(blob)
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1)
    if first < 0 or second < 0:
        return None
    rest = _rest(data[second + 1:])
    if rest is None:
        return None
    return rest._replace(path=path, digest=digest), data[first + 1:second], data[:first].decode("ascii", "replace")


_RESTS: dict[bytes, Analysis | None] = {}  # the rests decoded, by their bytes (a few kinds of clean document)


def _rest(data: bytes) -> Analysis | None:
    """The analysis (no path, digest or view) a rest's bytes hold, or None."""
    rest = _RESTS.get(data, BAD)
    if rest is BAD:
        rest = _loads(data)
        if not isinstance(rest, Analysis) or rest.path or rest.digest or rest.view is not None:
            rest = None
        if len(_RESTS) >= 4096:
            _RESTS.clear()
        _RESTS[data] = rest
    return rest  # type: ignore[return-value]


BAD = object()  # what view_of gives for bytes that hold no view


def view_of(blob: bytes | memoryview, kind: Kind | None) -> Any:
    """The view of a ``kind`` of document encoded in ``blob`` (or None), or BAD for bytes that hold none."""
    view = _loads(blob)
    if view is not None and (kind is None or type(view) is not VIEWS.get(kind)):
        return BAD  # no view a document of that kind has
    return view


def _loads(blob: bytes | memoryview) -> Any:
    try:
        return codec.loads(blob if isinstance(blob, bytes) else bytes(blob))
    except codec.CodecError:  # signed, yet not readable (older code): analysed again
        return BAD
