"""The Parallel Execution Pattern extractor, its schema, and the AL1xx rules on real documents."""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_lint.document import MarkdownDocument
from agent_lint.extract.parallel_pattern import (
    DEFAULT_TITLES,
    SUBSECTION_KEYS,
    extract,
    normalize_title,
    template_items,
)
from agent_lint.views import locate
from agent_lint.resources import load_schema
from agent_lint.runner import CheckOptions, check


REPO = Path(__file__).resolve().parents[1]
SCHEMA = load_schema("parallel-pattern.schema.json")


def run_rows(root: Path, *paths: str, jobs: int = 1) -> list[str]:
    """Rows ``path:line:col CODE message``, leaving no cache behind (the corpus is read-only)."""
    out = io.StringIO()
    check(CheckOptions(paths=tuple(root / p for p in paths), output_format="json", cwd=root,
                       no_cache=True, jobs=jobs), out=out)
    return [f"{v['path']}:{v['line']}:{v['column']} {v['code']} {v['message']}"
            for v in json.loads(out.getvalue())["violations"]]


def doc(text: str) -> MarkdownDocument:
    return MarkdownDocument("AGENT-SYSTEM.md", None, textwrap.dedent(text))


NESTED = """\
# System

## 6. Parallel Execution

### 6.1 When to Use Parallel Execution

#### Use Parallel Execution When

- independent tasks

#### Use Sequential Execution When

- dependent tasks

### 6.3 Parallel Execution Pattern Template

#### Prerequisites Checklist

  ```markdown
  ## Readiness

  - [ ] Tasks are independent
  - [x] Rate limit checked
  ```

#### Execution Steps

```text
  1. Orchestrator dispatches agents
  2) Orchestrator waits for all to complete
not a step
```

### 6.9 Examples

- Review: four PRs
- Analysis: three agents

### 6.10 Limitations

| Limitation | Impact | Mitigation |
|---|---|---|
| **Rate limits** | fail | |

## 7. Steering
"""


def test_no_section_gives_none():
    assert extract(doc("# System\n\n## Agents\n\n- [ ] a task\n")) is None
    assert template_items(doc("# System\n")) == ()


def test_nested_numbered_headings_are_found_with_titles_as_written():
    pattern = extract(doc(NESTED))
    assert (pattern.title, pattern.line, pattern.column, pattern.end_line) == ("Parallel Execution", 3, 1, 44)
    found = {key: (sub.title, sub.line) for key, sub in pattern.subsections.items()}
    assert found == {
        "when-parallel": ("When to Use Parallel Execution", 5),
        "when-sequential": ("Use Sequential Execution When", 11),
        "prerequisites": ("Prerequisites Checklist", 17),
        "execution-steps": ("Execution Steps", 26),
        "examples": ("Examples", 34),
        "limitations": ("Limitations", 39),
    }
    # "## 7. Steering" ends the section: nothing after it belongs to the pattern.
    assert pattern.subsections["limitations"].end_line == 44


def test_fenced_template_keeps_host_positions():
    pattern = extract(doc(NESTED))
    assert pattern.prerequisites_fenced and pattern.prerequisites_is_task_list
    assert [(i.text, i.line, i.column, i.checked) for i in pattern.prerequisites] == [
        ("Tasks are independent", 22, 5, False),
        ("Rate limit checked", 23, 5, True),
    ]
    assert template_items(doc(NESTED)) == ("Tasks are independent", "Rate limit checked")


def test_steps_from_numbered_lines_of_a_fence_start_at_their_text():
    pattern = extract(doc(NESTED))
    assert pattern.steps_fenced
    assert [(s.text, s.line, s.column) for s in pattern.steps] == [
        ("Orchestrator dispatches agents", 29, 6),
        ("Orchestrator waits for all to complete", 30, 6),
    ]


def test_examples_fall_back_to_list_items_and_limitations_keep_empty_cells():
    pattern = extract(doc(NESTED))
    assert [e.title for e in pattern.examples] == ["Review: four PRs", "Analysis: three agents"]
    assert [(l.text, l.mitigation, l.line, l.column) for l in pattern.limitations] == [("Rate limits", "", 43, 3)]


def test_limitation_list_items_split_at_the_mitigation_marker():
    pattern = extract(doc("""\
        ## Parallel Execution Pattern
        ### Limitations
        - **Rate limits**: agents fail. Mitigation: check the budget.
        - Staging conflicts -> one worktree per worker
        - Context loss: nothing to do
        """))
    assert [(l.text, l.mitigation) for l in pattern.limitations] == [
        ("Rate limits: agents fail", "check the budget."),
        ("Staging conflicts", "one worktree per worker"),
        ("Context loss", None),
    ]


def test_a_table_without_mitigation_column_has_no_mitigations():
    pattern = extract(doc("## Parallel Execution\n### Limitations\n| Limitation | Impact |\n|-|-|\n| a | b |\n"))
    assert [(l.text, l.mitigation) for l in pattern.limitations] == [("a", None)]


def test_plain_list_stands_in_for_a_missing_task_list():
    pattern = extract(doc("## Parallel Execution\n### Prerequisites\n- one\n- two\n"))
    assert not pattern.prerequisites_is_task_list and not pattern.prerequisites_fenced
    assert [i.checked for i in pattern.prerequisites] == [None, None]


def test_a_checklist_wins_over_an_earlier_plain_list():
    pattern = extract(doc("## Parallel Execution\n### Prerequisites\n- note\n\ntext\n\n- [ ] real item\n"))
    assert [i.text for i in pattern.prerequisites] == ["real item"]


def test_titles_replace_only_the_keys_given():
    text = "## Parallel Execution\n### Procedure\n1. one\n### Examples\n#### A\n"
    default = extract(doc(text))
    assert "execution-steps" not in default.subsections and "examples" in default.subsections
    custom = extract(doc(text), {"execution-steps": ["procedure"]})
    assert [s.text for s in custom.steps] == ["one"] and "examples" in custom.subsections
    assert extract(doc(text), {"section": ["Concurrency"]}) is None


def test_normalize_title_ignores_case_punctuation_and_spacing():
    assert normalize_title("HANDOFF  Update-Protocol, for Parallel Sessions!") == \
        normalize_title("handoff update protocol for parallel sessions")


def test_default_titles_cover_every_subsection():
    assert set(DEFAULT_TITLES) == {"section", *SUBSECTION_KEYS}


def test_json_paths_map_back_to_markdown_positions():
    pattern = extract(doc(NESTED))
    data, where = pattern.to_json()
    assert json.loads(json.dumps(data)) == data
    jsonschema.Draft202012Validator(SCHEMA).validate(data | {"prerequisites": {**data["prerequisites"], "items": [
        item | {"checked": False} for item in data["prerequisites"]["items"]]}})
    assert locate(where, ("prerequisites", "items", 1, "checked")) == (23, 5)
    assert locate(where, ("limitations", 0, "mitigation")) == (43, 3)
    assert locate(where, ("steps",)) == (3, 1)  # no position of its own: the section's
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    assert [list(e.absolute_path) for e in errors] == [["prerequisites", "items", 1, "checked"]]


def test_the_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


_FRAGMENTS = st.sampled_from([
    "## Parallel Execution Pattern", "### Prerequisites Checklist", "### Execution Steps", "### Examples",
    "### Limitations", "#### Example", "####", "- [ ] item", "- [x]", "- plain", "1. step", "  2) nested",
    "```markdown", "```text", "```", "| Limitation | Mitigation |", "|---|---|", "| a | |", "| |", "",
    "text with **bold** and `code`", "    indented code", "> quote", "<!-- comment -->", "\t- [ ] tab",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40), st.sampled_from(["\n", "\r\n"]))
def test_any_arrangement_extracts_a_record_that_maps_back(lines, newline):
    document = MarkdownDocument("AGENT-SYSTEM.md", None, newline.join(lines))
    pattern = extract(document)
    if pattern is None:
        return
    data, where = pattern.to_json()
    for error in jsonschema.Draft202012Validator(SCHEMA).iter_errors(data):
        line, column = locate(where, error.absolute_path)
        assert 1 <= line <= max(1, len(document.lines)) and column >= 1


# ----------------------------------------------------------------------------
# Whole runs


def test_the_projects_own_system_document_lints_clean():
    assert run_rows(REPO, "AGENT-SYSTEM.md") == []
    pattern = extract(MarkdownDocument("AGENT-SYSTEM.md", None, (REPO / "AGENT-SYSTEM.md").read_text("utf-8")))
    assert set(pattern.subsections) == set(SUBSECTION_KEYS)
    assert len(pattern.prerequisites) == 6 and len(pattern.steps) == 8 and len(pattern.examples) == 3


def test_missing_system_document_is_reported_only_on_whole_project_runs(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".agent-lint.toml").write_text('system-document = "docs/AGENT-SYSTEM.md"\n', "utf-8")
    # Two documents, so that naming one of them is a partial run.
    (tmp_path / "HANDOFF.md").write_text("# Handoff\n", "utf-8")
    (tmp_path / ".agents").mkdir()
    (tmp_path / ".agents" / "HANDOFF.md").write_text("# Handoff\n", "utf-8")
    expected = "docs/AGENT-SYSTEM.md:1:1 AL101 system document 'docs/AGENT-SYSTEM.md' not found (set by system-document)"
    assert expected in run_rows(tmp_path)
    assert not [row for row in run_rows(tmp_path, "HANDOFF.md") if " AL101 " in row]


CORPUS_FINDINGS = [
    ".agents/AGENT-SYSTEM.md:1338:3 AL104 prerequisites template lacks the item "
    "'Each agent has its own session log path'",
    ".agents/AGENT-SYSTEM.md:1338:3 AL104 prerequisites template lacks the item "
    "'HANDOFF will be updated once, by the orchestrator, after all sessions complete'",
    ".agents/AGENT-SYSTEM.md:1355:4 AL106 step 8 commits without listing the session IDs",
]


def test_corpus_system_document_exact_findings(corpus, tmp_path):
    # A copy, so the run neither depends on nor touches the corpus's git state.
    (tmp_path / ".agents").mkdir()
    shutil.copyfile(corpus / ".agents" / "AGENT-SYSTEM.md", tmp_path / ".agents" / "AGENT-SYSTEM.md")
    (tmp_path / ".git").mkdir()
    rows = [row for row in run_rows(tmp_path, ".agents/AGENT-SYSTEM.md") if " AL1" in row]
    assert rows == CORPUS_FINDINGS


def test_corpus_as_project_root_runs_and_agrees(corpus):
    # Two workers: the record must survive the trip from a worker process.
    rows = run_rows(corpus, jobs=2)
    assert [row for row in rows if " AL1" in row] == CORPUS_FINDINGS


# ----------------------------------------------------------------------------
# The rules as a family


def _al1_rules():
    from agent_lint.rules import RULES

    return [rule for rule in RULES if rule.code.startswith("AL1")]


@pytest.mark.parametrize("rule", _al1_rules(), ids=lambda r: r.code)
def test_rule_cites_what_it_enforces_and_its_defaults_fit_its_schema(rule):
    from agent_lint.model import DOC_SECTIONS

    assert "Enforces: AGENT-SYSTEM.md" in rule.doc
    for section in DOC_SECTIONS:
        assert f"## {section}\n" in rule.doc
    jsonschema.Draft202012Validator.check_schema(rule.options_schema)
    jsonschema.Draft202012Validator(rule.options_schema).validate(rule.default_options())


def test_an_invalid_pattern_option_is_a_one_line_config_error(tmp_path):
    from agent_lint.model import AgentLintError

    (tmp_path / ".git").mkdir()
    shutil.copyfile(REPO / "AGENT-SYSTEM.md", tmp_path / "AGENT-SYSTEM.md")
    (tmp_path / ".agent-lint.toml").write_text('[rules.AL106]\nwait-pattern = "wait("\n', "utf-8")
    with pytest.raises(AgentLintError, match="AL106 option 'wait-pattern': invalid regular expression"):
        run_rows(tmp_path)


def test_the_heading_with_the_most_subsections_is_the_section():
    pattern = extract(doc("""\
        ## Workflows
        ### Parallel Execution
        See below.
        ## Parallel Execution Pattern
        ### Prerequisites
        - [ ] one
        ### Execution Steps
        1. step
        """))
    assert (pattern.title, pattern.line) == ("Parallel Execution Pattern", 4)
    assert extract(doc("## Parallel Execution\n## Parallel Execution\n")).line == 1
