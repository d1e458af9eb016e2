"""Session logs read into one record: Markdown and JSON logs of the same session agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent_lint.document import parse_document
from agent_lint.extract.session_log import batches, parse_time, session_record
from agent_lint.model import Kind
from agent_lint.schema_check import builtin_schema, error_message

SYSTEM = Path(__file__).resolve().parents[1] / "AGENT-SYSTEM.md"


def record(name: str, text: str):
    return session_record(parse_document(f".agents/sessions/{name}", Kind.SESSION_LOG, text.encode()))


WORKER_MD = """\
# Session 2026-03-02-pr-review-301: review PR #301

**Date**: 2026-03-02
**Agent**: claude-code
**Role**: worker
**Branch**: pr-301
**Objective**: Review PR #301 and post findings
**Orchestrator**: 2026-03-02-pr-review
**Status**: complete
**Completed**: 2026-03-02T14:58Z
**HANDOFF Updated**: no

## Work Log

- 14:41 Checked out pr-301 in its worktree and ran the test suite.
- 14:57 Posted a change request on the PR.

## Outcome

Changes requested: empty input to the parser raises.
"""

WORKER_JSON = {
    "id": "2026-03-02-pr-review-301",
    "date": "2026-03-02",
    "agent": "claude-code",
    "role": "worker",
    "branch": "pr-301",
    "objective": "Review PR #301 and post findings",
    "orchestrator": "2026-03-02-pr-review",
    "status": "complete",
    "completed": "2026-03-02T14:58Z",
    "handoffUpdated": False,
    "workLog": [
        "14:41 Checked out pr-301 in its worktree and ran the test suite.",
        "14:57 Posted a change request on the PR.",
    ],
    "outcome": "Changes requested: empty input to the parser raises.",
}


def test_markdown_and_json_worker_give_the_same_record():
    md = record("2026-03-02-pr-review-301.md", WORKER_MD)
    js = record("2026-03-02-pr-review-301.json", json.dumps(WORKER_JSON, indent=2))
    assert md.data == js.data == WORKER_JSON


def test_front_matter_gives_the_same_record_as_metadata_lines():
    front = WORKER_MD.replace("**Date**: 2026-03-02\n", "").replace("**Agent**: claude-code\n", "")
    front = "---\ndate: 2026-03-02\nagent: claude-code\n---\n" + front
    md = record("2026-03-02-pr-review-301.md", front)
    assert md.data == WORKER_JSON
    assert md.locate(("date",)) == (2, 1)


def test_orchestrator_prerequisites_with_justification_match_json():
    md = record("2026-03-05-auth-impact.md", """\
# Session 2026-03-05-auth-impact

**Role**: orchestrator
**Dispatched**: 2026-03-05-auth-impact-architect, 2026-03-05-auth-impact-security

## Prerequisites Checklist

- [x] Tasks are independent
- [ ] Rate limit budget checked for all agents — read-only analysis, no API calls
""")
    assert md.data["dispatched"] == ["2026-03-05-auth-impact-architect", "2026-03-05-auth-impact-security"]
    assert md.data["prerequisites"] == [
        {"item": "Tasks are independent", "checked": True, "note": ""},
        {"item": "Rate limit budget checked for all agents", "checked": False,
         "note": "read-only analysis, no API calls"},
    ]
    js = record("2026-03-05-auth-impact.json", json.dumps({"prerequisites": md.data["prerequisites"]}))
    assert [(i.text, i.checked, i.note) for i in js.prerequisites] == [
        (i.text, i.checked, i.note) for i in md.prerequisites
    ]
    assert md.locate(("dispatched", 1)) == (4, 51)
    assert md.locate(("prerequisites", 1)) == (9, 3)


def test_metadata_after_the_first_section_is_not_the_logs_metadata():
    md = record("2026-01-01-x.md", "# S\n\n**Status**: complete\n\n## Work Log\n\n**Status**: Complete\n")
    assert md.data["status"] == "complete"
    assert md.locate(("status",)) == (3, 13)


def test_several_handoff_updates_become_a_list():
    md = record("2026-01-01-x.md", "# S\n\n**HANDOFF Updated**: 2026-01-01T10:00Z, 2026-01-01T11:00Z\n")
    assert md.data["handoffUpdated"] == ["2026-01-01T10:00Z", "2026-01-01T11:00Z"]
    assert md.handoff_updates == ("2026-01-01T10:00Z", "2026-01-01T11:00Z")
    assert md.locate(("handoffUpdated", 1)) == (3, 41)
    assert record("2026-01-01-y.md", "# S\n\n**HANDOFF Updated**: no\n").handoff_updates == ()


def test_compliance_tables_are_checklists_with_evidence():
    md = record("2026-01-01-x.md", """\
# S

| Req | Step | Status | Evidence |
|-----|------|--------|----------|
| MUST | Read HANDOFF | [x] | Content in context |
| SHOULD | Import memories | [ ] | None available |
| MUST | Not a checklist row | done | - |
""")
    (checklist,) = md.checklists
    assert [(i.text, i.checked, i.note) for i in checklist.items] == [
        ("Read HANDOFF", True, "Content in context"),
        ("Import memories", False, "None available"),
    ]
    assert md.locate(checklist.items[1].path) == (6, 30)


def test_json_checklists_are_found_wherever_they_sit():
    js = record("2026-01-01-x.json", json.dumps({
        "protocolCompliance": {"sessionStart": {
            "handoffRead": {"Complete": True, "Evidence": "read", "level": "MUST"},
            "memoriesLoaded": {"complete": False, "evidence": "", "level": "MUST"},
        }},
    }))
    (checklist,) = js.checklists
    assert checklist.name == "protocolCompliance.sessionStart"
    assert [(i.text, i.checked, i.note) for i in checklist.items] == [
        ("handoffRead", True, "read"), ("memoriesLoaded", False, "")]


def test_roles_are_inferred_when_not_declared():
    assert record("2026-01-01-a.md", "# A\n\n**Dispatched**: 2026-01-01-a-1\n").role == "orchestrator"
    assert record("2026-01-01-a-1.md", "# A\n\n**Orchestrator**: 2026-01-01-a\n").role == "worker"
    assert record("2026-01-01-b.md", "# B\n").role is None


def test_batches_are_built_from_the_workers_that_name_their_orchestrator():
    logs = [
        record("2026-01-01-a.md", "# A\n\n**Role**: orchestrator\n**Dispatched**: 2026-01-01-a-1\n"),
        record("2026-01-01-a-1.md", "# A1\n\n**Role**: worker\n**Orchestrator**: 2026-01-01-a\n"),
        record("2026-01-01-a-2.md", "# A2\n\n**Role**: worker\n**Orchestrator**: 2026-01-01-a\n"),
        record("2026-01-01-b-1.md", "# B1\n\n**Role**: worker\n**Orchestrator**: 2026-01-01-b\n"),
    ]
    (batch,) = batches(logs)
    assert batch.ids == ("2026-01-01-a", "2026-01-01-a-1", "2026-01-01-a-2")


def test_times_compare_across_zones_and_precisions():
    assert parse_time("2026-03-02T14:05Z") < parse_time("2026-03-02T15:00+00:30")
    assert parse_time("2026-03-02 14:05") == parse_time("2026-03-02T14:05:00Z")
    assert parse_time("yesterday") is None


def _examples(fence: str) -> list[str]:
    text = SYSTEM.read_text(encoding="utf-8")
    section = text[text.index("## Session Log Conventions"):text.index("## HANDOFF Conventions")]
    return re.findall(rf"```{fence}\n(.*?)```", section, re.S)


@pytest.mark.parametrize("index", range(2))
def test_the_system_documents_markdown_examples_satisfy_the_builtin_schema(index):
    example = _examples("markdown")[index]
    session_id = re.search(r"^# Session (\S+):", example, re.M).group(1)
    md = record(f"{session_id}.md", example)
    assert [error_message(e) for e in builtin_schema("session-log.schema.json").errors(md.data)] == []


@pytest.mark.parametrize("index", range(2))
def test_the_system_documents_json_examples_satisfy_the_builtin_schema(index):
    data = json.loads(_examples("json")[index])
    assert [error_message(e) for e in builtin_schema("session-log.schema.json").errors(data)] == []
