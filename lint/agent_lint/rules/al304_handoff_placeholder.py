"""A HANDOFF document still contains a template placeholder.

## What it checks
Text of a HANDOFF file outside code for `{...}` template fields
(`{branch}`, `{summary of the batch}`) and `TODO` markers: `TODO:` or
`TODO(who)`, or a `TODO` standing alone in its line, table cell, metadata
value or brackets (`- TODO`, `| TODO |`, `**Summary**: TODO`, `(TODO)`).
Code spans and fenced blocks are left alone: a placeholder shown as code is
an example. So are link targets and URLs, TeX math (`$t + 1.0\text{s}$`,
whose braces group), a `TODO` inside a file name or path
(`modernize-TODO.md`, `docs/TODO`), and a `TODO` in a sentence or a heading,
where it names a to-do list ("work through the TODO list", `## TODO`).

## Why it matters
HANDOFF is read by the next session as the truth about the project. A
placeholder left from the template is a statement nobody made; the reader
either trusts an empty field or has to guess what it should have said.

## Fails
```markdown
## Current State

{one paragraph on where the project stands}

**Branch**: TODO
```

## Passes
```markdown
## Current State

Main is green; the release branch is frozen. The open items are in TODO.md
and [the plan](docs/modernize-TODO.md).
```

## Options
None.
"""

from ..model import Finding, Rule, Scope
from ..views import Handoff


def check(handoff: Handoff, options: dict):
    for found in handoff.placeholders:
        what = "TODO marker" if found.text == "TODO" else f"template placeholder '{found.text}'"
        yield Finding(found.line, found.column, f"{what}: fill it in or remove it before committing")


RULE = Rule("AL304", "handoff-placeholder", Scope.DOCUMENT, check, __doc__, reads=Handoff)
