"""The registry: every rule agent-lint knows, listed explicitly, in code order.

A new rule is a module in this folder and one line in ``MODULES``; the
registry test fails for a module that is not listed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import import_module
from typing import Any

from ..model import Kind, Rule, Scope, Severity

MODULES = (
    "al001_unreadable_file",
    "al002_invalid_utf8",
    "al003_invalid_json",
    "al004_file_too_large",
    "al005_unused_suppression",
    "al006_invalid_front_matter",
    "al007_stale_baseline_entry",
    "al101_system_document_missing",
    "al102_parallel_pattern_section_missing",
    "al103_pattern_subsection_missing",
    "al104_prerequisite_item_missing",
    "al105_prerequisites_not_a_task_list",
    "al106_execution_steps_break_protocol",
    "al107_too_few_example_scenarios",
    "al108_limitation_without_mitigation",
    "al109_handoff_step_contradicts_read_only_notice",
    "al110_parallel_pattern_schema_violation",
    "al201_session_log_schema_violation",
    "al202_duplicate_session_id",
    "al203_invalid_session_id",
    "al204_checklist_item_not_done",
    "al205_checklist_syntax_nonstandard",
    "al210_handoff_updated_by_worker",
    "al211_handoff_updated_more_than_once",
    "al212_handoff_updated_before_workers_completed",
    "al213_prerequisites_checklist_missing",
    "al214_prerequisites_checklist_incomplete",
    "al215_prerequisite_unchecked_without_justification",
    "al216_dispatched_session_without_log",
    "al217_orchestrator_session_without_log",
    "al218_worker_missing_from_dispatch_list",
    "al219_handoff_updated_while_frozen",
    "al301_handoff_section_missing",
    "al302_handoff_entry_incomplete",
    "al303_handoff_too_large",
    "al304_handoff_placeholder",
    "al305_handoff_session_reference_broken",
    "al306_handoff_entry_missing_batch_session",
    "al401_handoff_committed_more_than_once",
    "al402_handoff_changed_while_frozen",
    "al403_handoff_updated_before_sessions_committed",
    "al404_session_ids_trailer_incomplete",
    "al405_session_ids_trailer_unknown_id",
    "al406_worker_commit_changes_handoff",
    "al407_file_changed_by_several_workers",
    "al408_session_log_shared",
    "al409_parallel_batch_ran_sequentially",
)

OPT_IN = ("AL205",)  # run only when selected by code or name (the registry test checks this)


class LazyRule:
    """A registry entry that imports its rule module on first real use.

    A module's file name is its rule's code and name (``al201_session_log_
    schema_violation`` is AL201 session-log-schema-violation; the registry
    test holds every module to it), so selecting rules, keying the cache and
    answering a run from it import no rule at all.
    """

    def __init__(self, module: str):
        prefix, _, rest = module.partition("_")
        self.module = module
        self.code = prefix.upper()
        self.name = rest.replace("_", "-")
        self.opt_in = self.code in OPT_IN
        self._rule: Rule | None = None

    def load(self) -> Rule:
        if self._rule is None:
            self._rule = import_module(f".{self.module}", __name__).RULE
            # From now on the rule's fields are plain attributes: the engine reads
            # them for every document, and __getattr__ would cost more than the rules.
            self.__dict__.update(self._rule._asdict())
        return self._rule

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if attribute in FACTS and self._learn():
            return self.__dict__[attribute]
        return getattr(self.load(), attribute)

    def default_options(self) -> dict[str, Any]:
        if self._rule is None and self._learn() and self.__dict__["_defaults"] is not None:
            return json.loads(json.dumps(self.__dict__["_defaults"]))  # a copy the caller may change
        return self.load().default_options()

    def _learn(self) -> bool:
        """Take what the engine asks of this rule from :func:`rule_facts`, without importing it."""
        if not _KEEP_FACTS:
            return False
        facts = rule_facts().get(self.code)
        try:
            learnt = dict(
                scope=Scope(facts["scope"]), kinds=tuple(Kind(k) for k in facts["kinds"]),
                handles_load_errors=bool(facts["handles_load_errors"]), severity=Severity(facts["severity"]),
                fixable=bool(facts["fixable"]), _defaults=facts["defaults"],
            )
        except (TypeError, KeyError, ValueError):  # none kept, or a damaged file: ask the rule itself
            return False
        self.__dict__.update(learnt)
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRule):
            return self.module == other.module
        return self.load() == other

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"LazyRule({self.code} {self.name})"


RULES: tuple[Rule, ...] = tuple(LazyRule(name) for name in MODULES)  # type: ignore[misc]

# What the engine asks of a rule before it runs it: which documents it applies to, how severe
# it is, its default options.
FACTS = ("scope", "kinds", "handles_load_errors", "severity", "fixable")
_KEEP_FACTS = True


def keep_facts(enabled: bool) -> None:
    """Whether rule facts may be read from, and kept in, the user's cache folder (not with --no-cache)."""
    global _KEEP_FACTS
    _KEEP_FACTS = enabled


@lru_cache(maxsize=None)
def rule_facts() -> dict[str, dict[str, Any]]:
    """Each rule's FACTS and default options, by code, kept per version of agent-lint's code.

    They are worked out by importing every rule once, then remembered in the
    user's cache folder under the digest of agent-lint's source (as a
    config's table is): a run that checks one changed file imports only the
    rules that apply to it. Importing all 44 modules and what they import
    was about 10 of the 90 ms of such a run.
    """
    from ..cache import recall, remember, source_stamp

    key = source_stamp()
    known = recall("rule-facts", key)
    if known is not None:
        try:
            facts = json.loads(known)
        except ValueError:
            facts = None
        if isinstance(facts, dict) and all(isinstance(facts.get(rule.code), dict) for rule in RULES):
            return facts
    facts = {}
    for entry in RULES:
        rule = entry.load() if isinstance(entry, LazyRule) else entry
        defaults = rule.default_options()
        try:
            same = json.loads(json.dumps(defaults)) == defaults  # not where JSON has no tuple, say
        except (TypeError, ValueError):
            same = False
        facts[rule.code] = {
            "scope": rule.scope.value, "kinds": [kind.value for kind in rule.kinds],
            "handles_load_errors": rule.handles_load_errors, "severity": rule.severity.value,
            "fixable": rule.fixable, "defaults": defaults if same else None,
        }
    remember("rule-facts", key, json.dumps(facts))
    return facts


def batch_problems() -> dict:
    """The gate rules' ``problems()``, which mark the diagrams of `agent-lint batches`."""
    modules = (import_module(f".{rule.module}", __name__) for rule in RULES if rule.code.startswith("AL4"))
    return {module.RULE.code: module.problems for module in modules if hasattr(module, "problems")}


def by_code_or_name(key: str) -> Rule | None:
    for rule in RULES:
        if key.upper() == rule.code or key == rule.name:
            return rule
    return None
