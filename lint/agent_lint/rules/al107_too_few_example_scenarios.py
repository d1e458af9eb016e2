"""The Example Scenarios subsection has fewer scenarios than required.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern > Example Scenarios.

## What it checks
That the Example Scenarios subsection describes at least `min-examples`
scenarios. A scenario is a heading one level below the subsection
("#### Example: Multi-PR Review"); a subsection without such headings counts
the items of its first list instead.

## Why it matters
Agents learn the protocol from its examples more than from its rules. One
example shows one shape of batch; the reference shows three (a review with
worktrees, a read-only analysis with a disagreement, and a batch where a
worker fails), so that the unusual cases have a precedent too.

## Fails
```markdown
### Example Scenarios
#### Example: Multi-PR Review
```

## Passes
```markdown
### Example Scenarios
#### Example: Multi-PR Review
#### Example: Impact Analysis
#### Example: Documentation Updates
```

## Options
- `min-examples` (integer): the fewest scenarios allowed. Default: 3.
- `titles` (mapping): alternative titles per subsection (see `agent-lint rule AL102`).
"""

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import pattern_of, titles_option
from ..model import Finding, Kind, Rule, Scope

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "min-examples": {"type": "integer", "minimum": 0, "default": 3,
                         "description": "The fewest example scenarios allowed."},
        "titles": titles_option(),
    },
}


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None or "examples" not in pattern.subsections:
        return
    sub, count, wanted = pattern.subsections["examples"], len(pattern.examples), options["min-examples"]
    if count < wanted:
        have = f"{count} example scenario{'s' if count != 1 else ''}"
        yield Finding(sub.line, sub.column, f"'{sub.title}' has {have}; at least {wanted} are required")


RULE = Rule("AL107", "too-few-example-scenarios", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
