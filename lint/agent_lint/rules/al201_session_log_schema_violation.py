"""A session log does not match its schema.

## What it checks
Every session log against a JSON Schema. A JSON log is checked as written,
against the team's own schema when `session-log-schema` names one, else
against the built-in `schemas/session-log.schema.json` (the conventions of
AGENT-SYSTEM.md). A Markdown log is read into the record a JSON log in
agent-lint's format holds (metadata lines, `## Work Log`, `## Outcome`,
`## Prerequisites Checklist`) and checked against the built-in schema,
always: that record is agent-lint's own shape, which a team's schema, written
for the team's JSON files, does not describe.

Validation happens once per log in the per-document stage (cached, in
parallel): jsonschema-rs tells valid logs apart, jsonschema explains the
invalid ones. Each schema error is one violation, at the line and column of
the offending value, with its JSON path (`$.session.date`) and what is
wrong, with two exceptions that keep a report readable:

- A log that lacks most of the top-level members its schema requires (more
  than half of them, and at least two) is not written in that format at all:
  another team's layout, a plan kept beside the logs. It gets one violation,
  at 1:1, naming what it lacks and how many other errors it has.
- Errors of one kind in the items of one array (each of 40 `$.workLog`
  items an object where the schema wants a string) are one violation, at
  the first such item, saying how many more items fail the same way.

When a value matches none of the branches of an `anyOf`/`oneOf`, the
message names the closest branch's complaint instead of listing every
branch. A Markdown log's errors are said in its own terms: a missing field
is "no `**Date**:` line before the first `##` heading", naming that heading
and any such line written under it, where it is no metadata; a missing
section is "no `## Work Log` section"; a bad value names its `**Key**`.
Protocol facts are read whether or not a log matches its schema (see
`session-fields`).

## Why it matters
Tools that read session history (dashboards, retrospectives, the batch
rules of agent-lint itself) trust the fields to be there and well-formed. A
log that drifts from the schema silently drops out of those tools.

## Fails
```markdown
# Session 2026-03-02-pr-review-301

**Date**: 2 March
**Role**: worker
```

## Passes
```markdown
# Session 2026-03-02-pr-review-301

**Date**: 2026-03-02
**Agent**: claude-code
**Role**: worker
**Objective**: Review PR #301
**Orchestrator**: 2026-03-02-pr-review

## Work Log

- 14:41 Ran the test suite.

## Outcome

Changes requested.
```

## Options
None here. The team's schema for JSON logs is the config key
`session-log-schema` (a path relative to the project root; any draft that
names itself in `$schema`; `$ref` only to files in the schema's folder).
"""

from ..extract.session_log import markdown_missing
from ..model import Finding, Rule, Scope
from ..views import SchemaCheck


def check(checked: SchemaCheck, options: dict):
    missing = [error.missing for error in checked.errors
               if not error.path and error.keyword == "required" and error.missing in checked.required]
    if len(missing) >= 2 and 2 * len(missing) > len(checked.required):
        yield Finding(1, 1, _other_format(checked, missing, len(checked.errors) - len(missing)))
        return
    alike: dict[tuple, list] = {}  # errors of one kind in the items of one array
    for error in checked.errors:
        if any(isinstance(part, int) for part in error.path):
            kind = (tuple("*" if isinstance(p, int) else p for p in error.path), error.keyword, error.missing)
            alike.setdefault(kind, []).append(error)
        else:
            yield Finding(error.line, error.column, error.message)
    for (path, _, _), (first, *more) in alike.items():
        message = first.message
        if more:
            array = _json_path(path[:len(path) - path[::-1].index("*") - 1])
            message += (f"; {len(more)} more items of {array} fail the same way" if len(more) > 1
                        else f"; 1 more item of {array} fails the same way")
        yield Finding(first.line, first.column, message)


def _other_format(checked: SchemaCheck, missing: list[str], others: int) -> str:
    if checked.format == "markdown":
        said = f"not a session log in agent-lint's Markdown format: {markdown_missing(checked.metadata_place, missing)}"
    else:
        schema = "agent-lint's session-log schema" if checked.schema == "built-in" else checked.schema
        lacks = f"all {len(missing)}" if len(missing) == len(checked.required) else \
            f"{len(missing)} of the {len(checked.required)}"
        said = (f"not a session log in the format {schema} describes: it lacks {lacks} members that schema "
                f"requires ({', '.join(missing)})")
    if others:
        said += f"; {others} other schema error{'s' if others > 1 else ''} not reported"
    return said


def _json_path(parts: tuple) -> str:
    """``$.outcomes.deliverables``, ``$.steps[*].checks``: the path of an array whose items fail alike."""
    from ..schema_errors import json_path

    return "$" + "".join("[*]" if part == "*" else json_path([part])[1:] for part in parts)


RULE = Rule("AL201", "session-log-schema-violation", Scope.DOCUMENT, check, __doc__, reads=SchemaCheck)
