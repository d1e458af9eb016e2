"""A session updated HANDOFF while HANDOFF is frozen (read-only mode).

## What it checks
With `handoff-mode = "read-only"` in the config, no orchestrator or single
session records a HANDOFF update: its `HANDOFF Updated` field is `no`
(JSON: `false`). Workers are AL210's concern in every mode.

## Why it matters
A team freezes HANDOFF (for example while a release branch stabilises) so
that no pull request touches it. The batch summary then goes into the
`## Outcome` of the orchestrator's own log. An update made anyway brings the
merge conflicts back that freezing was meant to stop.

## Fails
```markdown
**Role**: orchestrator
**HANDOFF Updated**: 2026-03-02T15:10Z
```
(with `handoff-mode = "read-only"`)

## Passes
```markdown
**Role**: orchestrator
**HANDOFF Updated**: no
```

## Options
None; the mode is the config key `handoff-mode`.
"""

from ..extract.session_log import describe_update
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    if project.config.handoff_mode != "read-only":
        return
    for log in project.sessions:
        if log.role != "worker" and log.handoff_updates:
            line, column = log.at("handoff-updated")
            yield Finding(line, column, f"session '{log.id}' records {describe_update(log.handoff_updates[0])}, "
                                        f"but HANDOFF is read-only (handoff-mode); record the summary in the "
                                        f"log's Outcome instead", path=log.path)


RULE = Rule("AL219", "handoff-updated-while-frozen", Scope.PROJECT, check, __doc__)
