"""A HANDOFF entry for a parallel batch does not list every session of the batch.

## What it checks
For each `### <id>` entry under `## Session History` whose ID is an
orchestrator's session: its `**Sessions**:` line lists the orchestrator first
and then every session of the batch, where the batch is the orchestrator's
log and every worker log naming it as `Orchestrator`.

`--fix` adds the missing IDs to the line: the orchestrator at its start,
workers at its end, in the order of their logs' paths (as links to their
logs when every session on the line is written as a link); an orchestrator
listed later is moved to the front. The line is left alone when it goes on
in the next line, or names a session by anything other than its ID: what
is already listed cannot be told then.

## Why it matters
The entry is the batch's record in HANDOFF. A worker left off it (often the
one that failed, or finished last) is a result the next session never hears
of, although its log says the work happened.

## Fails
```markdown
### 2026-03-02-pr-review

**Sessions**: 2026-03-02-pr-review, 2026-03-02-pr-review-300
```
while `2026-03-02-pr-review-301` also names `2026-03-02-pr-review` as its orchestrator.

## Passes
```markdown
**Sessions**: 2026-03-02-pr-review, 2026-03-02-pr-review-300, 2026-03-02-pr-review-301
```

## Options
None.
"""

import posixpath
import re

from ..document import Document
from ..extract.handoff import split_parts
from ..extract.session_log import SESSION_ID_PATTERN
from ..model import Edit, Finding, Fix, Rule, Scope

_ID = re.compile(SESSION_ID_PATTERN)
_LINK = re.compile(r"\[[^\]]*\]\((?P<href>[^)\s]+)[^)]*\)")
_METADATA = re.compile(r"^\s*\*\*[^*]+\*\*")


def _part(doc, batch, ident: str, links: list[str]) -> str:
    """A session as the line writes the others: a link beside links, else the bare ID."""
    if not links:
        return ident
    log = batch.member(ident).path
    folder = posixpath.dirname(links[0].split("#", 1)[0])
    href = posixpath.join(folder, posixpath.basename(log)) if folder else posixpath.basename(log)
    base = posixpath.dirname(doc.path)
    if log not in (posixpath.normpath(posixpath.join(base, href)), posixpath.normpath(href)):
        href = posixpath.relpath(log, base or ".")
    return f"[{ident}]({href})"


def _fix(doc, batch, listed: list[str], line: int, column: int) -> Fix | None:
    """The Sessions line completed, or its orchestrator put first; None when the line is not a plain list of IDs."""
    lines = doc.lines
    text = lines[line - 1]
    following = lines[line] if line < len(lines) else ""
    if following.strip() and not _METADATA.match(following) or not all(_ID.fullmatch(i) for i in listed):
        return None  # a Sessions paragraph going on below, or a session named by other text
    end = doc.offset(line, 1) + len(text.rstrip())
    if not listed:  # an empty Sessions line: everything goes after the key and its space
        spaced = text != text.rstrip()
        at = doc.offset(line, 1) + len(text) if spaced else end
        return Fix("list the batch's sessions", (Edit(at, at, ("" if spaced else " ") + ", ".join(batch.ids)),))
    start = doc.offset(line, column)
    parts = split_parts(doc.text[start:end])
    if len(parts) != len(listed) or doc.text[start:end].endswith(","):
        return None
    return _completed(doc, batch, listed, parts, start, end)


def _completed(doc, batch, listed: list[str], parts: list[str], start: int, end: int) -> Fix:
    """The listed ``parts`` (from ``start`` to ``end``) with the orchestrator first and the missing workers last,
    written as links when every part is one."""
    links = [m.group("href") for p in parts if (m := _LINK.fullmatch(p))]
    links = links if len(links) == len(parts) else []
    orchestrator = batch.orchestrator
    workers = [_part(doc, batch, i, links) for i in batch.ids[1:] if i not in listed]
    if orchestrator in listed and listed[0] != orchestrator:
        k = listed.index(orchestrator)
        value = ", ".join([parts[k], *parts[:k], *parts[k + 1:], *workers])
        return Fix("list the orchestrator first", (Edit(start, end, value),))
    edits = []
    if orchestrator not in listed:
        edits.append(Edit(start, start, _part(doc, batch, orchestrator, links) + ", "))
    if workers:
        edits.append(Edit(end, end, "".join(", " + w for w in workers)))
    return Fix("add the batch's missing sessions", tuple(edits))


def check(project, options: dict):
    by_orchestrator = {batch.orchestrator: batch for batch in project.batches}
    for handoff in project.handoffs:
        for index, entry in enumerate(handoff.entries):
            batch = by_orchestrator.get(entry.id)
            if batch is None or entry.sessions is None:
                continue  # no batch by that ID, or no Sessions line (AL302)
            listed = list(entry.sessions)
            line, column = handoff.locate(("entries", index, "sessions"))
            missing = [i for i in batch.ids if i not in listed]
            if missing:
                yield Finding(line, column, f"entry for batch '{batch.orchestrator}' does not list "
                                            f"{', '.join(missing)}", path=handoff.path,
                              fix=_fix(project.text(handoff.path), batch, listed, line, column))
            elif listed[0] != batch.orchestrator:
                yield Finding(line, column, f"entry for batch '{batch.orchestrator}' must list the "
                                            f"orchestrator first", path=handoff.path,
                              fix=_fix(project.text(handoff.path), batch, listed, line, column))


RULE = Rule("AL306", "handoff-entry-missing-batch-session", Scope.PROJECT, check, __doc__, fixable=True,
            reads=Document)
