"""The prerequisites checklist template lacks a required item.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern > Prerequisites Checklist.

## What it checks
That the template under the Prerequisites Checklist subsection (a list,
written plainly or inside a ```` ```markdown ```` fence) has an item for
each required prerequisite. Matching is tolerant: an item matches when it
contains all the key words of the required item, ignoring case, punctuation
and simple word endings ("Rate limit checked (sufficient API budget)"
matches the key words "rate limit"). Findings are reported at the
template's first item.

## Why it matters
Orchestrators copy this template into their session logs and tick it before
dispatching workers; a prerequisite missing from the template is never
checked. The session-log rules hold each orchestrator log to the template,
so a gap here becomes a gap in every log.

## Fails
```markdown
### Prerequisites Checklist
- [ ] Tasks are independent
- [ ] No shared file modifications
```

## Passes
The template of AGENT-SYSTEM.md, with all six items.

## Options
- `required-items` (list): each a string (all its words but the small ones
  are key words) or `{item = "...", keywords = ["...", ...]}`. Default: the
  six items of AGENT-SYSTEM.md, each with the key words that identify it.
- `titles` (mapping): alternative titles per subsection (see `agent-lint rule AL102`).
"""

import re

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import pattern_of, titles_option
from ..model import Finding, Kind, Rule, Scope

_ITEM = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "required": ["item"], "additionalProperties": False,
         "properties": {"item": {"type": "string", "minLength": 1},
                        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}}}},
    ]
}
DEFAULT_ITEMS = [
    {"item": "Tasks are independent", "keywords": ["independent"]},
    {"item": "No shared file modifications", "keywords": ["shared", "file"]},
    {"item": "Orchestrator can aggregate results", "keywords": ["aggregate"]},
    {"item": "Rate limit budget checked for all agents", "keywords": ["rate limit"]},
    {"item": "Each agent has its own session log path", "keywords": ["session log"]},
    {"item": "HANDOFF will be updated once, by the orchestrator, after all sessions complete",
     "keywords": ["handoff", "once"]},
]
OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "required-items": {"type": "array", "items": _ITEM, "default": DEFAULT_ITEMS,
                           "description": "Items the template must have, with their key words."},
        "titles": titles_option(),
    },
}
_SMALL = frozenset("a an the is are be been will can its it has have by for of to and or in on at with "
                   "each all any own per this that".split())


def _stem(word: str) -> str:
    # Crude on purpose: "checked"/"check", "files"/"file", "directories"/"directory" meet.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return re.sub(r"(?:ing|ed|e)$", "", word) if len(word) > 3 else word


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _words(text)}


def keywords(required) -> set[str]:
    if isinstance(required, str):
        return {_stem(w) for w in _words(required) if w not in _SMALL}
    return set().union(*map(_stems, required.get("keywords") or [required["item"]]))


def check(doc: MarkdownDocument, options: dict):
    pattern = pattern_of(doc, options["titles"]) if isinstance(doc, MarkdownDocument) else None
    if pattern is None or not pattern.prerequisites:
        return
    present = [_stems(item.text) for item in pattern.prerequisites]
    first = pattern.prerequisites[0]
    for required in options["required-items"]:
        wanted = keywords(required)
        if not any(wanted <= words for words in present):
            text = required if isinstance(required, str) else required["item"]
            yield Finding(first.line, first.column, f"prerequisites template lacks the item '{text}'")


RULE = Rule("AL104", "prerequisite-item-missing", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
