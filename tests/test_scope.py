"""The hook sees what the check sees.

Invariant: the ``agent-lint`` hook's entry, run the way pre-commit runs it
on any set of files (the files of the hook's types, cut into command lines
as pre-commit's xargs cuts them), reports exactly the violations that a
whole ``agent-lint check`` reports for those files. A file is an agent
document, and of one kind, by the config's globs, excludes and .gitignore,
for named files as for a whole run: a ``docs/HANDOFF-GUIDE.md`` is no
HANDOFF, a README that the config excludes is no session log.
"""

from __future__ import annotations

import io
import json
import random
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from agent_lint.cli import run
from agent_lint.runner import CheckOptions, check

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install '.[test]')")
from identify.identify import tags_from_path  # noqa: E402 - pre-commit's own file typing
from pre_commit.xargs import partition  # noqa: E402 - and its own cutting of command lines

from test_corpus_sessions import CONFIG as CORPUS_CONFIG  # noqa: E402

CHECKOUT = Path(__file__).resolve().parents[1]
HOOK = next(h for h in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
            if h["id"] == "agent-lint")
# A guide about HANDOFF files, in no configured HANDOFF location.
GUIDE = ("docs/HANDOFF-GUIDE.md", "# Writing a HANDOFF\n\nEach batch adds one entry under Session History.\n")

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def hook_files(root: Path) -> list[str]:
    """What pre-commit hands the hook with --all-files: the tracked files of its types."""
    wanted = set(HOOK["types_or"])
    return [path for path in git(root, "ls-files", "-z").split("\0")
            if path and wanted & tags_from_path(str(root / path))]


def Row(v: dict) -> tuple:
    return v["path"], v["line"], v["column"], v["code"], v["message"]


def whole_check(root: Path) -> set[tuple]:
    out = io.StringIO()
    check(CheckOptions(cwd=root, output_format="json", no_cache=True, exit_zero=True), out=out)
    return {Row(v) for v in json.loads(out.getvalue())["violations"]}


def hook_run(root: Path, files: list[str], monkeypatch, capsys, max_length: int | None = None) -> set[tuple]:
    """The rows of the hook's entry over ``files``, one process per command line pre-commit would make."""
    entry = shlex.split(HOOK["entry"])
    assert entry[0] == "agent-lint"
    monkeypatch.chdir(root)
    rows: set[tuple] = set()
    for command in partition([*entry, "--output-format", "json", "--no-cache"], files, 1, max_length):
        code = run(list(command[1:]))
        out, err = capsys.readouterr()
        assert code in (0, 1), err
        rows |= {Row(v) for v in json.loads(out)["violations"]}
    return rows


def assert_scope_invariant(root: Path, monkeypatch, capsys, subsets: int = 3, max_length: int | None = None):
    whole = whole_check(root)
    files = hook_files(root)
    chooser = random.Random(15)
    for chosen in [files, *(chooser.sample(files, max(1, len(files) // 3)) for _ in range(subsets))]:
        named = set(chosen)
        # A violation with no file (a missing system document) belongs to a run over every document.
        expected = {row for row in whole if row[0] in named or (not row[0] and named == set(files))}
        assert hook_run(root, chosen, monkeypatch, capsys, max_length) == expected


def test_the_hook_entry_skips_what_the_config_excludes():
    assert shlex.split(HOOK["entry"]) == ["agent-lint", "check", "--force-exclude"]
    # The files hook has nothing to do at pre-push, where agent-lint-history checks the pushed commits.
    assert HOOK["stages"] == ["pre-commit", "pre-merge-commit", "manual"]


# ----------------------------------------------------------------------------
# Fixtures

PROJECT_CONFIG = """\
session-logs = [".agents/sessions/*.md", ".agents/sessions/*.json"]
handoff = ["/HANDOFF.md"]
extend-exclude = [".agents/sessions/drafts-*"]
"""

SYSTEM = (CHECKOUT / "AGENT-SYSTEM.md").read_text(encoding="utf-8")

ORCHESTRATOR = """\
# Session 2026-03-02-review

**Date**: 2026-03-02
**Agent**: claude-code
**Role**: orchestrator
**Objective**: Review
**Dispatched**: 2026-03-02-review-a
**Status**: complete
**Completed**: 2026-03-02T10:00
**HANDOFF Updated**: 2026-03-02T11:00

## Work Log

## Prerequisites Checklist

- [x] Tasks are independent
- [ ] No shared file modifications
- [x] Orchestrator can aggregate results
- [x] Rate limit budget checked for all agents
- [x] Each agent has its own session log path
- [x] HANDOFF will be updated once, by the orchestrator, after all sessions complete

## Outcome

Done.
"""

WORKER = """\
# Session {id}

**Date**: 2026-03-02
**Agent**: claude-code
**Role**: worker
**Objective**: Review part
**Orchestrator**: 2026-03-02-review
**Status**: complete
**Completed**: 2026-03-02T09:00
**HANDOFF Updated**: yes

## Work Log

## Outcome

Done.
"""

FIXTURE = {
    ".agent-lint.toml": PROJECT_CONFIG,
    ".gitignore": ".agents/sessions/private-*\n",
    "AGENT-SYSTEM.md": SYSTEM,
    "HANDOFF.md": "# HANDOFF\n\n## Current State\n\nQuiet.\n",
    ".agents/sessions/README.md": "# Session logs\n\nOne log per session.\n",
    ".agents/sessions/2026-03-02-review.md": ORCHESTRATOR,
    # Not dispatched (AL218), updates HANDOFF as a worker (AL210): cross-document rules at work.
    ".agents/sessions/2026-03-02-review-a.md": WORKER.format(id="2026-03-02-review-a"),
    ".agents/sessions/2026-03-02-review-b.md": WORKER.format(id="2026-03-02-review-b"),
    ".agents/sessions/drafts-1.json": '{"not": "a log"',
    ".agents/sessions/private-1.json": '{"tracked": "though ignored"',
    ".agents/templates/HANDOFF.md": "# HANDOFF\n\n## Session History\n\n<placeholder>\n",
    "archive/HANDOFF-2025.md": "# Old HANDOFF\n",
    "notes/AGENT-SYSTEM.md": "# A copy\n",
    GUIDE[0]: GUIDE[1],
    "data.json": '{"unrelated": true',
}


@pytest.fixture
def project(tmp_path) -> Path:
    for path, text in FIXTURE.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "add", "-f", ".agents/sessions/private-1.json")  # tracked although ignored
    return tmp_path


@needs_git
def test_the_scope_invariant_on_a_fixture(project, monkeypatch, capsys):
    whole = whole_check(project)
    assert {row[0] for row in whole} == {
        ".agents/sessions/2026-03-02-review-a.md", ".agents/sessions/2026-03-02-review-b.md",
        ".agents/sessions/2026-03-02-review.md", ".agents/sessions/private-1.json", "HANDOFF.md",
    }
    # Small command lines, so that pre-commit's cutting into several runs is exercised too.
    assert_scope_invariant(project, monkeypatch, capsys, subsets=6, max_length=300)


@needs_git
@pytest.mark.parametrize("named", [
    ".agents/sessions/README.md", ".agents/sessions/drafts-1.json", GUIDE[0], "archive/HANDOFF-2025.md",
    "notes/AGENT-SYSTEM.md", ".agents/templates/HANDOFF.md", "data.json",
])
def test_a_file_the_whole_check_skips_is_passed_over_by_the_hook(project, monkeypatch, capsys, named):
    assert hook_run(project, [named], monkeypatch, capsys) == set()


@needs_git
def test_a_file_named_outright_is_checked_if_the_globs_cover_it_even_when_excluded(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert run(["check", "--select", "AL003", ".agents/sessions/drafts-1.json"]) == 1
    assert ".agents/sessions/drafts-1.json:1:16: AL003" in capsys.readouterr().out
    # By name alone a file is nothing: a HANDOFF-named guide is passed over, even named outright.
    assert run(["check", GUIDE[0], "notes/AGENT-SYSTEM.md", "notes"]) == 0
    assert capsys.readouterr().out == "All checks passed (0 files checked).\n"


# ----------------------------------------------------------------------------
# The real corpus


@needs_git
def test_the_scope_invariant_on_the_corpus(corpus, tmp_path, monkeypatch, capsys):
    root = tmp_path / "ai-agents"
    shutil.copytree(corpus, root, symlinks=True)
    for folder in (root, *root.rglob("*")):
        if folder.is_dir():
            folder.chmod(0o755)  # the corpus is read-only; its copy takes a config and a guide
    (root / ".agent-lint.toml").write_text(CORPUS_CONFIG, encoding="utf-8")
    (root / GUIDE[0]).parent.mkdir()
    (root / GUIDE[0]).write_text(GUIDE[1], encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    files = hook_files(root)
    assert GUIDE[0] in files and ".agents/templates/HANDOFF.md" in files
    assert_scope_invariant(root, monkeypatch, capsys, subsets=2)
