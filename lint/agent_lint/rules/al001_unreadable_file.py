"""An agent document could not be read.

## What it checks
That every agent document of the project (and every file named on the
command line) can be opened and read. agent-lint reads only regular files
whose real path is inside the project: a symbolic link that leads out of
it, a FIFO, a device or a socket is reported here, and nothing of it is
read (a repository could otherwise have its CI quote a file of the
machine, or wait forever on a FIFO).

## Why it matters
A session log or HANDOFF that cannot be read cannot be checked: permissions,
a dangling symbolic link or a folder where a file was expected hide it from
every other rule. The run goes on with the other files.

## Fails
A session log whose permissions deny reading (`chmod 000`), or that is a
symbolic link to `/etc/passwd`.

## Passes
Any file the current user can read.

## Options
None.
"""

from ..document import Document
from ..model import Finding, Rule, Scope


def check(doc: Document, options: dict):
    error = doc.load_error
    if error is not None and error.kind == "unreadable":
        yield Finding(error.line, error.column, error.message)


RULE = Rule("AL001", "unreadable-file", Scope.DOCUMENT, check, __doc__, handles_load_errors=True,
            reads=Document)
