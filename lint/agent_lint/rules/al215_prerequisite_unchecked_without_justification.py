"""A prerequisites item is left unchecked without a justification.

## What it checks
Every unchecked item of an orchestrator's prerequisites checklist carries a
justification: in Markdown after ` — ` (or ` - `) on the same line
(`- [ ] No shared file modifications — workers 1 and 2 both touch
README.md; serialized`), in JSON a non-empty `note`. An orchestrator that
has dispatched nobody yet (an empty `Dispatched` list, and no worker log
names it) is not held to it: its checklist is still being worked through, as
in a log just written by `agent-lint new-session` or completed by `--fix`.

## Why it matters
The system document says an unchecked item without a justification means
the batch must not be dispatched. If the batch ran anyway, the log should
say why the condition did not hold or did not matter; otherwise a reader
cannot tell a considered exception from a forgotten check.

## Fails
```markdown
- [ ] Rate limit budget checked for all agents
```

## Passes
```markdown
- [ ] Rate limit budget checked for all agents — read-only analysis, no API calls
```

## Options
None.
"""

from ..model import Finding, Rule, Scope


def check(project, options: dict):
    named = {log.orchestrator for log in project.by_role("worker")}
    for log in project.by_role("orchestrator"):
        if not (log.dispatched or log.id in named):
            continue
        for item in log.prerequisites or ():
            if not item.checked and not item.note:
                line, column = item.where
                yield Finding(line, column, f"prerequisite '{item.text}' is unchecked without a justification; "
                                            f"check it, or say why after ' — '", path=log.path)


RULE = Rule("AL215", "prerequisite-unchecked-without-justification", Scope.PROJECT, check, __doc__)
