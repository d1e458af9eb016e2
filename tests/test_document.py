"""The Markdown document model: structure and exact 1-based positions on tricky input."""

from __future__ import annotations

import pytest

from agent_lint.document import MarkdownDocument, normalize_key, parse_document
from harness import fenced_checklists


def md(text: str | bytes) -> MarkdownDocument:
    doc = parse_document("doc.md", None, text.encode("utf-8") if isinstance(text, str) else text)
    assert isinstance(doc, MarkdownDocument)
    return doc


def heads(doc):
    return [(s.level, s.number, s.title, s.line, s.column, s.end_line, s.parent) for s in doc.sections]


def items(block):
    return [(i.text, i.line, i.column, i.checked, i.marker, i.checkbox) for i in block.items]


# ----------------------------------------------------------------------------
# Fences


FENCED = """\
# Title

```markdown
## Not a heading
- [ ] fenced item
- [x] done
```

- item
  ```md
  - [ ] inside a list item's fence
  ```
"""


def test_fence_content_is_not_structure():
    doc = md(FENCED)
    assert heads(doc) == [(1, None, "Title", 1, 1, 12, None)]
    assert [items(b) for b in doc.lists] == [[("item", 9, 3, None, "-", None)]]
    assert doc.checklists == []
    assert [(c.info, c.line, c.end_line, c.column) for c in doc.code_blocks] == [("markdown", 3, 7, 1), ("md", 10, 12, 3)]


def test_fenced_checklists_keep_host_positions():
    doc = md(FENCED)
    found = [(block.line, items(checklist), checklist.line, checklist.column, checklist.section)
             for block, checklist in fenced_checklists(doc)]
    assert found == [
        (3, [("fenced item", 5, 3, False, "-", "[ ]"), ("done", 6, 3, True, "-", "[x]")], 5, 1, 0),
        (10, [("inside a list item's fence", 11, 5, False, "-", "[ ]")], 11, 3, 0),
    ]


def test_fenced_checklist_in_a_blockquote_and_other_infos():
    doc = md("> ```md\n> - [x] quoted\n> ```\n\n```python\n- [ ] not markdown\n```\n\n```\n* [ ] bare fence\n```\n")
    found = [(checklist.line, items(checklist)) for _, checklist in fenced_checklists(doc)]
    assert found == [(2, [("quoted", 2, 5, True, "-", "[x]")]), (10, [("bare fence", 10, 3, False, "*", "[ ]")])]


def test_embedded_document_nests_positions():
    doc = md("- a\n\n  ````md\n  - b\n\n    ```md\n    - [ ] deep\n    ```\n  ````\n")
    outer = doc.embedded(doc.code_blocks[0])
    inner = outer.embedded(outer.code_blocks[0])
    assert items(inner.lists[0]) == [("deep", 7, 7, False, "-", "[ ]")]


# ----------------------------------------------------------------------------
# Headings


def test_setext_headings_and_section_text():
    doc = md("Title\n=====\nbody\n\nSub\n---\nmore\n")
    assert heads(doc) == [(1, None, "Title", 1, 1, 7, None), (2, None, "Sub", 5, 1, 7, 0)]
    assert doc.section_text(0) == "body\n\nSub\n---\nmore"
    assert doc.section_text(1) == "more"  # the underline is no body


def test_closing_hash_sequence_is_not_title():
    doc = md("## Title ##\n### Other #####   \n#### C# and F#\n")
    assert [s.title for s in doc.sections] == ["Title", "Other", "C# and F#"]


@pytest.mark.parametrize(
    ("heading", "number", "title"),
    [
        ("## 6.3 Title", "6.3", "Title"),
        ("## 6.3. Title", "6.3", "Title"),
        ("#### 3.1: Title", "3.1", "Title"),
        ("# 6. Title", "6", "Title"),
        ("### 0) Ensure baseline", "0", "Ensure baseline"),
        ("## 1.2.3 Deep", "1.2.3", "Deep"),
        # A bare integer is part of the title: only "N." or "N)" numbers a heading.
        ("## 2026 plans", None, "2026 plans"),
        ("#### 404 Not Found Error", None, "404 Not Found Error"),
        ("## 2026. plans", "2026", "plans"),
        ("## 1.2.3", None, "1.2.3"),
        ("### 10:30 standup", None, "10:30 standup"),
        ("### 2025-01-15 Session", None, "2025-01-15 Session"),
        ("## 1.5x faster", None, "1.5x faster"),
    ],
)
def test_numbered_headings(heading, number, title):
    sec = md(heading + "\n").sections[0]
    assert (sec.number, sec.title) == (number, title)


def test_heading_title_drops_markup_but_keeps_code_text():
    doc = md("## The `HANDOFF.md` **file** and [a link](x.md)\n")
    assert doc.sections[0].title == "The HANDOFF.md file and a link"
    assert [(link.href, link.text, link.line, link.column) for link in doc.links] == [("x.md", "a link", 1, 43)]


SECTIONS = """\
# Agent System

## Parallel Execution Pattern

### Prerequisites Checklist

- [ ] one

### Execution Steps

1. First

## Other
text
"""


def test_section_tree_end_lines_and_queries():
    doc = md(SECTIONS)
    assert heads(doc) == [
        (1, None, "Agent System", 1, 1, 14, None),
        (2, None, "Parallel Execution Pattern", 3, 1, 12, 0),
        (3, None, "Prerequisites Checklist", 5, 1, 8, 1),
        (3, None, "Execution Steps", 9, 1, 12, 1),
        (2, None, "Other", 13, 1, 14, 0),
    ]
    assert doc.subsections(None) == [0]
    assert doc.subsections(1) == [2, 3]
    assert doc.descendants(1) == [2, 3]
    assert [i for i, sec in enumerate(doc.sections) if normalize_key(sec.title) == normalize_key("parallel-execution_PATTERN")] == [1]
    assert [doc.section_at(n) for n in (1, 2, 6, 9, 12, 13, 14)] == [0, 0, 2, 3, 3, 4, 4]
    assert [block.line for block in doc.within(2, doc.lists)] == [7]
    assert [block.line for block in doc.within(1, doc.lists)] == [7, 11]
    assert [block.line for block in doc.within(None, doc.lists)] == [7, 11]
    assert [(block.section, block.line) for block in doc.lists] == [(2, 7), (3, 11)]
    assert doc.section_text(3) == "\n1. First\n"
    assert doc.section_text(4) == "text"


def test_text_before_the_first_heading_has_no_section():
    doc = md("- a\n\n# T\n")
    assert doc.lists[0].section is None
    assert doc.section_at(1) is None


# ----------------------------------------------------------------------------
# Lists


def test_nested_lists_depth_and_columns():
    doc = md("- a\n  - b\n    - [x] c\n- d\n")
    got = sorted((b.depth, b.line, b.column, items(b)) for b in doc.lists)
    assert got == [
        (0, 1, 1, [("a", 1, 3, None, "-", None), ("d", 4, 3, None, "-", None)]),
        (1, 2, 3, [("b", 2, 5, None, "-", None)]),
        (2, 3, 5, [("c", 3, 7, True, "-", "[x]")]),
    ]


def test_list_nested_on_its_parents_line():
    doc = md("- - [ ] x\n")
    assert sorted((b.depth, b.column, items(b)) for b in doc.lists) == [
        (0, 1, [("", 1, 3, None, "-", None)]),
        (1, 3, [("x", 1, 5, False, "-", "[ ]")]),
    ]


def test_items_without_a_paragraph_are_items_too():
    doc = md("1. ```sh\n   make\n   ```\n2.\n3. three\n")
    assert items(doc.lists[0]) == [("", 1, 4, None, "1.", None), ("", 4, 3, None, "2.", None),
                                   ("three", 5, 4, None, "3.", None)]


def test_tabs_in_list_items_and_fences():
    doc = md("- ```md\n\t- [ ] tabbed\n  ```\n\n-\t[x] tab after marker\n\n> - [ ] a\n\t**Key**: v\n")
    assert [(c.line, items(c)) for _, c in fenced_checklists(doc)] == [(2, [("tabbed", 2, 4, False, "-", "[ ]")])]
    assert items(doc.lists[0])[1] == ("tab after marker", 5, 3, True, "-", "[x]")
    assert [(m.key, m.line, m.column, m.value_column) for m in doc.metadata_entries] == [("Key", 8, 2, 11)]


@pytest.mark.parametrize(
    ("line", "marker", "checkbox", "checked", "column"),
    [
        ("- [x] done", "-", "[x]", True, 3),
        ("* [X] done", "*", "[X]", True, 3),
        ("+ [ ] done", "+", "[ ]", False, 3),
        ("1. [ ] done", "1.", "[ ]", False, 4),
        ("12) [x] done", "12)", "[x]", True, 5),
        ("- [] done", "-", None, None, 3),
        ("- [x]done", "-", None, None, 3),
        ("-   [ ] wide", "-", "[ ]", False, 5),
    ],
)
def test_task_items(line, marker, checkbox, checked, column):
    item = md(line + "\n").lists[0].items[0]
    assert (item.marker, item.checkbox, item.checked, item.line, item.column) == (marker, checkbox, checked, 1, column)


def test_task_item_text_joins_continuation_lines():
    doc = md("- [ ] first line\n  second line\n- [x]\n")
    assert [(i.text, i.checked) for i in doc.lists[0].items] == [("first line second line", False), ("", True)]
    assert doc.lists[0].is_checklist and len(doc.lists[0].tasks) == 2


def test_item_column_is_not_fooled_by_its_marker():
    doc = md("1. 1\n10. 10\n")
    assert [(i.text, i.column) for i in doc.lists[0].items] == [("1", 4), ("10", 5)]


def test_blockquoted_task_list():
    doc = md("> Notes\n>\n> - [ ] quoted\n>   - [x] nested\n")
    got = sorted((b.depth, b.line, b.column, items(b)) for b in doc.lists)
    assert got == [
        (0, 3, 3, [("quoted", 3, 5, False, "-", "[ ]")]),
        (1, 4, 5, [("nested", 4, 7, True, "-", "[x]")]),
    ]


# ----------------------------------------------------------------------------
# HTML, tables, links, metadata


def test_html_blocks_are_not_structure_but_hold_suppressions():
    doc = md("<div>\n\n## inside html? no: blank line ends it\n</div>\n\n<details>\n- [ ] raw\n</details>\n")
    assert [s.title for s in doc.sections] == ["inside html? no: blank line ends it"]
    assert doc.lists == []


def test_tables():
    doc = md("# T\n\n| Item | Done |\n|------|:----:|\n| [x] | yes |\n| `code` | **no** |\n\n> | q |\n> |---|\n> | r |\n")
    first, quoted = doc.tables
    assert (first.header, first.line, first.column, first.section) == (("Item", "Done"), 3, 1, 0)
    assert [(r.cells, r.line) for r in first.rows] == [(("[x]", "yes"), 5), (("`code`", "**no**"), 6)]
    assert (quoted.header, quoted.line, quoted.column, [r.line for r in quoted.rows]) == (("q",), 8, 3, [10])


def test_links_with_positions_and_text():
    doc = md(
        "See [one](a.md) and [two](a.md).\n"
        "Auto <https://e.com/x> and [é](./é.md) and [ref][r].\n"
        "text <!-- a\nb --> [after](c.md) `code\nspan` [last](d.md)\n\n"
        "[r]: https://ref.example\n"
    )
    got = [(link.href, link.text, link.line, link.column) for link in doc.links]
    assert got == [
        ("a.md", "one", 1, 11),
        ("a.md", "two", 1, 27),
        ("https://e.com/x", "https://e.com/x", 2, 7),
        ("./%C3%A9.md", "é", 2, 32),
        ("https://ref.example", "ref", 2, 1),  # a reference link: its line, not its definition's
        ("c.md", "after", 4, 15),
        ("d.md", "last", 5, 14),
    ]


def test_metadata_both_styles_with_value_columns():
    doc = md("# S\n\n**Status**: complete\n**Role:** worker\n- **Session ID**: `abc-1`\n   **Indented**:   x  \n")
    got = [(m.key, m.value, m.line, m.column, m.value_column, m.section, m.in_list) for m in doc.metadata_entries]
    assert got == [
        ("Status", "complete", 3, 1, 13, 0, False),
        ("Role", "worker", 4, 1, 11, 0, False),
        ("Session ID", "`abc-1`", 5, 3, 19, 0, True),
        ("Indented", "x", 6, 4, 20, 0, True),
    ]
    assert doc.metadata["session id"].value == "`abc-1`"


def test_metadata_first_entry_wins_per_normalised_key():
    doc = md("**Status**: one\n\n**status**: two\n\n**STATUS:** three\n")
    assert [m.value for m in doc.metadata_entries] == ["one", "two", "three"]
    assert doc.metadata["status"].line == 1


def test_metadata_not_in_code():
    doc = md(
        "`**Code**: no`\n\n"
        "```\n**Fence**: no\n```\n\n"
        "    **Indented code**: no\n\n"
        "text `span that\n**Spans**: no` end\n\n"
        "**Key**: `value` stays\n"
    )
    assert [(m.key, m.value, m.line) for m in doc.metadata_entries] == [("Key", "`value` stays", 12)]


def test_table_cells_are_not_metadata():
    doc = md("| Task | Size |\n|---|---|\n| **Pre-flight**: parse `a|b` | M |\n\n**Key**: v\n")
    assert [(m.key, m.line) for m in doc.metadata_entries] == [("Key", 5)]


def test_metadata_needs_the_colon_and_the_value_may_be_empty():
    doc = md("**Bold** text\n\n**Key**:\n")
    assert [(m.key, m.value, m.value_column) for m in doc.metadata_entries] == [("Key", "", 1)]


# ----------------------------------------------------------------------------
# Suppression comments


def test_suppressions_block_and_inline():
    doc = md(
        "<!-- agent-lint-disable AL101, AL102 -->\n"
        "text <!-- agent-lint-disable-next-line pattern-step-missing --> more <!-- agent-lint-enable -->\n"
        "  <!-- agent-lint-disable-file -->\n"
        "> <!-- agent-lint-enable AL101 -->\n"
        "`<!-- agent-lint-disable -->` in code\n\n"
        "```\n<!-- agent-lint-disable -->\n```\n"
        "a <!-- agent-lint-disable\nAL001 --> b\n"
    )
    got = [(s.action, s.codes, s.line, s.column) for s in doc.suppressions]
    assert got == [
        ("disable", ("AL101", "AL102"), 1, 1),
        ("disable-next-line", ("pattern-step-missing",), 2, 6),
        ("enable", (), 2, 70),
        ("disable-file", (), 3, 3),
        ("enable", ("AL101",), 4, 3),
        ("disable", ("AL001",), 10, 3),
    ]


def test_ordinary_comments_are_not_suppressions():
    doc = md("<!-- agent-lint is great -->\n<!-- agent-lint-disabled AL1 -->\n")
    assert doc.suppressions == []


# ----------------------------------------------------------------------------
# Front matter


def test_front_matter_valid():
    doc = md("---\nrole: worker\nsession: 7\n---\n# T\n")
    assert doc.front_matter == {"role": "worker", "session": 7}
    assert doc.front_matter_error is None
    assert doc.front_matter_line == 1
    assert doc.sections[0].line == 5


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("---\nrole: [worker\n---\n", 2, 14, "expected ',' or ']'"),
        ("---\na: 1\nb: 'open\n---\n", 3, 9, "unexpected end of stream"),
        ("---\nok: 1\n\tx: 1\n---\n", 3, 1, "cannot start any token"),
        # YAML counts \u2028 as a line break; the report must not.
        ("---\na: 1\u2028b: [\n---\n", 2, 10, "expected the node content"),
        ("---\r\na: 1\r\nb: [\r\n---\r\n", 3, 5, "expected the node content"),
        ("---\n" + "[" * 3000 + "\n---\n", 2, 1, "nested too deeply"),
        ("---\ndate: 2024-13-45\n---\n", 2, 1, "month must be in 1..12"),
    ],
)
def test_front_matter_invalid_yaml_has_exact_position(text, line, column, message):
    error = md(text).front_matter_error
    assert (error.line, error.column) == (line, column)
    assert message in error.message
    assert md(text).front_matter == {}


def test_front_matter_not_a_mapping():
    doc = md("---\n- a\n- b\n---\n")
    assert doc.front_matter == {}
    assert (doc.front_matter_error.line, doc.front_matter_error.column) == (1, 1)
    assert "not a mapping" in doc.front_matter_error.message


def test_empty_front_matter_and_thematic_break_later():
    assert md("---\n---\n# T\n").front_matter == {}
    later = md("# T\n\n---\na: 1\n---\n")
    assert later.front_matter_text is None and later.front_matter == {}


# ----------------------------------------------------------------------------
# Line endings, BOM and degenerate files


def test_crlf_and_bom_positions_match_lf():
    text = "# T\n\n- [ ] a\n**Key**: v\n<!-- agent-lint-disable AL1 -->\n\n## 6.3 Sub\n"
    plain = md(text)
    for variant in (text.replace("\n", "\r\n"), "\ufeff" + text, text.replace("\n", "\r")):
        doc = md(variant)
        assert heads(doc) == heads(plain)
        assert [items(b) for b in doc.lists] == [items(b) for b in plain.lists]
        assert doc.metadata_entries == plain.metadata_entries
        assert doc.suppressions == plain.suppressions
    assert md("\ufeff# T\n").has_bom and md("\ufeff# T\n").sections[0].column == 1


@pytest.mark.parametrize("text", ["", "   \n\n  \n", "\n", "\r\n\r\n"])
def test_empty_and_blank_files(text):
    doc = md(text)
    assert (doc.sections, doc.lists, doc.tables, doc.metadata_entries, doc.links, doc.suppressions) == ([],) * 6
    assert doc.front_matter == {} and list(fenced_checklists(doc)) == []
    assert len(doc.lines) >= 1


def test_file_without_trailing_newline():
    doc = md("# T\n- [x] last")
    assert doc.lines == ["# T", "- [x] last"]
    assert heads(doc) == [(1, None, "T", 1, 1, 2, None)]
    assert items(doc.lists[0]) == [("last", 2, 3, True, "-", "[x]")]


def test_position_and_offset_are_inverse_with_crlf():
    doc = md("ab\r\ncé\rd\n")
    assert [doc.position(n) for n in (0, 2, 4, 5, 7, 8)] == [(1, 1), (1, 3), (2, 1), (2, 2), (3, 1), (3, 2)]
    assert all(doc.offset(*doc.position(n)) == n for n in range(len(doc.text)))


def test_invalid_utf8_names_the_first_bad_byte():
    doc = parse_document("doc.md", None, "ok\r\né\n  \xff".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    assert doc.load_error is not None and doc.load_error.kind == "encoding"
    assert (doc.load_error.line, doc.load_error.column) == (3, 3)
    assert "0xff" in doc.load_error.message


def test_too_large_is_not_parsed():
    doc = parse_document("doc.md", None, b"# T\n" * 10, max_bytes=20)
    assert doc.load_error is not None and doc.load_error.kind == "too-large"
