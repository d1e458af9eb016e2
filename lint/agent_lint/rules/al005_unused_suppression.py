"""A suppression comment suppresses nothing, or names an unknown rule.

## What it checks
Every `<!-- agent-lint-disable... -->` comment: each code it names must be a
known rule, and must have suppressed at least one violation of a rule that
ran. A comment naming no code must have suppressed something. Codes of rules
that were not selected in this run are not judged.

## Why it matters
Suppressions outlive the problems they silenced. A stale one hides the next
real violation on that line; an unknown code (a typo) never worked at all.

## Fails
```markdown
<!-- agent-lint-disable-next-line AL102 -->
## A heading with no AL102 violation
```

## Passes
The same comment above a line that does have an AL102 violation.

## Options
None.
"""

from ..model import Finding, Rule, Scope, Severity


def check(unused: list, options: dict):
    for item in unused:
        sup = item.suppression
        comment = f"agent-lint-{sup.action}"
        if item.unknown:
            message = f"'{comment}' names unknown rule '{item.code}'"
        elif item.code is None:
            message = f"'{comment}' suppresses nothing"
        else:
            message = f"'{comment}' for {item.code} suppresses nothing"
        yield Finding(sup.line, sup.column, message)


RULE = Rule("AL005", "unused-suppression", Scope.META, check, __doc__, severity=Severity.WARNING)
