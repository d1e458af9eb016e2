"""An orchestrator's log records more than one HANDOFF update for its batch.

## What it checks
Orchestrator and single-session logs record at most one HANDOFF update:
one `HANDOFF Updated` line with one date-time (JSON: `handoffUpdated` is
`false` or one date-time string, not a list). Applies in `handoff-mode =
"single-update"` (the default); in `read-only` mode any update at all is
AL219's finding instead.

## Why it matters
The protocol makes exactly one commit change HANDOFF per batch, after all
workers are done. A second update means the first one was made before the
batch was complete, or the batch's entry was rewritten piecemeal; either way
HANDOFF was edited more often than the one atomic update that keeps it free
of merge conflicts.

## Fails
```markdown
**Role**: orchestrator
**HANDOFF Updated**: 2026-03-02T14:45Z, 2026-03-02T15:10Z
```

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
    for log in project.sessions:
        updates = log.handoff_updates
        if log.role in ("orchestrator", "single") and len(updates) > 1:
            shown = ", ".join(u.text or "(no time)" for u in updates)
            line, column = updates[1].where
            yield Finding(line, column, f"{log.role} session '{log.id}' records {len(updates)} HANDOFF "
                                        f"updates ({shown}); update HANDOFF once, after every session of the "
                                        f"batch is complete", path=log.path)


RULE = Rule("AL211", "handoff-updated-more-than-once", Scope.PROJECT, check, __doc__)
