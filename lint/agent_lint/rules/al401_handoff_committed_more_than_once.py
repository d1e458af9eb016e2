"""A unit (a batch or a single session) changes HANDOFF in more than one commit.

## What it checks
With `--since REF`, the commits of the range that change a HANDOFF file,
given to the unit that made each (`agent-lint batches` shows them): the
units its `Session-Ids:` trailer names, else the one unit whose logs it
adds (or else changes) (see AGENT-SYSTEM.md, "Units"). A unit's HANDOFF update is one commit; every
later one is reported, naming the unit, at its entry in HANDOFF (or line
1). A HANDOFF commit that names no session, or holds the logs of several
without saying whose update it is, counts for no unit (AL404 asks it for a
trailer), and a worker's HANDOFF change is AL406's.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(When: "Exactly one commit changes HANDOFF per batch"; Units: "Each unit
updates HANDOFF at most once, in one commit") and step 7 of "Execution
Steps".

## Why it matters
HANDOFF is the one file every batch edits, so every extra commit to it is
another chance to conflict with a parallel branch, and a second update
usually means the first was written before the work was done.

## Fails
```text
a1b2c3d docs: record the review batch      (HANDOFF.md, Session-Ids: orch, w1, w2)
b2c3d4e docs: fix a typo in HANDOFF        (HANDOFF.md, Session-Ids: orch)
```
A session that changes its log and HANDOFF in four commits: three rows.

## Passes
The typo fixed before the update is committed: one commit changes HANDOFF.
Sequential sessions, each updating HANDOFF once with its own log.

## Options
None. With `handoff-mode = "read-only"` any HANDOFF change is AL402's, and
this rule reports nothing.
A project without session logs gives it nothing to judge (said once, on stderr).
"""

from ..batches import commit_node, describe
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    gate = project.gate
    if gate is None or not gate.judged:
        return
    for unit in gate.units:
        first, *again = unit.updates or (None,)
        for commit in again:
            path, line, column = gate.at_handoff(commit, unit)
            message = (f"HANDOFF changed again by {unit.name} in {describe(commit)} (first in {first.short});"
                       f" a {'batch' if unit.batch else 'session'} updates HANDOFF in one commit")
            yield Finding(line, column, message, path, marks=(commit_node(commit),))


RULE = Rule("AL401", "handoff-committed-more-than-once", Scope.PROJECT, check, __doc__)
