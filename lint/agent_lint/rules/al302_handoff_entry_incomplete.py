"""A Session History entry of a HANDOFF is incomplete or malformed.

## What it checks
Each level-3 entry under `## Session History`, against
`schemas/handoff.schema.json`: its heading is a session ID (the
orchestrator's, or the single session's), it has a `**Sessions**:` line
listing at least one session ID (plain or as a link), and a non-empty
`**Summary**:` line.

## Why it matters
The entry is the one place that ties a batch together after the fact: which
sessions ran and what came of them. An entry without its Sessions line
cannot be checked against the logs; one without a Summary forces the next
session to open every log to learn the outcome.

## Fails
```markdown
## Session History

### PR review batch

**Summary**: Reviewed four PRs.
```

## Passes
```markdown
### 2026-03-02-pr-review

**Sessions**: 2026-03-02-pr-review, 2026-03-02-pr-review-300
**Summary**: Reviewed PR #300; approved.
```

## Options
None.
"""

from ..extract.handoff import handoff_errors
from ..model import Finding, Rule, Scope
from ..schema_errors import error_message
from ..views import Handoff

_KEYS = {"sessions": "**Sessions**:", "summary": "**Summary**:"}


def _message(error, entries) -> str:
    path = list(error.absolute_path)
    entry = entries[path[1]] if len(path) > 1 and path[1] < len(entries) else {}
    where = f"Session History entry '{entry.get('id', '?')}'"
    field = path[2] if len(path) > 2 else None
    if error.validator == "required":
        missing = next((k for k in _KEYS if k in error.message), None)
        return f"{where} has no '{_KEYS.get(missing, missing)}' line"
    if error.validator == "pattern" and field == "id":
        return f"{where}: the heading is not a session ID; head the entry with the orchestrator's ID"
    if error.validator == "pattern" and field == "sessions":
        return f"{where}: '{error.instance}' on the Sessions line is not a session ID"
    if error.validator == "minItems":
        return f"{where}: the Sessions line lists no session"
    if error.validator == "minLength":
        return f"{where}: the Summary is empty"
    return error_message(error)


def check(handoff: Handoff, options: dict):
    entries = handoff.data["entries"]
    for error in handoff_errors(handoff, "entries"):
        line, column = handoff.locate(error.absolute_path)
        yield Finding(line, column, _message(error, entries))


RULE = Rule("AL302", "handoff-entry-incomplete", Scope.DOCUMENT, check, __doc__, reads=Handoff)
