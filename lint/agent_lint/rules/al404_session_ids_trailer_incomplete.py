"""The commit that updates HANDOFF does not list every session ID of its unit.

## What it checks
With `--since REF`, that each HANDOFF update carries a `Session-Ids:` git
trailer listing every session of the unit it updates for (see
AGENT-SYSTEM.md, "Units"): a batch's orchestrator and every worker whose
log the range commits, or the single session's own ID. A commit without the
trailer is told the exact line it needs; a HANDOFF commit that names no
session at all (no trailer, no log of its own), or changes the logs of
several sessions without saying whose update it is, is told to add one (in
a range of one unit, with that unit's line as a suggestion: nothing says
the commit is its update, so no other rule counts it as one). Reported at the unit's entry in HANDOFF (or line 1)
with the commit's short hash and subject.

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
A project without session logs gives it nothing to judge (said once, on stderr).
"""

from ..batches import commit_node, describe, id_list
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    gate = project.gate
    if gate is None or not gate.judged:
        return
    for commit in gate.handoff_commits:
        units = gate.units_updated_by(commit)
        listed = commit.session_ids()
        if not units:
            if listed or gate.worker_change(commit) is not None:
                continue  # a worker's change is AL406's
            holds = gate.candidates.get(commit.hash)
            if holds:
                message = (f"{describe(commit)} updates HANDOFF without a Session-Ids trailer, and changes the logs"
                           f" of several sessions ({id_list(holds)}); add 'Session-Ids: <the IDs of those whose"
                           f" update it is>'")
            elif len(gate.units) == 1:  # a likely owner, named as a suggestion, not judged as its update
                message = (f"{describe(commit)} updates HANDOFF without a Session-Ids trailer, and nothing else in"
                           f" it names the session whose update it is; if it is {gate.units[0].name}'s,"
                           f" add 'Session-Ids: {id_list(gate.units[0].ids)}'")
            else:
                message = (f"{describe(commit)} updates HANDOFF without a Session-Ids trailer, and nothing else in"
                           f" it names the session whose update it is; add 'Session-Ids: <its session ID>'")
        else:
            expected = list(dict.fromkeys(i for unit in units for i in unit.ids))
            if not listed:
                message = (f"{describe(commit)} updates HANDOFF without a Session-Ids trailer;"
                           f" add 'Session-Ids: {id_list(expected)}'")
            else:
                missing = [i for i in expected if i not in listed]
                if not missing:
                    continue
                message = (f"Session-Ids trailer of {describe(commit)} does not list {id_list(missing)}"
                           f" of {', '.join(unit.name for unit in units)}")
        where = units[0] if units else gate.units[0] if len(gate.units) == 1 else None
        path, line, column = gate.at_handoff(commit, where)
        yield Finding(line, column, message, path, marks=(commit_node(commit),))


RULE = Rule("AL404", "session-ids-trailer-incomplete", Scope.PROJECT, check, __doc__)
