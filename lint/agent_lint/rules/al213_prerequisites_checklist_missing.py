"""An orchestrator's session log has no prerequisites checklist.

## What it checks
Every orchestrator log (role `orchestrator`, or a log with a `Dispatched`
list) carries the prerequisites checklist of the system document's Parallel
Execution Pattern: a `## Prerequisites Checklist` section with a task list
(or a table of `[x]` / `[ ]` cells) in Markdown, a `prerequisites` array in
JSON.

## Why it matters
The checklist is the orchestrator's record that the batch was safe to run in
parallel: independent tasks, no shared files, enough rate-limit budget, one
HANDOFF update. Without it nobody can tell whether those were checked before
the workers were dispatched, and a failed batch cannot be traced to the
assumption that broke.

## Fails
```markdown
**Role**: orchestrator
**Dispatched**: 2026-03-02-pr-review-300, 2026-03-02-pr-review-301

## Work Log
```

## Passes
```markdown
## Prerequisites Checklist

- [x] Tasks are independent
- [x] No shared file modifications
...
```

## Options
None.
"""

from ..extract.session_log import locate, session_records
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    for record in session_records(project):
        if record.role == "orchestrator" and not record.prerequisites:
            where = "has an empty" if record.prerequisites is not None else "has no"
            line, column = locate(project, record, ("prerequisites",))
            yield Finding(line, column, f"orchestrator session '{record.id}' {where} prerequisites checklist; "
                                        f"copy the template of the Parallel Execution Pattern and fill it in "
                                        f"before dispatch", path=record.path)


RULE = Rule("AL213", "prerequisites-checklist-missing", Scope.PROJECT, check, __doc__)
