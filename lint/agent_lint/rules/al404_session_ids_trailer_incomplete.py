"""The commit that updates HANDOFF does not list every session ID of its batch.

## What it checks
With `--since REF`, that each HANDOFF update of a batch carries a
`Session-Ids:` git trailer listing every session of the batch: the
orchestrator and every worker whose session log the range adds or changes.
Reported at the batch's entry in HANDOFF (or line 1) with the commit's short
hash and subject and the IDs it lacks; a commit without the trailer at all
is told the line it needs.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(How the commit lists the sessions) and step 8 of "Execution Steps".

## Why it matters
The trailer ties the one HANDOFF commit to the sessions it summarizes, so
`git log` answers "which sessions produced this state?" without reading
HANDOFF. A worker left out is a worker whose result nobody aggregated.

## Fails
```text
docs: record the review batch

Session-Ids: 2026-03-02-pr-review, 2026-03-02-pr-review-300
```
while the range also commits `.agents/sessions/2026-03-02-pr-review-301.md`.

## Passes
```text
Session-Ids: 2026-03-02-pr-review, 2026-03-02-pr-review-300, 2026-03-02-pr-review-301
```

## Options
None. Not checked with `handoff-mode = "read-only"`.
"""

from ..batches import Gate, Problem, commit_node, describe, gate_findings, id_list
from ..model import Finding, Rule, Scope


def problems(gate: Gate, options: dict):
    if gate.frozen:
        return
    known = gate.known_ids
    for batch in gate.batches:
        expected = batch.expected_ids(known)
        for update in batch.updates:
            listed = update.session_ids()
            if not listed:
                wanted = f"; add 'Session-Ids: {id_list(expected)}'" if expected else ""
                message = f"{describe(update)} updates HANDOFF without a Session-Ids trailer{wanted}"
            else:
                missing = [i for i in expected if i not in listed]
                if not missing:
                    continue
                message = (f"Session-Ids trailer of {describe(update)} does not list"
                           f" {id_list(missing)} of batch {batch.name}")
            path, line, column = gate.at_handoff(update, batch)
            yield Problem(Finding(line, column, message, path), (commit_node(update),))


def check(project, options: dict):
    return gate_findings(project, problems, options)


RULE = Rule("AL404", "session-ids-trailer-incomplete", Scope.PROJECT, check, __doc__)
