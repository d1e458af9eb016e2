"""No input takes unbounded time: schema patterns never backtrack, and every rule is linear.

Patterns are checked end to end (a pattern that backtracks catastrophically
on Python's ``re`` must not reach it, on either validator) and in-process
(jsonschema, asked for the words of an error, must not call ``re`` on a
team's pattern). Rules are held to linear time by counting the Python lines
a whole check executes on adversarial documents of growing size: doubling
the document may at most about double the work (seconds are for the
benchmark, never for tests).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from attack import agent_lint, no_traceback

from agent_lint.runner import CheckOptions, check

EVIL = "^(a+)+$"  # 28 characters of "a" and a "!" took Python's re 14.7 s; 34 did not finish in a minute
LONG = "a" * 40 + "!"


def team_schema(root: Path, schema: dict, **siblings: dict) -> None:
    (root / "schemas").mkdir(exist_ok=True)
    (root / "schemas" / "session.json").write_text(json.dumps(schema), encoding="utf-8")
    for name, content in siblings.items():
        (root / "schemas" / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
    (root / ".agent-lint.toml").write_text('session-log-schema = "schemas/session.json"\n', encoding="utf-8")


def log(root: Path, data: dict) -> None:
    (root / ".agents" / "sessions" / "2026-03-02-evil.json").write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("shape", ["patternProperties", "pattern through a sibling", "old draft", "propertyNames"])
def test_a_catastrophic_pattern_ends_at_once(hostile, user_cache, shape):
    if shape == "patternProperties":
        team_schema(hostile, {"type": "object", "patternProperties": {EVIL: {"type": "string"}},
                              "additionalProperties": False})
        log(hostile, {LONG: 1})
    elif shape == "pattern through a sibling":
        team_schema(hostile, {"type": "object", "properties": {"id": {"$ref": "common.json#/$defs/id"}}},
                    common={"$defs": {"id": {"type": "string", "pattern": EVIL}}})
        log(hostile, {"id": LONG})
    elif shape == "old draft":
        team_schema(hostile, {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
                              "properties": {"id": {"type": "string", "pattern": EVIL}}})
        log(hostile, {"id": LONG})
    else:
        team_schema(hostile, {"type": "object", "propertyNames": {"pattern": EVIL}})
        log(hostile, {LONG: 1})
    run = agent_lint("check", "--no-cache", cwd=hostile, cache=user_cache, timeout=30)
    no_traceback(run)
    assert run.code == 1 and "AL201" in run.stdout, run.stdout + run.stderr


def test_a_pattern_that_needs_backtracking_is_a_config_error(hostile, user_cache):
    team_schema(hostile, {"type": "object", "properties": {"id": {"type": "string", "pattern": "^(?!x)(a|aa)+\\1$"}}})
    run = agent_lint("check", "--no-cache", cwd=hostile, cache=user_cache)
    assert run.code == 2 and run.stderr.count("\n") == 1
    assert "schemas/session.json: pattern '^(?!x)(a|aa)+\\\\1$' cannot be matched in linear time" in run.stderr


def test_jsonschema_never_runs_a_team_pattern_on_re(tmp_path, monkeypatch):
    """The reference validator words the errors of a schema laid out in several files:
    its regex keywords must run on the linear engine, not on Python's ``re``."""
    import jsonschema._keywords
    import jsonschema._utils

    from agent_lint.schema_check import load_team_schema
    from agent_lint.schema_errors import error_message

    team_schema(tmp_path, {"type": "object", "properties": {"id": {"$ref": "common.json"}},
                           "patternProperties": {"^x-(a+)+$": {"type": "integer"}}, "additionalProperties": False},
                common={"type": "string", "pattern": EVIL})
    compiled = load_team_schema(tmp_path, "schemas/session.json")

    class NoRe:
        def __getattr__(self, name):
            raise AssertionError(f"re.{name} called on a team pattern")

    for module in (jsonschema._keywords, jsonschema._utils):
        monkeypatch.setattr(module, "re", NoRe())
    errors = compiled.errors({"id": LONG, "x-" + "a" * 40 + "!": 1, "x-aa": "no"})
    assert {error_message(e) for e in errors} == {
        f"$: '{'x-' + 'a' * 40 + '!'}' does not match any of the regexes: '^x-(a+)+$'",
        f"$.id: '{LONG}' does not match '{EVIL}'",
        "$[\"x-aa\"]: expected integer, found string 'no'",
    }


# ----------------------------------------------------------------------------
# Every rule, linear: Python lines executed by a whole check, at three sizes


def _markdown_log(body: str) -> str:
    return ("# Session 2026-03-02-solo\n\n**Date**: 2026-03-02\n**Agent**: claude-code\n**Role**: orchestrator\n"
            f"**Objective**: Solo\n\n## Prerequisites Checklist\n\n{body}\n## Work Log\n\n{body}\n## Outcome\n\nDone.\n")


def _handoff(n: int) -> str:
    entries = "".join(f"### 2026-03-02-s{i}\n\n**Sessions**: 2026-03-02-s{i}, 2026-03-02-w{i}, [x](sessions/y{i}.md)\n\n"
                      f"**Summary**: {{placeholder {i}}} TODO `code` [link](z{i}.json)\n\n" for i in range(n))
    return f"# Handoff\n\n## Current State\n\nOk.\n\n## Session History\n\n{entries}## Next Steps\n\n- More.\n"


def _system(n: int) -> str:
    reference = Path(__file__).resolve().parents[2] / "AGENT-SYSTEM.md"
    text = reference.read_text(encoding="utf-8")
    rows = "".join(f"| Limit {i} | |\n" for i in range(n))
    steps = "".join(f"{i + 9}. Orchestrator updates HANDOFF once more, step {i}.\n" for i in range(n))
    return text + f"\n## Extra\n\n| Limitation | Mitigation |\n|---|---|\n{rows}\n{steps}"


FAMILIES = {
    # AL205: lists that would merge with their neighbour, each a checklist to fix.
    "checklists": lambda n: {".agents/sessions/2026-03-02-solo.md": _markdown_log(
        "".join(f"* [X] item {i}\n\n+ [x] other {i}\n\n- plain {i}\n\n" for i in range(n)))},
    "metadata, code spans and links": lambda n: {".agents/sessions/2026-03-02-solo.md": _markdown_log(
        "".join(f"**Key {i}**: `a` [b](c{i}.md) `d` <!-- agent-lint-disable-next-line AL201 --> e\n" for i in range(n)))},
    "one long line": lambda n: {".agents/sessions/2026-03-02-solo.md": _markdown_log(
        "- [ ] " + "`x` **y** [z](w.md) \\\\ " * (4 * n) + "\n")},
    "headings and tables": lambda n: {".agents/sessions/2026-03-02-solo.md": _markdown_log(
        "".join(f"{'#' * (2 + i % 5)} H {i}\n\n| a | b |\n|---|---|\n| [ ] {i} | x |\n\n" for i in range(n)))},
    "handoff entries": lambda n: {".agents/HANDOFF.md": _handoff(n)},
    "system document": lambda n: {"AGENT-SYSTEM.md": _system(n)},
    "json log": lambda n: {".agents/sessions/2026-03-02-solo.json": json.dumps({
        "id": "2026-03-02-solo", "role": "orchestrator", "dispatched": [f"2026-03-02-w{i}" for i in range(n)],
        "workLog": [{"step": f"s{i}", "checked": True, "evidence": "none"} for i in range(n)],
        "checklist": {f"item{i}": {"complete": i % 2 == 0, "note": ""} for i in range(n)},
        "handoffUpdated": ", ".join("2026-03-02T10:00:00Z" for _ in range(n)),
    })},
    "a batch of many logs": lambda n: {
        ".agents/sessions/2026-03-02-o.json": json.dumps({
            "id": "2026-03-02-o", "role": "orchestrator", "dispatched": [f"2026-03-02-w{i}" for i in range(n)],
            "status": "complete", "handoffUpdated": "2026-03-02T09:00:00Z"}),
        **{f".agents/sessions/2026-03-02-w{i}.json": json.dumps({
            "id": f"2026-03-02-w{i}", "role": "worker", "orchestrator": "2026-03-02-o", "status": "complete",
            "completed": "2026-03-02T10:00:00Z", "handoffUpdated": "2026-03-02T11:00:00Z"}) for i in range(n)},
    },
}


def operations(root: Path, files: dict[str, str]) -> int:
    """Python lines executed by a check of ``files`` (every rule, AL205 included), no cache."""
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            path.unlink()
    (root / ".agent-lint.toml").write_text("# marks the root\n", encoding="utf-8")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += 1
        return trace

    options = CheckOptions(cwd=root, no_cache=True, jobs=1, select=("ALL", "AL205"), output_format="json")
    sys.settrace(trace)
    try:
        check(options, out=io.StringIO())
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("family", list(FAMILIES))
def test_doubling_a_document_about_doubles_the_work(tmp_path, family):
    (tmp_path / ".git").mkdir()
    make = FAMILIES[family]
    operations(tmp_path, make(2))  # imports and first-use caches, not counted
    small, middle, large = (operations(tmp_path, make(n)) for n in (40, 80, 160))
    # The fixed cost of a run cancels out in the differences; linear work gives 2, quadratic 4.
    assert (large - middle) <= 2.5 * (middle - small), (family, small, middle, large)


def test_yaml_aliases_in_front_matter_are_refused_not_expanded(hostile, user_cache):
    # Nine aliases nine deep: a few lines that expand to 387 million strings wherever they are read.
    lines = ["---", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    lines += ["agent: *a8", "---", "# Session", "", "## Work Log", "", "Done.", ""]
    (hostile / ".agents" / "sessions" / "2026-03-02-laughs.md").write_text("\n".join(lines), encoding="utf-8")
    (hostile / ".agents" / "sessions" / "2026-03-02-cycle.md").write_text("---\na: &a [*a]\n---\n# S\n", encoding="utf-8")
    run = agent_lint("check", cwd=hostile, cache=user_cache, timeout=30, memory_mb=2048)
    no_traceback(run)
    assert ".agents/sessions/2026-03-02-laughs.md:3:10: AL006 [error] invalid YAML front matter: aliases are not " \
           "allowed (found *a0)" in run.lines
    assert ".agents/sessions/2026-03-02-cycle.md:2:8: AL006 [error] invalid YAML front matter: aliases are not " \
           "allowed (found *a)" in run.lines


def test_a_log_nested_deeper_than_the_cache_goes_is_checked_uncached(hostile, user_cache):
    deep = '{"id": "2026-03-02-deep", "dispatched": ' + "[" * 900 + "]" * 900 + "}"
    (hostile / ".agents" / "sessions" / "2026-03-02-deep.json").write_text(deep, encoding="utf-8")
    runs = [agent_lint("check", *extra, cwd=hostile, cache=user_cache) for extra in ((), (), ("--no-cache",))]
    for run in runs:
        no_traceback(run)
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout and "2026-03-02-deep.json" in runs[0].stdout
