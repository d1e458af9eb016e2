"""A worker's commit changes HANDOFF.

## What it checks
With `--since REF`, every commit of the range that changes HANDOFF and the
log of a session that is a worker by evidence: its log's `Role: worker` or
`Orchestrator`, its orchestrator's `Dispatched` list, or a place after the
first in a `Session-Ids:` trailer (see AGENT-SYSTEM.md, "Units"). A session
that nothing says is a worker is never reported here. Reported at the
worker's log with the commit's short hash and subject and the evidence. A
commit whose trailer names the orchestrator first, or that changes the
orchestrator's own log too, is the orchestrator's: it may carry the logs of
workers that do not commit themselves.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(Who: "Workers never modify HANDOFF, not even to record their own
progress").

## Why it matters
Workers run in parallel: two of them editing HANDOFF is the merge conflict
the protocol exists to avoid, and a worker's edit is no summary of the batch.
Such a commit is reported here only, not counted as a HANDOFF update of the
batch by AL401, AL403 or AL404.

## Fails
```text
c3d4e5f worker 2: log and progress note    (.agents/sessions/…-w2.md, HANDOFF.md)
```

## Passes
The worker commits its log alone; its progress lives in the log.

## Options
None. Not checked with `handoff-mode = "read-only"` (AL402 reports the
change then).
A project without session logs gives it nothing to judge (said once, on stderr).
"""

from ..batches import commit_node, describe, session_node
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    gate = project.gate
    if gate is None or not gate.judged:
        return
    for unit in gate.units:
        for commit, worker in unit.worker_changes:
            message = (f"{describe(commit)} changes the log of worker {worker.id} ({worker.evidence}) and HANDOFF;"
                       f" only the orchestrator changes HANDOFF")
            yield Finding(1, 1, message, worker.path, marks=(commit_node(commit), session_node(worker.id)))


RULE = Rule("AL406", "worker-commit-changes-handoff", Scope.PROJECT, check, __doc__)
