"""What a user of ruff expects of a linter's command line: --version, -h, colour, --statistics,
a baseline the config names, a rules list that fits the terminal."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent_lint import __version__
from agent_lint.terminal import plain
from harness import FIXTURES

CASE = FIXTURES / "projects" / "batch-violations"
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def agent_lint(*args: str, cwd: Path, tty: bool = False, **env: str) -> subprocess.CompletedProcess:
    """agent-lint as a process; with ``tty`` its output is a terminal (``script`` makes one)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    environment.update(env)
    command = [sys.executable, "-m", "agent_lint", *args]
    if tty:
        if shutil.which("script") is None:
            pytest.skip("no 'script' command to run agent-lint on a terminal")
        command = ["script", "-qec", " ".join(f"'{part}'" for part in command), "/dev/null"]
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120)
    if tty:
        result.stdout = result.stdout.replace("\r\n", "\n")
    return result


@pytest.fixture
def project(tmp_path) -> Path:
    """A project with errors, a warning and a fixable violation."""
    root = tmp_path / "project"
    shutil.copytree(CASE, root, ignore=shutil.ignore_patterns("expected.txt"))
    (root / ".git").mkdir()
    return root


# ----------------------------------------------------------------------------
# --version and -h


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(tmp_path, flag):
    result = agent_lint(flag, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"agent-lint {__version__}\n", "")


@pytest.mark.parametrize("args", [["-h"], ["check", "-h"], ["batches", "-h"], ["init", "-h"]])
def test_short_help(tmp_path, args):
    result = agent_lint(*args, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == agent_lint(*args[:-1], "--help", cwd=tmp_path).stdout
    assert result.stdout.startswith("Usage: agent-lint")


# ----------------------------------------------------------------------------
# Colour


def test_no_colour_when_the_output_is_not_a_terminal(project):
    result = agent_lint("check", cwd=project)
    assert result.returncode == 1 and "\x1b" not in result.stdout


def test_colour_on_a_terminal_and_the_same_text_without_it(project):
    piped = agent_lint("check", cwd=project).stdout
    coloured = agent_lint("check", cwd=project, tty=True).stdout
    assert "\x1b[" in coloured
    assert plain(coloured) == piped
    row = next(line for line in coloured.splitlines() if " AL204 " in plain(line))
    # The path bold, the code and the severity in the severity's colour (AL204 is a warning).
    assert row.startswith("\x1b[1m.agents/sessions/")
    assert "\x1b[1;33mAL204\x1b[0m \x1b[33m[warning]\x1b[0m" in row
    error = next(line for line in coloured.splitlines() if "[error]" in plain(line))
    assert re.search(r"\x1b\[1;31mAL\d{3}\x1b\[0m \x1b\[31m\[error\]\x1b\[0m", error)


def test_no_color_turns_colour_off_and_force_color_on(project):
    piped = agent_lint("check", cwd=project).stdout
    assert agent_lint("check", cwd=project, tty=True, NO_COLOR="1").stdout == piped
    forced = agent_lint("check", cwd=project, FORCE_COLOR="1").stdout
    assert "\x1b[" in forced and plain(forced) == piped
    # As in ruff, FORCE_COLOR wins; an empty value is no value.
    assert "\x1b[" in agent_lint("check", cwd=project, FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "\x1b[" not in agent_lint("check", cwd=project, FORCE_COLOR="").stdout


def test_machine_formats_are_never_coloured(project):
    for fmt in ("json", "github", "sarif", "junit"):
        assert "\x1b" not in agent_lint("check", "--output-format", fmt, cwd=project, FORCE_COLOR="1").stdout


def test_a_report_kept_in_the_cache_is_shown_in_the_colour_asked_for(project):
    first = agent_lint("check", cwd=project, FORCE_COLOR="1").stdout
    assert agent_lint("check", cwd=project).stdout == plain(first)  # answered from the cache
    assert agent_lint("check", cwd=project, FORCE_COLOR="1").stdout == first


# ----------------------------------------------------------------------------
# --statistics


def test_statistics_count_each_rule_most_frequent_first(project):
    result = agent_lint("check", "--statistics", cwd=project)
    *rows, summary = result.stdout.splitlines()
    full = agent_lint("check", cwd=project).stdout.splitlines()
    assert result.returncode == 1 and summary == full[-1]
    counted = [row.split("\t") for row in rows]
    codes = [re.search(r" (AL\d{3}) ", line)[1] for line in full[:-1]]
    assert sorted((code.strip(), int(count)) for count, code, _ in counted) == sorted(
        (code, codes.count(code)) for code in set(codes))
    counts = [int(count) for count, _, _ in counted]
    assert counts == sorted(counts, reverse=True)
    # ruff's shape: the count right-aligned, the code, then [*] where the rule can fix, and its name.
    assert counted[0][0] == str(max(counts)) and all(len(c[0]) == len(counted[0][0]) for c in counted)
    marks = {c[1].strip(): c[2] for c in counted}
    assert marks["AL306"] == "[*] handoff-entry-missing-batch-session"
    assert marks["AL204"] == "[ ] checklist-item-not-done"


def test_statistics_as_json(project):
    result = agent_lint("check", "--statistics", "--output-format", "json", cwd=project)
    data = json.loads(result.stdout)
    violations = json.loads(agent_lint("check", "--output-format", "json", cwd=project).stdout)["violations"]
    assert sum(item["count"] for item in data) == len(violations)
    assert set(data[0]) == {"code", "name", "count", "fixable"}
    assert {item["code"]: item["fixable"] for item in data}["AL306"] is True


def test_statistics_of_another_format_is_a_usage_error(project):
    result = agent_lint("check", "--statistics", "--output-format", "sarif", cwd=project)
    assert (result.returncode, result.stderr) == (
        2, "agent-lint: error: --statistics prints text or json, not sarif\n")


# ----------------------------------------------------------------------------
# The baseline config key


def test_the_configs_baseline_is_honoured_and_the_summary_counts_what_it_held_back(project):
    before = agent_lint("check", cwd=project).stdout.splitlines()
    total = len(before) - 1
    assert agent_lint("check", "--write-baseline", ".agent-lint-baseline.json", cwd=project).returncode == 0
    config = project / ".agent-lint.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'baseline = ".agent-lint-baseline.json"\n',
                      encoding="utf-8")
    clean = agent_lint("check", cwd=project)
    assert (clean.returncode, clean.stdout) == (
        0, f"All checks passed (8 files checked, {total} violations held back by the baseline).\n")
    # Named files (the hook) and another folder (the baseline is the project's, not the folder's) alike.
    assert agent_lint("check", "--force-exclude", "HANDOFF.md", cwd=project).returncode == 0
    (project / "docs").mkdir()
    assert agent_lint("check", cwd=project / "docs").returncode == 0
    # A new violation is reported; the summary still counts what the baseline holds back.
    log = project / ".agents/sessions/2026-04-02-orphan.md"
    log.write_text(log.read_text(encoding="utf-8").replace("**Role**: worker", "**Role**: boss"), encoding="utf-8")
    found = agent_lint("check", cwd=project).stdout.splitlines()
    assert " AL201 " in found[0] and len(found) == 2
    assert "violations held back by the baseline" in found[-1]


def test_a_missing_baseline_named_by_the_config_is_an_error(project):
    config = project / ".agent-lint.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'baseline = "nowhere.json"\n', encoding="utf-8")
    result = agent_lint("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr == f"agent-lint: error: {project / 'nowhere.json'}: cannot read baseline: No such file or directory\n"


# ----------------------------------------------------------------------------
# rules on a terminal


@pytest.mark.parametrize("columns", [80, 100, 130])
def test_rules_fit_the_terminal(tmp_path, columns):
    result = agent_lint("rules", cwd=tmp_path, tty=True, COLUMNS=str(columns), NO_COLOR="1")
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    piped = agent_lint("rules", cwd=tmp_path).stdout
    # Every summary is still there, in full, in order.
    words = " ".join(line.split("  ")[-1].strip() for line in piped.splitlines()[1:])
    assert all(word in result.stdout for word in words.split())


def test_rules_in_a_pipe_are_one_line_each(tmp_path):
    lines = agent_lint("rules", cwd=tmp_path, COLUMNS="80").stdout.splitlines()
    assert max(len(line) for line in lines) > 80
