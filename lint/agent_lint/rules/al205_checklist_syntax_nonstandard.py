"""A checklist is not written with `- [ ]` and `- [x]`.

## What it checks
Task lists use `-` as their bullet and a lower-case `x` in a checked box,
as AGENT-SYSTEM.md writes its template: a list written `* [ ] item`,
`+ [x] item` or `- [X] item` is reported once, at its first such item.
Ordered task lists and checklists shown inside code fences are left alone.

The rule is opt-in: `* [X]` is valid GitHub Markdown and every agent-lint
rule reads it correctly, so this is a matter of house style, not of the
protocol. Enable it by its code or name (`extend-select = ["AL205"]`);
`ALL` and prefixes such as `AL2` do not.

`--fix` rewrites the bullets of the whole list (one list has one bullet)
and lower-cases the marks. It is offered only when the document parses to
the same structure afterwards, with every other list it fixes: a list
changed to `-` right after another `-` list would merge with it.

## Why it matters
Scripts and people search logs for `- [ ]` to find what is still open; a
log that writes its boxes another way is missed by the search, not by the
reader.

## Fails
```markdown
* [X] Tasks are independent
```

## Passes
```markdown
- [x] Tasks are independent
```

## Options
`documents`: the kinds of documents checked (`session-log`, `handoff`,
`system-document`); session logs only by default.
"""

import re

from ..document import MarkdownDocument, markdown_parser
from ..model import Edit, Finding, Fix, Kind, Rule, Scope, Severity

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "documents": {
            "type": "array",
            "items": {"enum": [kind.value for kind in Kind]},
            "default": [Kind.SESSION_LOG.value],
            "description": "Kinds of documents whose checklists are checked.",
        },
    },
}
_BULLET = re.compile(r"([*+-])[ \t]+$")


def _edits(doc: MarkdownDocument, block) -> tuple[list[Edit], list[Edit]] | None:
    """(bullet edits, mark edits) of one list, or None when a bullet cannot be found where it should be."""
    bullets, marks = [], []
    for item in block.items:
        if item.marker != "-":
            found = _BULLET.search(doc.lines[item.line - 1][:item.column - 1])
            if found is None:
                return None
            start = doc.offset(item.line, found.start(1) + 1)
            bullets.append(Edit(start, start + 1, "-"))
        if item.checkbox == "[X]":
            start = doc.offset(item.line, item.column) + 1
            marks.append(Edit(start, start + 1, "x"))
    return bullets, marks


def _structure(text: str) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, t.level, t.map, t.hidden) for t in markdown_parser(blocks_only=True).parse(text)]


def _apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def check(doc, options: dict):
    if not isinstance(doc, MarkdownDocument) or doc.kind is None or doc.kind.value not in options["documents"]:
        return
    found = []
    for block in doc.checklists:
        odd = [i for i in block.tasks if i.marker in ("*", "+") or i.checkbox == "[X]"]
        if odd and not block.ordered:
            found.append((block, odd[0], _edits(doc, block)))
    if not found:
        return
    # A list's bullets may change only if, with every other list changed
    # so far, the document keeps its structure (one pass applies them all).
    original, accepted, safe = _structure(doc.text), [], set()
    for index, (_, _, edits) in enumerate(found):
        if edits and edits[0] and _structure(_apply(doc.text, accepted + edits[0])) == original:
            accepted += edits[0]
            safe.add(index)
    for index, (block, first, edits) in enumerate(found):
        fix = None
        if edits and (index in safe or not edits[0]):
            fix = Fix("write the checklist '- [ ]' / '- [x]'", tuple(edits[0] + edits[1]))
        yield Finding(first.line, first.column, f"checklist written '{first.marker} {first.checkbox}'; "
                                                f"write '- [ ]' and '- [x]'", fix=fix)


RULE = Rule("AL205", "checklist-syntax-nonstandard", Scope.DOCUMENT, check, __doc__, OPTIONS_SCHEMA,
            severity=Severity.WARNING, fixable=True, opt_in=True)
