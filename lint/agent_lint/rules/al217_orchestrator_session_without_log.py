"""A worker names an orchestrator session that has no log.

## What it checks
A worker's `Orchestrator` field (JSON: `orchestrator`) names the ID of an
existing session log.

## Why it matters
The worker's batch is found through that name: its HANDOFF entry, the
orchestrator's prerequisites, the one HANDOFF update. A name that leads
nowhere (a typo, a renamed log, an orchestrator that never wrote one) leaves
the worker outside every batch check.

## Fails
```markdown
**Role**: worker
**Orchestrator**: 2026-03-02-pr-reveiw
```

## Passes
```markdown
**Role**: worker
**Orchestrator**: 2026-03-02-pr-review
```

## Options
None.
"""

from ..model import Finding, Rule, Scope


def check(project, options: dict):
    known = project.session_ids
    for log in project.by_role("worker"):
        orchestrator = log.orchestrator
        if orchestrator and orchestrator not in known:
            line, column = log.at("orchestrator")
            yield Finding(line, column, f"orchestrator session '{orchestrator}' has no session log", path=log.path)


RULE = Rule("AL217", "orchestrator-session-without-log", Scope.PROJECT, check, __doc__)
