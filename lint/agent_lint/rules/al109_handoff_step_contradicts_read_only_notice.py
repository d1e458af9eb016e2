"""The execution steps update HANDOFF, but the document says HANDOFF is read-only.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern > HANDOFF Update Protocol
for Parallel Sessions (and its "Frozen HANDOFF" paragraph).

## What it checks
Whether, outside the Parallel Execution Pattern section and outside code
blocks, the document states plainly that HANDOFF is read-only or must not be
updated ("HANDOFF.md is read-only", "DO NOT modify HANDOFF.md", "HANDOFF must
not be updated"), while a step of the section's Execution Steps updates
HANDOFF. Reported at that step, naming the line of the notice.

Only clear statements count: a sentence that speaks of workers, subagents or
the orchestrator ("Workers never modify HANDOFF" restates the protocol), or
of a condition ("if", "when", "unless", "may"), is not a notice.

## Why it matters
Agents read the whole document. Told in one place that HANDOFF is frozen and
in another to update it, some agents will edit it and others will not; the
pre-commit hook that enforces the freeze then blocks the orchestrator's
commit at the end of the batch. A frozen HANDOFF is fine (AGENT-SYSTEM.md
allows it): the steps must then say where the batch summary goes instead.

## Fails
```markdown
## Memory
HANDOFF.md is read-only; record context in the session log.
## Parallel Execution Pattern
### Execution Steps
1. Orchestrator waits for all sessions to complete.
2. Orchestrator updates HANDOFF once.
```

## Passes
The same document without the notice, or with step 2 writing the summary
into the orchestrator's session log instead.

## Options
- `notice-patterns` (list): case-insensitive regular expressions of a
  read-only notice about HANDOFF.
- `exempt-pattern` (string): a sentence matching it is no notice.
- `handoff-update-pattern`, `negation-pattern`: as for AL106.
- `titles` (mapping): alternative titles per subsection (see `agent-lint rule AL102`).
"""

import re

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import pattern_of, titles_option
from ..model import AgentLintError, Finding, Kind, Rule, Scope
from .al106_execution_steps_break_protocol import PATTERNS, updates_handoff

_H = r"\bhandoff(?:\.md)?\b[`*]*"
NOTICES = [
    rf"{_H}\s*(?:(?:file\s+)?(?:is|are|remains|stays)\s+(?:now\s+)?|:\s*|\(\s*)\**(?:read[- ]?only|frozen)\b",
    r"\b(?:do\s+not|don't|never|must\s+not|must\s+never|shall\s+not|should\s+not)\**\s+"
    r"(?:update|modify|edit|change|write\s+to|touch)\s+(?:the\s+|this\s+)?[`*]*(?:\.agents/)?handoff\b",
    rf"{_H}\s+(?:must|should|shall)\s+not\s+be\s+(?:updated|modified|edited|changed|written)\b",
]
EXEMPT = r"\b(?:workers?|sub-?agents?|parallel\s+agents|each\s+agent|orchestrators?|if|when|whenever|unless|may)\b"
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n\s*\n|\||\n\s*(?:[-*+]|\d+[.)])\s|\n#")
OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "notice-patterns": {"type": "array", "items": {"type": "string"}, "default": NOTICES,
                            "description": "Regular expressions of a read-only notice about HANDOFF."},
        "exempt-pattern": {"type": "string", "default": EXEMPT,
                           "description": "A sentence matching this is not a notice."},
        "handoff-update-pattern": {"type": "string", "default": PATTERNS["handoff-update-pattern"]},
        "negation-pattern": {"type": "string", "default": PATTERNS["negation-pattern"]},
        "titles": titles_option(),
    },
}


def _compile(pattern: str, key: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.I)
    except re.error as err:
        raise AgentLintError(f"AL109 option '{key}': invalid regular expression: {err}") from None


def _sentence(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=0)
    right = next((m.start() for m in _SENTENCE_END.finditer(text, end)), len(text))
    return text[left:right]


def notices(doc: MarkdownDocument, options: dict, skip: tuple[int, int]):
    """(line, text) of each read-only notice outside ``skip`` (a line range), code and comments."""
    exempt = _compile(options["exempt-pattern"], "exempt-pattern")
    code = [(block.line, block.end_line) for block in doc.code_blocks]
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(doc.text)]
    for source in options["notice-patterns"]:
        for match in _compile(source, "notice-patterns").finditer(doc.text):
            line, start = doc.position(match.start())[0], match.start()
            hidden = any(a <= line <= b for a, b in code) or any(a <= start < b for a, b in comments)
            if not (hidden or skip[0] <= line <= skip[1] or exempt.search(_sentence(doc.text, start, match.end()))):
                yield line, " ".join(match.group().replace("*", "").replace("`", "").split())


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None:
        return
    update = _compile(options["handoff-update-pattern"], "handoff-update-pattern")
    negation = _compile(options["negation-pattern"], "negation-pattern")
    step = next(((n, s) for n, s in enumerate(pattern.steps) if updates_handoff(s.text, update, negation)), None)
    if step is None:
        return
    found = min(notices(doc, options, (pattern.line, pattern.end_line)), default=None)
    if found is not None:
        number, item = step[0] + 1, step[1]
        yield Finding(item.line, item.column, f"step {number} updates HANDOFF, but line {found[0]} says '{found[1]}'")


RULE = Rule("AL109", "handoff-step-contradicts-read-only-notice", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
