"""A HANDOFF entry for a parallel batch does not list every session of the batch.

## What it checks
For each `### <id>` entry under `## Session History` whose ID is an
orchestrator's session: its `**Sessions**:` line lists the orchestrator first
and then every session of the batch, where the batch is the orchestrator's
log and every worker log naming it as `Orchestrator`.

## Why it matters
The entry is the batch's record in HANDOFF. A worker left off it (often the
one that failed, or finished last) is a result the next session never hears
of, although its log says the work happened.

## Fails
```markdown
### 2026-03-02-pr-review

**Sessions**: 2026-03-02-pr-review, 2026-03-02-pr-review-300
```
while `2026-03-02-pr-review-301` also names `2026-03-02-pr-review` as its orchestrator.

## Passes
```markdown
**Sessions**: 2026-03-02-pr-review, 2026-03-02-pr-review-300, 2026-03-02-pr-review-301
```

## Options
None.
"""

from ..extract.handoff import handoff_record
from ..extract.session_log import batches, session_records
from ..model import Finding, Rule, Scope


def check(project, options: dict):
    by_orchestrator = {batch.orchestrator.id: batch for batch in batches(session_records(project))}
    for doc in project.handoffs:
        if doc.load_error is not None:
            continue
        record = project.record(doc, "handoff", handoff_record)
        for index, entry in enumerate(record.data["entries"]):
            batch = by_orchestrator.get(entry.get("id"))
            listed = entry.get("sessions")
            if batch is None or listed is None:
                continue  # no batch by that ID, or no Sessions line (AL302)
            line, column = record.locate(("entries", index, "sessions"))
            missing = [i for i in batch.ids if i not in listed]
            if missing:
                yield Finding(line, column, f"entry for batch '{batch.orchestrator.id}' does not list "
                                            f"{', '.join(missing)}", path=doc.path)
            elif listed[0] != batch.orchestrator.id:
                yield Finding(line, column, f"entry for batch '{batch.orchestrator.id}' must list the "
                                            f"orchestrator first", path=doc.path)


RULE = Rule("AL306", "handoff-entry-missing-batch-session", Scope.PROJECT, check, __doc__)
