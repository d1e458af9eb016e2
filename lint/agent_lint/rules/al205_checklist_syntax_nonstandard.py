"""A checklist is not written with `- [ ]` and `- [x]`.

## What it checks
Task lists use `-` as their bullet and a lower-case `x` in a checked box,
as AGENT-SYSTEM.md writes its template: a list written `* [ ] item`,
`+ [x] item` or `- [X] item` is reported once, at its first such item.
Ordered task lists and checklists shown inside code fences are left alone.

The rule is opt-in: `* [X]` is valid GitHub Markdown and every agent-lint
rule reads it correctly, so this is a matter of house style, not of the
protocol. Enable it by its code or name: `--extend-select AL205` on the
command line, or `select = ["ALL", "AL205"]` in the config; `ALL` and
prefixes such as `AL2` alone do not.

`--fix` rewrites the bullets of the whole list (one list has one bullet)
and lower-cases the marks. It is offered only when the document parses to
the same structure afterwards, with every other list it fixes: a list
changed to `-` right after another `-` list would merge with it. (Time
stays linear in the document: two parses, however many lists.)

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

from ..document import Document, MarkdownDocument, markdown_parser
from ..edits import splice
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


def _tokens(text: str) -> list:
    return markdown_parser(blocks_only=True).parse(text)


def _structure(tokens: list) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, t.level, t.map, t.hidden) for t in tokens]


def _siblings(tokens: list, blocks: list) -> dict[int, tuple[int | None, int | None]] | None:
    """For each list (an index into ``blocks``), the lists right before and after it in the same
    container, which a change of bullet would merge it with; None where the two parses disagree."""
    opened = [i for i, t in enumerate(tokens) if t.type in ("bullet_list_open", "ordered_list_open")]
    if len(opened) != len(blocks):
        return None
    # Lists opening on one line are nested ("* * x"): the outer opens first and starts further left.
    by_place = sorted(range(len(blocks)), key=lambda b: (blocks[b].line, blocks[b].column))
    by_token = {token: by_place[n] for n, token in enumerate(opened)}
    close_of, stack = {}, []
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            stack.append(i)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            close_of[stack.pop()] = i
    opener_of = {close: open_ for open_, close in close_of.items()}
    around: dict[int, tuple[int | None, int | None]] = {}
    for open_, close in close_of.items():
        before = opener_of.get(open_ - 1)  # a list that closes right where this one opens
        after = close + 1 if close + 1 in by_token else None
        around[by_token[open_]] = (by_token.get(before) if before is not None else None,
                                   by_token.get(after) if after is not None else None)
    return around


def _safe(doc: MarkdownDocument, found: list) -> set[int]:
    """Which of the lists found may take '-' as their bullet without the document changing shape.

    A bullet list ends where one with another bullet starts, so a list
    changed to '-' would merge with a '-' list right beside it in the same
    container. Lists are taken in order, as the fixes apply in one pass: a
    list is safe if neither neighbour is (or has just been made) a '-'
    list. One parse of the result confirms it; should it not, no bullet
    is changed. Two parses in all, however many lists: linear in the
    document.
    """
    tokens = _tokens(doc.text)
    blocks = doc.lists
    around = _siblings(tokens, blocks)
    if around is None:
        return set()
    bullet = {index: block.items[0].marker if block.items and not block.ordered else None
              for index, block in enumerate(blocks)}
    position = {id(block): index for index, block in enumerate(blocks)}
    safe, accepted = set(), []
    for n, (block, _, edits) in enumerate(found):
        index = position.get(id(block))
        if index is None or not edits or not edits[0]:
            continue
        if all(other is None or bullet[other] != "-" for other in around.get(index, (None, None))):
            bullet[index] = "-"
            safe.add(n)
            accepted += edits[0]
    if safe and _structure(_tokens(splice(doc.text, sorted(accepted)))) != _structure(tokens):
        return set()
    return safe


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
    safe = _safe(doc, found)
    for index, (block, first, edits) in enumerate(found):
        fix = None
        if edits and (index in safe or not edits[0]):
            fix = Fix("write the checklist '- [ ]' / '- [x]'", tuple(edits[0] + edits[1]))
        yield Finding(first.line, first.column, f"checklist written '{first.marker} {first.checkbox}'; "
                                                f"write '- [ ]' and '- [x]'", fix=fix)


RULE = Rule("AL205", "checklist-syntax-nonstandard", Scope.DOCUMENT, check, __doc__, OPTIONS_SCHEMA,
            severity=Severity.WARNING, fixable=True, opt_in=True, reads=Document)
