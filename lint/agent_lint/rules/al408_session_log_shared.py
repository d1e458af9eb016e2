"""Two sessions write one session log: a worker changed another's log, or two branches added the same log.

## What it checks
With `--since REF`, two things the history knows about session logs:

- a worker of a parallel batch whose own commits change the log of another
  session (a sibling's, an older session's). A commit is a
  worker's when its `Session-Ids:` trailer names the worker first, or,
  without a trailer, when it adds the worker's log, or changes that log and
  no other session's; merges, the orchestrator's commits (those that change
  its log, or whose trailer names it first) and the batch's HANDOFF update
  are no worker's changes (see AGENT-SYSTEM.md, "Units"). A commit that
  changes several logs and says whose it is in no way is not judged.
  Reported at the item "Each agent has its own session log path" of the
  orchestrator's prerequisites when its log has one (saying when it is
  ticked), else at the log that was changed (line 1);
- a session log that two commits on parallel branches (neither in the
  other's history) each add, with different content: two sessions picked
  the same log path, as agents that each take "the next session number" do.
  Reported at the log, line 1, with both commits. The same addition on two
  branches (a cherry-pick, a branch stacked on another) is one session and
  passes.

Enforces AGENT-SYSTEM.md, "Prerequisites Checklist" ("Each agent has its
own session log path"), "Execution Steps" step 4 ("Each agent writes its
own session log") and "Session Log Conventions" (Location: "no log shared
by two sessions").

## Why it matters
A session log is the one record of what its session did. A worker writing
into a sibling's log while both run is a conflict on the very file that was
meant to be private, and two sessions on one log path overwrite each other's
record when their branches merge: one of them leaves no trace.

## Fails
```text
b2c3d4e docs reviewer: log, and a note in the api reviewer's log
        (.agents/sessions/…-docs.md added, .agents/sessions/…-api.md changed)
```
```text
a1b2c3d session 12: log   (branch one adds .agents/sessions/2026-03-02-session-12.md)
b2c3d4e session 12: log   (branch two adds it too, with other content)
```

## Passes
Each worker commits its own log only. An orchestrator that commits its
workers' logs with its own. One log added once, or the same addition
carried by two branches.

## Options
None. An orchestrator that leaves the item unchecked with a reason declared
the exception: its workers' changes to other logs are not reported.
"""

from ..batches import commit_node, describe, session_node
from ..model import Finding, Rule, Scope
from ..unit_facts import counted, facts, to_verify

ITEM = ("session log",)


def check(project, options: dict):
    gate = project.gate
    if gate is None:
        return
    known = facts(gate)
    documents = gate.project.kinds
    for unit, item in to_verify(gate, *ITEM):
        for member in counted(unit):
            for touched in known.of(member).logs:
                other = gate.project.config.session_id(touched.path)
                message = (f"{member.role} {member.id} of {unit.name} changed the log of {other} in"
                           f" {describe(touched.commit)}; a session writes only its own log")
                if item is not None:
                    if item[1].checked:
                        message += f'; its prerequisites tick "{item[1].text}"'
                    path, (line, column) = item[0].path, item[1].where
                else:
                    path, line, column = (touched.path if touched.path in documents else member.path), 1, 1
                yield Finding(line, column, message, path,
                              marks=(session_node(member.id), commit_node(touched.commit)))
    for shared in known.shared_logs:
        commits = [describe(c) for c in shared.commits]
        listed = ", ".join(commits[:-1]) + f" and {commits[-1]}"
        message = (f"{shared.path} added on parallel branches with different content, in {listed}:"
                   f" two sessions wrote one log path; each session has its own")
        stem = gate.project.config.session_id(shared.path)
        yield Finding(1, 1, message, shared.path,
                      marks=(session_node(stem), *(commit_node(c) for c in shared.commits)))


RULE = Rule("AL408", "session-log-shared", Scope.PROJECT, check, __doc__)
