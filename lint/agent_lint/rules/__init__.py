"""The registry: every rule agent-lint knows, listed explicitly, in code order.

A new rule is a module in this folder and one line in ``MODULES``; the
registry test fails for a module that is not listed.
"""

from __future__ import annotations

from importlib import import_module

from ..model import Rule

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

RULES: tuple[Rule, ...] = tuple(import_module(f".{module}", __name__).RULE for module in MODULES)


def by_code_or_name(key: str) -> Rule | None:
    for rule in RULES:
        if key.upper() == rule.code or key == rule.name:
            return rule
    return None
