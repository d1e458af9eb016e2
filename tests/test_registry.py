"""The rule registry: every rule module is listed, identified, documented and configurable.

Parametrized over the modules found on disk, so a new rule is checked the
moment its file exists, listed or not.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import textwrap

import jsonschema
import pytest

import agent_lint.rules
from agent_lint.config import config_schema
from agent_lint.document import MarkdownDocument
from agent_lint.model import DOC_SECTIONS, Rule, Scope, Severity
from agent_lint.rules import RULES

MODULES = sorted(
    info.name for info in pkgutil.iter_modules(agent_lint.rules.__path__) if not info.name.startswith("_")
)
CODE = re.compile(r"^AL\d{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
MODULE = re.compile(r"^al(?P<digits>\d{3})_[a-z0-9_]+$")


def rule_of(module_name: str) -> Rule:
    return importlib.import_module(f"agent_lint.rules.{module_name}").RULE


def test_there_are_rules():
    assert MODULES and RULES


@pytest.mark.parametrize("module_name", MODULES)
def test_every_rule_module_is_registered(module_name):
    module = importlib.import_module(f"agent_lint.rules.{module_name}")
    assert isinstance(getattr(module, "RULE", None), Rule), f"{module_name} defines no RULE"
    assert module.RULE in RULES, f"{module_name}.RULE is not listed in rules/__init__.py"


def test_every_registered_rule_comes_from_its_own_module():
    from_modules = [rule_of(name) for name in MODULES]
    for rule in RULES:
        assert any(rule is other for other in from_modules), f"{rule.code} is defined outside rules/alNNN_*.py"
    assert len(RULES) == len(MODULES), "a module is listed twice, or one module holds two rules"


@pytest.mark.parametrize("module_name", MODULES)
def test_a_module_name_is_its_rules_code_and_name(module_name):
    """``al201_session_log_schema_violation`` holds AL201 session-log-schema-violation: a reader finds a rule by either."""
    rule = rule_of(module_name)
    prefix, _, rest = module_name.partition("_")
    assert (rule.code, rule.name) == (prefix.upper(), rest.replace("_", "-"))


def test_codes_and_names_are_unique_and_in_code_order():
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes), "duplicate codes"
    assert len(set(names)) == len(names), "duplicate names"
    assert codes == sorted(codes), "RULES is not in code order"
    assert not set(codes) & set(names)


@pytest.mark.parametrize("module_name", MODULES)
def test_identity(module_name):
    rule = rule_of(module_name)
    assert CODE.match(rule.code), rule.code
    assert NAME.match(rule.name), f"{rule.name!r} is not kebab-case"
    match = MODULE.match(module_name)
    assert match, f"module {module_name} is not named alNNN_description"
    assert rule.code == f"AL{match['digits']}", f"{module_name} holds {rule.code}"
    assert isinstance(rule.scope, Scope) and isinstance(rule.severity, Severity)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_is_the_documentation(module_name):
    module = importlib.import_module(f"agent_lint.rules.{module_name}")
    rule = module.RULE
    assert rule.doc and rule.doc == module.__doc__, "RULE.doc must be the module docstring"
    first, _, rest = rule.doc.strip().partition("\n")
    assert first.strip() and first.strip() == rule.summary
    assert not first.startswith("#"), "the first line is a sentence, not a heading"
    assert rest.startswith("\n"), "a blank line follows the one-line summary"
    # Read as Markdown, so that headings inside the examples' fences do not count.
    doc = MarkdownDocument(f"{module_name}.py", None, textwrap.dedent(rest))
    sections = {sec.title: i for i, sec in enumerate(doc.sections) if sec.level == 2}
    assert list(sections)[: len(DOC_SECTIONS)] == list(DOC_SECTIONS), list(sections)
    for title in DOC_SECTIONS:
        assert doc.section_text(sections[title]).strip(), f"section '{title}' is empty"


@pytest.mark.parametrize("module_name", MODULES)
def test_options_schema(module_name):
    rule = rule_of(module_name)
    schema = dict(rule.options_schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    if schema:
        assert schema.get("type") == "object"
    for key, spec in schema.get("properties", {}).items():
        assert "default" in spec, f"option '{key}' has no default"
        assert key != "severity", "severity is set for every rule by the config"
    jsonschema.validate(rule.default_options(), schema, cls=jsonschema.Draft202012Validator)


def test_assembled_config_schema_is_valid():
    schema = config_schema(RULES)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    # Every rule's defaults, under its code and under its name, are a valid config.
    for key in [rule.code for rule in RULES] + [rule.name for rule in RULES]:
        rule = next(r for r in RULES if key in (r.code, r.name))
        table = {"rules": {key: {**rule.default_options(), "severity": rule.severity.value}}}
        assert not list(validator.iter_errors(table)), key


@pytest.mark.parametrize("module_name", MODULES)
def test_a_rule_declares_what_it_reads(module_name):
    """A document rule receives what it declares: a view (for that view's kind alone) or the Document."""
    from agent_lint.document import Document
    from agent_lint.extract import BUILDERS

    rule = rule_of(module_name)
    if rule.scope is Scope.DOCUMENT:
        assert rule.reads in BUILDERS, f"{rule.code}: reads names a view of views.py, or Document"
        if rule.reads is not Document:
            assert rule.kinds == (), f"{rule.code} reads a view: it applies to that view's kind, kinds stays empty"
    else:
        assert rule.reads in (None, Document), f"{rule.code}: a {rule.scope.value} rule reads views, or Document"


def test_a_project_rule_cannot_read_a_document_it_did_not_declare(tmp_path):
    from pathlib import Path

    from agent_lint.config import Config
    from agent_lint.model import Kind
    from agent_lint.project import Project

    (tmp_path / "HANDOFF.md").write_text("# H\n", encoding="utf-8")
    project = Project(Config(root=Path(tmp_path)), {"HANDOFF.md": Kind.HANDOFF}, {})
    with pytest.raises(RuntimeError, match="reads=Document"):
        project.document("HANDOFF.md")
    project.reads_documents = True
    assert project.document("HANDOFF.md").text == "# H\n"
