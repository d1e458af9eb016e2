"""The cache: a repository's cache files run no code, forge no result, lead nowhere outside.

Each test is an attack that worked: a cache committed beside the documents,
a damaged signing key, cache paths that are links, FIFOs or someone else's.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from attack import agent_lint, no_traceback

try:
    from _blake2 import blake2b
except ImportError:
    from hashlib import blake2b


class Payload:
    """A pickle that, loaded, creates a file: what a hostile cache would run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def key_file(user_cache: Path) -> Path:
    return user_cache / "agent-lint" / "cache-key"


def forged(payload: bytes, key: bytes = b"") -> bytes:
    """A cache file as agent-lint 0.1.0 signed them: magic, keyed BLAKE2b, then a pickle."""
    return b"agent-lint-cache\x02" + blake2b(payload, key=key, digest_size=32).digest() + payload


def test_a_committed_cache_signed_with_an_empty_key_runs_no_code(hostile, user_cache, tmp_path):
    # An empty key file (a crash or a full disk between create and write) made the signature a plain
    # hash: anyone could sign a pickle, and the next run unpickled it.
    key_file(user_cache).parent.mkdir(parents=True)
    key_file(user_cache).write_bytes(b"")
    marker = tmp_path / "pwned"
    cache = hostile / ".agent_lint_cache"
    cache.mkdir()
    payload = pickle.dumps({"x": Payload(marker)})
    for name in ("files.bin", "kinds-0.bin"):
        (cache / name).write_bytes(forged(payload))
    for entry in os.listdir(cache):
        (cache / entry).touch()
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.code == 0, run.stdout + run.stderr
    assert not marker.exists()
    assert len(key_file(user_cache).read_bytes()) == 32  # the empty key was replaced


@pytest.mark.parametrize("content", [b"", b"short", os.urandom(33), os.urandom(65), os.urandom(4096)])
def test_a_key_of_any_other_size_is_replaced_and_the_run_goes_on(hostile, user_cache, content):
    key_file(user_cache).parent.mkdir(parents=True)
    key_file(user_cache).write_bytes(content)
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.code == 0, run.stderr  # a key over 64 bytes made every run exit 2
    key = key_file(user_cache).read_bytes()
    assert len(key) == 32 and key != content
    assert agent_lint("check", cwd=hostile, cache=user_cache).code == 0
    assert key_file(user_cache).read_bytes() == key  # and kept from then on


def test_a_key_linked_to_dev_zero_is_never_read(hostile, user_cache):
    key_file(user_cache).parent.mkdir(parents=True)
    os.symlink("/dev/zero", key_file(user_cache))
    run = agent_lint("check", cwd=hostile, cache=user_cache, memory_mb=1024)
    no_traceback(run)
    assert run.code == 0, run.stderr  # it read /dev/zero until memory ran out
    assert not key_file(user_cache).is_symlink() and len(key_file(user_cache).read_bytes()) == 32


def test_a_key_that_is_a_fifo_does_not_hang_the_run(hostile, user_cache):
    key_file(user_cache).parent.mkdir(parents=True)
    os.mkfifo(key_file(user_cache))
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    assert run.code == 0, run.stderr


def test_a_symlinked_cache_folder_sends_nothing_outside(hostile, user_cache, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, hostile / ".agent_lint_cache")
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.code == 0
    assert list(elsewhere.iterdir()) == []
    assert run.stderr.count("\n") == 1 and "not using the cache" in run.stderr and "symbolic link" in run.stderr


def test_a_gitignore_linked_outside_creates_nothing_there(hostile, user_cache, tmp_path):
    cache = hostile / ".agent_lint_cache"
    cache.mkdir()
    target = tmp_path / "planted"
    os.symlink(target, cache / ".gitignore")
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.code == 0
    assert not target.exists()


def test_a_fifo_in_a_shared_cache_folder_does_not_hang_the_run(hostile, user_cache, tmp_path):
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    os.mkfifo(shared / "files.bin")
    run = agent_lint("check", "--cache-dir", str(shared), cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert run.code == 0
    assert "not using the cache" in run.stderr and "not a regular file" in run.stderr


def test_a_cache_file_linked_to_dev_zero_is_not_read(hostile, user_cache):
    cache = hostile / ".agent_lint_cache"
    cache.mkdir()
    os.symlink("/dev/zero", cache / "files.bin")
    run = agent_lint("check", cwd=hostile, cache=user_cache, memory_mb=1024)
    no_traceback(run)
    assert run.code == 0 and "symbolic link" in run.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_cache_files_of_another_user_are_not_trusted(hostile, user_cache):
    assert agent_lint("check", cwd=hostile, cache=user_cache).code == 0
    for path in (hostile / ".agent_lint_cache").iterdir():
        os.chown(path, 4321, 4321)
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    assert run.code == 0 and "belongs to another user" in run.stderr


def test_a_valid_looking_cache_of_another_key_forges_no_result(hostile, user_cache, tmp_path):
    # A repository ships the cache of a run on a clean tree; its documents have violations since.
    assert agent_lint("check", cwd=hostile, cache=tmp_path / "attacker").code == 0
    (hostile / ".agents" / "sessions" / "2026-03-02-fine.json").write_text('{"id": 1', encoding="utf-8")
    run = agent_lint("check", cwd=hostile, cache=user_cache)
    assert run.code == 1 and "AL003" in run.stdout
