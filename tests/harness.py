"""Run agent-lint in-process on fixture files and compare the rows they expect.

Single-file fixtures live in ``tests/fixtures/<kind>/`` (kind: system,
session-log, handoff) and are copied into an empty project at the place a
document of that kind has by default. A Markdown fixture ends with

    <!-- expect
    12:1 AL102 message text
    -->

and may carry its own config in a ``<!-- config ... -->`` comment (TOML, the
body of ``.agent-lint.toml``). A JSON fixture keeps both beside it:
``name.expect`` and ``name.toml``. Fixtures named ``ok-*`` must produce no
row at all; a session log's ``ok-`` is dropped from the name it is checked
under, since the name is its session ID (``ok-2026-03-02-review.md`` is the
log ``2026-03-02-review.md``).

``python -m pytest tests/test_fixtures.py --update-expect`` writes the rows
each fixture produces as its expected rows (the ``expect`` comment, the
``.expect`` file, ``expected.txt``); read the diff before committing it.

Project fixtures are folders under ``tests/fixtures/projects/<case>/``: a
file tree, an optional ``.agent-lint.toml`` and ``expected.txt`` with rows
``path:line:col CODE message``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

from agent_lint.runner import CheckOptions, check

FIXTURES = Path(__file__).parent / "fixtures"
_EXPECT = re.compile(r"<!--\s*expect\s*\n(?P<rows>.*?)-->", re.S)
_CONFIG = re.compile(r"<!--\s*config\s*\n(?P<toml>.*?)-->", re.S)
PLACES = {
    "system": "AGENT-SYSTEM.md",
    "session-log": ".agents/sessions/{stem}{suffix}",
    "handoff": ".agents/HANDOFF.md",
}


def fenced_checklists(doc):
    """Task lists written inside a document's Markdown fences, at host positions (as the rules find them)."""
    for block in doc.code_blocks:
        if block.fenced and block.info in ("", "markdown", "md", "gfm") and "[" in block.content:
            for checklist in doc.embedded(block).checklists:
                yield block, checklist._replace(section=block.section)


def run_rows(root: Path, *paths: str, config: Path | None = None) -> list[str]:
    """Rows ``path:line:col CODE message`` of a check run in ``root``."""
    out = io.StringIO()
    options = CheckOptions(paths=tuple(root / p for p in paths), output_format="json", cwd=root, config=config)
    check(options, out=out)
    data = json.loads(out.getvalue())
    return [f"{v['path']}:{v['line']}:{v['column']} {v['code']} {v['message']}" for v in data["violations"]]


def single_file_cases() -> list[Path]:
    return sorted(p for kind in PLACES for p in (FIXTURES / kind).glob("*") if p.suffix in (".md", ".json"))


def expected_rows(fixture: Path) -> tuple[list[str], str | None]:
    if fixture.suffix == ".md":
        text = fixture.read_text(encoding="utf-8")
        match = _EXPECT.search(text)
        rows = match.group("rows") if match else ""
        cfg = _CONFIG.search(text)
        toml = cfg.group("toml") if cfg else None
    else:
        sidecar = fixture.with_suffix(".expect")
        rows = sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""
        toml_file = fixture.with_suffix(".toml")
        toml = toml_file.read_text(encoding="utf-8") if toml_file.exists() else None
    return [r.strip() for r in rows.splitlines() if r.strip()], toml


def run_single_file(fixture: Path, tmp: Path) -> tuple[list[str], list[str]]:
    kind = fixture.parent.name
    stem = fixture.stem[len("ok-"):] if kind == "session-log" and fixture.stem.startswith("ok-") else fixture.stem
    place = PLACES[kind].format(stem=stem, suffix=fixture.suffix)
    target = tmp / place
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fixture, target)
    expected, toml = expected_rows(fixture)
    if toml is not None:
        (tmp / ".agent-lint.toml").write_text(toml, encoding="utf-8")
    (tmp / ".git").mkdir()  # the project root, without needing git itself
    rows = [row[len(place) + 1 :] for row in run_rows(tmp, place)]
    return rows, expected


def project_cases() -> list[Path]:
    return sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir()) if (FIXTURES / "projects").exists() else []


def run_project(case: Path, tmp: Path) -> tuple[list[str], list[str]]:
    root = tmp / case.name
    shutil.copytree(case, root, ignore=shutil.ignore_patterns("expected.txt"))
    (root / ".git").mkdir(exist_ok=True)
    expected_file = case / "expected.txt"
    expected = [r.strip() for r in expected_file.read_text(encoding="utf-8").splitlines() if r.strip()] if expected_file.exists() else []
    return run_rows(root), expected


def write_expected(fixture: Path, rows: list[str]) -> None:
    """Make ``rows`` the expected rows of a single-file fixture (file or folder)."""
    text = "".join(f"{row}\n" for row in rows)
    if fixture.is_dir():
        (fixture / "expected.txt").write_text(text, encoding="utf-8")
    elif fixture.suffix == ".md":
        source = fixture.read_text(encoding="utf-8")
        block = f"<!-- expect\n{text}-->" if rows else ""
        if _EXPECT.search(source):
            source = _EXPECT.sub(lambda _: block, source).rstrip("\n") + "\n"
        elif rows:
            source = source.rstrip("\n") + "\n\n" + block + "\n"
        fixture.write_text(source, encoding="utf-8")
    else:
        sidecar = fixture.with_suffix(".expect")
        if rows:
            sidecar.write_text(text, encoding="utf-8")
        elif sidecar.exists():
            sidecar.unlink()
