"""An orchestrator's session log has no prerequisites checklist.

## What it checks
Every orchestrator log (role `orchestrator`, or a log with a `Dispatched`
list) carries the prerequisites checklist of the system document's Parallel
Execution Pattern: a `## Prerequisites Checklist` section with a task list
(or a table of `[x]` / `[ ]` cells) in Markdown, a `prerequisites` array in
JSON.

When the log has no prerequisites section at all and the system document
has a template, `--fix` adds the template's items, unchecked (nothing says
they were verified): in Markdown a `## Prerequisites Checklist` section
before `## Outcome` (or at the end), where the conventions place it; in
JSON a `"prerequisites"` array (`{"item": ..., "checked": false, "note":
""}` per item) as the object's last member, written with the file's own
indentation. Every item then needs checking or a justification (AL215).
A log with a differently titled prerequisites heading or key, or an empty
checklist section, is not fixed: which one was meant is a guess.

## Why it matters
The checklist is the orchestrator's record that the batch was safe to run in
parallel: independent tasks, no shared files, enough rate-limit budget, one
HANDOFF update. Without it nobody can tell whether those were checked before
the workers were dispatched, and a failed batch cannot be traced to the
assumption that broke.

## Fails
```markdown
**Role**: orchestrator
**Dispatched**: 2026-03-02-pr-review-300, 2026-03-02-pr-review-301

## Work Log
```

## Passes
```markdown
## Prerequisites Checklist

- [x] Tasks are independent
- [x] No shared file modifications
...
```

## Options
None.
"""

from ..document import Document, JsonDocument, MarkdownDocument
from ..edits import checklist_json_items, checklist_section, json_append_member, section_insertion
from ..model import Finding, Fix, Rule, Scope


def _fix(doc, template: tuple[str, ...], source: str) -> Fix | None:
    if isinstance(doc, MarkdownDocument):
        if any("prerequisite" in section.title.casefold() for section in doc.sections):
            return None
        edit = section_insertion(doc, checklist_section(template), "Outcome")
    elif isinstance(doc, JsonDocument) and isinstance(doc.data, dict):
        if any("prereq" in str(key).casefold() for key in doc.data):
            return None
        edit = json_append_member(doc, "prerequisites", checklist_json_items(template))
    else:
        return None
    return Fix(f"add the prerequisites template of {source}, unchecked", (edit,)) if edit else None


def check(project, options: dict):
    system = project.system
    template = system.template if system else ()
    for log in project.by_role("orchestrator"):
        if not log.prerequisites:
            where = "has an empty" if log.prerequisites is not None else "has no"
            line, column = log.at("prerequisites")
            fix = None
            if log.prerequisites is None and template:
                fix = _fix(project.document(log.path), template, system.path)
            yield Finding(line, column, f"orchestrator session '{log.id}' {where} prerequisites checklist; "
                                        f"copy the template of the Parallel Execution Pattern and fill it in "
                                        f"before dispatch", path=log.path, fix=fix)


RULE = Rule("AL213", "prerequisites-checklist-missing", Scope.PROJECT, check, __doc__, fixable=True,
            reads=Document)
