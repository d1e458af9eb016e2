"""A HANDOFF document lacks a required section.

## What it checks
That every HANDOFF file has the level-2 headings AGENT-SYSTEM.md requires,
with exactly these texts: `## Current State`, `## Session History` and
`## Next Steps` (checked against `schemas/handoff.schema.json`; the list is
an option). Heading numbers (`## 2. Session History`) are ignored, and so is
a qualifier in parentheses after the text (`## Next Steps (priority order)`).

## Why it matters
The next session starts by reading HANDOFF. It looks for where things stand,
what happened and what to do next under those headings; a HANDOFF that puts
them elsewhere, or leaves one out, is read wrongly or not at all, and batch
entries outside `## Session History` are invisible to the batch checks.

## Fails
```markdown
# Handoff

## Status

Main is green.
```

## Passes
```markdown
# Handoff

## Current State
## Session History
## Next Steps
```

## Options
- `required-sections` (list of strings): the level-2 titles every HANDOFF must have.
"""

from ..extract.handoff import handoff_errors
from ..model import Finding, Rule, Scope
from ..views import Handoff

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "required-sections": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["Current State", "Session History", "Next Steps"],
            "description": "Level-2 section titles every HANDOFF must have.",
        },
    },
}


def check(handoff: Handoff, options: dict):
    for error in handoff_errors(handoff, "sections", required_sections=options["required-sections"]):
        if error.validator == "contains":
            message = f"missing the required section '## {error.validator_value.get('const')}'"
        else:
            message = error.message
        yield Finding(1, 1, message)


RULE = Rule("AL301", "handoff-section-missing", Scope.DOCUMENT, check, __doc__, OPTIONS_SCHEMA,
            reads=Handoff)
