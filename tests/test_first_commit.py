"""README's way in, end to end, through the real pre-commit, offline:
``agent-lint init --write-ci``, ``pre-commit install``, ``git add -A``, ``git commit``.

The hook repository is a snapshot of this checkout (its tracked and new
files) committed to a local repository, and the ``.pre-commit-config.yaml``
that init writes is pointed at it: the only change to the documented path,
since the tests have no network. pip takes every wheel from the offline
wheelhouse of test_pre_commit_hook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent_lint.init import REPO_URL, hook_entry
from test_pre_commit_hook import CHECKOUT, pre_commit_env  # noqa: F401 - the offline pre-commit environment

GUIDE = "# Writing a HANDOFF\n\nEach batch adds one entry under Session History.\n"


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def env(pre_commit_env, tmp_path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {**pre_commit_env, "HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "A",
            "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_CEILING_DIRECTORIES": str(tmp_path)}


@pytest.fixture
def hook_repository(tmp_path, env) -> tuple[Path, str]:
    """This checkout as it is now, committed to a repository pre-commit can install from."""
    snapshot = tmp_path / "agent-lint"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=CHECKOUT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = CHECKOUT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git(snapshot, "init", "-q", env=env)
    git(snapshot, "add", "-A", env=env)
    git(snapshot, "commit", "-q", "-m", "snapshot", env=env)
    return snapshot, git(snapshot, "rev-parse", "HEAD", env=env).strip()


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=900)


def test_the_documented_first_commit_passes_and_the_next_broken_log_is_stopped(hook_repository, tmp_path, env):
    snapshot, rev = hook_repository
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs/HANDOFF-GUIDE.md").write_text(GUIDE, encoding="utf-8")
    (project / "notes.json").write_text('{"unrelated": true}\n', encoding="utf-8")
    git(project, "init", "-q", env=env)

    init = run(project, env, sys.executable, "-m", "agent_lint", "init", "--write-ci")
    assert init.returncode == 0, init.stderr
    config = project / ".pre-commit-config.yaml"
    assert config.read_text(encoding="utf-8") == "repos:\n" + hook_entry("  ")
    # Offline: the same hook, from the local snapshot instead of GitHub.
    config.write_text(config.read_text(encoding="utf-8").replace(REPO_URL, str(snapshot))
                      .replace(yaml.safe_load(hook_entry(""))[0]["rev"], rev), encoding="utf-8")

    install = run(project, env, sys.executable, "-m", "pre_commit", "install")
    assert install.returncode == 0, install.stdout + install.stderr
    git(project, "add", "-A", env=env)
    commit = run(project, env, "git", "commit", "-m", "Adopt agent-lint")
    output = commit.stdout + commit.stderr
    assert commit.returncode == 0, output
    assert "agent-lint" in output and "Passed" in output and "Traceback" not in output

    # The hook is at work: a session log that does not parse stops the next commit.
    log = project / ".agents/sessions/2026-03-02-broken.json"
    log.write_text('{"id": ', encoding="utf-8")
    git(project, "add", "-A", env=env)
    commit = run(project, env, "git", "commit", "-m", "A broken log")
    output = commit.stdout + commit.stderr
    assert commit.returncode == 1, output
    assert ".agents/sessions/2026-03-02-broken.json:1:8: AL003 [error] invalid JSON" in output
