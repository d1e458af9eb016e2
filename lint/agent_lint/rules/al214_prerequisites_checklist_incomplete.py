"""An orchestrator's prerequisites checklist lacks an item of the template.

## What it checks
Every item of the prerequisites template in the system document's Parallel
Execution Pattern (the `### Prerequisites Checklist` of AGENT-SYSTEM.md, as
AL1xx reads it) appears in each orchestrator's checklist, checked or
unchecked. Items match when their text is the same after case, spacing,
emphasis and trailing punctuation are ignored; an item may go on with more
words ("Tasks are independent (no shared state)"). The system document is
the source of truth: change the template there and every log is held to the
new list. Logs without any checklist are AL213's concern.

## Why it matters
An item left out is a question that was never asked before dispatch. The
items most often dropped (rate-limit budget, the single HANDOFF update) are
the ones whose failure takes the whole batch down.

## Fails
```markdown
## Prerequisites Checklist

- [x] Tasks are independent
- [x] No shared file modifications
```

## Passes
All six items of the template, each checked or justified.

## Options
None.
"""

import re
from functools import lru_cache

from ..model import Finding, Rule, Scope


_EMPHASIS = re.compile(r"[*_`]")


@lru_cache(maxsize=4096)  # logs copy the template: the same few texts, thousands of times
def _norm(text: str) -> str:
    text = _EMPHASIS.sub("", text).casefold()
    return " ".join(text.split()).rstrip(".:;, ")


def check(project, options: dict):
    system = project.system
    template = system.template if system else ()
    if not template:
        return
    wanted_keys = [(wanted, _norm(wanted)) for wanted in template]
    for log in project.by_role("orchestrator"):
        if not log.prerequisites:
            continue
        have = [_norm(item.text) for item in log.prerequisites]
        exact = set(have)
        for wanted, key in wanted_keys:
            if key not in exact and not any(item.startswith(key + " ") for item in have):
                line, column = log.at("prerequisites")
                yield Finding(line, column, f"prerequisites checklist lacks the template item '{wanted}' "
                                            f"(from {system.path})", path=log.path)


RULE = Rule("AL214", "prerequisites-checklist-incomplete", Scope.PROJECT, check, __doc__)
