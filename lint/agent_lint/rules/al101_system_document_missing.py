"""The configured system document does not exist.

Enforces: AGENT-SYSTEM.md, introduction (the document is "the reference statement
of how agents in this project coordinate").

## What it checks
That the file named by the top-level `system-document` key exists in the
project. The finding is reported at that path, and only when the whole
project is checked (not when pre-commit hands over a few changed files).

Without a `system-document` key nothing is reported: agent-lint also checks
the session logs and HANDOFF of projects that keep no system document, and
the default locations (`AGENT-SYSTEM.md`, `.agents/AGENT-SYSTEM.md`) are only
where it looks first.

## Why it matters
The system document is the reference statement of the protocol (AGENT-SYSTEM.md,
introduction). A configuration that points at a moved or deleted file
means every AL1xx check silently stops, and agents told to "follow
AGENT-SYSTEM.md" have nothing to follow.

## Fails
```toml
[tool.agent-lint]
system-document = "docs/AGENT-SYSTEM.md"   # no such file
```

## Passes
The same configuration with `docs/AGENT-SYSTEM.md` present.

## Options
None of its own: set the top-level `system-document` key.
"""

import posixpath

from ..model import Finding, Rule, Scope
from ..project import Project


def check(project: Project, options: dict):
    configured = project.config.system_document
    if configured and posixpath.normpath(configured) not in project.kinds:
        yield Finding(1, 1, f"system document '{configured}' not found (set by system-document)", path=configured)


RULE = Rule("AL101", "system-document-missing", Scope.PROJECT, check, __doc__)
