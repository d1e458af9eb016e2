"""Team schemas: any draft, $ref only inside their own folder, errors a person can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_lint.cli import run
from agent_lint.model import AgentLintError
from agent_lint.schema_check import builtin_schema, load_team_schema
from agent_lint.schema_errors import error_message, json_path


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def team(tmp_path: Path, ref: str, draft: str = "http://json-schema.org/draft-07/schema#") -> Path:
    write(tmp_path / "schemas" / "session.json", {
        "$schema": draft,
        "type": "object",
        "properties": {"date": {"$ref": ref}},
    })
    return tmp_path


def test_a_sibling_ref_resolves_and_the_draft_is_the_schemas_own(tmp_path):
    write(tmp_path / "schemas" / "defs" / "common.json", {"definitions": {"date": {"type": "string", "pattern": "^\\d{4}$"}}})
    compiled = load_team_schema(team(tmp_path, "defs/common.json#/definitions/date"), "schemas/session.json")
    assert type(compiled.validator).__name__ == "Draft7Validator"
    assert [error_message(e) for e in compiled.errors({"date": "May"})] == ["$.date: 'May' does not match '^\\\\d{4}$'"]
    assert compiled.errors({"date": "2026"}) == []


def test_a_sibling_named_under_the_schemas_id_resolves_to_the_folder(tmp_path):
    write(tmp_path / "schemas" / "session.json", {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/schemas/session.json",
        "properties": {"date": {"$ref": "https://example.invalid/schemas/common.json"}},
    })
    write(tmp_path / "schemas" / "common.json", {"type": "string"})
    compiled = load_team_schema(tmp_path, "schemas/session.json")
    assert [error_message(e) for e in compiled.errors({"date": 3})] == ["$.date: expected string, found integer 3"]


@pytest.mark.parametrize("ref", ["https://example.com/common.json", "../outside.json", "file:///etc/passwd"])
def test_a_ref_leaving_the_folder_is_a_config_error_naming_the_file(tmp_path, ref):
    write(tmp_path / "outside.json", {"type": "string"})
    with pytest.raises(AgentLintError) as raised:
        load_team_schema(team(tmp_path, ref), "schemas/session.json")
    assert "session.json" in str(raised.value) and "outside the schema's folder" in str(raised.value)


@pytest.mark.parametrize("content, says", [
    ("{not json", "not valid JSON"),
    (json.dumps({"type": 12}), "invalid JSON Schema"),
    (json.dumps([1]), "must be a JSON object"),
])
def test_a_broken_schema_is_a_config_error(tmp_path, content, says):
    (tmp_path / "s.json").write_text(content, encoding="utf-8")
    with pytest.raises(AgentLintError, match=says):
        load_team_schema(tmp_path, "s.json")


def test_the_command_line_exits_2_on_a_remote_ref(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a config is the project's when run inside its folder
    team(tmp_path, "https://example.com/common.json")
    (tmp_path / ".agent-lint.toml").write_text('session-log-schema = "schemas/session.json"\n', encoding="utf-8")
    (tmp_path / ".git").mkdir()
    assert run(["check", "--no-cache", "--config", str(tmp_path / ".agent-lint.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "schemas/session.json: $ref 'https://example.com/common.json'" in err


def test_json_paths_read_like_the_data():
    assert json_path([]) == "$"
    assert json_path(["session", "date"]) == "$.session.date"
    assert json_path(["workLog", 0, "odd key"]) == '$.workLog[0]["odd key"]'


def test_any_of_failures_name_the_closest_branch_not_every_branch():
    compiled = builtin_schema("session-log.schema.json")
    from agent_lint.schema_check import compile_schema

    schema = {"anyOf": [
        {"type": "object", "required": ["Complete", "Evidence", "level"]},
        {"type": "object", "required": ["complete", "evidence", "level"]},
    ]}
    (error,) = compile_schema(schema).errors({"complete": True, "level": "MUST"})
    assert error_message(error) == "$: matches none of the 2 allowed shapes; closest: 'evidence' is a required property"
    assert compiled.errors({}) != []


def test_a_remote_ref_inside_a_sibling_is_found_before_any_log_is_checked(tmp_path):
    write(tmp_path / "schemas" / "common.json", {"$ref": "https://example.com/elsewhere.json"})
    with pytest.raises(AgentLintError, match="outside the schema's folder"):
        load_team_schema(team(tmp_path, "common.json"), "schemas/session.json")
