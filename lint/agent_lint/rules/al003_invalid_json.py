"""A JSON agent document does not parse.

## What it checks
That a `.json` session log or other JSON agent document is well-formed JSON,
reported at the line and column where parsing stopped.

## Why it matters
A broken JSON log silently drops out of every tool that reads the session
history, the batch it belongs to looks incomplete, and its schema cannot be
checked.

## Fails
```json
{"id": "2026-03-02-pr-review", "role": "worker",}
```

## Passes
```json
{"id": "2026-03-02-pr-review", "role": "worker"}
```

## Options
None.
"""

from ..document import Document
from ..model import Finding, Rule, Scope


def check(doc: Document, options: dict):
    error = doc.load_error
    if error is not None and error.kind == "json":
        yield Finding(error.line, error.column, error.message)


RULE = Rule("AL003", "invalid-json", Scope.DOCUMENT, check, __doc__, handles_load_errors=True,
            reads=Document)
