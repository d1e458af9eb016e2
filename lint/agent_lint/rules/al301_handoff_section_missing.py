"""A HANDOFF document lacks a required section.

## What it checks
That every HANDOFF file has the level-2 headings AGENT-SYSTEM.md requires,
with exactly these texts: `## Current State`, `## Session History` and
`## Next Steps` (checked against `schemas/handoff.schema.json`; the list is
an option). Heading numbers (`## 2. Session History`) are ignored, and so is
a qualifier in parentheses after the text (`## Next Steps (priority order)`).

A file that has none of the required sections is reported once, not once
per section: it is a HANDOFF in a layout of its own, or a document the
handoff globs took in (a design note, a per-task report), and the message
says what to do for each.

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
    required = options["required-sections"]
    errors = list(handoff_errors(handoff, "sections", required_sections=required))
    missing = [error.validator_value.get("const") for error in errors if error.validator == "contains"]
    if len(required) > 1 and len(missing) == len(required) == len(errors):
        listed = ", ".join(f"'## {title}'" for title in missing)
        yield Finding(1, 1, f"has none of the sections a HANDOFF requires ({listed}): if it follows a layout of "
                            f"its own, set required-sections; if it is not a HANDOFF, exclude it from the handoff globs")
        return
    for error in errors:
        if error.validator == "contains":
            message = f"missing the required section '## {error.validator_value.get('const')}'"
        else:
            message = error.message
        yield Finding(1, 1, message)


RULE = Rule("AL301", "handoff-section-missing", Scope.DOCUMENT, check, __doc__, OPTIONS_SCHEMA,
            reads=Handoff)
