"""HANDOFF is updated before every worker's session log of the batch is committed.

## What it checks
With `--since REF`, for each HANDOFF update of a parallel batch, that every
commit of the range adding or changing a worker's session log of that batch
is an ancestor of the update (or the update itself). A log commit that is
not is reported at the log, with both commits' short hashes and subjects.
"Before" is ancestry, not dates: a log committed earlier on a branch that is
merged only after the update was not there when HANDOFF was written.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(When: "after every session of the batch is complete") and steps 5 and 7 of
"Execution Steps".

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
Both worker logs committed (or merged) before `docs: record the batch`. The
orchestrator's own log may be completed after the update.

## Options
None. Not checked with `handoff-mode = "read-only"` (AL402 reports any
HANDOFF change then).
"""

from ..batches import Gate, Problem, commit_node, describe, gate_findings
from ..model import Finding, Rule, Scope


def problems(gate: Gate, options: dict):
    if gate.frozen:
        return
    for batch in gate.batches:
        for update in batch.updates:
            for session in batch.workers:
                late = [c for c in session.commits if not gate.history.is_ancestor(c, update)]
                if not late:
                    continue
                message = (f"HANDOFF updated in {describe(update)} before this session log was committed:"
                           f" {describe(late[-1])} is not an ancestor of the update")
                yield Problem(Finding(1, 1, message, session.path), (commit_node(late[-1]), commit_node(update)))


def check(project, options: dict):
    return gate_findings(project, problems, options)


RULE = Rule("AL403", "handoff-updated-before-sessions-committed", Scope.PROJECT, check, __doc__)
