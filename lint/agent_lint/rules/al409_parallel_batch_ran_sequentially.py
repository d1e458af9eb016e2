"""A parallel batch whose workers ran one after another: no two of their sessions overlap in time.

## What it checks
With `--since REF`, every parallel batch of the range (see AGENT-SYSTEM.md,
"Units", for what makes one) whose workers' logs all give a start and a
completion time (`Started` and `Completed`; a team maps its own fields with
`[tool.agent-lint.session-fields]`): when there are at least two workers
and no two of them ran at the same time, the batch is labelled parallel but
ran sequentially. The orchestrator's own session is not compared: it runs
around its workers whatever they do. Reported as a warning at the
orchestrator's `Started` line (else its log's line 1, else the first
worker's log), listing each worker's times in UTC.

Enforces AGENT-SYSTEM.md, "Parallel Execution Pattern" ("The time saved
comes from overlapping the work") and "Measuring a batch".

## Why it matters
A batch pays for parallel dispatch (worktrees, a rate-limit budget for
every agent at once, aggregation) to save wall-clock time. Workers that ran
one after another paid that price and saved nothing; often the
"parallel" label hides a dependency between the tasks, which is a reason to
run them sequentially on purpose, each learning from the last.

## Fails
```text
2026-03-02-review-api   Started 10:00  Completed 10:10
2026-03-02-review-docs  Started 10:15  Completed 10:25   (both workers of 2026-03-02-review)
```

## Passes
The same workers from 10:00 to 10:10 and from 10:05 to 10:20. A batch where
a worker's log gives no time (its figures are unknown, as `agent-lint
batches` says), or with one worker only.

## Options
None.
"""

from datetime import timedelta

from ..batches import id_list, session_node
from ..model import Finding, Rule, Scope, Severity
from ..unit_facts import clock, counted, duration, facts


def check(project, options: dict):
    gate = project.gate
    if gate is None:
        return
    known = facts(gate)
    for unit in gate.units:
        timing = known.timing.get(unit.key)
        if timing is None or timing.overlapped is not False:
            continue
        runs = [(run.started, run.completed, run.session) for run in timing.counted]
        runs.sort(key=lambda run: run[0])  # type: ignore[arg-type, return-value]
        day = len({clock(start, day=True)[:10] for start, _, _ in runs}) > 1  # type: ignore[arg-type]
        times = id_list([f"{session} {clock(start, day)}-{clock(end, day)}"  # type: ignore[arg-type]
                         for start, end, session in runs])
        span, total = duration(timing.span or timedelta()), duration(timing.total or timedelta())
        message = (f"{unit.name} is labelled parallel but its {len(runs)} workers ran one after another"
                   f" ({times} UTC): span {span} against {total} of work, so parallel dispatch saved nothing")
        own = unit.member(unit.orchestrator) if unit.orchestrator else None
        anchor = own if own is not None else counted(unit)[0]
        line, column = anchor.log.at("started") if anchor.log is not None else (1, 1)
        nodes = (session_node(unit.orchestrator or unit.key), *(session_node(session) for _, _, session in runs))
        yield Finding(line, column, message, anchor.path, marks=tuple(dict.fromkeys(nodes)))


RULE = Rule("AL409", "parallel-batch-ran-sequentially", Scope.PROJECT, check, __doc__, severity=Severity.WARNING)
