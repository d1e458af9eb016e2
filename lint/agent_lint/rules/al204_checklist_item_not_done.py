"""A checklist item is marked done while its evidence says it was not.

## What it checks
Every checked item of a session log's checklists: task lists (`- [x] ...`),
compliance tables with a `[x]` cell, and JSON items with a boolean
`complete` / `checked`. The item's note or evidence must not say that the
work was not done: `TODO`, `TBD`, `FIXME` (markers, in capitals: "Todo list
kept current" names a to-do list), `skipped` or `not done` (but a step
skipped because it was already done, "Skipped (already activated)", was
done), or a bare `N/A` / `not applicable` with no reason given.

## Why it matters
A checked box is a claim. "[x] Markdown lint run — SKIPPED" tells a reviewer
the step happened and the evidence column that it did not; the box is what
dashboards count. Leave the item unchecked with the reason instead, or give
the reason the item does not apply.

## Fails
```markdown
| MUST | Run markdown lint | [x] | SKIPPED: docs-only |
- [x] Rate limit budget checked for all agents — TODO
```

## Passes
```markdown
| MUST | Run markdown lint | [ ] | SKIPPED: docs-only |
| MUST | Activate tools | [x] | Skipped (already activated in the previous step) |
- [x] Rate limit budget checked for all agents — N/A: read-only analysis, no API calls
```

## Options
None.
"""

import re

from ..document import Document
from ..extract.session_log import session_record
from ..model import Finding, Kind, Rule, Scope, Severity

_NOT_DONE = re.compile(
    r"^\W*(?:(?P<marker>(?-i:TODO|TBD|FIXME))\b|(?P<skip>skipped|skip|not done)\b"
    r"|(?P<na>n/?a|not applicable)\W*$)",
    re.IGNORECASE,
)
_ALREADY = re.compile(r"\balready\b", re.IGNORECASE)  # skipped because it was done before: done


def check(doc, options: dict):
    record = session_record(doc)
    for checklist in record.checklists:
        for item in checklist.items:
            match = _NOT_DONE.match(item.note) if item.checked else None
            if match is None or match.group("skip") and _ALREADY.search(item.note):
                continue
            said = "gives no reason it does not apply" if match.group("na") else "says it was not done"
            where = (*item.path, item.note_key) if item.note_key else item.path
            line, column = record.locate(where, doc)
            yield Finding(line, column, f"'{item.text}' is marked done but its evidence "
                                        f"'{item.note[:60]}' {said}")


RULE = Rule("AL204", "checklist-item-not-done", Scope.DOCUMENT, check, __doc__,
            severity=Severity.WARNING, kinds=(Kind.SESSION_LOG,), reads=Document)
