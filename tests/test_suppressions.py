"""Suppression comments, run through the engine with two tiny test-only rules.

BAD flags every line containing "BAD"; WORSE every line containing "WORSE".
AL005 (the real unused-suppression rule) judges the comments afterwards.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from agent_lint import engine
from agent_lint.analysis import Job, Stage
from agent_lint.config import Config
from agent_lint.document import Document
from agent_lint.model import Finding, Kind, Rule, Scope, Severity
from agent_lint.rules import RULES, by_code_or_name
from agent_lint.runner import CheckOptions, check


def _lines_with(word):
    def check(doc, options):
        for number, line in enumerate(doc.lines, 1):
            if word in line:
                yield Finding(number, line.index(word) + 1, f"{word} here")

    return check


BAD = Rule("AL990", "bad-line", Scope.DOCUMENT, _lines_with("BAD"), "A line says BAD.\n", reads=Document)
WORSE = Rule("AL991", "worse-line", Scope.DOCUMENT, _lines_with("WORSE"), "A line says WORSE.\n", reads=Document)
UNUSED = by_code_or_name("AL005")
ALL_RULES = (*RULES, BAD, WORSE)


def lint(text: str, rules=(BAD, WORSE, UNUSED)) -> list[str]:
    """Rows "line:col CODE severity message" for a Markdown session log."""
    path = ".agents/sessions/log.md"
    config = Config(root=Path("."))
    run = engine.Run(config, tuple(rules), ALL_RULES, {path: Kind.SESSION_LOG}, frozenset([path]))
    analyses = {path: Stage(config, rules, lambda: None).analyze_bytes(Job(path, Kind.SESSION_LOG, True),
                                                                     text.encode("utf-8"))}
    outcome = engine.outcome(run, analyses, engine.project_stage(run, analyses))
    return [f"{v.line}:{v.column} {v.code} {v.severity} {v.message}" for v in outcome.violations]


def codes_at(rows: list[str]) -> list[str]:
    return [" ".join(row.split()[:2]) for row in rows]


def test_without_comments_every_line_is_reported():
    assert codes_at(lint("BAD\nWORSE\n")) == ["1:1 AL990", "2:1 AL991"]


def test_disable_until_enable():
    text = (
        "BAD 1\n"
        "<!-- agent-lint-disable AL990 -->\n"
        "BAD 3\n"
        "WORSE 4\n"
        "<!-- agent-lint-enable AL990 -->\n"
        "BAD 6\n"
    )
    assert codes_at(lint(text)) == ["1:1 AL990", "4:1 AL991", "6:1 AL990"]


def test_disable_without_enable_runs_to_the_end():
    assert codes_at(lint("BAD\n<!-- agent-lint-disable AL990 -->\n\nBAD\n\nBAD")) == ["1:1 AL990"]


def test_enable_of_one_code_keeps_the_others_disabled():
    text = (
        "<!-- agent-lint-disable AL990, AL991 -->\n"
        "BAD WORSE\n"
        "<!-- agent-lint-enable AL990 -->\n"
        "BAD WORSE\n"
        "<!-- agent-lint-enable -->\n"
        "BAD WORSE\n"
    )
    assert codes_at(lint(text)) == ["4:1 AL990", "6:1 AL990", "6:5 AL991"]


def test_enable_of_one_code_does_not_end_a_disable_of_every_rule():
    assert codes_at(lint("<!-- agent-lint-disable -->\n<!-- agent-lint-enable AL990 -->\nBAD\n")) == []


def test_disable_next_line_skips_blank_lines():
    # mdformat puts a blank line after an HTML comment.
    text = "<!-- agent-lint-disable-next-line AL990 -->\n\n   \nBAD skipped\nBAD reported\n"
    assert codes_at(lint(text)) == ["5:1 AL990"]


def test_disable_next_line_counts_from_the_end_of_a_long_comment():
    text = "<!-- agent-lint-disable-next-line\n     AL990 -->\nBAD skipped\nBAD reported\n"
    assert codes_at(lint(text)) == ["4:1 AL990"]


def test_disable_next_line_written_inline():
    text = "Some text <!-- agent-lint-disable-next-line AL990 --> BAD on this line\nBAD skipped\n"
    assert codes_at(lint(text)) == ["1:55 AL990"]


def test_disable_file_anywhere_covers_the_whole_file():
    text = "BAD\nWORSE\n\n<!-- agent-lint-disable-file AL990 -->\n"
    assert codes_at(lint(text)) == ["2:1 AL991"]


@pytest.mark.parametrize(
    "names",
    ["AL990 AL991", "AL990,AL991", "AL990, AL991", "bad-line worse-line", "al990, worse-line", ""],
)
def test_codes_names_and_lists(names):
    text = f"<!-- agent-lint-disable-next-line {names} -->\nBAD WORSE\nBAD WORSE\n"
    assert codes_at(lint(text)) == ["3:1 AL990", "3:5 AL991"]


def test_unused_suppression_is_a_warning_at_the_comment():
    text = "# Log\n\nText.\n  <!-- agent-lint-disable-next-line AL990 -->\nclean line\n"
    assert lint(text) == ["4:3 AL005 warning 'agent-lint-disable-next-line' for AL990 suppresses nothing"]


def test_only_the_unused_code_of_a_comment_is_reported():
    text = "<!-- agent-lint-disable-next-line AL990, AL991 -->\nBAD only\n"
    assert lint(text) == ["1:1 AL005 warning 'agent-lint-disable-next-line' for AL991 suppresses nothing"]


def test_bare_comment_that_suppresses_nothing():
    assert lint("<!-- agent-lint-disable -->\nclean\n") == [
        "1:1 AL005 warning 'agent-lint-disable' suppresses nothing"
    ]


def test_a_comment_used_after_an_enable_split_is_used():
    text = (
        "<!-- agent-lint-disable AL990 AL991 -->\n"
        "<!-- agent-lint-enable AL990 -->\n"
        "WORSE\n"
        "<!-- agent-lint-enable -->\n"
        "BAD\n"
    )
    assert lint(text) == [
        "1:1 AL005 warning 'agent-lint-disable' for AL990 suppresses nothing",
        "5:1 AL990 error BAD here",
    ]


def test_unknown_codes_are_reported():
    text = "<!-- agent-lint-disable-next-line AL990 AL9999 no-such-rule -->\nBAD\n"
    assert lint(text) == [
        "1:1 AL005 warning 'agent-lint-disable-next-line' names unknown rule 'AL9999'",
        "1:1 AL005 warning 'agent-lint-disable-next-line' names unknown rule 'no-such-rule'",
    ]


def test_suppressions_of_rules_not_selected_are_not_judged():
    text = "<!-- agent-lint-disable-next-line AL991 -->\nclean\nBAD\n"
    assert lint(text, rules=(BAD, UNUSED)) == ["3:1 AL990 error BAD here"]


def test_without_al005_selected_nothing_is_judged():
    assert lint("<!-- agent-lint-disable AL990 AL9999 -->\nclean\n", rules=(BAD, WORSE)) == []


def test_comments_in_code_do_not_suppress():
    text = "```\n<!-- agent-lint-disable-file -->\n```\n\n`<!-- agent-lint-disable-next-line -->`\nBAD\n"
    assert codes_at(lint(text)) == ["6:1 AL990"]


def test_end_to_end_through_check(tmp_path):
    """A real document rule (AL006) silenced by a comment, in a real run."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".agents" / "sessions").mkdir(parents=True)
    log = tmp_path / ".agents" / "sessions" / "a.md"

    def rows(text):
        log.write_text(text, encoding="utf-8")
        out = io.StringIO()
        check(CheckOptions(output_format="json", cwd=tmp_path, select=["AL005", "AL006"]), out=out)
        return [f"{v['line']}:{v['column']} {v['code']} {v['severity']}" for v in json.loads(out.getvalue())["violations"]]

    broken = "---\nrole: [worker\n---\n# Session\n"
    assert rows(broken) == ["2:14 AL006 error"]
    assert rows(broken + "\n<!-- agent-lint-disable-file invalid-front-matter -->\n") == []
    assert rows("# Session\n\n<!-- agent-lint-disable-file AL006 -->\n") == ["3:1 AL005 warning"]
    assert UNUSED.severity is Severity.WARNING
