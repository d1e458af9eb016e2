"""``agent-lint init`` in temporary repositories: nothing overwritten, twice changes nothing, check passes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent_lint import cli
from agent_lint.init import InitOptions, claude_code_settings, hook_entry, run_init, workflow
from agent_lint.resources import reference_system_document
from agent_lint.runner import CheckOptions, check

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = ".agents/sessions/README.md"
HOOK = {"repo": "https://github.com/agent-lint/agent-lint", "rev": "v0.1.0", "hooks": [{"id": "agent-lint"}]}


def git_repo(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    for path, data in (files or {}).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def init(root: Path, write_ci: bool = False, baseline: bool = False) -> str:
    out = io.StringIO()
    assert run_init(InitOptions(cwd=root, write_ci=write_ci, baseline=baseline), out=out) == 0
    return out.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git/" not in p.as_posix() + "/"
            and not p.relative_to(root).as_posix().startswith(".git/")}


def check_passes(root: Path) -> None:
    out = io.StringIO()
    code = check(CheckOptions(cwd=root, no_cache=True), out=out)
    assert (code, out.getvalue().startswith("All checks passed")) == (0, True), out.getvalue()


# --- an empty repository ------------------------------------------------------------


def test_init_in_an_empty_repository(tmp_path):
    root = git_repo(tmp_path)
    output = init(root)
    assert output.splitlines()[:4] == [
        "created .agent-lint.toml",
        "created AGENT-SYSTEM.md (agent-lint's reference statement of the protocol)",
        f"created {README}",
        "Run 'agent-lint check' to check the agent documents.",
    ]
    assert f"Add to .pre-commit-config.yaml:\n\nrepos:\n{hook_entry('  ')}" in output
    assert f"Add .github/workflows/agent-lint.yml:\n\n{workflow()}" in output
    assert sorted(snapshot(root)) == [".agent-lint.toml", README, "AGENT-SYSTEM.md"]  # CI only printed
    assert (root / "AGENT-SYSTEM.md").read_text() == reference_system_document()
    assert tomllib.loads((root / ".agent-lint.toml").read_text()) == {"system-document": "AGENT-SYSTEM.md"}
    readme = (root / README).read_text()
    assert "[AGENT-SYSTEM.md](../../AGENT-SYSTEM.md#session-log-conventions)" in readme
    check_passes(root)


def test_init_twice_changes_nothing_and_says_so(tmp_path):
    root = git_repo(tmp_path)
    init(root, write_ci=True)
    before = snapshot(root)
    assert init(root, write_ci=True) == (
        "kept .agent-lint.toml: agent-lint is configured there\n"
        "kept AGENT-SYSTEM.md: it has a Parallel Execution Pattern section\n"
        f"kept {README}: it exists\n"
        "kept .pre-commit-config.yaml: it runs the agent-lint hook\n"
        "kept .github/workflows/agent-lint.yml: it exists\n"
        "Nothing to change: agent-lint is set up here.\n"
    )
    assert snapshot(root) == before
    check_passes(root)


def test_init_from_the_command_line_in_a_subfolder(tmp_path, monkeypatch, capsys):
    root = git_repo(tmp_path, {"src/main.py": "print()\n"})
    monkeypatch.chdir(root / "src")
    assert cli.run(["init"]) == 0
    assert "created .agent-lint.toml" in capsys.readouterr().out
    assert (root / ".agent-lint.toml").is_file() and not (root / "src/.agent-lint.toml").exists()


# --- a repository with its own pyproject.toml and AGENT-SYSTEM.md ------------------------


OWN_PYPROJECT = b'[project]\r\nname = "demo"\r\n\r\n[tool.black]\r\nline-length = 100'  # no final newline
OWN_SYSTEM = ("# How our agents work\n\n## Roles\n\nOne orchestrator; see [HANDOFF rules](#handoff-conventions) "
              "and [roles](#roles).\n")


def test_init_merges_into_an_existing_pyproject_and_system_document(tmp_path):
    root = git_repo(tmp_path, {"pyproject.toml": OWN_PYPROJECT, "AGENT-SYSTEM.md": OWN_SYSTEM})
    assert init(root).splitlines()[:4] == [
        'found AGENT-SYSTEM.md is the system document: system-document = "AGENT-SYSTEM.md"',
        "added [tool.agent-lint] to pyproject.toml",
        "added the Parallel Execution Pattern section to AGENT-SYSTEM.md",
        f"created {README}",
    ]
    pyproject = (root / "pyproject.toml").read_bytes()
    assert pyproject.startswith(OWN_PYPROJECT + b"\r\n\r\n[tool.agent-lint]\r\n")
    assert b"\n" not in pyproject.replace(b"\r\n", b"")  # every added line ends like the file's own
    parsed = tomllib.loads(pyproject.decode("utf-8"))
    assert parsed["tool"]["agent-lint"] == {"system-document": "AGENT-SYSTEM.md"}
    assert parsed["project"] == {"name": "demo"} and parsed["tool"]["black"] == {"line-length": 100}
    assert not (root / ".agent-lint.toml").exists()

    system = (root / "AGENT-SYSTEM.md").read_text()
    assert system.startswith(OWN_SYSTEM + "\n## Parallel Execution Pattern\n")
    reference = reference_system_document()
    section = reference[reference.index("## Parallel Execution Pattern"):reference.index("## Session Log Conventions")]
    # The one link to a heading neither document has becomes text; links inside the section stay.
    assert system[len(OWN_SYSTEM) + 1:] == section.replace(
        "[HANDOFF Conventions](#handoff-conventions)", "HANDOFF Conventions").rstrip("\n") + "\n"
    assert "](#handoff-update-protocol-for-parallel-sessions)" in system
    # The README links the system document without an anchor it does not have.
    assert "[AGENT-SYSTEM.md](../../AGENT-SYSTEM.md);" in (root / README).read_text()
    check_passes(root)

    before = snapshot(root)
    assert init(root).splitlines()[:4] == [
        "kept pyproject.toml: it has a [tool.agent-lint] table",
        "kept AGENT-SYSTEM.md: it has a Parallel Execution Pattern section",
        f"kept {README}: it exists",
        "Nothing to change: agent-lint is set up here.",
    ]
    assert snapshot(root) == before


@pytest.mark.parametrize("own", [
    b"tool = {black = {line-length = 100}}\n",  # an inline table cannot be extended by a header
    b"\xef\xbb\xbf[project]\nname = 'demo'\n",  # tomllib, and so agent-lint's config reader, refuse a BOM
    b"[project\n",  # not TOML at all
])
def test_a_pyproject_that_cannot_take_the_table_is_left_alone(tmp_path, own):
    root = git_repo(tmp_path, {"pyproject.toml": own})
    output = init(root)
    assert output.startswith("pyproject.toml cannot take a [tool.agent-lint] table as added text; "
                             "using .agent-lint.toml\ncreated .agent-lint.toml\n")
    assert (root / "pyproject.toml").read_bytes() == own
    check_passes(root)


def test_a_configured_pyproject_and_an_existing_folder_are_kept(tmp_path):
    files = {"pyproject.toml": '[tool.agent-lint]\nsystem-document = ".agents/AGENT-SYSTEM.md"\n',
             README: "Our own notes.\n"}
    root = git_repo(tmp_path, files)
    output = init(root)
    assert output.splitlines()[:3] == [
        "kept pyproject.toml: it has a [tool.agent-lint] table",
        "created .agents/AGENT-SYSTEM.md (agent-lint's reference statement of the protocol)",
        f"kept {README}: it exists",
    ]
    assert (root / README).read_text() == "Our own notes.\n"
    check_passes(root)


def test_no_readme_where_the_config_would_read_it_as_a_session_log(tmp_path):
    root = git_repo(tmp_path, {".agent-lint.toml": "exclude = []\n"})
    assert "kept .agents/sessions/ without a README: the config would check a README there as a session log" in init(root)
    assert not (root / README).exists()
    check_passes(root)


# --- CI -------------------------------------------------------------------------------


def test_write_ci_creates_what_is_absent(tmp_path):
    root = git_repo(tmp_path)
    output = init(root, write_ci=True)
    assert "created .pre-commit-config.yaml\ncreated .github/workflows/agent-lint.yml\n" in output
    assert "Add " not in output
    assert yaml.safe_load((root / ".pre-commit-config.yaml").read_text()) == {"repos": [HOOK]}
    flow = yaml.safe_load((root / ".github/workflows/agent-lint.yml").read_text())
    assert flow["jobs"]["agent-lint"]["steps"][1] == {"uses": "agent-lint/agent-lint@v0.1.0",
                                                      "with": {"sarif-file": "agent-lint.sarif"}}
    assert flow["jobs"]["agent-lint"]["steps"][0]["with"] == {"fetch-depth": 0}


PRE_COMMIT = (
    "ci:\n  autofix_prs: false\nrepos:\n- repo: https://github.com/psf/black\n  rev: 24.1.0\n  hooks:\n"
    "  - id: black\n    args: [--quiet]\n\n# Formatting ends here.\ndefault_stages: [pre-commit]\n"
)


@pytest.mark.parametrize("own, at", [
    (PRE_COMMIT, PRE_COMMIT.index("\n# Formatting")),  # after the last item, before what follows
    ("repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        entry: x\n        language: system\n",
     None),
    ("default_stages: [pre-commit]\n", None),  # no repos at all: a new list at the end
    ("repos:\n", None),
])
def test_write_ci_adds_the_hook_as_inserted_text(tmp_path, own, at):
    root = git_repo(tmp_path, {".pre-commit-config.yaml": own, ".github/workflows/agent-lint.yml": "# ours\n"})
    output = init(root, write_ci=True)
    assert "added the agent-lint hook to .pre-commit-config.yaml\n" in output
    assert "kept .github/workflows/agent-lint.yml: it exists\n" in output
    after = (root / ".pre-commit-config.yaml").read_text()
    at = len(own) if at is None else at
    assert after.startswith(own[:at]) and after.endswith(own[at:])
    before, merged = yaml.safe_load(own), yaml.safe_load(after)
    assert merged == {**before, "repos": [*(before.get("repos") or []), HOOK]}
    assert (root / ".github/workflows/agent-lint.yml").read_text() == "# ours\n"
    assert init(root, write_ci=True).endswith("Nothing to change: agent-lint is set up here.\n")


@pytest.mark.parametrize("own", [
    "repos: [{repo: local, hooks: [{id: x, name: x, entry: x, language: system}]}]\n",  # flow style
    "repos: [\n",  # not YAML
])
def test_write_ci_leaves_a_file_it_cannot_extend_by_insertion(tmp_path, own):
    root = git_repo(tmp_path, {".pre-commit-config.yaml": own})
    output = init(root, write_ci=True)
    assert ".pre-commit-config.yaml cannot take the hook as added text; add it by hand\n" in output
    assert f"Add to .pre-commit-config.yaml:\n\nrepos:\n{hook_entry('  ')}" in output
    assert (root / ".pre-commit-config.yaml").read_text() == own


def test_write_ci_keeps_a_config_that_has_the_hook(tmp_path):
    own = f"repos:\n{hook_entry('  ').replace('v0.1.0', 'v0.0.9')}"
    root = git_repo(tmp_path, {".pre-commit-config.yaml": own})
    assert "kept .pre-commit-config.yaml: it runs the agent-lint hook\n" in init(root, write_ci=True)
    assert (root / ".pre-commit-config.yaml").read_text() == own


def test_no_readme_when_the_session_logs_have_no_one_folder(tmp_path):
    root = git_repo(tmp_path, {".agent-lint.toml": 'session-logs = ["**/*.session.md"]\n'})
    assert "kept the session logs as they are: their glob names no one folder to put a README in\n" in init(root)
    assert sorted(snapshot(root)) == [".agent-lint.toml", "AGENT-SYSTEM.md"]
    check_passes(root)


# --- reading the repository --------------------------------------------------------------

FOUND_LOG = {"id": "2026-03-02-x", "date": "2026-03-02", "agent": "a", "role": "single", "objective": "o",
             "workLog": [], "outcome": "done"}
TEAM_SCHEMA = '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["id"]}\n'


def layout() -> dict[str, str]:
    import json

    return {
        "docs/agents/Agent-System.md": reference_system_document(),  # any case
        "agents/Sessions/2026-03-02-x.json": json.dumps(FOUND_LOG) + "\n",
        "agents/Sessions/2026-03-01-old.md": "# Old\n\nNo metadata at all.\n",
        "agents/Sessions/2026-03-03-y.json": json.dumps({**FOUND_LOG, "id": "2026-03-03-y", "date": "2026-03-03"}),
        "handoff.md": "# HANDOFF\n\n**This file is read-only** while the release stabilizes.\n\n## Current State\n",
        "notes/Handoffs/2026/a.md": "# A HANDOFF note\n",
        "templates/HANDOFF.md": "# HANDOFF\n\n<placeholder>\n",  # a template: not the live one
        "archive/sessions/2025-01-01-a.md": "# archived\n",
        "docs/HANDOFF-GUIDE.md": "# How we write HANDOFF\n",
        "agents/schemas/session-log.schema.json": TEAM_SCHEMA,
    }


def test_init_reads_the_repository_and_says_why_each_key_is_set(tmp_path):
    root = git_repo(tmp_path, layout())
    output = init(root)
    assert output.splitlines()[:6] == [
        'found docs/agents/Agent-System.md is the system document: system-document = "docs/agents/Agent-System.md"',
        'found session logs: 3 in agents/Sessions/: session-logs = ["agents/Sessions/*.json", "agents/Sessions/*.md"]',
        'found HANDOFF documents: handoff.md, 1 in notes/Handoffs/: handoff = ["/handoff.md", "notes/Handoffs/**/*.md"]',
        'found agents/schemas/session-log.schema.json is the team\'s session-log schema: '
        'session-log-schema = "agents/schemas/session-log.schema.json"',
        "found handoff.md:3 says 'This file is read-only': handoff-mode = \"read-only\"",
        "created .agent-lint.toml",
    ]
    config = (root / ".agent-lint.toml").read_text()
    assert "# handoff.md:3 says 'This file is read-only'\nhandoff-mode = \"read-only\"\n" in config
    assert tomllib.loads(config) == {
        "system-document": "docs/agents/Agent-System.md",
        "session-logs": ["agents/Sessions/*.json", "agents/Sessions/*.md"],
        "handoff": ["/handoff.md", "notes/Handoffs/**/*.md"],
        "session-log-schema": "agents/schemas/session-log.schema.json",
        "handoff-mode": "read-only",
    }
    assert "created agents/Sessions/README.md" in output
    # What was there has violations (the old log, the HANDOFFs); what init wrote has none.
    out = io.StringIO()
    check(CheckOptions(cwd=root, no_cache=True, output_format="json"), out=out)
    import json

    flagged = {v["path"] for v in json.loads(out.getvalue())["violations"]}
    assert flagged and flagged <= set(layout())
    assert "the first check reports" in output and "'agent-lint init --baseline'" in output


def test_init_baseline_records_what_is_there_and_the_check_passes(tmp_path):
    root = git_repo(tmp_path, layout())
    output = init(root, baseline=True)
    assert "recorded them in .agent-lint-baseline.json and set baseline = \".agent-lint-baseline.json\"" in output
    assert tomllib.loads((root / ".agent-lint.toml").read_text())["baseline"] == ".agent-lint-baseline.json"
    out = io.StringIO()
    assert check(CheckOptions(cwd=root, no_cache=True), out=out) == 0
    assert out.getvalue().startswith("All checks passed (") and "held back by the baseline" in out.getvalue()
    before = snapshot(root)
    assert "kept the baseline: the config names .agent-lint-baseline.json\nNothing to change: agent-lint is set up here.\n" \
        in init(root, baseline=True)
    assert snapshot(root) == before


def test_init_baseline_adds_the_key_to_an_existing_pyproject_table(tmp_path):
    pyproject = '[project]\nname = "demo"\n\n[tool.agent-lint]\nselect = ["AL0"]\n\n[tool.black]\nline-length = 99\n'
    root = git_repo(tmp_path, {"pyproject.toml": pyproject, ".agents/sessions/2026-03-02-x.json": "{"})
    init(root, baseline=True)
    parsed = tomllib.loads((root / "pyproject.toml").read_text())
    assert parsed["tool"]["agent-lint"] == {"baseline": ".agent-lint-baseline.json", "select": ["AL0"]}
    assert parsed["tool"]["black"] == {"line-length": 99}
    check_passes(root)


# --- an agent's hooks: init --agent claude-code -----------------------------------------------------

SETTINGS = ".claude/settings.json"
HOOK_GROUP = {"hooks": [{"type": "command", "command": "agent-lint hook"}]}


def init_agent(root: Path) -> str:
    out = io.StringIO()
    assert run_init(InitOptions(cwd=root, agent="claude-code"), out=out) == 0
    return out.getvalue()


def test_agent_claude_code_creates_the_settings(tmp_path):
    root = git_repo(tmp_path)
    output = init_agent(root)
    assert "created .claude/settings.json: Claude Code runs 'agent-lint hook' at Stop and SubagentStop\n" in output
    settings = json.loads((root / SETTINGS).read_text())
    assert settings == {"hooks": {"Stop": [HOOK_GROUP], "SubagentStop": [HOOK_GROUP]}}
    assert settings == claude_code_settings()
    before = snapshot(root)
    assert "kept .claude/settings.json: it runs 'agent-lint hook' at Stop and SubagentStop\n" in init_agent(root)
    assert snapshot(root) == before


OWN_SETTINGS = (
    '{\r\n    "permissions": {"allow": ["Bash(npm test)"]},\r\n    "hooks": {\r\n'
    '        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./guard.sh"}]}],\r\n'
    '        "Stop": [\r\n            {"hooks": [{"type": "command", "command": "notify-send done"}]}\r\n        ]\r\n'
    '    }\r\n}\r\n'
)


@pytest.mark.parametrize("own", [
    OWN_SETTINGS,  # a Stop hook of the team's own, no SubagentStop; CRLF
    '\ufeff{"model": "claude-opus"}',  # BOM, one line, no final newline
    "{}\n",
    '{\n  "env": {"X": "1"},\n  "hooks": {}\n}\n',
])
def test_agent_claude_code_merges_into_existing_settings_as_added_text(tmp_path, own):
    root = git_repo(tmp_path, {SETTINGS: own.encode("utf-8")})
    output = init_agent(root)
    assert "added 'agent-lint hook' at Stop and SubagentStop to .claude/settings.json\n" in output
    after = (root / SETTINGS).read_bytes().decode("utf-8")
    before = json.loads(own.lstrip("\ufeff"))
    hooks = before.get("hooks", {})
    expected = {**before, "hooks": {**hooks, "Stop": [*hooks.get("Stop", []), HOOK_GROUP],
                                    "SubagentStop": [*hooks.get("SubagentStop", []), HOOK_GROUP]}}
    assert json.loads(after.lstrip("\ufeff")) == expected
    assert after.startswith("\ufeff") == own.startswith("\ufeff")
    assert ("\r\n" in own) == ("\r\n" in after) and ("\r\n" not in own or "\n" not in after.replace("\r\n", ""))
    # Only added text: what was there is all still there, character for character, in order.
    rest = iter(after)
    assert all(char in rest for char in own)
    again = init_agent(root)
    assert "kept .claude/settings.json" in again and (root / SETTINGS).read_bytes().decode("utf-8") == after


def test_agent_claude_code_keeps_settings_that_run_the_hook_however_spelt(tmp_path):
    own = json.dumps({"hooks": {event: [{"hooks": [{"type": "command", "command": command}]}]
                                for event, command in (("Stop", "python -m agent_lint hook"),
                                                       ("SubagentStop", "/opt/venv/bin/agent-lint hook --config x"))}})
    root = git_repo(tmp_path, {SETTINGS: own})
    assert "kept .claude/settings.json" in init_agent(root)
    assert (root / SETTINGS).read_text() == own


@pytest.mark.parametrize("own", [
    '// comments\n{"hooks": {}}\n',  # not JSON
    '{"hooks": []}\n',  # hooks not a table
    '{"hooks": {"Stop": {"command": "x"}}}\n',  # an event not a list
    "[]\n",
])
def test_agent_claude_code_leaves_settings_it_cannot_extend(tmp_path, own):
    root = git_repo(tmp_path, {SETTINGS: own})
    output = init_agent(root)
    assert ".claude/settings.json cannot take the hooks as added text; add them by hand\n" in output
    assert f"Merge into .claude/settings.json:\n\n{json.dumps(claude_code_settings(), indent=2)}\n" in output
    assert (root / SETTINGS).read_text() == own


def test_agent_takes_known_runtimes_only(tmp_path, capsys):
    root = git_repo(tmp_path)
    assert cli.run(["init", "--agent", "codex", str(root)]) == 2
    assert capsys.readouterr().err == "agent-lint: error: --agent takes claude-code, not 'codex'\n"
    assert snapshot(root) == {}


def test_readme_shows_the_entries_init_merges_and_the_reference():
    import re

    from agent_lint.hook import REFERENCE

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert json.dumps(claude_code_settings(), indent=2) + "\n" in re.findall(r"^```json\n(.*?)^```$", readme,
                                                                              re.S | re.M)
    assert f"]({REFERENCE})" in readme
