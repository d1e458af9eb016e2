"""An orchestrator updated HANDOFF before every worker of its batch had completed.

## What it checks
For each batch (an orchestrator log and the worker logs that name it), where
the logs give times: the orchestrator's `HANDOFF Updated` time must not be
earlier than any worker's `Completed` time, and no worker may still be
`in-progress` when the orchestrator records its update. Logs without times
are not judged. Applies in `handoff-mode = "single-update"` (the default).

## Why it matters
The HANDOFF entry summarises the whole batch. Written before a worker
finished, it misses that worker's outcome (often the failure that matters
most), and the next session starts from a wrong picture.

## Fails
```markdown
**Role**: orchestrator
**HANDOFF Updated**: 2026-03-02T14:50Z
```
with a worker that has `**Completed**: 2026-03-02T14:58Z`.

## Passes
```markdown
**Role**: orchestrator
**HANDOFF Updated**: 2026-03-02T15:10Z
```

## Options
None.
"""

from ..model import Finding, Rule, Scope


def check(project, options: dict):
    if project.config.handoff_mode != "single-update":
        return
    for batch in project.batches:
        orchestrator = batch.sessions[0].log
        updates = orchestrator.handoff_updates
        if not updates:
            continue
        for worker in (member.log for member in batch.workers):
            finished = worker.completed.at if worker.completed else None
            if worker.status == "in-progress":
                update = updates[0]
                problem = f"worker '{worker.id}' is still in-progress"
            else:
                late = [u for u in updates if u.at is not None and finished is not None and u.at < finished]
                if not late:
                    continue
                update = late[0]
                problem = f"worker '{worker.id}' completed at {worker.completed.text}"
            line, column = update.where
            shown = f" at {update.text}" if update.at is not None else ""
            yield Finding(line, column, f"HANDOFF updated{shown} before every worker completed: {problem}; "
                                        f"wait for all sessions, then update once", path=orchestrator.path)


RULE = Rule("AL212", "handoff-updated-before-workers-completed", Scope.PROJECT, check, __doc__)
