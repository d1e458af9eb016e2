"""The project root is a boundary: nothing outside it is read or written, nothing blocks, nothing grows unbounded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from attack import VALID_LOG, agent_lint, git, no_traceback

SESSIONS = Path(".agents/sessions")


def test_a_log_linked_outside_is_not_read_and_its_values_are_not_quoted(hostile, user_cache, tmp_path):
    os.symlink(tmp_path / "outside" / "secret.json", hostile / SESSIONS / "2026-03-02-leak.json")
    git(hostile, "add", "-A")
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert "TOPSECRET" not in run.stdout + run.stderr
    assert run.lines[0] == (f"{SESSIONS}/2026-03-02-leak.json:1:1: AL001 [error] cannot read file: "
                            "it leads outside the project (a symbolic link); not read")


@pytest.mark.parametrize("force_exclude", [(), ("--force-exclude",)])
def test_a_log_linked_outside_and_named_on_the_command_line_is_refused_as_in_a_whole_run(
        hostile, user_cache, tmp_path, force_exclude):
    """pre-commit names the staged link: it must fail as the whole check does, not pass unseen."""
    os.symlink(tmp_path / "outside" / "secret.json", hostile / SESSIONS / "2026-03-02-leak.json")
    git(hostile, "add", "-A")
    run = agent_lint("check", *force_exclude, str(SESSIONS / "2026-03-02-leak.json"), cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert "TOPSECRET" not in run.stdout + run.stderr
    assert run.code == 1
    assert run.lines[0] == (f"{SESSIONS}/2026-03-02-leak.json:1:1: AL001 [error] cannot read file: "
                            "it leads outside the project (a symbolic link); not read")


def test_a_log_in_a_folder_linked_outside_is_not_read(tmp_path, user_cache):
    root = tmp_path / "plain"  # no git: the folders are walked
    (root / ".agents").mkdir(parents=True)
    (root / ".agent-lint.toml").write_text('session-logs = [".agents/linked/*.json"]\n', encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "2026-03-02-x.json").write_text('{"id": "TOPSECRET-ghp_abc123"}', encoding="utf-8")
    os.symlink(tmp_path / "elsewhere", root / ".agents" / "linked")
    run = agent_lint("check", cwd=root, cache=user_cache)
    no_traceback(run)
    assert "TOPSECRET" not in run.stdout + run.stderr
    assert "AL001 [error] cannot read file: it leads outside the project" in run.stdout


def test_a_link_inside_the_project_is_read(hostile, user_cache):
    os.symlink("2026-03-02-fine.json", hostile / SESSIONS / "2026-03-02-alias.json")
    run = agent_lint("check", "--select", "AL0", cwd=hostile, cache=user_cache)
    assert run.code == 0, run.stdout


@pytest.mark.parametrize("glob", ["../outside/*.json", "/../outside/*.json", "**/../../outside/*.json", ""])
def test_a_glob_leaving_the_root_is_a_config_error_naming_the_key(hostile, user_cache, glob):
    (hostile / ".agent-lint.toml").write_text(f'session-logs = ["{glob}"]\n', encoding="utf-8")
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.startswith("agent-lint: error: ") and "invalid config at 'session-logs'" in run.stderr
    assert run.stderr.count("\n") == 1 and "TOPSECRET" not in run.stderr


@pytest.mark.parametrize("key", ["system-document", "session-log-schema"])
def test_a_path_leaving_the_root_is_a_config_error_naming_the_key(hostile, user_cache, tmp_path, key):
    for value in ("../outside/secret.json", str(tmp_path / "outside" / "secret.json")):
        (hostile / ".agent-lint.toml").write_text(f'{key} = "{value}"\n', encoding="utf-8")
        run = agent_lint("check", cwd=hostile, cache=user_cache)
        assert run.code == 2 and f"invalid config at '{key}'" in run.stderr, run.stderr


def test_fix_never_writes_through_a_link(hostile, user_cache, tmp_path):
    inside = hostile / "notes" / "kept.md"
    inside.parent.mkdir()
    body = b"# Session\n\n* [X] done\n"
    inside.write_bytes(body)
    outside = tmp_path / "outside" / "2026-03-02-out.md"
    outside.write_bytes(body)
    os.symlink(inside, hostile / SESSIONS / "2026-03-02-in.md")
    os.symlink(outside, hostile / SESSIONS / "2026-03-02-out.md")
    run = agent_lint("check", "--fix", "--select", "AL205", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert inside.read_bytes() == body and outside.read_bytes() == body
    assert (hostile / SESSIONS / "2026-03-02-in.md").is_symlink()
    assert "not written through" in run.stderr


def test_a_link_to_dev_zero_is_unreadable_not_a_memory_error(hostile, user_cache):
    os.symlink("/dev/zero", hostile / SESSIONS / "2026-03-02-zero.json")
    git(hostile, "add", "-A")
    run = agent_lint("check", cwd=hostile, cache=user_cache, memory_mb=1024)
    no_traceback(run)
    assert run.lines[0].startswith(f"{SESSIONS}/2026-03-02-zero.json:1:1: AL001 [error] cannot read file: ")


def test_a_link_to_a_fifo_is_unreadable_not_a_hang(hostile, user_cache):
    os.mkfifo(hostile / "pipe")
    os.symlink("../../pipe", hostile / SESSIONS / "2026-03-02-pipe.json")
    git(hostile, "add", ".agents")
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.lines[0] == (f"{SESSIONS}/2026-03-02-pipe.json:1:1: AL001 [error] cannot read file: "
                            "it is a FIFO, not a regular file; not read")


def test_a_fifo_named_on_the_command_line_is_unreadable_not_a_hang(hostile, user_cache):
    os.mkfifo(hostile / SESSIONS / "2026-03-02-named.json")
    run = agent_lint("check", str(SESSIONS / "2026-03-02-named.json"), cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.lines[0].endswith("AL001 [error] cannot read file: it is a FIFO, not a regular file; not read")


def test_a_huge_file_is_too_large_without_being_read(hostile, user_cache):
    huge = hostile / SESSIONS / "2026-03-02-huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(8 << 30)  # 8 GiB, sparse: reading it whole cannot fit under the limit below
    run = agent_lint("check", "--no-cache", cwd=hostile, cache=user_cache, memory_mb=1024)
    no_traceback(run)
    assert run.lines[0] == (f"{SESSIONS}/2026-03-02-huge.json:1:1: AL004 [error] "
                            f"file is {8 << 30:,} bytes, over the limit of {4 << 20:,}")


def test_a_symlink_loop_outside_git_is_reported(tmp_path, user_cache):
    root = tmp_path / "plain"
    (root / SESSIONS).mkdir(parents=True)
    (root / ".agent-lint.toml").write_text("", encoding="utf-8")
    (root / SESSIONS / "2026-03-02-fine.json").write_text(VALID_LOG.format(id="2026-03-02-fine"), encoding="utf-8")
    os.symlink("2026-03-02-b.json", root / SESSIONS / "2026-03-02-a.json")
    os.symlink("2026-03-02-a.json", root / SESSIONS / "2026-03-02-b.json")
    run = agent_lint("check", cwd=root, cache=user_cache)
    no_traceback(run)
    assert [line.split(" [")[0] for line in run.lines[:2]] == [
        f"{SESSIONS}/2026-03-02-a.json:1:1: AL001", f"{SESSIONS}/2026-03-02-b.json:1:1: AL001"]


def test_a_config_linked_to_dev_zero_is_an_error_not_a_memory_error(hostile, user_cache):
    (hostile / ".agent-lint.toml").unlink()
    os.symlink("/dev/zero", hostile / ".agent-lint.toml")
    run = agent_lint("check", "--config", ".agent-lint.toml", cwd=hostile, cache=user_cache, memory_mb=1024)
    assert run.code == 2 and run.stderr.count("\n") == 1 and ".agent-lint.toml" in run.stderr


def test_new_session_does_not_read_an_orchestrator_log_linked_outside(hostile, user_cache, tmp_path):
    """new-session reads the orchestrator's log as the check reads documents: a link out is refused in one line."""
    os.symlink(tmp_path / "outside" / "secret.json", hostile / SESSIONS / "2026-03-02-review.json")
    git(hostile, "add", "-A")
    run = agent_lint("new-session", "--role", "worker", "--orchestrator", "2026-03-02-review", "--agent", "x", "api",
                     cwd=hostile, cache=user_cache, timeout=20)
    no_traceback(run)
    assert "TOPSECRET" not in run.stdout + run.stderr
    assert run.code == 2
    assert run.stderr == ("agent-lint: error: .agents/sessions/2026-03-02-review.json: cannot read the orchestrator's"
                          " log (not a regular file inside the project)\n")
