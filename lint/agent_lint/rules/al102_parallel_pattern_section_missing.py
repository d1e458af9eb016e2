"""The system document has no Parallel Execution Pattern section.

Enforces: AGENT-SYSTEM.md, Parallel Execution Pattern.

## What it checks
That the system document has a section titled like the Parallel Execution
Pattern, at any heading level. Titles match with case, punctuation, spacing
and heading numbers ignored ("## 6. Parallel Execution" matches).

## Why it matters
The section is where the protocol lives: when to run agents in parallel,
the prerequisites checklist orchestrators copy, the execution steps and the
HANDOFF rule. Without it every agent improvises its own coordination, and
the session-log and HANDOFF checks have no reference to hold logs to.

## Fails
```markdown
# Agent System
## Agents
...
```

## Passes
```markdown
# Agent System
## Parallel Execution Pattern
...
```

## Options
- `titles` (mapping): alternative titles per part of the pattern; this rule
  reads `section`. Default: "Parallel Execution Pattern", "Parallel Execution".
"""

from ..document import Document, MarkdownDocument
from ..extract.parallel_pattern import SECTION, merged_titles, pattern_of, titles_option
from ..model import Finding, Kind, Rule, Scope

OPTIONS_SCHEMA = {"type": "object", "properties": {"titles": titles_option()}}


def check(doc: MarkdownDocument, options: dict):
    if not isinstance(doc, MarkdownDocument) or pattern_of(doc, options["titles"]) is not None:
        return
    wanted = " or ".join(f"'{title}'" for title in merged_titles(options["titles"])[SECTION])
    yield Finding(1, 1, f"no Parallel Execution Pattern section (a heading titled {wanted})")


RULE = Rule("AL102", "parallel-pattern-section-missing", Scope.DOCUMENT, check, __doc__,
            options_schema=OPTIONS_SCHEMA, kinds=(Kind.SYSTEM,), reads=Document)
