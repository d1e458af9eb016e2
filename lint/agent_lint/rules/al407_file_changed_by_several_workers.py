"""Two workers of one batch changed the same file.

## What it checks
With `--since REF`, the files each worker of a parallel batch changed in
its own commits (see AGENT-SYSTEM.md, "Units", for what makes a batch and
its workers). A commit is a worker's when its `Session-Ids:` trailer names
the worker first, or, without a trailer, when it adds the worker's log, or
changes that log and no other session's. Merges, the orchestrator's commits
(those that change its log, or whose trailer names it first) and the
batch's HANDOFF update are no worker's changes. A worker's own log and
HANDOFF files do not count (AL408 and AL406 judge those). Each file that two
or more workers changed is reported once, naming the workers and the first
commit of each that changed it, at the item "No shared file modifications"
of the orchestrator's prerequisites when its log has one (saying when it is
ticked), else at the log of the worker whose change came last (line 1).

Enforces AGENT-SYSTEM.md, "Prerequisites Checklist" ("No shared file
modifications"), "Execution Steps" step 1 ("one set of files per worker")
and "Limitations and Constraints" (staging conflicts).

## Why it matters
The checklist item is a promise the orchestrator makes before dispatch;
nothing checks that it held. Two workers editing one file in parallel is the
staging conflict the pattern warns about: a lost edit, or a merge the
orchestrator resolved without saying so.

## Fails
```text
a1b2c3d api reviewer: log and fixes   (.agents/sessions/…-api.md, src/client.py)
b2c3d4e docs reviewer: log and fixes  (.agents/sessions/…-docs.md, src/client.py)
```
Both are workers of one batch: `src/client.py` is reported.

## Passes
Each worker changes files of its own. The orchestrator resolving a conflict
in its own commit. An orchestrator that leaves the item unchecked with a
reason (`- [ ] No shared file modifications — both touch README.md;
serialized`) declared the sharing: nothing is reported for that batch.

## Options
None. A batch whose workers do not commit (the orchestrator commits their
work) has no worker changes to compare.
"""

from ..batches import commit_node, describe, session_node
from ..model import Finding, Rule, Scope
from ..unit_facts import counted, facts, to_verify

ITEM = ("shared", "file")


def check(project, options: dict):
    gate = project.gate
    if gate is None:
        return
    known = facts(gate)
    order = gate.history.index
    for unit, item in to_verify(gate, *ITEM):
        changed: dict[str, list] = {}
        for member in counted(unit):
            for touched in known.of(member).files:
                changed.setdefault(touched.path, []).append((member, touched.commit))
        for path, by in sorted(changed.items()):
            if len(by) < 2:
                continue
            by.sort(key=lambda pair: order[pair[1].hash])
            who = " and ".join(f"{m.id} in {describe(c)}" for m, c in by)
            workers = "workers" if all(m.role == "worker" for m, _ in by) else "sessions"
            message = f"{path} changed by {len(by)} {workers} of {unit.name}: {who}"
            if item is not None and item[1].checked:
                message += f'; its prerequisites tick "{item[1].text}"'
            where = (item[0].path, *item[1].where) if item is not None else (by[-1][0].path, 1, 1)
            nodes = tuple(dict.fromkeys(key for m, c in by for key in (session_node(m.id), commit_node(c))))
            yield Finding(where[1], where[2], message, where[0], marks=nodes)


RULE = Rule("AL407", "file-changed-by-several-workers", Scope.PROJECT, check, __doc__)
