"""Property tests: no input makes the document model raise or point outside the file.

Every position a rule may report comes from the model, so "inside the file"
here is what keeps a report from naming line 0 or a column past a line's end
on hostile or merely odd input.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_lint.document import (
    FailedDocument,
    JsonDocument,
    MarkdownDocument,
    decode,
    parse_document,
    split_lines,
    unescape,
)
from harness import fenced_checklists

# Lines built from the pieces Markdown structure is made of, so that headings,
# nested and quoted lists, fences, tables, metadata and comments actually occur.
PREFIXES = [
    "", " ", "  ", "   ", "    ", "\t", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "  - ", "    - ", "> - ",
    "-\t", "\t- ", "1.\t", "> \t", "#", "## ", "### ", "| ", "```", "```markdown", "~~~md", "  ```md", "- ```md",
    "---", "===", "<!-- ", "<div>",
]
BODIES = [
    "", "[ ] ", "[x] ", "[X] ", "[]", "x", "text", "**Key**: ", "**K:** ", "value", "`", "``", "**", "|", " | ",
    "---", "[a](u)", "[é](./é.md)", "<http://x.y>", "<!-- agent-lint-disable AL001 -->",
    "<!-- agent-lint-disable-next-line\nAL002 -->", "-->", " #", " ##", "é", "漢字", "\t", "  ", "6.3 ", "1. ",
    "\u2028", "\x85", "\x00", "\ufeff", "[r]", "[r]: ./r.md", "\\_", "&amp;", "![a *b*](i.png)",
]
NEWLINES = ["\n", "\n", "\n", "\r\n", "\r"]
_line = st.tuples(
    st.lists(st.sampled_from(PREFIXES), max_size=3).map("".join),
    st.lists(st.one_of(st.sampled_from(BODIES), st.text(max_size=3)), max_size=4).map("".join),
    st.sampled_from(NEWLINES),
).map("".join)
markdownish = st.lists(_line, max_size=25).map("".join)
anything = st.one_of(markdownish, st.text(max_size=200))

# Sized so the whole module runs in a few seconds; runs of 15,000 examples
# each found nothing these do not (raise max_examples to explore further).
PROPERTY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reported_positions(doc: MarkdownDocument):
    """(what, line, column) of everything the model can hand to a rule."""
    for sec in doc.sections:
        yield "section", sec.line, sec.column
        yield "section end", sec.end_line, 1
    for block in doc.lists:
        yield "list", block.line, block.column
        yield from (("item", item.line, item.column) for item in block.items)
    for table in doc.tables:
        yield "table", table.line, table.column
        yield from (("row", row.line, 1) for row in table.rows)
    for code in doc.code_blocks:
        yield "code", code.line, code.column
        yield "code end", code.end_line, 1
    for meta in doc.metadata_entries:
        yield "metadata", meta.line, meta.column
        yield "metadata value", meta.line, meta.value_column
    yield from (("link", link.line, link.column) for link in doc.links)
    yield from (("suppression", sup.line, sup.column) for sup in doc.suppressions)
    for _, checklist in fenced_checklists(doc):
        yield "fenced list", checklist.line, checklist.column
        yield from (("fenced item", item.line, item.column) for item in checklist.items)
    if doc.front_matter_error is not None:
        yield "front matter", doc.front_matter_error.line, doc.front_matter_error.column


def assert_inside(lines: list[str], what: str, line: int, column: int) -> None:
    assert 1 <= line <= max(1, len(lines)), (what, line, column, lines)
    assert 1 <= column <= len(lines[line - 1]) + 1, (what, line, column, lines)


@PROPERTY
@given(anything)
def test_markdown_positions_lie_inside_the_file(text):
    doc = parse_document("notes.md", None, text.encode("utf-8"))
    assert isinstance(doc, MarkdownDocument)
    lines = split_lines(text.removeprefix("\ufeff"))
    assert doc.lines == lines
    for what, line, column in reported_positions(doc):
        assert_inside(lines, what, line, column)
    for index, sec in enumerate(doc.sections):
        assert sec.line <= sec.end_line
        assert doc.section_at(sec.line) == index
        doc.section_text(index)


@PROPERTY
@given(markdownish)
def test_inline_content_parsed_on_demand_gives_the_model_a_full_parse_gives(text):
    # The model parses a paragraph's inline content only where it reads it (headings, links,
    # inline HTML); the result must be what parsing every paragraph gives.
    import agent_lint.document as document

    lazy = MarkdownDocument("notes.md", None, text)
    on_demand = document.markdown_parser
    document.markdown_parser = lambda blocks_only=False: on_demand()
    try:
        full = MarkdownDocument("notes.md", None, text)
    finally:
        document.markdown_parser = on_demand
    for name in ("sections", "lists", "tables", "code_blocks", "metadata_entries", "links", "suppressions",
                 "front_matter_text"):
        assert getattr(lazy, name) == getattr(full, name), name


@PROPERTY
@given(markdownish)
def test_markdown_positions_point_at_what_they_name(text):
    doc = parse_document("notes.md", None, text.encode("utf-8"))

    def at(line, column):
        # markdown-it reads NUL as U+FFFD (CommonMark), so values carry that.
        return doc.lines[line - 1][column - 1:].replace("\0", "\ufffd")

    blocks = list(doc.lists) + [checklist for _, checklist in fenced_checklists(doc)]
    for item in (item for block in blocks for item in block.items if item.checkbox):
        assert at(item.line, item.column).startswith(item.checkbox), (item, doc.lines)
    for meta in doc.metadata_entries:
        assert at(meta.line, meta.column).startswith("**"), (meta, doc.lines)
        # A value reads as a reader sees it (\\[ is [), from the column where its source starts.
        assert unescape(at(meta.line, meta.value_column)).startswith(meta.value), (meta, doc.lines)
    for sup in doc.suppressions:
        assert at(sup.line, sup.column).startswith("<!--"), (sup, doc.lines)


@settings(PROPERTY, max_examples=1000)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    for path in ("notes.md", "log.json"):
        doc = parse_document(path, None, data)
        assert isinstance(doc, (FailedDocument, MarkdownDocument, JsonDocument))
        if isinstance(doc, FailedDocument):
            decoded = decode(data)
            lines = split_lines(decoded[0]) if isinstance(decoded, tuple) else [""]
            if doc.load_error.kind == "encoding":
                lines = split_lines(data.decode("utf-8", errors="replace").removeprefix("\ufeff"))
            assert_inside(lines, "load error", doc.load_error.line, doc.load_error.column)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@PROPERTY
@given(json_values, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_json_locate_finds_every_value(value, indent, crlf):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if crlf:
        text = text.replace("\n", "\r\n")
    doc = parse_document("log.json", None, text.encode("utf-8"))
    assert isinstance(doc, JsonDocument)

    def walk(node, path):
        yield path, node
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            yield from walk(child, [*path, key])

    for path, node in walk(doc.data, []):
        line, column = doc.locate(path)
        at = doc.offset(line, column)
        # The located text parses back to the value the path names.
        assert json.JSONDecoder().raw_decode(text, at)[0] == node, (path, line, column)
