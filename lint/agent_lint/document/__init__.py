"""Parsed agent documents: the model every rule that reads a document queries.

``text`` decodes bytes and maps offsets to positions, ``markdown`` builds the
Markdown model from markdown-it-py's tokens, ``json`` holds a JSON document
and finds the position of a value in its text. :func:`parse_document` turns
a file's bytes into one of them, or into a :class:`FailedDocument` saying why
it could not.
"""

from __future__ import annotations

import json as _json  # (the name json is the sub-module json.py here)
import re
import weakref
from typing import Callable, Hashable, TypeVar

from ..model import Kind
from .json import JsonDocument
from .markdown import (CodeBlock, Link, ListBlock, ListItem, MarkdownDocument, Metadata, Section, Suppression, Table,
                       TableRow, markdown_parser)
from .text import BOM, Document, FailedDocument, LoadError, decode, normalize_key, split_lines, text_position, unescape

__all__ = [
    "BOM", "CodeBlock", "Document", "FailedDocument", "JsonDocument", "Link", "ListBlock", "ListItem", "LoadError",
    "MarkdownDocument", "Metadata", "Section", "Suppression", "Table", "TableRow", "decode", "derived", "document_format",
    "markdown_parser", "normalize_key", "parse_document", "split_lines", "text_position", "too_large", "unescape",
]

_LONG_NUMBER = re.compile(r"-?\d{4000,}")
T = TypeVar("T")


# A parsed document never changes; what is derived from it lives as long as it does.
_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def derived(doc: Document, make: Callable[..., T], *args: Hashable) -> T:
    """``make(doc, *args)``, computed once per document however many rules or views ask for it."""
    per_doc = _DERIVED.setdefault(doc, {})
    key = (make, args)
    if key not in per_doc:
        per_doc[key] = make(doc, *args)
    return per_doc[key]


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
            value = _json.loads(text)
        except _json.JSONDecodeError as err:
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
