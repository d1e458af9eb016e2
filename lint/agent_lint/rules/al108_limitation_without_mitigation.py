"""A limitation of the Parallel Execution Pattern has no mitigation.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern > Limitations and Constraints.

## What it checks
Every limitation listed under Limitations and Constraints. In a table, the
row's cell in the Mitigation column (a header containing "mitigation",
"workaround" or "solution") must not be empty or a placeholder; a table
without such a column leaves every row without one. In a list, each item
must carry its mitigation after a label or an arrow
(`- Rate limits: agents fail. Mitigation: check the budget first.`,
`- Rate limits → check the budget first`).

## Why it matters
A limitation without a mitigation is a warning with no instruction: the
orchestrator knows the batch may fail and nothing about what to do first.
Each limitation of the reference names the concrete step that contains it.

## Fails
```markdown
| Limitation | Impact | Mitigation |
|------------|--------|------------|
| Rate limits | Agents fail part-way | |
```

## Passes
```markdown
| Limitation | Impact | Mitigation |
|------------|--------|------------|
| Rate limits | Agents fail part-way | Check the budget before dispatch |
```

## Options
- `placeholders` (list): cell texts that count as empty (case ignored).
  Default: `-`, `–`, `—`, `n/a`, `none`, `tbd`, `todo`, `?`.
- `titles` (mapping): alternative titles per subsection (see `agent-lint rule AL102`).
"""

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import pattern_of, titles_option
from ..model import Finding, Kind, Rule, Scope

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "placeholders": {"type": "array", "items": {"type": "string"},
                         "default": ["-", "\u2013", "\u2014", "n/a", "none", "tbd", "todo", "?"],
                         "description": "Mitigation texts that count as no mitigation."},
        "titles": titles_option(),
    },
}


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None:
        return
    placeholders = {p.strip().casefold() for p in options["placeholders"]}
    for limitation in pattern.limitations:
        mitigation = (limitation.mitigation or "").strip()
        if not mitigation or mitigation.casefold() in placeholders:
            name = f"'{limitation.text}'" if limitation.text else "in this row"
            yield Finding(limitation.line, limitation.column, f"limitation {name} has no mitigation")


RULE = Rule("AL108", "limitation-without-mitigation", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
