"""A worker's session log records a HANDOFF update.

## What it checks
Every worker log (role `worker`, or a log naming an `Orchestrator`): its
`HANDOFF Updated` field (JSON: `handoffUpdated`), when present, must be `no`
(`false`). In every `handoff-mode`.

## Why it matters
Only the orchestrator touches HANDOFF, once per batch. Workers that each
update it race on one file: their edits conflict, and the entry for the
batch ends up partial or duplicated. A worker's progress belongs in its own
session log.

## Fails
```markdown
**Role**: worker
**Orchestrator**: 2026-03-02-pr-review
**HANDOFF Updated**: 2026-03-02T14:58Z
```

## Passes
```markdown
**Role**: worker
**Orchestrator**: 2026-03-02-pr-review
**HANDOFF Updated**: no
```

## Options
None.
"""

from ..extract.session_log import describe_update
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    for log in project.by_role("worker"):
        if log.handoff_updates:
            line, column = log.at("handoff-updated")
            yield Finding(line, column, f"worker session '{log.id}' records "
                                        f"{describe_update(log.handoff_updates[0])}; only the orchestrator "
                                        f"updates HANDOFF, so a worker's HANDOFF Updated is 'no'", path=log.path)


RULE = Rule("AL210", "handoff-updated-by-worker", Scope.PROJECT, check, __doc__)
