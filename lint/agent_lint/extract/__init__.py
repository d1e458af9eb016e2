"""Extractors turn a parsed document into a record: the plain data rules check.

Extraction runs once per document, right after parsing and in the same
worker process, so that what crosses to the project-wide rules (and into the
cache) is the small record, not the document's text. ``EXTRACTORS`` names,
per document kind, the records every document of that kind gets; a rule asks
for one with ``project.record(doc, name, extract)``.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from ..document import Document
from ..model import Kind

# kind -> ((record name, "module:function"), ...); imported on first use.
EXTRACTORS: dict[Kind, tuple[tuple[str, str], ...]] = {
    Kind.HANDOFF: (("handoff", ".handoff:handoff_record"),),
    Kind.SESSION_LOG: (("session-log", ".session_log:session_record"),),
    Kind.SYSTEM: (("parallel-pattern", ".parallel_pattern:extract"),),
}


def _resolve(target: str) -> Callable[[Document], Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module, __name__), name)


def extract_records(doc: Document) -> None:
    """Fill ``doc.records`` with every record registered for its kind.

    A JSON file among the session logs whose top level is no object (a list
    of scan results kept in the sessions folder) is data, not a session log:
    its kind is cleared, and no rule takes it for a log.
    """
    if doc.load_error is not None:
        return
    if doc.kind is Kind.SESSION_LOG and doc.format == "json" and not isinstance(getattr(doc, "data", None), dict):
        doc.kind = None
        return
    for name, target in EXTRACTORS.get(doc.kind, ()):  # type: ignore[arg-type]
        if name not in doc.records:
            doc.records[name] = _resolve(target)(doc)
