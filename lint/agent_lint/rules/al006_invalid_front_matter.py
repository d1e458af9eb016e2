"""A Markdown agent document has YAML front matter that does not parse.

## What it checks
That a `---` front-matter block at the top of a Markdown document is valid
YAML and holds a mapping of keys to values.

## Why it matters
Session-log metadata (date, role, orchestrator) may live in front matter;
when it does not parse, that metadata is lost to every rule and tool.

## Fails
```markdown
---
role: [worker
---
```

## Passes
```markdown
---
role: worker
---
```

## Options
None.
"""

from ..document import Document, MarkdownDocument
from ..model import Finding, Rule, Scope


def check(doc: Document, options: dict):
    if isinstance(doc, MarkdownDocument) and doc.front_matter_text is not None:
        error = doc.front_matter_error
        if error is not None:
            yield Finding(error.line, error.column, error.message)


RULE = Rule("AL006", "invalid-front-matter", Scope.DOCUMENT, check, __doc__, reads=Document)
