"""The Parallel Execution Pattern of a system document, as a positioned record.

Real system documents word and nest this section differently: numbered
headings ("6.3 Parallel Execution Pattern Template"), subsections at any depth,
the prerequisites template shown inside a ```` ```markdown ```` fence, the
execution steps as an ordered list or as numbered lines of a ```` ```text ````
fence, limitations as a table or a list. :func:`extract` absorbs those
differences so that rules only see what the section says and where.

Titles are matched after :func:`normalize_title` (case, punctuation and
spacing ignored; the document model has already split off heading numbers),
against alternatives per canonical key (:data:`DEFAULT_TITLES`).
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from ..document import Document, ListBlock, MarkdownDocument, derived
from ..views import Example, Limitation, ParallelPattern, PatternItem, Subsection, SystemDocument

SECTION = "section"
SUBSECTION_KEYS = (
    "when-parallel",
    "when-sequential",
    "orchestrator-responsibilities",
    "prerequisites",
    "execution-steps",
    "handoff-protocol",
    "examples",
    "limitations",
)

DEFAULT_TITLES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    SECTION: ("Parallel Execution Pattern", "Parallel Execution"),
    "when-parallel": ("When to Use Parallel Execution", "Use Parallel Execution When", "When to Use Parallel"),
    "when-sequential": ("When to Use Sequential Execution", "Use Sequential Execution When",
                        "When to Use Sequential"),
    "orchestrator-responsibilities": ("Orchestrator Responsibilities", "Orchestrator Role"),
    "prerequisites": ("Prerequisites Checklist", "Prerequisite Checklist", "Prerequisites"),
    "execution-steps": ("Execution Steps", "Execution Protocol"),
    "handoff-protocol": ("HANDOFF Update Protocol for Parallel Sessions", "HANDOFF Update Protocol",
                         "Session Coordination Protocol"),
    "examples": ("Example Scenarios", "Examples"),
    "limitations": ("Limitations and Constraints", "Limitations"),
})

_MARKDOWN_FENCES = ("", "markdown", "md", "gfm")
_NUMBERED_LINE = re.compile(r"^(?P<indent>\s*)(?P<number>\d+)[.)]\s+(?P<text>\S.*?)\s*$")
_EMPHASIS = re.compile(r"\*\*|__|`")
_MITIGATION_HEADER = re.compile(r"mitigat|workaround|solution|remed", re.I)
# In a list of limitations the mitigation follows a label or an arrow:
# "- Rate limits: agents fail. Mitigation: check the budget first."
_MITIGATION_MARK = re.compile(
    r"(?:\b(?:mitigation|mitigated by|mitigate by|workaround|solution|fix)\b\s*[:\-\u2013\u2014]|\s(?:\u2192|->|=>))\s*",
    re.I,
)


def normalize_title(title: str) -> str:
    """Titles compared the way people read them: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[\W_]+", " ", title).split()).casefold()


# ----------------------------------------------------------------------------
# Extraction


def merged_titles(titles: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Default titles with the given keys replaced."""
    result = {key: tuple(value) for key, value in DEFAULT_TITLES.items()}
    for key, value in (titles or {}).items():
        result[key] = tuple(value)
    return result


def find_section(doc: MarkdownDocument, titles: Mapping[str, Sequence[str]] | None = None) -> int | None:
    """Index of the section titled like the Parallel Execution Pattern.

    When several headings qualify (a "### Parallel Execution" note under a
    workflow, say, before the real section), the one with the most
    recognised subsections wins; among equals, the first.
    """
    all_titles = merged_titles(titles)
    wanted = {normalize_title(t) for t in all_titles[SECTION]}
    matches = [i for i, section in enumerate(doc.sections) if normalize_title(section.title) in wanted]
    if len(matches) > 1:
        return max(matches, key=lambda i: (len(_subsections(doc, i, all_titles)), -i))
    return matches[0] if matches else None


def extract(doc: Document, titles: Mapping[str, Sequence[str]] | None = None) -> ParallelPattern | None:
    """The document's Parallel Execution Pattern, or None when it has no such section."""
    if not isinstance(doc, MarkdownDocument):
        return None
    all_titles = merged_titles(titles)
    index = find_section(doc, all_titles)
    if index is None:
        return None
    section = doc.sections[index]
    subsections = _subsections(doc, index, all_titles)
    prerequisites: tuple[PatternItem, ...] = ()
    fenced = is_task_list = False
    if "prerequisites" in subsections:
        prerequisites, fenced, is_task_list = _prerequisites(doc, subsections["prerequisites"])
    steps: tuple[PatternItem, ...] = ()
    steps_fenced = False
    if "execution-steps" in subsections:
        steps, steps_fenced = _steps(doc, subsections["execution-steps"])
    examples = _examples(doc, subsections["examples"]) if "examples" in subsections else ()
    limitations = _limitations(doc, subsections["limitations"]) if "limitations" in subsections else ()
    return ParallelPattern(
        section.title, section.line, section.column, section.end_line, subsections,
        prerequisites, fenced, is_task_list, steps, steps_fenced, examples, limitations,
    )


def view(doc: Document) -> SystemDocument:
    """The system document's view (views.SystemDocument): its pattern, read with the default titles."""
    return SystemDocument(doc.path, pattern_of(doc))


def template_items(doc: Document, titles: Mapping[str, Sequence[str]] | None = None) -> tuple[str, ...]:
    """The prerequisites template item texts, in order (empty without a template)."""
    pattern = pattern_of(doc, titles)
    return tuple(item.text for item in pattern.prerequisites) if pattern else ()


def _subsections(doc: MarkdownDocument, index: int, titles: Mapping[str, Sequence[str]]) -> dict[str, Subsection]:
    found: dict[str, Subsection] = {}
    descendants = doc.descendants(index)
    for key in SUBSECTION_KEYS:
        wanted = {normalize_title(t) for t in titles.get(key, ())}
        for i in descendants:
            sec = doc.sections[i]
            if normalize_title(sec.title) in wanted:
                found[key] = Subsection(key, sec.title, sec.line, sec.column, sec.end_line)
                break
    return found


def _within(sub: Subsection, items: Sequence[Any]) -> list[Any]:
    return [item for item in items if sub.line <= item.line <= sub.end_line]


def _prerequisites(doc: MarkdownDocument, sub: Subsection) -> tuple[tuple[PatternItem, ...], bool, bool]:
    """The template: the first checklist in the subsection, written plainly or in a fence.

    Without any checklist, the first list stands in (so a rule can say it is
    not a task list). Only the subsection's own fences are parsed, not every
    fence of the document.
    """
    candidates: list[tuple[int, bool, ListBlock]] = [
        (block.line, False, block) for block in _within(sub, doc.lists) if block.depth == 0
    ]
    for code in _within(sub, doc.code_blocks):
        if code.fenced and code.info in _MARKDOWN_FENCES:
            candidates.extend((block.line, True, block) for block in doc.embedded(code).lists if block.depth == 0)
    candidates.sort(key=lambda c: c[0])
    chosen = next((c for c in candidates if c[2].is_checklist), candidates[0] if candidates else None)
    if chosen is None:
        return (), False, False
    _, fenced, block = chosen
    items = tuple(PatternItem(item.text, item.line, item.column, item.checked) for item in block.items)
    return items, fenced, block.is_checklist


def _steps(doc: MarkdownDocument, sub: Subsection) -> tuple[tuple[PatternItem, ...], bool]:
    """The first ordered list of the subsection, else the numbered lines of its first fence that has some."""
    for block in _within(sub, doc.lists):
        if block.ordered and block.depth == 0:
            return tuple(PatternItem(item.text, item.line, item.column) for item in block.items), False
    for code in _within(sub, doc.code_blocks):
        steps = []
        for n, raw in enumerate(code.content.splitlines()):
            match = _NUMBERED_LINE.match(raw)
            if match:
                line = code.line + 1 + n
                host = doc.lines[line - 1] if line - 1 < len(doc.lines) else raw
                shift = len(host) - len(raw) if host.endswith(raw) else 0
                # Like a list item's, the step's column is where its text starts.
                steps.append(PatternItem(match.group("text"), line, shift + match.start("text") + 1))
        if steps:
            return tuple(steps), True
    return (), False


def _examples(doc: MarkdownDocument, sub: Subsection) -> tuple[Example, ...]:
    """The scenarios: headings one level below the subsection, else the items of its first list."""
    children = [doc.sections[i] for i in doc.subsections(doc.section_at(sub.line))]
    if children:
        return tuple(Example(s.title, s.line, s.column) for s in children)
    for block in _within(sub, doc.lists):
        if block.depth == 0:
            return tuple(Example(item.text, item.line, item.column) for item in block.items)
    return ()


def _limitations(doc: MarkdownDocument, sub: Subsection) -> tuple[Limitation, ...]:
    """Rows of the first table (mitigation: its Mitigation column), else items of the first list."""
    tables = _within(sub, doc.tables)
    if tables:
        table = tables[0]
        column = next((n for n, cell in enumerate(table.header) if _MITIGATION_HEADER.search(cell)), None)
        result = []
        for row in table.rows:
            cells = [_EMPHASIS.sub("", cell).strip() for cell in row.cells]
            text = cells[0] if cells else ""
            mitigation = None if column is None else (cells[column] if column < len(cells) else "")
            host = doc.lines[row.line - 1] if 0 < row.line <= len(doc.lines) else ""
            first = row.cells[0] if row.cells and row.cells[0] else "|"
            col = host.find(first) + 1 or 1
            result.append(Limitation(text, mitigation, row.line, col))
        return tuple(result)
    for block in _within(sub, doc.lists):
        if block.depth == 0:
            result = []
            for item in block.items:
                text = _EMPHASIS.sub("", item.text)
                mark = _MITIGATION_MARK.search(text)
                if mark:
                    result.append(Limitation(text[: mark.start()].strip(" .;:"), text[mark.end():].strip(),
                                             item.line, item.column))
                else:
                    # "- Context loss: workers cannot learn" names the limitation before the colon.
                    result.append(Limitation(text.split(":", 1)[0].strip(), None, item.line, item.column))
            return tuple(result)
    return ()


# ----------------------------------------------------------------------------
# For rules


def titles_option() -> dict[str, Any]:
    """The JSON Schema of the ``titles`` option every AL1xx document rule takes."""
    return {
        "type": "object",
        "propertyNames": {"enum": [SECTION, *SUBSECTION_KEYS]},
        "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "default": {key: list(value) for key, value in DEFAULT_TITLES.items()},
        "description": "Alternative titles per part of the pattern ('section' or a subsection key); "
                       "a key given replaces that key's defaults, the others keep theirs.",
    }


def pattern_of(doc: Document, titles: Mapping[str, Sequence[str]] | None = None) -> ParallelPattern | None:
    """:func:`extract`, done once per document and titles however many rules ask."""
    return derived(doc, _extract, tuple(sorted(merged_titles(titles).items())))


def _extract(doc: Document, titles: tuple[tuple[str, tuple[str, ...]], ...]) -> ParallelPattern | None:
    return extract(doc, dict(titles))
