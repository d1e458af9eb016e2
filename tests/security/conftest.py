"""Fixtures of the security tests: a hostile repository, and a user cache folder of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from attack import VALID_LOG, git


@pytest.fixture
def hostile(tmp_path):
    """A git repository with one valid session log, beside a folder outside it holding a secret."""
    root = tmp_path / "repo"
    sessions = root / ".agents" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "2026-03-02-fine.json").write_text(VALID_LOG.format(id="2026-03-02-fine"), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text('{"id": "TOPSECRET-ghp_abc123", "role": "single"}', encoding="utf-8")
    # The config marks the root, so that no config in a folder above (a shared /tmp) takes over.
    (root / ".agent-lint.toml").write_text("# every setting is the default\n", encoding="utf-8")
    git(root, "init", "-q")
    return root


@pytest.fixture
def user_cache(tmp_path) -> Path:
    return tmp_path / "user-cache"
