"""Bad input never produces a traceback: records are built from whatever a file holds."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_lint.document import parse_document
from agent_lint.extract.handoff import handoff_errors, view as handoff_view
from agent_lint.extract.session_log import session_log, session_record
from agent_lint.model import Kind
from agent_lint.schema_check import builtin_schema, error_message

LINES = st.sampled_from([
    "# Session", "## Work Log", "## Outcome", "## Prerequisites Checklist", "## Session History",
    "### 2026-01-01-a", "**Role**: orchestrator", "**Dispatched**: a, , b", "**HANDOFF Updated**: no",
    "**HANDOFF Updated**: 2026-01-01T10:00Z, x", "**Sessions**: [a](b.md), c", "**Summary**:", "- [x] item — ",
    "- [ ] item", "| a | [x] |", "|---|---|", "| [ ] |", "```", "<!--", "-->", "{x}", "TODO", "---", "",
])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["role", "dispatched", "handoffUpdated", "prerequisites", "checked", "note",
                         "complete", "Evidence", "orchestrator", "completed", "x"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(LINES, st.text(max_size=20)), max_size=30))
def test_any_markdown_gives_records(lines):
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    doc = parse_document(".agents/sessions/2026-01-01-x.md", Kind.SESSION_LOG, data)
    if doc.load_error is None:
        record = session_record(doc)
        for error in builtin_schema("session-log.schema.json").errors(record.data):
            record.locate(error.absolute_path)
            error_message(error)
        session_log(doc)
        handoff = handoff_view(doc)
        for part in ("sections", "entries", "bytes"):
            handoff_errors(handoff, part)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_any_json_gives_a_record(value):
    doc = parse_document(".agents/sessions/2026-01-01-x.json", Kind.SESSION_LOG, json.dumps(value).encode())
    record = session_record(doc)
    for error in builtin_schema("session-log.schema.json").errors(record.data):
        record.locate(error.absolute_path, doc)
        error_message(error)
    session_log(doc)
    session_log(doc, {"role": "/x/0", "dispatched": "/x", "prerequisites": "/x/x", "completed": "/x/1"})
