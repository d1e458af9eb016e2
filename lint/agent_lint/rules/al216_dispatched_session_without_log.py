"""An orchestrator lists a dispatched session that has no log.

## What it checks
Every ID in an orchestrator's `Dispatched` list (JSON: `dispatched`) is the
ID of a session log in the configured session-log folders.

## Why it matters
Each worker writes its own log, even when it fails. A dispatched ID without
a log is a worker whose result is lost (it crashed, or wrote its log under
another name), and the orchestrator's summary of the batch claims an outcome
nobody can check.

## Fails
```markdown
**Dispatched**: 2026-03-02-pr-review-300, 2026-03-02-pr-review-399
```
where `.agents/sessions/2026-03-02-pr-review-399.*` does not exist.

## Passes
Every dispatched ID has its log.

## Options
None.
"""

from ..extract.session_log import locate, session_records
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    known = {doc.stem for doc in project.session_logs}
    for record in session_records(project):
        if record.role != "orchestrator":
            continue
        for index, worker in enumerate(record.dispatched):
            if worker not in known:
                line, column = locate(project, record, ("dispatched", index))
                yield Finding(line, column, f"dispatched session '{worker}' has no session log",
                              path=record.path)


RULE = Rule("AL216", "dispatched-session-without-log", Scope.PROJECT, check, __doc__)
