"""``agent-lint new-session``: logs that check clean from their first byte, in temporary repositories."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from agent_lint import cli
from agent_lint.init import InitOptions, run_init
from agent_lint.model import AgentLintError
from agent_lint.new_session import NewSessionOptions, new_session, normalize_slug
from agent_lint.runner import CheckOptions, check
from agent_lint.scaffold import create_new

SESSIONS = ".agents/sessions"
DAY = "2026-03-02"
ITEMS = (
    "Tasks are independent",
    "No shared file modifications",
    "Orchestrator can aggregate results",
    "Rate limit budget checked for all agents",
    "Each agent has its own session log path",
    "HANDOFF will be updated once, by the orchestrator, after all sessions complete",
)


@pytest.fixture
def repo(tmp_path) -> Path:
    """An empty git repository that ``agent-lint init`` has set up."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    run_init(InitOptions(cwd=tmp_path), out=io.StringIO())
    return tmp_path


def make(root: Path, slug: str, role: str, **extra) -> tuple[str, str]:
    """Run new-session; (the path it printed, what it wrote to stderr)."""
    out, err = io.StringIO(), io.StringIO()
    if extra.get("date", "") is None:
        del extra["date"]
    else:
        extra.setdefault("date", DAY)
    assert new_session(NewSessionOptions(slug=slug, role=role, cwd=root, agent="claude-code", **extra), out, err) == 0
    return out.getvalue().strip(), err.getvalue()


def check_output(root: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = check(CheckOptions(cwd=root, no_cache=True), out=out)
    return code, out.getvalue()


def tick_prerequisites(path: Path) -> None:
    """What the orchestrator does before dispatching: verify each item."""
    text = path.read_text()
    if path.suffix == ".json":
        text = text.replace('"checked": false', '"checked": true')
    else:
        text = text.replace("- [ ] ", "- [x] ")
    path.write_text(text)


# --- clean from the first byte --------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "json"])
@pytest.mark.parametrize("role", ["single", "orchestrator"])
def test_a_new_log_checks_clean(repo, role, fmt):
    path, _ = make(repo, "pr-review", role, format=fmt)
    assert path == f"{SESSIONS}/{DAY}-pr-review.{fmt}"
    assert check_output(repo) == (0, "All checks passed (2 files checked).\n")


@pytest.mark.parametrize("worker_fmt", ["md", "json"])
@pytest.mark.parametrize("orchestrator_fmt", ["md", "json"])
def test_a_worker_log_checks_clean_and_joins_its_batch(repo, orchestrator_fmt, worker_fmt):
    orchestrator, _ = make(repo, "pr-review", "orchestrator", format=orchestrator_fmt)
    tick_prerequisites(repo / orchestrator)
    first, err = make(repo, "pr-review-300", "worker", orchestrator=f"{DAY}-pr-review", format=worker_fmt)
    second, _ = make(repo, "pr-review-301", "worker", orchestrator=f"{DAY}-pr-review", format=worker_fmt)
    assert err == ""
    assert check_output(repo) == (0, "All checks passed (4 files checked).\n")
    text = (repo / orchestrator).read_text()
    if orchestrator_fmt == "json":
        assert json.loads(text)["dispatched"] == [f"{DAY}-pr-review-300", f"{DAY}-pr-review-301"]
        assert f'"dispatched": ["{DAY}-pr-review-300", "{DAY}-pr-review-301"],\n' in text
    else:
        assert f"**Dispatched**: {DAY}-pr-review-300, {DAY}-pr-review-301\n" in text
    assert [Path(p).stem for p in (first, second)] == [f"{DAY}-pr-review-300", f"{DAY}-pr-review-301"]


def test_dispatching_from_an_unworked_checklist_is_refused(repo, monkeypatch, capsys):
    orchestrator, _ = make(repo, "pr-review", "orchestrator")
    log = repo / orchestrator
    # One item justified, the others blank: AGENT-SYSTEM.md says the batch must not be dispatched.
    log.write_text(log.read_text().replace("- [ ] Tasks are independent", "- [ ] Tasks are independent — one task"))
    before = log.read_bytes()
    monkeypatch.chdir(repo)
    assert cli.run(["new-session", "--role", "worker", "--orchestrator", f"{DAY}-pr-review", "300"]) == 2
    assert capsys.readouterr().err == (
        f"agent-lint: error: {SESSIONS}/{DAY}-pr-review.md:16: 5 prerequisites neither checked nor justified, "
        "and no worker is dispatched before each is: check each ('- [x]') once verified, or say why not after "
        "' — ' on its line\n")
    assert log.read_bytes() == before and not (repo / SESSIONS / f"{DAY}-pr-review-300.md").exists()
    assert check_output(repo) == (0, "All checks passed (2 files checked).\n")


@pytest.mark.parametrize("slug", ["300", "pr-review-300", f"{DAY}-pr-review-300"])
def test_a_workers_id_is_its_orchestrators_plus_a_suffix_and_its_date(repo, slug):
    tick_prerequisites(repo / make(repo, "pr-review", "orchestrator")[0])
    path, _ = make(repo, slug, "worker", orchestrator=f"{DAY}-pr-review", date=None)
    assert path == f"{SESSIONS}/{DAY}-pr-review-300.md"
    assert f"**Date**: {DAY}\n" in (repo / path).read_text()
    assert check_output(repo) == (0, "All checks passed (3 files checked).\n")


def test_a_worker_dated_other_than_its_orchestrator_is_refused(repo, monkeypatch, capsys):
    tick_prerequisites(repo / make(repo, "pr-review", "orchestrator")[0])
    monkeypatch.chdir(repo)
    assert cli.run(["new-session", "--role", "worker", "--orchestrator", f"{DAY}-pr-review", "--date",
                    "2026-03-03", "300"]) == 2
    assert capsys.readouterr().err == (
        f"agent-lint: error: a worker's date is its orchestrator's ({DAY}), not 2026-03-03\n")


# --- exact content ------------------------------------------------------------------


def test_markdown_orchestrator_log(repo):
    path, err = make(repo, "pr-review", "orchestrator", objective="Review the four open PRs")
    assert err == ""
    assert (repo / path).read_text() == (
        f"# Session {DAY}-pr-review: Review the four open PRs\n\n"
        f"**Date**: {DAY}\n**Agent**: claude-code\n**Role**: orchestrator\n"
        "**Objective**: Review the four open PRs\n**Dispatched**:\n**Status**: in-progress\n"
        "**HANDOFF Updated**: no\n\n## Work Log\n\n## Prerequisites Checklist\n\n"
        + "".join(f"- [ ] {item}\n" for item in ITEMS)
        + "\n## Outcome\n\nPending: the session is in progress.\n"
    )


def test_json_orchestrator_log(repo):
    path, _ = make(repo, "pr-review", "orchestrator", format="json")
    items = ",\n".join(f'    {{"item": "{item}", "checked": false, "note": ""}}' for item in ITEMS)
    assert (repo / path).read_text() == (
        "{\n"
        f'  "id": "{DAY}-pr-review",\n  "date": "{DAY}",\n  "agent": "claude-code",\n'
        '  "role": "orchestrator",\n  "objective": "Pr review",\n  "dispatched": [],\n'
        f'  "prerequisites": [\n{items}\n  ],\n'
        '  "status": "in-progress",\n  "handoffUpdated": false,\n  "workLog": [],\n'
        '  "outcome": "Pending: the session is in progress."\n'
        "}\n"
    )


def test_markdown_worker_log(repo):
    tick_prerequisites(repo / make(repo, "review", "orchestrator")[0])
    path, _ = make(repo, "review-a", "worker", orchestrator=f"{DAY}-review")
    assert (repo / path).read_text() == (
        f"# Session {DAY}-review-a: Review a\n\n"
        f"**Date**: {DAY}\n**Agent**: claude-code\n**Role**: worker\n**Objective**: Review a\n"
        f"**Orchestrator**: {DAY}-review\n**Status**: in-progress\n**HANDOFF Updated**: no\n\n"
        "## Work Log\n\n## Outcome\n\nPending: the session is in progress.\n"
    )


# --- IDs ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug, expected", [
    ("pr-review", "pr-review"),
    ("PR Review #300!", "pr-review-300"),
    ("  über_Größe  ", "uber-grosse"),
    ("a--b", "a-b"),
    ("!!!", ""),
])
def test_slugs_are_normalised_to_the_id_pattern(slug, expected):
    assert normalize_slug(slug) == expected


def test_a_normalised_slug_is_reported(repo):
    path, err = make(repo, "PR Review!", "single")
    assert path == f"{SESSIONS}/{DAY}-pr-review.md"
    assert err == "agent-lint: note: slug 'PR Review!' written as 'pr-review'\n"
    assert (repo / path).read_text().startswith(f"# Session {DAY}-pr-review: PR Review!\n")


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_a_taken_id_is_refused_whatever_the_format(repo, monkeypatch, capsys, fmt):
    (repo / SESSIONS / f"{DAY}-fix.json").write_text("{}")
    monkeypatch.chdir(repo)
    assert cli.run(["new-session", "--role", "single", "--date", DAY, "--format", fmt, "fix"]) == 2
    assert capsys.readouterr().err == (
        f"agent-lint: error: session {DAY}-fix has a log already ({SESSIONS}/{DAY}-fix.json); a session has one "
        "log: choose another slug\n")
    assert sorted(p.name for p in (repo / SESSIONS).iterdir()) == [f"{DAY}-fix.json", "README.md"]


def test_running_a_worker_twice_is_refused_and_dispatches_it_once(repo):
    orchestrator, _ = make(repo, "plan", "orchestrator")
    tick_prerequisites(repo / orchestrator)
    make(repo, "a", "worker", orchestrator=f"{DAY}-plan")
    with pytest.raises(AgentLintError, match=f"session {DAY}-plan-a has a log already"):
        make(repo, "a", "worker", orchestrator=f"{DAY}-plan", format="json")
    assert f"**Dispatched**: {DAY}-plan-a\n" in (repo / orchestrator).read_text()


def test_create_new_never_overwrites_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "log.md"
    create_new(target, b"first")
    with pytest.raises(FileExistsError):
        create_new(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["log.md"]


def test_a_log_taken_between_the_listing_and_the_write_is_not_overwritten(repo, monkeypatch):
    import agent_lint.new_session as module

    real = module.create_new

    def someone_else_first(path, data):
        if path.name == f"{DAY}-race.md":
            path.write_bytes(b"theirs")
        real(path, data)

    monkeypatch.setattr(module, "create_new", someone_else_first)
    with pytest.raises(AgentLintError, match=f"session {DAY}-race has a log already"):
        make(repo, "race", "single")
    assert (repo / SESSIONS / f"{DAY}-race.md").read_bytes() == b"theirs"


# --- the orchestrator ------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["--role", "worker", "--orchestrator", f"{DAY}-nobody", "x"],
     f"orchestrator session '{DAY}-nobody' has no log in {SESSIONS}; create it first with "
     "'agent-lint new-session --role orchestrator SLUG'"),
    (["--role", "worker", "x"], "a worker names its orchestrator: --orchestrator SESSION-ID"),
    (["--role", "worker", "--orchestrator", f"{DAY}-solo", "x"],
     f"session '{DAY}-solo' is a single session, not an orchestrator ({SESSIONS}/{DAY}-solo.md)"),
    (["--role", "single", "--orchestrator", f"{DAY}-solo", "x"],
     "--orchestrator is for a worker; a single session has none"),
    (["--role", "lead", "x"], "--role takes orchestrator, worker, single, not 'lead'"),
    (["--role", "single", "--format", "yaml", "x"], "--format takes md or json, not 'yaml'"),
    (["--role", "single", "--date", "2026-02-30", "x"], "--date takes a date as YYYY-MM-DD, not '2026-02-30'"),
    (["--role", "single", "--", "---"], "slug '---' has no letter or digit to make a session ID from"),
])
def test_usage_errors_exit_2_and_write_nothing(repo, monkeypatch, capsys, args, message):
    make(repo, "solo", "single")
    before = sorted(p.name for p in (repo / SESSIONS).iterdir())
    monkeypatch.chdir(repo)
    assert cli.run(["new-session", "--date", DAY, *args]) == 2
    assert capsys.readouterr().err == f"agent-lint: error: {message}\n"
    assert sorted(p.name for p in (repo / SESSIONS).iterdir()) == before


def test_the_path_is_printed_relative_to_the_current_folder(repo, monkeypatch, capsys):
    (repo / "docs").mkdir()
    monkeypatch.chdir(repo / "docs")
    assert cli.run(["new-session", "--role", "single", "--date", DAY, "--agent", "codex", "notes"]) == 0
    assert capsys.readouterr().out == f"../{SESSIONS}/{DAY}-notes.md\n"
    assert "**Agent**: codex\n" in (repo / SESSIONS / f"{DAY}-notes.md").read_text()


def test_today_is_the_default_date(repo, monkeypatch, capsys):
    from datetime import date

    monkeypatch.chdir(repo)
    assert cli.run(["new-session", "--role", "single", "today"]) == 0
    assert capsys.readouterr().out == f"{SESSIONS}/{date.today().isoformat()}-today.md\n"


def test_registering_keeps_the_orchestrators_bytes(repo):
    # Written by hand: CRLF, a BOM, no Dispatched line yet, JSON-free Markdown.
    text = (f"# Session {DAY}-hand\r\n\r\n**Date**: {DAY}\r\n**Agent**: me\r\n**Role**: orchestrator\r\n"
            "**Objective**: By hand\r\n\r\n## Work Log\r\n\r\n## Prerequisites Checklist\r\n\r\n"
            + "".join(f"- [x] {item}\r\n" for item in ITEMS) + "\r\n## Outcome\r\n\r\nGoing.\r\n")
    log = repo / SESSIONS / f"{DAY}-hand.md"
    log.write_bytes(b"\xef\xbb\xbf" + text.encode())
    make(repo, "hand-a", "worker", orchestrator=f"{DAY}-hand")
    expected = text.replace("**Objective**: By hand\r\n", f"**Objective**: By hand\r\n**Dispatched**: {DAY}-hand-a\r\n")
    assert log.read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    make(repo, "hand-b", "worker", orchestrator=f"{DAY}-hand")
    assert f"**Dispatched**: {DAY}-hand-a, {DAY}-hand-b\r\n".encode() in log.read_bytes()
    assert check_output(repo) == (0, "All checks passed (4 files checked).\n")


def test_a_worker_already_dispatched_is_not_listed_twice(repo):
    orchestrator, _ = make(repo, "plan", "orchestrator")
    tick_prerequisites(repo / orchestrator)
    log = repo / orchestrator
    log.write_text(log.read_text().replace("**Dispatched**:\n", f"**Dispatched**: {DAY}-plan-a\n"))
    before = log.read_bytes()
    make(repo, "plan-a", "worker", orchestrator=f"{DAY}-plan")
    assert log.read_bytes() == before


def test_an_orchestrator_log_in_a_multi_line_json_layout(repo):
    data = {"id": f"{DAY}-wide", "date": DAY, "agent": "x", "role": "orchestrator", "objective": "o",
            "dispatched": [f"{DAY}-wide-a"], "workLog": [], "outcome": "o",
            "prerequisites": [{"item": item, "checked": True} for item in ITEMS]}
    log = repo / SESSIONS / f"{DAY}-wide.json"
    log.write_text(json.dumps(data, indent=4) + "\n")
    (repo / SESSIONS / f"{DAY}-wide-a.md").write_text(
        f"# a\n\n**Date**: {DAY}\n**Agent**: x\n**Role**: worker\n**Objective**: o\n"
        f"**Orchestrator**: {DAY}-wide\n\n## Work Log\n\n## Outcome\n\nDone.\n")
    make(repo, "wide-b", "worker", orchestrator=f"{DAY}-wide")
    assert log.read_text() == json.dumps(data, indent=4).replace(
        f'"{DAY}-wide-a"\n', f'"{DAY}-wide-a",\n        "{DAY}-wide-b"\n') + "\n"
    assert check_output(repo) == (0, "All checks passed (4 files checked).\n")


# --- where the template comes from --------------------------------------------------------


def test_the_projects_own_template_is_used(repo):
    system = repo / "AGENT-SYSTEM.md"
    system.write_text(system.read_text().replace("- [ ] Tasks are independent\n",
                                                 "- [ ] Tasks are independent\n- [ ] Budget approved by a human\n"))
    path, _ = make(repo, "own", "orchestrator")
    assert "- [ ] Tasks are independent\n- [ ] Budget approved by a human\n" in (repo / path).read_text()


def test_without_a_system_document_the_reference_template_is_used(tmp_path):
    (tmp_path / ".git").mkdir()
    path, err = make(tmp_path, "alone", "orchestrator")
    assert err == "agent-lint: note: AGENT-SYSTEM.md has no prerequisites template; used agent-lint's reference AGENT-SYSTEM.md\n"
    assert "".join(f"- [ ] {item}\n" for item in ITEMS) in (tmp_path / path).read_text()


def test_an_orchestrator_named_by_a_worker_is_held_to_its_checklist(repo):
    # The Dispatched list is still empty, but a worker log (written by hand) says the batch started.
    make(repo, "lead", "orchestrator")
    (repo / SESSIONS / f"{DAY}-lead-a.md").write_text(
        f"# a\n\n**Date**: {DAY}\n**Agent**: x\n**Role**: worker\n**Objective**: o\n"
        f"**Orchestrator**: {DAY}-lead\n\n## Work Log\n\n## Outcome\n\nDone.\n")
    code, out = check_output(repo)
    assert code == 1
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["AL218"] + ["AL215"] * len(ITEMS)


# --- a team's own schema ---------------------------------------------------------------------

TEAM_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
               "required": ["id", "date", "objective"], "properties": {"id": {"type": "string"}}}


@pytest.fixture
def team(repo) -> Path:
    (repo / "schemas").mkdir()
    (repo / "schemas/session.schema.json").write_text(json.dumps(TEAM_SCHEMA))
    config = repo / ".agent-lint.toml"
    config.write_text(config.read_text() + 'session-log-schema = "schemas/session.schema.json"\n')
    return repo


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_a_log_valid_under_the_teams_schema_is_written(team, fmt):
    path, _ = make(team, "pr-review", "single", format=fmt)
    assert check_output(team) == (0, "All checks passed (2 files checked).\n")


def test_a_log_the_teams_schema_would_reject_is_refused_saying_why(team, monkeypatch, capsys):
    strict = {**TEAM_SCHEMA, "required": ["id", "ticket", "reviewer"]}
    (team / "schemas/session.schema.json").write_text(json.dumps(strict))
    monkeypatch.chdir(team)
    assert cli.run(["new-session", "--role", "single", "--date", DAY, "--format", "json", "pr-review"]) == 2
    assert capsys.readouterr().err == (
        "agent-lint: error: schemas/session.schema.json rejects the log new-session writes: "
        "$: 'reviewer' is a required property; $: 'ticket' is a required property; "
        f"write {SESSIONS}/{DAY}-pr-review.json by hand with what the schema asks for\n")
    assert not (team / SESSIONS / f"{DAY}-pr-review.json").exists()


def test_a_markdown_log_is_held_to_the_markdown_conventions_not_the_teams_json_schema(team, monkeypatch):
    strict = {**TEAM_SCHEMA, "required": ["id", "ticket", "reviewer"]}
    (team / "schemas/session.schema.json").write_text(json.dumps(strict))
    monkeypatch.chdir(team)
    assert cli.run(["new-session", "--role", "single", "--date", DAY, "--format", "md", "pr-review"]) == 0
    assert check_output(team) == (0, "All checks passed (2 files checked).\n")
