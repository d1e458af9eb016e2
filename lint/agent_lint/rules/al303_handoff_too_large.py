"""A HANDOFF document is larger than the size limit.

## What it checks
The size of each HANDOFF file in bytes, against `schemas/handoff.schema.json`
whose limit is AGENT-SYSTEM.md's: under 16 KB (16,384 bytes). The limit is
an option.

## Why it matters
A HANDOFF that only grows becomes a file every pull request edits, and so a
file most pull requests conflict on: a real one reached 122 KB and caused
merge conflicts on over 80% of pull requests. It also stops fitting in the
context the next agent reads it into. History older than the last few
batches belongs in the session logs, which already hold it.

## Fails
A 40 KB HANDOFF.md with every session since the project began.

## Passes
A HANDOFF.md with the current state, the last few batch entries and the next
steps.

## Options
- `max-bytes` (integer): the largest size allowed, in bytes.
"""

from ..extract.handoff import handoff_errors
from ..model import Finding, Rule, Scope
from ..views import Handoff

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "max-bytes": {
            "type": "integer",
            "minimum": 1,
            "default": 16384,
            "description": "Largest HANDOFF size allowed, in bytes.",
        },
    },
}


def check(handoff: Handoff, options: dict):
    limit = options["max-bytes"]
    for error in handoff_errors(handoff, "bytes", max_bytes=limit):
        size = handoff.bytes
        yield Finding(1, 1, f"HANDOFF is {size:,} bytes, over the limit of {limit:,}; move older "
                            f"Session History entries out (the session logs keep them)")


RULE = Rule("AL303", "handoff-too-large", Scope.DOCUMENT, check, __doc__, OPTIONS_SCHEMA, reads=Handoff)
