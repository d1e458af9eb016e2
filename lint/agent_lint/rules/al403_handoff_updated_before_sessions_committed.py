"""A unit updates HANDOFF before every one of its session logs is committed.

## What it checks
With `--since REF`, for each HANDOFF update of a unit (a batch or a single
session, see AGENT-SYSTEM.md, "Units"), that the commit of each of its logs
is an ancestor of the update or the update itself. A log's commit is the
one that adds it; later edits to a finished log (formatting, a checklist
added to old logs) are not the session's work, and a log older than the
range was committed before it. Reported once per HANDOFF commit, at the
unit's entry in HANDOFF (or line 1), listing the logs committed later with
their commits. A batch's orchestrator may complete its own log after the
update. "Before" is ancestry, not dates: a log committed earlier on a
branch merged only after the update was not there when HANDOFF was written.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(When: "after every session of the batch is complete"; Units: "after every
log of the unit is committed") and steps 5 and 7 of "Execution Steps".

## Why it matters
An update written before a worker finished summarizes a batch that did not
exist yet: the late worker's outcome (often its failure) is missing from
HANDOFF, and the next agent plans from a wrong state.

## Fails
```text
a1b2c3d worker 1 log                       (.agents/sessions/…-w1.md)
b2c3d4e docs: record the batch             (HANDOFF.md)
c3d4e5f worker 2 log                       (.agents/sessions/…-w2.md)
```

## Passes
Both worker logs committed (or merged) before `docs: record the batch`. A
formatter run over every log after the update.

## Options
None. Not checked with `handoff-mode = "read-only"` (AL402 reports any
HANDOFF change then).
A project without session logs gives it nothing to judge (said once, on stderr).
"""

from ..batches import IDS_SHOWN, commit_node, describe
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    gate = project.gate
    if gate is None or not gate.judged:
        return
    for commit in gate.handoff_commits:
        units = gate.units_updated_by(commit)
        # A batch's orchestrator may complete its own log after the update; a single session may not.
        late = [m for unit in units for m in unit.sessions
                if m.committed is not None and not (unit.batch and m.role == "orchestrator")
                and not gate.history.is_ancestor(m.committed, commit)]
        if not late:
            continue
        logs = "; ".join(f"{m.id} in {describe(m.committed)}" for m in late[:IDS_SHOWN])
        more = f" and {len(late) - IDS_SHOWN} more" if len(late) > IDS_SHOWN else ""
        path, line, column = gate.at_handoff(commit, units[0])
        message = (f"HANDOFF updated for {', '.join(u.name for u in units)} in {describe(commit)} before"
                   f" {'its log was' if len(late) == 1 else 'these logs were'} committed: {logs}{more}")
        yield Finding(line, column, message, path,
                      marks=(commit_node(commit), *(commit_node(m.committed) for m in late)))


RULE = Rule("AL403", "handoff-updated-before-sessions-committed", Scope.PROJECT, check, __doc__)
