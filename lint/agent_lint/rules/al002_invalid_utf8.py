"""An agent document is not valid UTF-8.

## What it checks
That the file decodes as UTF-8 (a leading byte-order mark is allowed). The
violation points at the first byte that does not decode.

## Why it matters
Markdown and JSON tools, GitHub's renderer and the agents themselves read
these files as UTF-8; a file saved in another encoding shows mangled text or
is skipped, and nothing else in it can be checked.

## Fails
A session log saved as Latin-1 with `café` in its objective (byte `0xe9`).

## Passes
The same file saved as UTF-8.

## Options
None.
"""

from ..document import Document
from ..model import Finding, Rule, Scope


def check(doc: Document, options: dict):
    error = doc.load_error
    if error is not None and error.kind == "encoding":
        yield Finding(error.line, error.column, error.message)


RULE = Rule("AL002", "invalid-utf8", Scope.DOCUMENT, check, __doc__, handles_load_errors=True,
            reads=Document)
