"""Every fixture produces exactly the rows it expects (ok-* fixtures: none)."""

import pytest

from harness import project_cases, run_project, run_single_file, single_file_cases, write_expected


@pytest.mark.parametrize("fixture", single_file_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_single_file_fixture(fixture, tmp_path, update_expect):
    rows, expected = run_single_file(fixture, tmp_path)
    if update_expect and rows != expected and not fixture.name.startswith("ok-"):
        write_expected(fixture, rows)
        expected = rows
    if fixture.name.startswith("ok-"):
        assert expected == [], "ok- fixtures expect nothing"
    assert rows == expected


@pytest.mark.parametrize("case", project_cases(), ids=lambda p: p.name)
def test_project_fixture(case, tmp_path, update_expect):
    rows, expected = run_project(case, tmp_path)
    if update_expect and rows != expected:
        write_expected(case, rows)
        expected = rows
    assert rows == expected


def test_update_expect_writes_what_a_fixture_produced(tmp_path):
    markdown = tmp_path / "case.md"
    markdown.write_text("# Title\n\n<!-- expect\n1:1 AL999 old\n-->\n", encoding="utf-8")
    write_expected(markdown, ["2:1 AL102 new"])
    assert markdown.read_text(encoding="utf-8") == "# Title\n\n<!-- expect\n2:1 AL102 new\n-->\n"
    write_expected(markdown, [])
    assert markdown.read_text(encoding="utf-8") == "# Title\n"
    log = tmp_path / "log.json"
    write_expected(log, ["1:9 AL003 invalid JSON"])
    assert (tmp_path / "log.expect").read_text(encoding="utf-8") == "1:9 AL003 invalid JSON\n"
