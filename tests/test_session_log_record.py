"""Session logs read into one record: Markdown and JSON logs of the same session agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent_lint.document import parse_document
from agent_lint.extract.session_log import parse_time, session_log, session_record
from agent_lint.model import Kind
from agent_lint.views import SESSION_FIELDS, Position, Prerequisite, Stamp, field_positions
from agent_lint.schema_check import builtin_schema, error_message

SYSTEM = Path(__file__).resolve().parents[1] / "AGENT-SYSTEM.md"


def record(name: str, text: str):
    return session_record(parse_document(f".agents/sessions/{name}", Kind.SESSION_LOG, text.encode()))


def view(name: str, text: str, fields: dict | None = None):
    return session_log(parse_document(f".agents/sessions/{name}", Kind.SESSION_LOG, text.encode()), fields)


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
    assert md.locate(("handoffUpdated", 1)) == (3, 41)
    log = view("2026-01-01-x.md", "# S\n\n**HANDOFF Updated**: 2026-01-01T10:00Z, 2026-01-01T11:00Z\n")
    assert [(u.text, u.where) for u in log.handoff_updates] == [
        ("2026-01-01T10:00Z", Position(3, 22)), ("2026-01-01T11:00Z", Position(3, 41))]
    assert view("2026-01-01-y.md", "# S\n\n**HANDOFF Updated**: no\n").handoff_updates == ()


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
    orchestrator = view("2026-01-01-a.md", "# A\n\n**Dispatched**: 2026-01-01-a-1\n")
    assert (orchestrator.role, orchestrator.role_stated) == ("orchestrator", False)
    assert view("2026-01-01-a-1.md", "# A\n\n**Orchestrator**: 2026-01-01-a\n").role == "worker"
    assert view("2026-01-01-b.md", "# B\n").role is None
    stated = view("2026-01-01-c.md", "# C\n\n**Role**: Single\n")
    assert (stated.role, stated.role_stated, stated.at("role")) == ("single", True, Position(3, 11))


WORKER_VIEW = dict(
    path=".agents/sessions/2026-03-02-pr-review-301.md", id="2026-03-02-pr-review-301", role="worker",
    role_stated=True, orchestrator="2026-03-02-pr-review", dispatched=(), started=None, status="complete",
    handoff_updates=(), prerequisites=None, dispatched_at=(),
)


def test_the_view_of_a_markdown_and_a_json_log_holds_the_same_facts_at_their_own_positions():
    md = view("2026-03-02-pr-review-301.md", WORKER_MD)
    js = view("2026-03-02-pr-review-301.json", json.dumps(WORKER_JSON, indent=2))
    assert md._replace(where=(), completed=None) == type(md)(**WORKER_VIEW, completed=None, where=())
    assert js._replace(where=(), completed=None, path=md.path) == md._replace(where=(), completed=None)
    assert md.completed == Stamp("2026-03-02T14:58Z", parse_time("2026-03-02T14:58Z"), Position(10, 16))
    assert js.completed == Stamp("2026-03-02T14:58Z", parse_time("2026-03-02T14:58Z"), Position(10, 16))
    stated = {"role": Position(5, 11), "orchestrator": Position(8, 19), "completed": Position(10, 16),
              "status": Position(9, 13), "handoff-updated": Position(11, 22)}
    assert {field: md.at(field) for field in SESSION_FIELDS} == {field: Position(1, 1) for field in SESSION_FIELDS} | stated
    assert md.where == field_positions(stated)
    assert js.at("role") == Position(5, 11) and js.at("dispatched") == Position(1, 1)


def test_a_team_schema_maps_the_protocol_fields_with_json_pointers():
    # The corpus's schema keeps the session's facts under "session"; a parent session is its orchestrator.
    text = json.dumps({"schemaVersion": "1.0", "session": {
        "number": 3, "role": "Worker", "parentSessionId": "2026-01-09-session-1",
        "start_time": "2026-01-09T10:00:00Z", "end_time": "2026-01-09T10:20:00Z"}}, indent=2)
    fields = {"role": "/session/role", "orchestrator": "/session/parentSessionId",
              "started": "/session/start_time", "completed": "/session/end_time"}
    log = view("2026-01-09-session-3.json", text, fields)
    assert (log.role, log.orchestrator) == ("worker", "2026-01-09-session-1")
    assert log.started.at < log.completed.at and log.at("orchestrator") == Position(6, 24)
    # Unmapped, the same log states nothing the protocol reads: its schema is another's.
    assert view("2026-01-09-session-3.json", text).role is None


def test_facts_of_a_log_that_breaks_its_schema_are_read_all_the_same():
    text = json.dumps({"role": "orchestrator", "dispatched": "2026-01-01-a-1, 2026-01-01-a-2",
                       "handoffUpdated": True, "prerequisites": [{"item": "Tasks are independent",
                                                                 "checked": "yes"}, {"item": "x", "checked": False}]})
    log = view("2026-01-01-a.json", text)
    assert log.dispatched == ("2026-01-01-a-1", "2026-01-01-a-2")
    assert log.handoff_updates == (Stamp("", None, log.at("handoff-updated")),)
    assert log.prerequisites == (Prerequisite("x", False, "", log.prerequisites[0].where),)


def test_a_markdown_log_maps_a_metadata_key_of_its_own():
    log = view("2026-01-01-w.md", "# W\n\n**Parent Session**: 2026-01-01-o\n\n## Work Log\n\n**Role**: worker\n",
               {"orchestrator": "/Parent Session", "role": "/Kind"})
    assert (log.orchestrator, log.at("orchestrator"), log.role) == ("2026-01-01-o", Position(3, 21), "worker")


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


def test_where_a_view_holds_each_field_is_plain_ints_in_the_order_of_the_protocol_fields():
    where = field_positions({"status": Position(300, 13), "role": Position(5, 11)})
    assert len(where) == 2 * len(SESSION_FIELDS) and all(type(n) is int for n in where)
    log = view("2026-03-02-pr-review-301.md", WORKER_MD)._replace(where=where)
    assert (log.at("status"), log.at("role"), log.at("started")) == (Position(300, 13), Position(5, 11), Position(1, 1))
