"""The Parallel Execution Pattern section lacks a required subsection.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern (its eight subsections).

## What it checks
That the Parallel Execution Pattern section has, at any depth below it, a
heading for each required part: when to use parallel execution, when to use
sequential execution, the orchestrator's responsibilities, the prerequisites
checklist, the execution steps, the HANDOFF update protocol, example
scenarios and limitations. Titles match with case, punctuation, spacing and
heading numbers ignored, against the alternatives of the `titles` option
("#### Use Parallel Execution When" counts as "When to Use Parallel
Execution"). One finding per missing part, at the section's heading.

## Why it matters
Each part answers a question an orchestrator must settle before dispatching
workers. A section without "When to Use Sequential Execution" invites
parallel runs of dependent tasks; one without a HANDOFF protocol leaves every
worker free to edit the shared file.

## Fails
```markdown
## Parallel Execution Pattern
### Prerequisites Checklist
### Execution Steps
```

## Passes
The same section with the six other subsections as well.

## Options
- `required` (list): the subsection keys that must be present. Default: all
  eight (`when-parallel`, `when-sequential`, `orchestrator-responsibilities`,
  `prerequisites`, `execution-steps`, `handoff-protocol`, `examples`,
  `limitations`).
- `titles` (mapping): alternative titles per key (see `agent-lint rule AL102`).
"""

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import SUBSECTION_KEYS, merged_titles, pattern_of, titles_option
from ..model import Finding, Kind, Rule, Scope

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "required": {
            "type": "array",
            "items": {"enum": list(SUBSECTION_KEYS)},
            "uniqueItems": True,
            "default": list(SUBSECTION_KEYS),
            "description": "Subsection keys that must be present.",
        },
        "titles": titles_option(),
    },
}


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None:
        return
    titles = merged_titles(options["titles"])
    for key in options["required"]:
        if key not in pattern.subsections:
            yield Finding(pattern.line, pattern.column,
                          f"'{pattern.title}' has no '{titles[key][0]}' subsection")


RULE = Rule("AL103", "pattern-subsection-missing", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
