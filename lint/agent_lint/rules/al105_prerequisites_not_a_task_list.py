"""The prerequisites checklist template is not a task list.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern > Prerequisites Checklist.

## What it checks
That the Prerequisites Checklist subsection holds a task list (`- [ ] item`),
written plainly or inside a ```` ```markdown ```` fence, and that every item
of it has a checkbox. Reported once at the subsection's heading when it has
no list at all, once at the first item when the list has no checkbox, and at
each item without a checkbox in a list that has some.

## Why it matters
Orchestrators copy the template into their session logs and tick each item
(`- [x]`) or leave it unchecked with a justification. A plain bullet list
cannot be ticked, so the copied checklist records nothing, and the
session-log checks cannot tell a verified prerequisite from a skipped one.

## Fails
```markdown
### Prerequisites Checklist
- Tasks are independent
- No shared file modifications
```

## Passes
```markdown
### Prerequisites Checklist
- [ ] Tasks are independent
- [ ] No shared file modifications
```

## Options
- `titles` (mapping): alternative titles per subsection (see `agent-lint rule AL102`).
"""

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import pattern_of, titles_option
from ..model import Finding, Kind, Rule, Scope

OPTIONS_SCHEMA = {"type": "object", "properties": {"titles": titles_option()}}


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None or "prerequisites" not in pattern.subsections:
        return
    sub = pattern.subsections["prerequisites"]
    items = pattern.prerequisites
    if not items:
        yield Finding(sub.line, sub.column, f"'{sub.title}' has no checklist template ('- [ ] item' lines)")
    elif not pattern.prerequisites_is_task_list:
        yield Finding(items[0].line, items[0].column,
                      f"'{sub.title}' template is not a task list: write its items as '- [ ] item'")
    else:
        for item in items:
            if item.checked is None:
                yield Finding(item.line, item.column, f"prerequisites item '{item.text}' has no checkbox '[ ]'")


RULE = Rule("AL105", "prerequisites-not-a-task-list", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
