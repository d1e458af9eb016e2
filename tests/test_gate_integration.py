"""The gate where it runs: the pre-push hook (``--pre-push``) and the composite GitHub Action."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.utils import canonicalize_name

from agent_lint import __version__
from agent_lint.cli import run
from test_gate_rules import API, DOCS, ENTRY_LINE, ORCH, Batch, described, repo  # noqa: F401 - fixtures
from test_history import isolated_git  # noqa: F401 - the fixture keeps git config out
from test_pre_commit_hook import pre_commit_env  # noqa: F401 - the offline pre-commit environment

CHECKOUT = Path(__file__).resolve().parents[1]
CONSTRAINTS = (CHECKOUT / "action-constraints.txt").read_text(encoding="utf-8")


@pytest.fixture
def missing_docs(repo):
    """A batch whose HANDOFF update does not list the docs worker; returns (repo, update)."""
    batch = Batch(repo)
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    return repo, batch.update(ORCH, API)


def expected_row(repo, update) -> str:
    return (f"HANDOFF.md:{ENTRY_LINE}:1: AL404 [error] Session-Ids trailer of {described(repo, update)}"
            f" does not list {DOCS} of batch {ORCH}")


# ----------------------------------------------------------------------------
# --pre-push


def test_history_hook_declaration():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml"))}
    hook = hooks["agent-lint-history"]
    assert hook["entry"] == "agent-lint check --pre-push --select AL4"
    assert hook["stages"] == ["pre-push"]
    assert (hook["language"], hook["pass_filenames"], hook["always_run"]) == ("python", False, True)


@pytest.fixture
def pushing(missing_docs, monkeypatch):
    """The variables pre-commit sets for a push of the batch branch over main."""
    repo, update = missing_docs
    monkeypatch.chdir(repo.path)
    for name in ("PRE_COMMIT", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", repo.git("rev-parse", "main"))
    monkeypatch.setenv("PRE_COMMIT_TO_REF", repo.git("rev-parse", "HEAD"))
    return repo, update


def test_pre_push_checks_the_pushed_range(pushing, capsys):
    repo, update = pushing
    assert run(["check", "--pre-push", "--select", "AL4", "--no-cache"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == expected_row(repo, update)


def test_pre_push_of_a_commit_other_than_head_is_refused(pushing, monkeypatch, capsys):
    repo, _ = pushing
    monkeypatch.setenv("PRE_COMMIT_TO_REF", repo.git("rev-parse", "HEAD~1"))
    assert run(["check", "--pre-push", "--no-cache"]) == 2
    assert capsys.readouterr().err == (
        f"agent-lint: error: the commit being pushed ({repo.git('rev-parse', 'HEAD~1')[:12]}) is not HEAD;"
        " check out the branch you push, or skip this hook with SKIP=agent-lint-history\n")


def test_pre_push_of_the_root_commit_checks_the_whole_history(pushing, monkeypatch, capsys):
    # pre-commit sets no FROM_REF (nor TO_REF) when the push includes the root commit:
    # every commit is new to the remote, and the batch's are among them.
    repo, update = pushing
    monkeypatch.delenv("PRE_COMMIT_FROM_REF")
    monkeypatch.delenv("PRE_COMMIT_TO_REF")
    assert run(["check", "--pre-push", "--select", "AL4", "--no-cache"]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    assert expected_row(repo, update) in captured.out.splitlines()


def test_pre_push_outside_pre_commit_is_a_usage_error(pushing, monkeypatch, capsys):
    for name in ("PRE_COMMIT", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        monkeypatch.delenv(name)
    assert run(["check", "--pre-push"]) == 2
    assert "PRE_COMMIT_FROM_REF" in capsys.readouterr().err


def test_pre_push_and_since_together_are_a_usage_error(pushing, capsys):
    assert run(["check", "--pre-push", "--since", "main"]) == 2
    assert capsys.readouterr().err == "agent-lint: error: --pre-push and --since both name the history; give one\n"


def test_history_hook_with_the_real_pre_commit(missing_docs, pre_commit_env):
    repo, update = missing_docs
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(CHECKOUT), "agent-lint-history",
         "--hook-stage", "pre-push", "--from-ref", repo.git("rev-parse", "main"),
         "--to-ref", repo.git("rev-parse", "HEAD"), "--color", "never"],
        cwd=repo.path, env=pre_commit_env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert expected_row(repo, update) in output.splitlines()
    assert "Traceback" not in output


# ----------------------------------------------------------------------------
# action.yml


def action_step(name: str) -> dict:
    action = yaml.safe_load((CHECKOUT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    return next(step for step in action["runs"]["steps"] if step.get("name") == name)


def test_action_installs_its_own_checkout_pinned_and_reuses_the_environment(pre_commit_env, tmp_path):
    """The key and install steps as GitHub runs them, pip offline from the wheelhouse."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    env = {**pre_commit_env, "ACTION_PATH": str(CHECKOUT), "PYTHON": sys.executable, "PYTHON_VERSION": "3",
           "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "VENV": str(tmp_path / "venv"),
           "GITHUB_OUTPUT": str(tmp_path / "output.txt")}

    def step(name: str) -> dict[str, str]:
        (tmp_path / "output.txt").write_text("")
        result = subprocess.run(["bash", "-c", action_step(name)["run"]], env=env, capture_output=True, text=True,
                                timeout=900)
        assert result.returncode == 0, result.stdout + result.stderr
        return outputs(tmp_path)

    key = step("Key agent-lint's environment")["key"]
    assert key.startswith("agent-lint-Linux-X64-py3-") and step("Key agent-lint's environment")["key"] == key
    installed = step("Install agent-lint")
    version = subprocess.run([installed["agent-lint"], "--version"], capture_output=True, text=True)
    assert version.stdout == f"agent-lint {__version__}\n"
    freeze = subprocess.run([installed["python"], "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    frozen = {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in freeze.splitlines() if "==" in line}
    pinned = [line.split("==") for line in CONSTRAINTS.splitlines() if "==" in line and ";" not in line]
    assert {canonicalize_name(name): version for name, version in pinned}.items() <= frozen.items()
    # A restored environment that runs is used as it is: no pip at all the second time.
    env["PATH"] = str(tmp_path / "no-pip") + os.pathsep + os.environ["PATH"]
    marker = (tmp_path / "venv" / "bin" / "pip")
    marker.unlink()
    assert step("Install agent-lint") == installed
    assert not marker.exists()


@pytest.fixture
def gate_step(tmp_path):
    """Run the action's check step as GitHub would, with agent-lint from this checkout."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    step = action_step("Check with agent-lint")
    shim = tmp_path / "bin" / "agent-lint"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m agent_lint "$@"\n', encoding="utf-8")
    shim.chmod(0o755)

    def run_step(cwd: Path, **env: str) -> subprocess.CompletedProcess:
        values = {"SINCE": "", "BASE_REF": "", "MERGE_GROUP_BASE": "", "PUSH_BEFORE": "", "SARIF_FILE": "",
                  "ARGS": "", "GITHUB_WORKSPACE": str(cwd), **env}
        environment = {**{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}, **values,
                       "AGENT_LINT": str(shim), "PYTHON": sys.executable, "PYTHONPATH": str(CHECKOUT / "lint"),
                       "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
                       "GITHUB_OUTPUT": str(tmp_path / "output.txt")}
        (tmp_path / "output.txt").write_text("")
        return subprocess.run(["bash", "-c", step["run"]], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=300)

    return run_step


def test_action_gates_a_pull_request_and_writes_sarif(missing_docs, gate_step, tmp_path):
    repo, update = missing_docs
    repo.git("branch", "-q", "origin/main", "main")  # stands in for the fetched base branch
    sarif = tmp_path / "results.sarif"

    result = gate_step(repo.path, BASE_REF="main", SARIF_FILE=str(sarif), ARGS="--no-cache")

    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"::error file=HANDOFF.md,line={ENTRY_LINE},col=1,title=AL404 ")
    (results,) = [r for r in json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]]
    assert results["ruleId"] == "AL404"
    assert "```mermaid" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_action_without_a_base_checks_the_documents_only(missing_docs, gate_step):
    repo, _ = missing_docs
    result = gate_step(repo.path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "::notice title=agent-lint::no pull request base, merge group or earlier push and no 'since' input:"
        " the history is not checked",
        "All checks passed (4 files checked).",
    ]


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "output.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_action_gates_a_merge_group_from_its_base_commit(missing_docs, gate_step, tmp_path):
    repo, update = missing_docs
    result = gate_step(repo.path, MERGE_GROUP_BASE=repo.git("rev-parse", "main"), ARGS="--no-cache")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"::error file=HANDOFF.md,line={ENTRY_LINE},col=1,title=AL404 ")
    assert outputs(tmp_path) == {"sarif-file": "", "violations": "1"}


def test_action_gates_a_push_from_the_previous_tip_and_not_a_new_branch(missing_docs, gate_step):
    repo, _ = missing_docs
    assert gate_step(repo.path, PUSH_BEFORE=repo.git("rev-parse", "main"), ARGS="--no-cache").returncode == 1
    new_branch = gate_step(repo.path, PUSH_BEFORE="0" * 40, ARGS="--no-cache")
    assert new_branch.returncode == 0 and "the history is not checked" in new_branch.stdout


def test_action_in_a_subfolder_names_files_from_the_repository_top(gate_step, tmp_path):
    """working-directory: a project in a subfolder; annotations and SARIF still attach to the diff."""
    repo = tmp_path / "repo"
    project = repo / "services" / "agents"
    (project / ".agents/sessions").mkdir(parents=True)
    (project / ".agent-lint.toml").write_text('select = ["AL003"]\n', encoding="utf-8")
    (project / ".agents/sessions/2026-01-01-x.json").write_text('{"id": ', encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    path = "services/agents/.agents/sessions/2026-01-01-x.json"

    result = gate_step(project, GITHUB_WORKSPACE=str(repo), SARIF_FILE="reports/agent-lint.sarif",
                       ARGS="--no-cache")
    assert result.returncode == 1, result.stderr
    assert f"::error file={path},line=1,col=8,title=AL003 invalid-json::invalid JSON: Expecting value" \
        in result.stdout.splitlines()
    sarif = repo / "reports/agent-lint.sarif"  # where the upload step, at the top, reads it
    assert outputs(tmp_path) == {"sarif-file": str(sarif), "violations": "1"}
    run = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": path, "uriBaseId": "%SRCROOT%"}
