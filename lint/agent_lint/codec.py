"""The cache's data format: JSON text over an explicit list of agent-lint's own types.

Loading runs no code that the bytes choose: they are parsed by ``json``,
and the only objects made from them are JSON's own values, tuples, sets,
bytes, dates and instances of the classes listed in ``TYPES`` (filled with
data, never called with it: a NamedTuple is built from its fields, an enum
member looked up by its value). Anything else, an unknown tag or a value of
the wrong shape, is a :class:`CodecError`; a cache that meets one rebuilds
the file.

The encoding: ``None``, booleans, numbers and strings are themselves; a
tuple is a JSON array; a dict with string keys is a JSON object. Every
other value is an array whose first item is a tag, a string starting with
``~`` (a tuple whose first item is such a string is tagged too, so nothing
is ambiguous): ``["~l", ...]`` a list, ``["~d", k1, v1, ...]`` a dict with
other keys, ``["~Finding", line, column, ...]`` a NamedTuple,
``["~Kind", "handoff"]`` an enum member. Encoding a type that
is not listed is a TypeError: adding a type to the cache is one line here.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
from importlib import import_module
from typing import Any, Callable

# Every class a cache file may hold, as "module:name" (imported only when a value of it is read).
TYPES = (
    "agent_lint.model:Severity",
    "agent_lint.model:Kind",
    "agent_lint.model:Edit",
    "agent_lint.model:Fix",
    "agent_lint.model:Finding",
    "agent_lint.model:Violation",
    "agent_lint.model:Outcome",
    "agent_lint.analysis:Analysis",
    "agent_lint.document.markdown:Suppression",
    "agent_lint.views:Position",
    "agent_lint.views:Stamp",
    "agent_lint.views:Prerequisite",
    "agent_lint.views:SessionLog",
    "agent_lint.views:SessionRef",
    "agent_lint.views:Placeholder",
    "agent_lint.views:HandoffEntry",
    "agent_lint.views:Heading",
    "agent_lint.views:Handoff",
    "agent_lint.views:Subsection",
    "agent_lint.views:PatternItem",
    "agent_lint.views:Example",
    "agent_lint.views:Limitation",
    "agent_lint.views:ParallelPattern",
    "agent_lint.views:SystemDocument",
)

_PLAIN = (str, int, float, bool, type(None))  # JSON's own scalars, written as they are
_SCALAR = frozenset(_PLAIN)


class CodecError(ValueError):
    """Bytes that are not a value this module wrote."""


def dumps(value: Any) -> bytes:
    """``value`` as ASCII JSON text (no line breaks); TypeError for a type not in TYPES."""
    return json.dumps(_encode(value), ensure_ascii=True, separators=(",", ":"), check_circular=False).encode("ascii")


def loads(data: bytes | str) -> Any:
    """The value :func:`dumps` wrote; :class:`CodecError` for anything else."""
    try:
        return _decode(json.loads(data))
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OverflowError) as err:
        raise CodecError(f"not a cached value: {type(err).__name__}: {err}") from None


# ----------------------------------------------------------------------------
# Classes by tag


class _Kind(enum.Enum):
    TUPLE = "named tuple"
    ENUM = "enum"


_BY_CLASS: dict[type, tuple[str, _Kind]] = {}
_BY_TAG: dict[str, tuple[type, _Kind]] = {}
_NAMED_TUPLES: dict[str, tuple[type, int]] = {}  # tag -> (class, 1 + its number of fields), once loaded
_NAMES = {entry.rpartition(":")[2]: entry for entry in TYPES}
assert len(_NAMES) == len(TYPES), "two listed classes share a name"


def _kind_of(cls: type) -> _Kind:
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return _Kind.TUPLE
    if issubclass(cls, enum.Enum):
        return _Kind.ENUM
    raise TypeError(f"{cls.__qualname__}: only NamedTuples and enums can be cached")


def _load_class(entry: str) -> type:
    module, _, name = entry.partition(":")
    cls = getattr(import_module(module), name)
    tag = "~" + name
    kind = _kind_of(cls)
    _BY_CLASS[cls] = (tag, kind)
    _BY_TAG[tag] = (cls, kind)
    if kind is _Kind.TUPLE:
        _NAMED_TUPLES[tag] = (cls, 1 + len(cls._fields))  # type: ignore[attr-defined]
    else:
        _TAGS[tag] = _enum_decoder(tag, {member.value: member for member in cls})  # type: ignore[attr-defined]
    return cls


def _registered(cls: type) -> tuple[str, _Kind]:
    known = _BY_CLASS.get(cls)
    if known is None:
        entry = _NAMES.get(cls.__name__)
        if entry is None or _load_class(entry) is not cls:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__} cannot be cached: add it to codec.TYPES")
        known = _BY_CLASS[cls]
    return known


def _by_tag(tag: str) -> tuple[type, _Kind]:
    known = _BY_TAG.get(tag)
    if known is None:
        entry = _NAMES.get(tag[1:])
        if entry is None:
            raise CodecError(f"unknown tag {tag[:40]!r}")
        _load_class(entry)
        known = _BY_TAG[tag]
    return known


# ----------------------------------------------------------------------------
# Encoding


def _encode(value: Any) -> Any:
    cls = type(value)
    if cls in _SCALAR:
        return value
    if cls is tuple:
        items = [v if type(v) in _SCALAR else _encode(v) for v in value]
        if items and type(items[0]) is str and items[0][:1] == "~":
            items.insert(0, "~t")
        return items
    if cls is dict:
        if all(type(key) is str for key in value):
            return {key: v if type(v) in _SCALAR else _encode(v) for key, v in value.items()}
        pairs: list[Any] = ["~d"]
        for key, v in value.items():
            pairs.append(_encode(key))
            pairs.append(_encode(v))
        return pairs
    if cls is list:
        return ["~l", *(v if type(v) in _SCALAR else _encode(v) for v in value)]
    if cls is set or cls is frozenset:
        items = [_encode(v) for v in value]
        try:
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))  # the same text for the same set
        except (TypeError, ValueError):
            pass
        return ["~s" if cls is set else "~f", *items]
    if cls is bytes:
        return ["~b", value.decode("latin-1")]
    if cls is _dt.datetime:
        if value.tzinfo is not None and not isinstance(value.tzinfo, _dt.timezone):
            raise TypeError("only datetimes with a fixed offset can be cached")
        return ["~dt", value.isoformat()]
    if cls is _dt.date:
        return ["~date", value.isoformat()]
    if cls is _dt.time:
        if value.tzinfo is not None and not isinstance(value.tzinfo, _dt.timezone):
            raise TypeError("only times with a fixed offset can be cached")
        return ["~time", value.isoformat()]
    tag, kind = _registered(cls)
    if kind is _Kind.TUPLE:
        return [tag, *(v if type(v) in _SCALAR else _encode(v) for v in value)]
    return [tag, value.value]


# ----------------------------------------------------------------------------
# Decoding


def _decode(node: Any) -> Any:
    cls = type(node)
    if cls is dict:
        return {key: v if type(v) in _SCALAR else _decode(v) for key, v in node.items()}
    if cls is not list:
        return node  # a JSON scalar
    if not node:
        return ()
    head = node[0]
    if type(head) is not str or head[:1] != "~":
        return tuple([v if type(v) in _SCALAR else _decode(v) for v in node])
    named = _NAMED_TUPLES.get(head)
    if named is not None:  # the most frequent tag by far (findings, sections, list items): no call
        fields = [v if type(v) in _SCALAR else _decode(v) for v in node]
        if len(fields) != named[1]:
            raise CodecError(f"{head} has {named[1] - 1} fields, not {len(fields) - 1}")
        return tuple.__new__(named[0], fields[1:])
    return _TAGS.get(head, _tagged)(node)


def _items(node: list[Any]) -> list[Any]:
    return [v if type(v) in _SCALAR else _decode(v) for v in node[1:]]


def _pairs(node: list[Any]) -> dict[Any, Any]:
    if len(node) % 2 != 1:
        raise CodecError("a dict with a key and no value")
    items = _items(node)
    return dict(zip(items[::2], items[1::2]))


def _text(node: list[Any]) -> str:
    if len(node) != 2 or type(node[1]) is not str:
        raise CodecError(f"{node[0]} holds one string")
    return node[1]


_TAGS: dict[str, Callable[[list[Any]], Any]] = {
    "~t": lambda node: tuple(_items(node)),
    "~l": _items,
    "~d": _pairs,
    "~s": lambda node: set(_items(node)),
    "~f": lambda node: frozenset(_items(node)),
    "~b": lambda node: _text(node).encode("latin-1"),
    "~dt": lambda node: _dt.datetime.fromisoformat(_text(node)),
    "~date": lambda node: _dt.date.fromisoformat(_text(node)),
    "~time": lambda node: _dt.time.fromisoformat(_text(node)),
}


def _enum_decoder(tag: str, members: dict[Any, Any]) -> Callable[[list[Any]], Any]:
    def decode(node: list[Any]) -> Any:
        if len(node) != 2:
            raise CodecError(f"{tag} holds one value")
        return members[node[1]]  # KeyError, TypeError: not one of its values

    return decode


def _tagged(node: list[Any]) -> Any:
    """A value of a listed class met for the first time: its module is imported, its decoder kept."""
    cls, kind = _by_tag(node[0])
    if node[0] in _TAGS:
        return _TAGS[node[0]](node)
    if kind is _Kind.TUPLE:
        fields = _items(node)
        if len(fields) != len(cls._fields):  # type: ignore[attr-defined]
            raise CodecError(f"{node[0]} has {len(cls._fields)} fields, not {len(fields)}")  # type: ignore[attr-defined]
        return tuple.__new__(cls, fields)
    raise CodecError(f"{node[0]} cannot be read")  # (every other kind has a decoder of its own)
