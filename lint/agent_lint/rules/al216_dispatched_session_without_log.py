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

from ..model import Finding, Rule, Scope


def check(project, options: dict):
    known = project.session_ids
    for log in project.by_role("orchestrator"):
        for worker, (line, column) in zip(log.dispatched, log.dispatched_at):
            if worker not in known:
                yield Finding(line, column, f"dispatched session '{worker}' has no session log", path=log.path)


RULE = Rule("AL216", "dispatched-session-without-log", Scope.PROJECT, check, __doc__)
