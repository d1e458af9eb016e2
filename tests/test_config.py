"""Configuration and file discovery: where config is found, what it may say, which files a run sees."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import agent_lint.rules
from agent_lint.config import Config, check_selectors, enabled_rules, load_config, rule_options, rule_severity
from agent_lint.files import discover
from agent_lint.model import AgentLintError, Finding, Kind, Rule, Scope, Severity
from agent_lint.rules import RULES
from agent_lint.runner import EXIT_CLEAN, EXIT_VIOLATIONS, CheckOptions, check

BROKEN_JSON = '{"id": "x",}\n'  # AL003 at 1:12
BROKEN_FRONT_MATTER = "---\nrole: [worker\n---\n# Session\n"  # AL006 at 2:14
GOOD_JSON = '{"id": "x"}\n'

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def run(root: Path, *paths: str | Path, cwd: Path | None = None, **options) -> tuple[list[str], dict, int]:
    """(rows "path:line:col CODE severity", summary, exit code) of a check in ``root``."""
    out = io.StringIO()
    opts = CheckOptions(paths=tuple(Path(p) for p in paths), output_format="json", cwd=cwd or root, **options)
    code = check(opts, out=out)
    data = json.loads(out.getvalue())
    rows = [f"{v['path']}:{v['line']}:{v['column']} {v['code']} {v['severity']}" for v in data["violations"]]
    return rows, data["summary"], code


def kinds(config: Config) -> dict[str, str]:
    return {path: kind.value for path, kind in discover(config).items()}


# ----------------------------------------------------------------------------
# Finding the config


def test_config_is_found_by_walking_up(tmp_path):
    write(tmp_path, {".agent-lint.toml": 'select = ["AL003"]\n', "a/b/c/.keep": ""})
    config = load_config(RULES, tmp_path / "a" / "b" / "c")
    assert config.source == tmp_path / ".agent-lint.toml"
    assert config.root == tmp_path
    assert config.select == ("AL003",)


def test_dotfile_is_preferred_over_pyproject_in_the_same_folder(tmp_path):
    write(tmp_path, {
        ".agent-lint.toml": 'select = ["AL003"]\n',
        "pyproject.toml": '[tool.agent-lint]\nselect = ["AL006"]\n',
    })
    config = load_config(RULES, tmp_path)
    assert (config.source.name, config.select) == (".agent-lint.toml", ("AL003",))


def test_pyproject_without_the_table_is_skipped(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[tool.agent-lint]\nselect = ["AL006"]\n',
        # Mentions agent-lint, but has no [tool.agent-lint] table.
        "sub/pyproject.toml": '[project]\nname = "x"\ndependencies = ["agent-lint"]\n[tool.black]\n',
    })
    config = load_config(RULES, tmp_path / "sub")
    assert config.source == tmp_path / "pyproject.toml"
    assert config.root == tmp_path
    assert config.select == ("AL006",)


def test_nearer_pyproject_with_the_table_wins(tmp_path):
    write(tmp_path, {
        ".agent-lint.toml": 'select = ["AL003"]\n',
        "sub/pyproject.toml": '[tool.agent-lint]\nselect = ["AL006"]\n',
    })
    config = load_config(RULES, tmp_path / "sub")
    assert (config.source, config.root) == (tmp_path / "sub" / "pyproject.toml", tmp_path / "sub")


def test_without_config_the_root_is_the_git_work_tree(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    config = load_config(RULES, tmp_path / "a" / "b")
    assert (config.source, config.root, config.select) == (None, tmp_path, ("ALL",))


@pytest.mark.parametrize("name", [".agent-lint.toml", "pyproject.toml"])
def test_explicit_config_overrides_discovery(tmp_path, name):
    body = 'select = ["AL006"]\n'
    write(tmp_path, {
        ".agent-lint.toml": 'select = ["AL003"]\n',
        f"elsewhere/{name}": body if name != "pyproject.toml" else "[tool.agent-lint]\n" + body,
    })
    config = load_config(RULES, tmp_path, tmp_path / "elsewhere" / name)
    assert config.source == (tmp_path / "elsewhere" / name).resolve()
    # Run from outside the config's folder, the config applies to the project run in.
    assert config.root == tmp_path.resolve()
    assert config.select == ("AL006",)
    # Run inside its folder, that folder is the project.
    inside = load_config(RULES, tmp_path / "elsewhere", tmp_path / "elsewhere" / name)
    assert inside.root == (tmp_path / "elsewhere").resolve()


def test_explicit_pyproject_without_the_table_means_defaults(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.black]\nline-length = 100\n"})
    config = load_config(RULES, tmp_path, tmp_path / "pyproject.toml")
    assert config.select == ("ALL",) and config.source == (tmp_path / "pyproject.toml").resolve()


def test_explicit_config_that_does_not_exist(tmp_path):
    with pytest.raises(AgentLintError, match="config file not found"):
        load_config(RULES, tmp_path, tmp_path / "nope.toml")


# ----------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        ('colour = "red"\n', "1:1 colour", "unknown key"),
        ('select = "AL003"\n', "1:1 select", "is not of type 'array'"),
        ("max-file-size = 0\n", "1:1 max-file-size", "less than the minimum"),
        ('handoff-mode = "often"\n', "1:1 handoff-mode", "is not one of"),
        ('session-id-from-folder = true\n', "1:1 session-id-from-folder", "is not of type 'array'"),
        ('session-id-from-folder = [""]\n', "1:1 session-id-from-folder.0", "should be non-empty"),
        ('session-id-from-fodler = ["x/log.md"]\n', "1:1 session-id-from-fodler", "did you mean 'session-id-from-folder'?"),
        ("[rules.AL999]\nseverity = 'error'\n", "1:1 rules.AL999", "unknown key"),
        ("[rules.no-such-rule]\n", "1:1 rules.no-such-rule", "unknown key"),
        ("[rules.AL003]\nbogus = 1\n", "2:1 rules.AL003.bogus", "unknown key"),
        ("[rules.invalid-json]\nseverity = 'fatal'\n", "2:1 rules.invalid-json.severity", "is not one of"),
        ("[per-file-ignores]\n'x.md' = 'AL003'\n", "2:1 per-file-ignores.x.md", "is not of type 'array'"),
    ],
)
def test_validation_errors_name_the_file_the_line_and_the_key(tmp_path, body, key, message):
    write(tmp_path, {".agent-lint.toml": body})
    with pytest.raises(AgentLintError) as err:
        load_config(RULES, tmp_path)
    text = str(err.value)
    position, key = key.split(" ")
    assert text.startswith(f"{tmp_path / '.agent-lint.toml'}:{position}: invalid config at '{key}'"), text
    assert message in text


def test_validation_errors_in_pyproject_name_the_table(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.agent-lint]\nselct = []\n"})
    with pytest.raises(AgentLintError, match=r"pyproject.toml:2:1: invalid config at 'tool.agent-lint.selct': "
                                             r"unknown key; did you mean 'select'\?"):
        load_config(RULES, tmp_path)


@pytest.mark.parametrize("body, where, message", [
    ('select = ["ALL"]\nsession-log = ["*.md"]\n', "2:1 'session-log'", "unknown key; did you mean 'session-logs'?"),
    ('  "handoff-mode" = "readonly"\n', "1:3 'handoff-mode'",
     "'readonly' is not one of ['single-update', 'read-only']; did you mean 'read-only'?"),
    ("[rules.AL0005]\nseverity = 'error'\n", "1:1 'rules.AL0005'", "unknown key; did you mean 'AL005'?"),
    ("[rules]\n# a comment\nAL005 = { severty = 'error' }\n", "3:1 'rules.AL005.severty'",
     "unknown key; did you mean 'severity'?"),
    ("ignore = ['handof-placeholder']\n", "1:1 'ignore'",
     "'handof-placeholder' matches no rule; did you mean 'handoff-placeholder'?"),
    ("[per-file-ignores]\n'docs/*.md' = ['AL9']\n", "2:1 'per-file-ignores.docs/*.md'",
     "'AL9' matches no rule (see 'agent-lint rules')"),
    ('system-document = """\nbogus = 1\n"""\nbogus = 2\n', "4:1 'bogus'", "unknown key"),  # not inside the string
    ("zzz = 1\n", "1:1 'zzz'", "unknown key"),  # nothing near: no suggestion
])
def test_config_errors_point_at_the_key_and_suggest_a_near_name(tmp_path, body, where, message):
    write(tmp_path, {".agent-lint.toml": body})
    position, key = where.split(" ")
    with pytest.raises(AgentLintError) as err:
        check(CheckOptions(cwd=tmp_path, no_cache=True), out=io.StringIO())
    assert str(err.value) == f"{tmp_path / '.agent-lint.toml'}:{position}: invalid config at {key}: {message}"


def test_invalid_toml_names_the_file_the_line_and_the_column(tmp_path):
    write(tmp_path, {".agent-lint.toml": 'select = ["ALL"]\nexclude = [1, \nx = 2\n'})
    with pytest.raises(AgentLintError, match=r"\.agent-lint\.toml:3:1: invalid TOML: Invalid value"):
        load_config(RULES, tmp_path)


def test_a_config_is_parsed_once_per_content_and_read_again_when_it_changes(tmp_path, monkeypatch):
    import agent_lint.config as config

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = write(tmp_path / "repo", {".agent-lint.toml": 'select = ["AL2"]\n[rules.AL203]\npattern = "^x$"\n'})
    parsed = []
    real = config._read_toml

    first = load_config(RULES, root)
    memo = list((tmp_path / "user-cache" / "agent-lint" / "toml-tables").iterdir())
    assert len(memo) == 1 and json.loads(memo[0].read_text()) == {"select": ["AL2"], "rules": {"AL203": {"pattern": "^x$"}}}
    import tomllib

    monkeypatch.setattr(tomllib, "loads", lambda *args, **named: parsed.append(1) or pytest.fail("parsed again"))
    assert load_config(RULES, root) == first and parsed == []
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    # Other bytes, another table; a damaged memo is parsed afresh; a date cannot be kept as JSON.
    (root / ".agent-lint.toml").write_text('select = ["AL3"]\n')
    assert load_config(RULES, root).select == ("AL3",)
    for file in (tmp_path / "user-cache" / "agent-lint" / "toml-tables").iterdir():
        file.write_text("{not json")
    assert load_config(RULES, root).select == ("AL3",)
    assert real(write(tmp_path / "dated", {"x.toml": "when = 2026-01-02\n"}) / "x.toml") == {
        "when": __import__("datetime").date(2026, 1, 2)}
    assert len(list((tmp_path / "user-cache" / "agent-lint" / "toml-tables").iterdir())) == 2


def test_no_cache_remembers_no_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = write(tmp_path / "repo", {".agent-lint.toml": 'select = ["AL2"]\n'})
    load_config(RULES, root, memo=False)
    assert not (tmp_path / "user-cache").exists()


def test_unknown_selectors_are_usage_errors(tmp_path):
    write(tmp_path, {".agent-lint.toml": 'ignore = ["AL9"]\n'})
    with pytest.raises(AgentLintError, match=r"\.agent-lint\.toml:1:1: invalid config at 'ignore': 'AL9' matches no rule"):
        run(tmp_path)
    write(tmp_path, {".agent-lint.toml": ""})
    with pytest.raises(AgentLintError, match=r"--select: 'nonsense' matches no rule"):
        run(tmp_path, select=["nonsense"])


# ----------------------------------------------------------------------------
# Selecting rules and their severity


def codes(rules) -> set[str]:
    return {rule.code for rule in rules}


def test_select_and_ignore_by_code_prefix_name_and_all():
    every = codes(RULES)
    al0 = {code for code in every if code.startswith("AL0")}
    assert codes(enabled_rules(RULES, ["AL003"], [])) == {"AL003"}
    assert codes(enabled_rules(RULES, ["al003"], [])) == {"AL003"}
    assert codes(enabled_rules(RULES, ["AL0"], [])) == al0
    assert codes(enabled_rules(RULES, ["invalid-json"], [])) == {"AL003"}
    # Opt-in rules run only when named, never through ALL or a prefix.
    opt_in = {rule.code for rule in RULES if rule.opt_in}
    assert codes(enabled_rules(RULES, ["ALL"], [])) == every - opt_in
    assert codes(enabled_rules(RULES, ["all"], ["AL0"])) == every - al0 - opt_in
    assert codes(enabled_rules(RULES, ["AL0"], ["invalid-json", "AL006"])) == al0 - {"AL003", "AL006"}
    check_selectors(["AL003", "AL0", "invalid-json", "ALL"], RULES, "test")
    with pytest.raises(AgentLintError, match="test: 'Invalid-JSON' matches no rule"):
        check_selectors(["Invalid-JSON"], RULES, "test")


def test_config_select_and_cli_select(tmp_path):
    write(tmp_path, {
        ".agent-lint.toml": 'select = ["AL003"]\n',
        ".agents/sessions/a.json": BROKEN_JSON,
        ".agents/sessions/b.md": BROKEN_FRONT_MATTER,
    })
    assert run(tmp_path)[0] == [".agents/sessions/a.json:1:12 AL003 error"]
    # --select replaces the config's select; --extend-select adds to it.
    assert run(tmp_path, select=["invalid-front-matter"])[0] == [".agents/sessions/b.md:2:14 AL006 error"]
    assert len(run(tmp_path, extend_select=["AL006"])[0]) == 2
    assert run(tmp_path, extend_select=["AL006"], ignore=["AL003"])[0] == [".agents/sessions/b.md:2:14 AL006 error"]


@pytest.mark.parametrize("key", ["AL003", "invalid-json"])
def test_per_rule_severity_changes_the_reported_severity(tmp_path, key):
    write(tmp_path, {
        ".agent-lint.toml": f'select = ["AL003"]\n[rules.{key}]\nseverity = "warning"\n',
        ".agents/sessions/a.json": BROKEN_JSON,
    })
    rows, summary, code = run(tmp_path)
    assert rows == [".agents/sessions/a.json:1:12 AL003 warning"]
    assert (summary["errors"], summary["warnings"], code) == (0, 1, EXIT_CLEAN)
    assert run(tmp_path, fail_on="warning")[2] == EXIT_VIOLATIONS


def test_rule_tables_by_code_and_by_name_merge():
    option_rule = Rule("AL998", "test-option", Scope.DOCUMENT, lambda doc, options: (), "Test.\n",
                       {"type": "object", "properties": {"limit": {"type": "integer", "default": 3}}})
    config = Config(root=Path("."), rules={"AL998": {"limit": 5, "severity": "warning"}})
    assert rule_options(config, option_rule) == {"limit": 5}
    assert rule_severity(config, option_rule) is Severity.WARNING
    assert rule_options(Config(root=Path(".")), option_rule) == {"limit": 3}
    assert rule_severity(Config(root=Path(".")), option_rule) is Severity.ERROR


def test_per_file_ignores_match_globs(tmp_path):
    write(tmp_path, {
        ".agent-lint.toml": (
            'select = ["AL003", "AL006"]\n'
            "[per-file-ignores]\n"
            '".agents/sessions/old-*.json" = ["AL003"]\n'
            '"*.md" = ["invalid-front-matter"]\n'
        ),
        ".agents/sessions/old-1.json": BROKEN_JSON,
        ".agents/sessions/new.json": BROKEN_JSON,
        ".agents/sessions/b.md": BROKEN_FRONT_MATTER,
    })
    assert run(tmp_path)[0] == [".agents/sessions/new.json:1:12 AL003 error"]


# ----------------------------------------------------------------------------
# Which files: exclusions, .gitignore, default locations


def test_default_locations(tmp_path):
    write(tmp_path, {
        "AGENT-SYSTEM.md": "# S\n",
        ".agents/AGENT-SYSTEM.md": "# S\n",
        ".agents/sessions/a.md": "# a\n",
        ".agents/sessions/b.json": "{}\n",
        ".agents/sessions/notes.txt": "x\n",
        ".agents/sessions/deeper/c.md": "# c\n",  # "*" stays within one folder
        "HANDOFF.md": "# H\n",
        ".agents/HANDOFF.md": "# H\n",
        ".agents/handoffs/2026/01/h.md": "# H\n",
        ".agents/handoffs/README.md": "# about\n",  # **/README.md is excluded by default
        "docs/HANDOFF.md": "# H\n",  # not a default location
        "README.md": "# R\n",
    })
    assert kinds(Config(root=tmp_path, respect_gitignore=False)) == {
        ".agents/AGENT-SYSTEM.md": "system-document",
        ".agents/HANDOFF.md": "handoff",
        ".agents/handoffs/2026/01/h.md": "handoff",
        ".agents/sessions/a.md": "session-log",
        ".agents/sessions/b.json": "session-log",
        "AGENT-SYSTEM.md": "system-document",
        "HANDOFF.md": "handoff",
    }


def test_exclude_replaces_the_default_and_extend_exclude_adds(tmp_path):
    write(tmp_path, {
        ".agents/sessions/a.json": BROKEN_JSON,
        ".agents/sessions/skip-1.json": BROKEN_JSON,
        ".agents/handoffs/README.md": BROKEN_FRONT_MATTER,
    })
    base = 'select = ["AL003", "AL006"]\nrespect-gitignore = false\n'
    write(tmp_path, {".agent-lint.toml": base + 'exclude = [".agents/sessions/skip-*.json"]\n'})
    assert run(tmp_path)[0] == [
        ".agents/handoffs/README.md:2:14 AL006 error",  # the default exclude is gone
        ".agents/sessions/a.json:1:12 AL003 error",
    ]
    write(tmp_path, {".agent-lint.toml": base + 'extend-exclude = ["skip-*.json"]\n'})
    assert run(tmp_path)[0] == [".agents/sessions/a.json:1:12 AL003 error"]


def test_named_excluded_file_is_checked_unless_force_exclude(tmp_path):
    write(tmp_path, {
        ".agent-lint.toml": 'select = ["AL003"]\nextend-exclude = ["skip-*.json"]\n',
        ".agents/sessions/skip-1.json": BROKEN_JSON,
    })
    assert run(tmp_path)[0] == []
    assert run(tmp_path, ".agents/sessions/skip-1.json")[0] == [".agents/sessions/skip-1.json:1:12 AL003 error"]
    assert run(tmp_path, ".agents/sessions/skip-1.json", force_exclude=True)[0] == []


GITIGNORED_PROJECT = {
    ".agent-lint.toml": 'select = ["AL003"]\n',
    ".gitignore": ".agents/sessions/private-*.json\n",
    ".agents/.gitignore": "scratch/\n",
    ".agents/sessions/.gitignore": "tmp-*.json\n",
    ".agents/sessions/a.json": BROKEN_JSON,
    ".agents/sessions/private-1.json": BROKEN_JSON,
    ".agents/sessions/tmp-1.json": BROKEN_JSON,
    ".agents/scratch/HANDOFF.md": "# not seen\n",
    ".agents/handoffs/scratch/h.md": "# not seen either\n",
    ".agents/handoffs/h.md": "# seen\n",
}


def _gitignore_expectations(root: Path) -> None:
    assert set(discover(load_config(RULES, root))) == {".agents/sessions/a.json", ".agents/handoffs/h.md"}
    assert run(root)[0] == [".agents/sessions/a.json:1:12 AL003 error"]
    # A gitignored file named on the command line is checked, unless --force-exclude.
    named = ".agents/sessions/private-1.json"
    assert run(root, named)[0] == [f"{named}:1:12 AL003 error"]
    assert run(root, named, force_exclude=True)[0] == []
    # respect-gitignore = false sees everything.
    config = load_config(RULES, root)
    everything = discover(Config(root=root, respect_gitignore=False, select=config.select))
    assert {".agents/sessions/private-1.json", ".agents/sessions/tmp-1.json"} <= set(everything)


@needs_git
def test_gitignored_files_are_skipped_in_a_git_repository(tmp_path):
    root = write(tmp_path / "repo", GITIGNORED_PROJECT)
    git_init(root)
    _gitignore_expectations(root)


@pytest.mark.parametrize("how", ["outside any repository", "git not installed"])
def test_gitignored_files_are_skipped_without_git(tmp_path, monkeypatch, how):
    root = write(tmp_path / "project", GITIGNORED_PROJECT)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    if how == "git not installed":
        monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    _gitignore_expectations(root)


@needs_git
def test_root_below_the_git_top_level(tmp_path):
    repo = write(tmp_path / "repo", {
        ".gitignore": "sub/.agents/sessions/ignored.json\n",
        ".agents/sessions/outside.json": BROKEN_JSON,
        "sub/.agent-lint.toml": 'select = ["AL003"]\nhandoff = ["**/HANDOFF.md"]\n',
        "sub/.agents/sessions/a.json": BROKEN_JSON,
        "sub/.agents/sessions/ignored.json": BROKEN_JSON,
        # Paths are relative to the root, even where they repeat the root's own name.
        "sub/sub/HANDOFF.md": "# H\n",
        "sub/HANDOFF.md": "# H\n",
    })
    git_init(repo)
    config = load_config(RULES, repo / "sub" / ".agents")
    assert config.root == repo / "sub"
    assert kinds(config) == {
        ".agents/sessions/a.json": "session-log",
        "HANDOFF.md": "handoff",
        "sub/HANDOFF.md": "handoff",
    }
    rows, _, _ = run(repo / "sub")
    assert rows == [".agents/sessions/a.json:1:12 AL003 error"]
    # Shown relative to where the command runs.
    rows, _, _ = run(repo / "sub", cwd=repo / "sub" / ".agents")
    assert rows == ["sessions/a.json:1:12 AL003 error"]


# ----------------------------------------------------------------------------
# Given paths are the scope of the report, not of the knowledge


def _every_document(project, options):
    for path in sorted(project.kinds):
        yield Finding(1, 1, f"seen among {len(project.kinds)} documents", path=path)


SEEN = Rule("AL999", "document-seen", Scope.PROJECT, _every_document, "Every document, as a finding.\n")


@pytest.fixture
def seen_rule(monkeypatch):
    monkeypatch.setattr(agent_lint.rules, "RULES", (*RULES, SEEN))


def _messages(root: Path, *paths, **options) -> list[str]:
    out = io.StringIO()
    check(CheckOptions(paths=tuple(Path(p) for p in paths), output_format="json", cwd=root,
                       select=["AL999"], **options), out=out)
    return [f"{v['path']} {v['message']}" for v in json.loads(out.getvalue())["violations"]]


def test_given_paths_limit_the_report_not_the_project(tmp_path, seen_rule):
    write(tmp_path, {
        ".agent-lint.toml": "",
        "AGENT-SYSTEM.md": "# S\n",
        ".agents/sessions/a.json": GOOD_JSON,
        ".agents/sessions/b.json": GOOD_JSON,
        ".agents/HANDOFF.md": "# H\n",
        "notes/HANDOFF-old.md": "# H\n",  # outside the configured locations
    })
    assert _messages(tmp_path) == [
        ".agents/HANDOFF.md seen among 4 documents",
        ".agents/sessions/a.json seen among 4 documents",
        ".agents/sessions/b.json seen among 4 documents",
        "AGENT-SYSTEM.md seen among 4 documents",
    ]
    # One file named: the whole project is still loaded, only that file is reported.
    assert _messages(tmp_path, ".agents/sessions/a.json") == [".agents/sessions/a.json seen among 4 documents"]
    # A file the config's globs do not cover is no agent document, whatever its name: passed over.
    assert _messages(tmp_path, "notes/HANDOFF-old.md") == []
    assert _messages(tmp_path, "notes") == []
    # A folder reports on the agent documents inside it.
    assert _messages(tmp_path, ".agents/sessions") == [
        ".agents/sessions/a.json seen among 4 documents",
        ".agents/sessions/b.json seen among 4 documents",
    ]


def test_named_files_that_are_no_agent_documents_are_passed_over(tmp_path, seen_rule):
    write(tmp_path, {".agent-lint.toml": "", ".agents/sessions/a.json": GOOD_JSON, "README.md": "# R\n", "x.py": ""})
    assert _messages(tmp_path, "README.md", "x.py") == []
    with pytest.raises(AgentLintError, match="no such file or directory"):
        _messages(tmp_path, "missing.md")


def test_relative_paths_are_relative_to_the_given_cwd(tmp_path, seen_rule):
    write(tmp_path, {".agent-lint.toml": "", ".agents/sessions/a.json": GOOD_JSON, ".agents/sessions/b.json": GOOD_JSON})
    out = io.StringIO()
    check(CheckOptions(paths=(Path("a.json"),), output_format="json", cwd=tmp_path / ".agents" / "sessions",
                       select=["AL999"]), out=out)
    assert [v["path"] for v in json.loads(out.getvalue())["violations"]] == ["a.json"]


def test_discovered_kinds_follow_the_config(tmp_path):
    write(tmp_path, {
        ".agent-lint.toml": 'system-document = "docs/SYSTEM.md"\nsession-logs = ["logs/**/*.json"]\nhandoff = ["HAND.md"]\n',
        "docs/SYSTEM.md": "# S\n",
        "AGENT-SYSTEM.md": "# default location, not configured\n",
        "logs/2026/01/a.json": "{}\n",
        ".agents/sessions/b.json": "{}\n",
        "HAND.md": "# H\n",
    })
    config = load_config(RULES, tmp_path)
    found = discover(config._replace(respect_gitignore=False))
    assert found == {"HAND.md": Kind.HANDOFF, "docs/SYSTEM.md": Kind.SYSTEM, "logs/2026/01/a.json": Kind.SESSION_LOG}


@pytest.mark.parametrize("with_git", [True, False])
def test_the_default_handoff_globs_match_any_case(tmp_path, with_git):
    (tmp_path / ".agents").mkdir()
    (tmp_path / ".agents" / "handoff.md").write_text("# Handoff\n", encoding="utf-8")
    (tmp_path / "Handoff.md").write_text("# Handoff\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "handoff.md").write_text("# Not the project's\n", encoding="utf-8")
    if with_git:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    else:
        (tmp_path / ".agent-lint.toml").write_text("", encoding="utf-8")

    found = discover(load_config(RULES, tmp_path))
    assert found == {".agents/handoff.md": Kind.HANDOFF, "Handoff.md": Kind.HANDOFF}

    # A team's own globs match as written.
    (tmp_path / ".agent-lint.toml").write_text('handoff = [".agents/HANDOFF.md"]\n', encoding="utf-8")
    assert discover(load_config(RULES, tmp_path)) == {}


def test_a_run_that_finds_no_agent_document_says_where_it_looked(tmp_path, capsys):
    (tmp_path / ".agent-lint.toml").write_text('session-logs = ["logs/*.json"]\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("# Notes\n", encoding="utf-8")

    assert check(CheckOptions(cwd=tmp_path, no_cache=True), out=io.StringIO()) == EXIT_CLEAN
    assert capsys.readouterr().err == (
        "agent-lint: note: no agent document found: looked for the system document at AGENT-SYSTEM.md or"
        " .agents/AGENT-SYSTEM.md, session logs at logs/*.json and HANDOFF at /HANDOFF.md, .agents/HANDOFF.md,"
        " .agents/handoffs/**/*.md (in any case); set system-document, session-logs or handoff in the config\n")


def test_a_run_that_finds_nothing_says_where_it_saw_agent_documents(tmp_path, capsys):
    files = {
        ".claude/HANDOFF.md": "# Handoff\n",
        ".claude/commands/handoff.md": "Write the handoff for this session.\n",
        "docs/HANDOFF_2025-11-18_evening.md": "# Evening handoff\n",
        "docs/sessions/handoff-template.md": "# Handoff {date}\n",
        "notes.md": "# Notes\n",
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)

    assert check(CheckOptions(cwd=tmp_path, no_cache=True), out=io.StringIO()) == EXIT_CLEAN
    assert capsys.readouterr().err == (
        "agent-lint: note: no agent document found: looked for the system document at AGENT-SYSTEM.md or"
        " .agents/AGENT-SYSTEM.md, session logs at .agents/sessions/*.md, .agents/sessions/*.json and HANDOFF at"
        " /HANDOFF.md, .agents/HANDOFF.md, .agents/handoffs/**/*.md (in any case); set system-document,"
        " session-logs or handoff in the config. Seen where the config does not look: HANDOFF documents:"
        " .claude/HANDOFF.md ('agent-lint init' writes a config for them); files named like HANDOFFs:"
        " docs/HANDOFF_2025-11-18_evening.md\n")
