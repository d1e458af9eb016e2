"""README's rules table is generated from the rule docstrings and must not go stale."""

from pathlib import Path

from agent_lint.docs import readme_table, update_readme

README = Path(__file__).resolve().parents[1] / "README.md"


def test_rules_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert update_readme(text) == text, "README rules table is stale: run `python -m agent_lint.docs README.md`"


def test_rules_table_lists_every_rule():
    from agent_lint.rules import RULES

    table = readme_table()
    for rule in RULES:
        assert f"| {rule.code} | `{rule.name}` |" in table


def test_readme_opens_with_the_two_commands():
    lines = [l for l in README.read_text(encoding="utf-8").splitlines() if l.strip()]
    block = "\n".join(lines[:12])
    assert "pip install . && agent-lint check" in block
    assert "python -m pytest" in block
