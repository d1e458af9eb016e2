"""The execution steps break the protocol's order.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern > Execution Steps.

## What it checks
The numbered steps of the Execution Steps subsection (an ordered list, or
the numbered lines of a fenced block), recognised by patterns:
- some step waits for all sessions to complete;
- no step updates HANDOFF before that step (a step may do both);
- at most one step updates HANDOFF;
- a step commits with the session IDs listed.

A step "updates HANDOFF" when it matches `handoff-update-pattern` and no
`negation-pattern` word stands within the match or just before it, so
"Workers do not update HANDOFF" is no update.

## Why it matters
The protocol updates HANDOFF once, after every worker is done, and the
commit lists every session ID (`Session-Ids:` trailer). Steps that update
HANDOFF before the batch completes record partial results as final; two
updates mean two conflicting HANDOFF commits; a commit without session IDs
cannot be traced back to its logs.

## Fails
```markdown
1. Orchestrator dispatches N agents.
2. Orchestrator updates HANDOFF with the plan.
3. Orchestrator waits for all sessions to complete.
4. Orchestrator updates HANDOFF with the results.
5. Orchestrator commits.
```

## Passes
The eight steps of AGENT-SYSTEM.md.

## Options
- `wait-pattern`, `handoff-update-pattern`, `negation-pattern`,
  `commit-pattern`, `session-ids-pattern` (strings): case-insensitive
  Python regular expressions; the defaults fit AGENT-SYSTEM.md's wording.
- `titles` (mapping): alternative titles per subsection (see `agent-lint rule AL102`).
"""

import re

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import pattern_of, titles_option
from ..model import AgentLintError, Finding, Kind, Rule, Scope

_VERB = r"(?:updat|modif|edit|rewrit|writ|record|append|chang)\w*"
PATTERNS = {
    "wait-pattern": r"\bwait\w*|\b(?:after|until|once)\s+(?:all|every)\b",
    "handoff-update-pattern": rf"\b{_VERB}(?:\W+\w+){{0,4}}?\W+handoff\b|\bhandoff\b(?:\W+\w+){{0,3}}?\W+{_VERB}",
    "negation-pattern": r"\b(?:not|never|no|without|nor)\b|n't\b",
    "commit-pattern": r"\bcommit\w*",
    "session-ids-pattern": r"\bsession[\s_-]*ids?\b",
}
OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        **{key: {"type": "string", "format": "regex", "default": value} for key, value in PATTERNS.items()},
        "titles": titles_option(),
    },
}


def _compile(options: dict, key: str) -> re.Pattern:
    try:
        return re.compile(options[key], re.I)
    except re.error as err:
        raise AgentLintError(f"AL106 option '{key}': invalid regular expression: {err}") from None


def updates_handoff(text: str, update: re.Pattern, negation: re.Pattern) -> bool:
    # Negation counts inside the match or in the few characters before it.
    return any(not negation.search(text[max(0, m.start() - 20): m.end()]) for m in update.finditer(text))


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None or "execution-steps" not in pattern.subsections:
        return
    sub, steps = pattern.subsections["execution-steps"], pattern.steps
    if not steps:
        yield Finding(sub.line, sub.column, f"'{sub.title}' has no numbered steps")
        return
    wait, update, negation, commit, ids = (_compile(options, key) for key in PATTERNS)
    waits = [n for n, step in enumerate(steps) if wait.search(step.text)]
    updates = [n for n, step in enumerate(steps) if updates_handoff(step.text, update, negation)]
    commits = [n for n, step in enumerate(steps) if commit.search(step.text)]
    if not waits:
        yield Finding(sub.line, sub.column, f"'{sub.title}' has no step that waits for all sessions to complete")
    for n in updates:
        if waits and n < waits[0]:
            yield Finding(steps[n].line, steps[n].column,
                          f"step {n + 1} updates HANDOFF before step {waits[0] + 1} waits for all sessions")
    for n in updates[1:]:
        yield Finding(steps[n].line, steps[n].column,
                      f"step {n + 1} updates HANDOFF again (step {updates[0] + 1} already does); it is updated once")
    if not commits:
        yield Finding(sub.line, sub.column, f"'{sub.title}' has no step that commits with the session IDs listed")
    elif not any(ids.search(steps[n].text) for n in commits):
        last = steps[commits[-1]]
        yield Finding(last.line, last.column, f"step {commits[-1] + 1} commits without listing the session IDs")


RULE = Rule("AL106", "execution-steps-break-protocol", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
