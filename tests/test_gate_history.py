"""The PR-gate rules (AL4xx) on histories written as data (tests/fixtures/history), built into real repositories."""

from __future__ import annotations

import pytest

from history_harness import batches_text, build, expected_rows, gate_rows, history_cases, placed
from test_history import isolated_git  # noqa: F401 - the fixture keeps git config out


@pytest.mark.parametrize("case", history_cases(), ids=lambda p: p.name)
def test_history_fixture(case, tmp_path):
    repo, commits, since = build(case, tmp_path)
    rows, err = gate_rows(repo, since)
    assert rows == expected_rows(case, repo, commits)
    notes = case / "notes.txt"
    assert err == (notes.read_text(encoding="utf-8") if notes.exists() else "")


@pytest.mark.parametrize("case", [c for c in history_cases() if (c / "batches.txt").exists()], ids=lambda p: p.name)
def test_history_fixture_batches(case, tmp_path):
    repo, commits, since = build(case, tmp_path)
    expected = placed((case / "batches.txt").read_text(encoding="utf-8"), repo, commits)
    assert batches_text(repo, since) == expected
