"""A worker of a batch is missing from its orchestrator's dispatch list.

## What it checks
Every worker log that names an orchestrator is listed in that orchestrator's
`Dispatched` field (JSON: `dispatched`). Reported on the orchestrator's log,
where the list must change.

## Why it matters
The dispatch list is what the orchestrator waits for before it updates
HANDOFF and what its `Session-Ids:` trailer is checked against. A worker that
is not on it can still be running when HANDOFF is updated, and its outcome
drops out of the batch summary.

## Fails
Orchestrator `2026-03-02-pr-review` with `**Dispatched**:
2026-03-02-pr-review-300`, and a log `2026-03-02-pr-review-301` whose
`**Orchestrator**` is `2026-03-02-pr-review`.

## Passes
`**Dispatched**: 2026-03-02-pr-review-300, 2026-03-02-pr-review-301`

## Options
None.
"""

from ..model import Finding, Rule, Scope


def check(project, options: dict):
    for batch in project.batches:
        orchestrator = batch.sessions[0].log
        listed = set(orchestrator.dispatched)
        for worker in batch.workers:
            if worker.id not in listed:
                line, column = orchestrator.at("dispatched")
                yield Finding(line, column, f"worker '{worker.id}' names this session as its orchestrator "
                                            f"but is not in its Dispatched list", path=orchestrator.path)


RULE = Rule("AL218", "worker-missing-from-dispatch-list", Scope.PROJECT, check, __doc__)
