"""A session log's file name is not a valid session ID.

## What it checks
That the stem of every session log's file name (its session ID) matches the
configured pattern; by default the convention of AGENT-SYSTEM.md,
`YYYY-MM-DD-<slug>` with a lowercase slug of letters, digits and single
hyphens. A JSON log whose `id` field differs from its file stem is reported
too, since the file name is the ID. For the logs the config key
`session-id-from-folder` names (one folder per session:
`.agents/sessions/2026-03-02-pr-review/log.md`), the ID is the folder's name.

## Why it matters
IDs that are bare sequence numbers collide when parallel branches each pick
"the next number"; IDs with capitals or spaces break the links and trailers
that name them. A file in the sessions folder that is no session log at all
(a summary, a metrics note) shows up here as well: move it elsewhere.

## Fails
```text
.agents/sessions/session-12.md
.agents/sessions/2026-03-02-PR-Review.json
```

## Passes
```text
.agents/sessions/2026-03-02-pr-review.json
```

## Options
- `pattern` (string, regular expression): what a session ID must match.
"""

import re

from ..document import Document, JsonDocument
from ..extract.session_log import SESSION_ID_PATTERN
from ..model import AgentLintError, Finding, Kind, Rule, Scope

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "pattern": {
            "type": "string",
            "default": SESSION_ID_PATTERN,
            "description": "Regular expression a session ID (file stem, or folder name) must match.",
        },
    },
}


def check(doc, options: dict):
    try:
        pattern = re.compile(options["pattern"])
    except re.error as err:
        raise AgentLintError(f"rules.AL203.pattern: invalid regular expression: {err}") from None
    named_by = "the file name" if doc.path.rpartition("/")[2].startswith(doc.stem + ".") else "the folder name"
    if not pattern.search(doc.stem):
        yield Finding(1, 1, f"session ID '{doc.stem}' ({named_by}) does not match {options['pattern']}")
    if isinstance(doc, JsonDocument) and isinstance(doc.data, dict):
        declared = doc.data.get("id")
        if isinstance(declared, str) and declared != doc.stem:
            line, column = doc.locate(["id"])
            yield Finding(line, column, f"'id' is '{declared}' but {named_by} makes the ID '{doc.stem}'")


RULE = Rule("AL203", "invalid-session-id", Scope.DOCUMENT, check, __doc__, OPTIONS_SCHEMA,
            kinds=(Kind.SESSION_LOG,), reads=Document)
