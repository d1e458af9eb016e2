"""A commit changes HANDOFF while the config freezes it (`handoff-mode = "read-only"`).

## What it checks
With `--since REF` and `handoff-mode = "read-only"`, every commit of the
range that changes a HANDOFF file (a merge only where it resolves HANDOFF
in its own words), reported with its short hash and subject at its unit's
entry in HANDOFF (or line 1).

Enforces AGENT-SYSTEM.md, "HANDOFF Update Protocol for Parallel Sessions",
paragraph "Frozen HANDOFF": "The orchestrator then never changes HANDOFF".

## Why it matters
A team freezes HANDOFF while a release branch stabilizes; a change slipped
into a pull request then lands where nobody expects edits, and the batch
summary belongs in the orchestrator's `## Outcome` instead.

## Fails
```toml
handoff-mode = "read-only"
```
```text
a1b2c3d docs: record the review batch      (HANDOFF.md)
```

## Passes
The same range without the HANDOFF change: the summary is in the
orchestrator's session log.

## Options
None of its own: set the top-level `handoff-mode`. In the default mode
(`single-update`) this rule reports nothing.
"""

from ..batches import commit_node, describe
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    gate = project.gate
    if gate is None or not gate.frozen:
        return
    for commit in gate.handoff_commits:
        units = gate.units_updated_by(commit)
        path, line, column = gate.at_handoff(commit, units[0] if units else None)
        message = f'HANDOFF is read-only (handoff-mode = "read-only") but {describe(commit)} changes it'
        yield Finding(line, column, message, path, marks=(commit_node(commit),))


RULE = Rule("AL402", "handoff-changed-while-frozen", Scope.PROJECT, check, __doc__)
