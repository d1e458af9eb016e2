"""The hook in .pre-commit-hooks.yaml, run by the real pre-commit, offline.

``pre-commit try-repo`` installs this checkout (its HEAD plus uncommitted
changes to tracked files) into a hook environment, the way a user's
``.pre-commit-config.yaml`` would, and runs the hook in a temporary git
repository. pip gets every wheel it needs from a wheelhouse packed from this
environment, with no index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wheelhouse import MissingDistribution, build_wheelhouse, project_requirements

CHECKOUT = Path(__file__).resolve().parents[1]
HOOKS = CHECKOUT / ".pre-commit-hooks.yaml"
SESSION_LOG = ".agents/sessions/2026-01-01-x.json"
# The file-level rules only: this is about the hook, not about content rules.
CONFIG = 'select = ["AL0"]\n'


def test_hook_declaration():
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    hook = hooks["agent-lint"]
    assert hook["entry"] == "agent-lint check --force-exclude"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["markdown", "json"]
    # Project rules compare files with each other: one process must see them all.
    assert hook["require_serial"] is True


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory) -> dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", HOOKS.name], cwd=CHECKOUT, capture_output=True
    )
    if tracked.returncode != 0:
        pytest.skip(f"{CHECKOUT} is not a git checkout that tracks {HOOKS.name}")
    # try-repo installs HEAD plus the changes to tracked files: a new module git does not know yet
    # would be missing from the hook's environment, and the hook would fail for that reason alone.
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", "lint", "schemas"],
                               cwd=CHECKOUT, capture_output=True, text=True).stdout.split()
    if untracked:
        pytest.skip(f"new files not staged yet, which pre-commit try-repo would leave out: {', '.join(untracked[:3])}"
                    f"{' ...' if len(untracked) > 3 else ''} (git add them, then run these tests)")
    base = tmp_path_factory.mktemp("pre-commit")
    wheels = base / "wheels"
    try:
        build_wheelhouse(project_requirements(CHECKOUT / "pyproject.toml"), wheels)
    except MissingDistribution as missing:
        pytest.skip(f"cannot build the offline wheelhouse, not installed: {missing} (pip install '.[test]')")
    # Drop the caller's pip settings (indexes, constraints) and PYTHONPATH, which
    # would make the hook import agent_lint from somewhere other than its environment.
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("PIP_", "VIRTUALENV_", "PRE_COMMIT")) and key != "PYTHONPATH"
    }
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PRE_COMMIT_HOME=str(base / "home"),
        VIRTUALENV_OVERRIDE_APP_DATA=str(base / "virtualenv"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
    )
    return env


def make_repo(root: Path, session_log: str) -> Path:
    for path, text in {SESSION_LOG: session_log, ".agent-lint.toml": CONFIG, "notes.md": "# Notes\n"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    # --all-files means the files git tracks; staging them is enough.
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(CHECKOUT), "agent-lint", "--all-files",
         "--color", "never"],
        cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
    )


def test_hook_fails_on_a_violation(pre_commit_env, tmp_path):
    result = try_repo(make_repo(tmp_path, '{"session": '), pre_commit_env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"{SESSION_LOG}:1:13: AL003 [error] invalid JSON" in output
    assert "Traceback" not in output


def test_hook_passes_on_clean_documents(pre_commit_env, tmp_path):
    result = try_repo(make_repo(tmp_path, '{"session": "x"}\n'), pre_commit_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "agent-lint" in output and "Passed" in output
