"""A HANDOFF names a session, or links a session log, that does not exist.

## What it checks
Every session ID on a `**Sessions**:` line of a HANDOFF, and every link in
it that leads into the configured session-log folders (or path written as a
code span, `` `.agents/sessions/2026-03-02-review.md` ``, as many HANDOFFs
cite logs: a dated name written out in full, not a template such as
`YYYY-MM-DD-session-NN.md` or an abbreviation), resolves to an existing
session log. A link is resolved from the HANDOFF's own folder, as a
Markdown viewer does, and also from the project root. When the log exists
under the other extension (`.md` renamed to `.json`, or back), the message
names it, and `--fix` changes the link's extension to the one that exists,
provided exactly one log answers the link that way. A bare ID without a log
is not fixed: which session was meant is a guess.

## Why it matters
HANDOFF is where the next session goes to find the logs of the work before
it. A link broken by a rename, or an ID with a typo, sends it nowhere; the
history the HANDOFF promises cannot be read.

## Fails
```markdown
[Session 61](./sessions/2025-12-21-session-61-slash-command-skills.md)
```
when the log is now `.agents/sessions/2025-12-21-session-61-slash-command-skills.json`.

## Passes
```markdown
[Session 61](./sessions/2025-12-21-session-61-slash-command-skills.json)
```

## Options
None.
"""

import posixpath
import re

from ..document import Document
from ..extract.session_log import SESSION_ID_PATTERN
from ..files import classify
from ..model import Edit, Finding, Fix, Kind, Rule, Scope

_ID = re.compile(SESSION_ID_PATTERN)
# A path in a code span is a session log's only when its name is one: dated, written out in full.
# Templates (YYYY-MM-DD-session-NN.md) and abbreviations (2026-08-12-session-14695-...json) are not.
_LOG_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-[\w-]*[A-Za-z0-9]\.(?:md|json)", re.I)


def _candidates(base: str, href: str) -> list[str]:
    href = href.split("?", 1)[0]
    paths = [posixpath.normpath(posixpath.join(base, href)), posixpath.normpath(href.lstrip("/"))]
    return [p for p in dict.fromkeys(paths) if not p.startswith("../") and p != ".."]


def check(project, options: dict):
    logs = set(project.session_paths)
    stems = project.session_ids
    for handoff in project.handoffs:
        base = posixpath.dirname(handoff.path)
        for ref in handoff.refs:
            if ref.code and not _LOG_NAME.fullmatch(posixpath.basename(ref.href)):
                continue
            if ref.href is None:
                if _ID.search(ref.text) and ref.text not in stems:
                    yield Finding(ref.line, ref.column, f"session '{ref.text}' has no session log", path=handoff.path)
                continue
            candidates = _candidates(base, ref.href)
            if any(c in logs for c in candidates):
                continue
            targets = [c for c in candidates if classify(c, project.config) is Kind.SESSION_LOG]
            if not targets:
                continue  # not a link into the session logs
            renamed = sorted({p for c in targets for p in logs if p.rsplit(".", 1)[0] == c.rsplit(".", 1)[0]})
            hint = f"; the log is now '{renamed[0]}'" if renamed else ""
            fix = _fix(project.text(handoff.path), ref, renamed[0]) if len(renamed) == 1 else None
            what = "path" if ref.code else "link"
            yield Finding(ref.line, ref.column, f"{what} '{ref.href}' leads to no session log{hint}", path=handoff.path,
                          fix=fix)


def _fix(doc, ref, log: str) -> Fix | None:
    """Swap the link's (or the code span's) extension for the one of the log that exists."""
    text = doc.lines[ref.line - 1]
    opener = "`" if ref.code else "]("
    at = text.find(opener + ref.href, ref.column - 1 - len(opener) if ref.code else ref.column - 1)
    written = ref.href.split("?", 1)[0]
    dot = written.rfind(".")
    if at < 0 or dot < 0:
        return None
    href = doc.offset(ref.line, 1) + at + len(opener)
    extension = log.rsplit(".", 1)[1]
    return Fix(f"link '{log}'", (Edit(href + dot + 1, href + len(written), extension),))


RULE = Rule("AL305", "handoff-session-reference-broken", Scope.PROJECT, check, __doc__, fixable=True,
            reads=Document)
