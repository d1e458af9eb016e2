"""History fixtures: a git history written as data, built into a real repository, checked with ``--since``.

A case is a folder ``tests/fixtures/history/<case>/`` holding

``history.yaml``
    ``config`` (the body of ``.agent-lint.toml``; default ``select = ["AL4"]``),
    ``main`` (files committed on ``main`` before the range), and ``commits``,
    in order. A commit has an ``id`` (the name rows use), ``branch`` (made from
    ``from``, default ``main``, when new; default ``review``), a ``message`` (subject,
    then any body), ``trailer`` (the IDs of a ``Session-Ids:`` trailer) and
    ``files`` (path -> content; null deletes). Or it is a merge: ``merge``
    names the branch merged into ``branch``, and ``resolve`` gives the content of
    each file whose conflict it resolves (``ours`` / ``theirs`` keep a side).
    ``head`` is the branch checked last (default ``review``), ``since`` the ref
    given to ``--since`` (default ``main``).

``expected.txt``
    Rows ``path:line:col CODE message`` of ``agent-lint check --since``;
    ``{id}`` stands for a commit as messages name it (short hash and
    subject), ``{id.short}`` for its short hash. None: the case is clean.

``batches.txt`` (optional)
    The text of ``agent-lint batches --since``, the same placeholders in it.

Content may be text, or a mapping that writes a typical document:
``{log: <role>}`` a Markdown session log (``orchestrator``, ``worker``,
``single`` or ``unstated``: a log that states no role) whose ID is the file
stem (or ``id``), with ``orchestrator``, ``dispatched``, ``status`` (default complete),
``started`` and ``completed`` times, and ``unchecked`` (prerequisite item -> the reason
after " — "; an orchestrator's other items are ticked); ``{handoff: [ids]}`` a HANDOFF with an
entry per ID, marked with the commit that writes it so that every version
differs.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import yaml

from agent_lint.runner import CheckOptions, check
from test_history import Repo

CASES = Path(__file__).parent / "fixtures" / "history"
CONFIG = 'select = ["AL4"]\n'
PREREQUISITES = (
    "Tasks are independent", "No shared file modifications", "Orchestrator can aggregate results",
    "Rate limit budget checked for all agents", "Each agent has its own session log path",
    "HANDOFF will be updated once, by the orchestrator, after all sessions complete",
)


def history_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "history.yaml").is_file())


def session_log(session_id: str, spec: dict) -> str:
    role = spec["log"]
    status = spec.get("status", "complete")
    lines = [f"# Session {session_id}", "", f"**Date**: {session_id[:10]}", "**Agent**: claude-code"]
    if role != "unstated":
        lines.append(f"**Role**: {role}")
    lines.append(f"**Objective**: {spec.get('objective', 'Do one task')}")
    if spec.get("orchestrator"):
        lines.append(f"**Orchestrator**: {spec['orchestrator']}")
    if spec.get("dispatched"):
        lines.append(f"**Dispatched**: {', '.join(spec['dispatched'])}")
    if role != "unstated":
        lines.append(f"**Status**: {status}")
    if spec.get("started"):
        lines.append(f"**Started**: {spec['started']}")
    if spec.get("completed") or status == "complete" and role != "unstated":
        lines.append(f"**Completed**: {spec.get('completed', session_id[:10] + 'T11:30Z')}")
    lines += ["", "## Work Log", "", "- 10:00 Started.", "- 10:40 Finished the task.", ""]
    if role == "orchestrator":
        unchecked = spec.get("unchecked") or {}
        lines += ["## Prerequisites Checklist", "",
                  *(f"- [ ] {item} — {unchecked[item]}" if item in unchecked else f"- [x] {item}"
                    for item in PREREQUISITES), ""]
    lines += ["## Outcome", "", spec.get("outcome", "Done."), ""]
    return "\n".join(lines)


def handoff(ids: list[str], mark: str) -> str:
    entries = "".join(f"### {i}\n\n**Sessions**: {i}\n\n**Summary**: Done.\n\n" for i in ids)
    return (f"# Handoff\n\n## Current State\n\nWritten by {mark}.\n\n## Session History\n\n{entries}"
            f"## Next Steps\n\n- Carry on.\n")


def content(path: str, value, mark: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if "log" in value:
        return session_log(value.get("id") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0], value)
    if "handoff" in value:
        return handoff(list(value["handoff"]), mark)
    if "json" in value:
        return json.dumps(value["json"], indent=2) + "\n"
    raise ValueError(f"unknown content for {path}: {value!r}")


def build(case: Path, tmp: Path) -> tuple[Repo, dict[str, str], str]:
    """The case's repository, its commits by id, and the ref to check since."""
    spec = yaml.safe_load((case / "history.yaml").read_text(encoding="utf-8"))
    repo = Repo(tmp / case.name)
    main = {".agent-lint.toml": spec.get("config", CONFIG), "README.md": "hello\n"}
    main.update({path: content(path, value, "main") for path, value in (spec.get("main") or {}).items()})
    repo.commit("Initial commit", main)
    branches = {"main"}
    commits: dict[str, str] = {}
    for step in spec["commits"]:
        branch = step.get("branch", "review")
        if branch not in branches:
            repo.git("checkout", "-q", "-b", branch, step.get("from", "main"))
            branches.add(branch)
        else:
            repo.git("checkout", "-q", branch)
        if "merge" in step:
            commits[step["id"]] = merge(repo, step)
            continue
        message = step["message"].rstrip("\n") + "\n"
        if step.get("trailer"):
            message += f"\nSession-Ids: {', '.join(step['trailer'])}\n"
        files = {path: content(path, value, step["id"]) for path, value in (step.get("files") or {}).items()}
        for old, new in (step.get("rename") or {}).items():
            repo.git("mv", old, new)
        commits[step["id"]] = repo.commit(message, files)
    repo.git("checkout", "-q", spec.get("head", "review"))
    return repo, commits, spec.get("since", "main")


def merge(repo: Repo, step: dict) -> str:
    message = step.get("message", f"Merge branch '{step['merge']}'") + "\n"
    if step.get("trailer"):
        message += f"\nSession-Ids: {', '.join(step['trailer'])}\n"
    done = subprocess.run(["git", "merge", "-q", "--no-ff", "--no-commit", step["merge"]], cwd=repo.path,
                          capture_output=True)
    for path, value in (step.get("resolve") or {}).items():
        if value in ("ours", "theirs"):
            repo.git("checkout", f"--{value}", "--", path)
        else:
            (repo.path / path).write_text(content(path, value, step["id"]), encoding="utf-8")
        repo.git("add", "--", path)
    if done.returncode != 0 and not step.get("resolve"):
        raise AssertionError(f"merge of {step['merge']} conflicts: {done.stderr.decode()}")
    return repo.commit(message)


def gate_rows(repo: Repo, since: str) -> tuple[list[str], str]:
    """Rows of ``agent-lint check --since`` in the repository, and what it wrote on stderr."""
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        code = check(CheckOptions(output_format="json", cwd=repo.path, since=since, no_cache=True), out=out)
    violations = json.loads(out.getvalue())["violations"]
    rows = [f"{v['path']}:{v['line']}:{v['column']} {v['code']} {v['message']}" for v in violations]
    assert code == (1 if any(v["severity"] == "error" for v in violations) else 0)
    return rows, err.getvalue()


def batches_text(repo: Repo, since: str) -> str:
    """What ``agent-lint batches --since`` prints in the repository (no colour)."""
    out = io.StringIO()
    check(CheckOptions(cwd=repo.path, since=since, no_cache=True, colour=False), out=out, batches="text")
    return out.getvalue()


def placed(text: str, repo: Repo, commits: dict[str, str]) -> str:
    """``text`` with ``{id}`` and ``{id.short}`` replaced by the case's commits."""
    def name(match: re.Match) -> str:
        sha = commits[match.group(1)]
        short = repo.git("log", "-1", "--format=%h", sha)
        if match.group(2):
            return short
        return f'{short} "{repo.git("log", "-1", "--format=%s", sha)}"'

    return re.sub(r"\{([\w-]+)(\.short)?\}", name, text)


def expected_rows(case: Path, repo: Repo, commits: dict[str, str]) -> list[str]:
    file = case / "expected.txt"
    text = file.read_text(encoding="utf-8") if file.exists() else ""
    return [placed(row.strip(), repo, commits) for row in text.splitlines() if row.strip()]
