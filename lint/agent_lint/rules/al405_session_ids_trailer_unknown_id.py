"""The `Session-Ids:` trailer of a HANDOFF update lists an ID that has no session log.

## What it checks
With `--since REF`, that every ID in the `Session-Ids:` trailer of a commit
that changes HANDOFF is the stem of a session log of the project
(`.agents/sessions/<id>.md` or `.json`). Each unknown ID is reported at its
unit's entry in HANDOFF (or line 1), with the commit's short hash and
subject.

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions"
(How the commit lists the sessions) and "Session Log Conventions" (Session
ID: "A session's ID is the stem of its log file name").

## Why it matters
A trailer is only useful if each ID leads to a log. A typo, a renamed log or
a worker that never wrote its log all leave an ID that leads nowhere.

## Fails
```text
Session-Ids: 2026-03-02-pr-review, 2026-03-02-pr-reveiw-300
```

## Passes
Every ID listed names an existing `.agents/sessions/<id>.md` or `.json`.

## Options
None. Not checked with `handoff-mode = "read-only"`.
A project without session logs gives it nothing to judge (said once, on stderr).
"""

from ..batches import commit_node, describe
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    gate = project.gate
    if gate is None or not gate.judged:
        return
    known = gate.known_ids
    for commit in gate.handoff_commits:
        units = gate.units_updated_by(commit)
        for session_id in dict.fromkeys(commit.session_ids()):
            if session_id in known:
                continue
            path, line, column = gate.at_handoff(commit, units[0] if units else None)
            message = f"Session-Ids trailer of {describe(commit)} lists {session_id}, which has no session log"
            yield Finding(line, column, message, path, marks=(commit_node(commit),))


RULE = Rule("AL405", "session-ids-trailer-unknown-id", Scope.PROJECT, check, __doc__)
