"""Every fixture produces exactly the rows it expects (ok-* fixtures: none)."""

import pytest

from harness import project_cases, run_project, run_single_file, single_file_cases


@pytest.mark.parametrize("fixture", single_file_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_single_file_fixture(fixture, tmp_path):
    rows, expected = run_single_file(fixture, tmp_path)
    if fixture.name.startswith("ok-"):
        assert expected == [], "ok- fixtures expect nothing"
    assert rows == expected


@pytest.mark.parametrize("case", project_cases(), ids=lambda p: p.name)
def test_project_fixture(case, tmp_path):
    rows, expected = run_project(case, tmp_path)
    assert rows == expected
