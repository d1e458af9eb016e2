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
invalid ones. Each schema error is one violation, at the line and column of the offending
value, with its JSON path (`$.session.date`) and what is wrong. When a value
matches none of the branches of an `anyOf`/`oneOf`, the message names the
closest branch's complaint instead of listing every branch. A Markdown
log's errors are said in its own terms: a missing field is "no `**Date**:`
line before the first `##` heading", naming that heading and any such line
written under it, where it is no metadata; a missing section is "no `## Work
Log` section"; a bad value names its `**Key**`. Protocol facts are read
whether or not a log matches its schema (see `session-fields`).

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

from ..model import Finding, Kind, Rule, Scope

SCHEMA_ERRORS = "schema-errors"  # the record the pipeline fills with the run's schema


def check(doc, options: dict):
    for line, column, message in doc.records.get(SCHEMA_ERRORS, ()):
        yield Finding(line, column, message)


RULE = Rule("AL201", "session-log-schema-violation", Scope.DOCUMENT, check, __doc__, kinds=(Kind.SESSION_LOG,))
