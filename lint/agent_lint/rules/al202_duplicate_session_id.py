"""Two session logs have the same session ID.

## What it checks
A session's ID is the stem of its log's file name (or the name of its
folder, for the logs the config key `session-id-from-folder` names). No two
session logs may share one: not the same stem as both `.md` and `.json`, and not the same file
name in two of the configured `session-logs` folders. Every log after the
first (in path order) is reported, naming the first.

## Why it matters
HANDOFF entries, `Orchestrator` and `Dispatched` fields and `Session-Ids:`
trailers all name sessions by ID. With two logs behind one ID, every one of
those references is ambiguous, and a batch check may read the wrong log.
Duplicates typically appear when a Markdown log is converted to JSON and the
original is not deleted.

## Fails
```text
.agents/sessions/2026-03-02-pr-review.md
.agents/sessions/2026-03-02-pr-review.json
```

## Passes
```text
.agents/sessions/2026-03-02-pr-review.json
```

## Options
None.
"""

from ..model import Finding, Rule, Scope


def check(project, options: dict):
    paths = project.session_paths  # logs that failed to parse still hold their ID
    if len(project.session_ids) == len(paths):
        return  # every ID once: the usual case, answered without grouping
    by_id: dict[str, list[str]] = {}
    for path in paths:
        by_id.setdefault(project.config.session_id(path), []).append(path)
    for session_id, paths in sorted(item for item in by_id.items() if len(item[1]) > 1):
        first, *others = sorted(paths)
        for path in others:
            yield Finding(1, 1, f"session ID '{session_id}' is also the ID of '{first}'; "
                                f"keep one log per session", path=path)


RULE = Rule("AL202", "duplicate-session-id", Scope.PROJECT, check, __doc__)
