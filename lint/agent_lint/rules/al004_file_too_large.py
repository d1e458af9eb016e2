"""An agent document is larger than the configured limit, and was not parsed.

## What it checks
That no agent document exceeds `max-file-size` bytes (default 4 MiB). Larger
files are reported and skipped rather than parsed.

## Why it matters
Agent documents are meant to be read by agents with limited context; a
multi-megabyte file is almost always a generated dump or a runaway log, and
parsing it would make every pre-commit run slow.

## Fails
A 5 MB session log with the default limit.

## Passes
Any file under the limit.

## Options
None of its own: set the top-level `max-file-size` key.
"""

from ..document import Document
from ..model import Finding, Rule, Scope


def check(doc: Document, options: dict):
    error = doc.load_error
    if error is not None and error.kind == "too-large":
        yield Finding(error.line, error.column, error.message)


RULE = Rule("AL004", "file-too-large", Scope.DOCUMENT, check, __doc__, handles_load_errors=True,
            reads=Document)
