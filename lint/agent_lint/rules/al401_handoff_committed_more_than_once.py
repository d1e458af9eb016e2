"""A batch changes HANDOFF in more than one commit.

## What it checks
With `--since REF`, the non-merge commits of the range that change a HANDOFF
file, per parallel batch (see `agent-lint batches`): the orchestrator's
HANDOFF update must be one commit. Every later one is reported, at the
batch's entry in HANDOFF (or line 1), with its short hash and subject.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(When: "Exactly one commit changes HANDOFF per batch") and step 7 of
"Execution Steps".

## Why it matters
HANDOFF is the one file every batch edits, so every extra commit to it is
another chance to conflict with a parallel branch, and a second update
usually means the first was written before the batch was complete.

## Fails
```text
a1b2c3d docs: record the review batch      (HANDOFF.md, Session-Ids: orch, w1, w2)
b2c3d4e docs: fix a typo in HANDOFF        (HANDOFF.md)
```

## Passes
The typo fixed before the update is committed: one commit changes HANDOFF.
Two batches in one range, each updating HANDOFF once.

## Options
None. With `handoff-mode = "read-only"` any HANDOFF change is AL402's, and
this rule reports nothing.
"""

from ..batches import Gate, Problem, commit_node, describe, gate_findings
from ..model import Finding, Rule, Scope


def problems(gate: Gate, options: dict):
    if gate.frozen:
        return
    for batch in gate.batches:
        first, *again = batch.updates or (None,)
        for commit in again:
            path, line, column = gate.at_handoff(commit, batch)
            message = (f"HANDOFF changed again for batch {batch.name} in {describe(commit)}"
                       f" (first changed in {first.short}); a batch updates HANDOFF in one commit")
            yield Problem(Finding(line, column, message, path), (commit_node(commit),))


def check(project, options: dict):
    return gate_findings(project, problems, options)


RULE = Rule("AL401", "handoff-committed-more-than-once", Scope.PROJECT, check, __doc__)
