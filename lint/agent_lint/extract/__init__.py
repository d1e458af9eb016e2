"""What the per-document stage makes of a document for its rules: one builder per type a rule can read.

A rule declares what it reads (``Rule.reads``); the per-document stage
builds that for each document it applies to, once, however many rules read
it. ``VIEWS`` names the view of each kind of document, which is also made
for every document of the project, target or not, since project rules read
them all (and the cache keeps them): this table is the one place that says
which view belongs to which kind.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ..config import Config
from ..document import Document
from ..model import Kind
from ..views import Handoff, SchemaCheck, SessionLog, SystemDocument
from . import handoff, parallel_pattern, session_log


class Context(NamedTuple):
    """What a builder may need of the run besides the document."""

    config: Config
    schema: Callable[[], Any]  # the run's compiled session-log schema (schema_check.CompiledSchema), made on demand


BUILDERS: dict[type, Callable[[Document, Context], Any]] = {
    Document: lambda doc, context: doc,
    SessionLog: session_log.view,
    Handoff: lambda doc, context: handoff.view(doc),
    SystemDocument: lambda doc, context: parallel_pattern.view(doc),
    SchemaCheck: session_log.schema_check,
}

VIEWS: dict[Kind, type] = {
    Kind.SESSION_LOG: SessionLog,
    Kind.HANDOFF: Handoff,
    Kind.SYSTEM: SystemDocument,
}

# The kind of document each view is made of (a rule that reads a view applies to that kind alone).
KIND_OF: dict[type, Kind] = {**{view: kind for kind, view in VIEWS.items()}, SchemaCheck: Kind.SESSION_LOG}


def build(reads: type, doc: Document, context: Context) -> Any:
    """What a rule that ``reads`` this type receives for ``doc``."""
    return BUILDERS[reads](doc, context)
