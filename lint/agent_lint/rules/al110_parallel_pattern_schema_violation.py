"""The Parallel Execution Pattern does not match the pattern schema.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern (the shape of its
checklist template, steps, examples and limitations).

## What it checks
The record agent-lint extracts from the section (see
`schemas/parallel-pattern.schema.json`) against that JSON Schema; each error
is reported at the Markdown position of the part it concerns. The schema
holds what every well-formed section has and no team configures: template
items that are not empty and start unchecked, steps and example titles that
are not empty, and limitation rows that name their limitation. Required
subsections, items, step order, example count and mitigations are left to
AL103-AL108, so no problem is reported twice.

## Why it matters
Orchestrators copy the template as written: a pre-checked item (`- [x]`)
arrives ticked in every session log without anyone having verified it, and
an empty item or a nameless limitation row is a placeholder nobody filled in.

## Fails
```markdown
### Prerequisites Checklist
- [x] Tasks are independent
- [ ]
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
from ..schema_check import builtin_schema
from ..views import locate

SCHEMA = "parallel-pattern.schema.json"
OPTIONS_SCHEMA = {"type": "object", "properties": {"titles": titles_option()}}


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None:
        return
    data, where = pattern.to_json()
    for error in sorted(builtin_schema(SCHEMA).errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        line, column = locate(where, error.absolute_path)
        message = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
        path = "/".join(str(p) for p in error.absolute_path)
        yield Finding(line, column, message or f"parallel pattern record at '/{path}': {error.message}")


RULE = Rule("AL110", "parallel-pattern-schema-violation", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
