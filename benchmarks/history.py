"""A synthetic pull request of many commits, for the PR gate's rows of the benchmark.

``generate(root, commits, seed)`` writes a git repository whose branch
``review`` holds ``commits`` commits on top of ``main``, written with
``git fast-import`` (a few seconds for 5,000 commits, where one ``git
commit`` each would take minutes). It holds what real pull requests hold:
mostly sequential sessions (a log, some code, the HANDOFF update with its
``Session-Ids`` trailer; half of their logs state no role, as most real
ones do not), and parallel batches whose workers commit on their
own branches, merged back before the orchestrator's update.

On it the benchmark times, in one invocation, ``git log --name-status`` of
the range (the floor: git reading the same commits), ``agent-lint check
--since main --select AL4`` and the same check without ``--since``; the
difference of the last two is the AL4xx stage.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

CONFIG = '# The benchmark\'s pull request: the gate rules only.\nselect = ["AL4"]\n'
START = 1_767_225_600  # 2026-01-01T00:00:00Z


def _log(session_id: str, role: str, orchestrator: str = "", dispatched: tuple[str, ...] = ()) -> str:
    lines = [f"# Session {session_id}", "", f"**Date**: {session_id[:10]}", "**Agent**: benchmark",
             *([f"**Role**: {role}"] if role else []), "**Objective**: One step of the synthetic pull request"]
    if orchestrator:
        lines.append(f"**Orchestrator**: {orchestrator}")
    if dispatched:
        lines.append(f"**Dispatched**: {', '.join(dispatched)}")
    lines += ["**Status**: complete", f"**Completed**: {session_id[:10]}T12:00Z", "", "## Work Log", "",
              "- 10:00 Started.", "- 11:00 Done.", ""]
    if role == "orchestrator":
        lines += ["## Prerequisites Checklist", "", "- [x] Tasks are independent", ""]
    lines += ["## Outcome", "", "Done.", ""]
    return "\n".join(lines)


class _Stream:
    """A fast-import stream under construction: commits with marks, file contents inline."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.clock = START

    def commit(self, branch: str, message: str, files: dict[str, str], parents: tuple[int, ...] = ()) -> int:
        self.mark += 1
        self.clock += 60
        data = message.encode()
        out = [f"commit refs/heads/{branch}\nmark :{self.mark}\n",
               f"author Bench <bench@example.org> {self.clock} +0000\n",
               f"committer Bench <bench@example.org> {self.clock} +0000\n",
               f"data {len(data)}\n"]
        self.parts += [part.encode() for part in out] + [data, b"\n"]
        if parents:
            self.parts.append(f"from :{parents[0]}\n".encode())
            self.parts += [f"merge :{parent}\n".encode() for parent in parents[1:]]
        for path, text in files.items():
            blob = text.encode()
            self.parts += [f"M 100644 inline {path}\ndata {len(blob)}\n".encode(), blob, b"\n"]
        self.parts.append(b"\n")
        return self.mark


def generate(root: Path, commits: int, seed: int = 0) -> str:
    """A repository at ``root`` whose ``review`` branch adds ``commits`` commits to ``main``; returns the base ref."""
    rng = random.Random(seed)
    stream = _Stream()
    handoff = ["# Handoff", "", "## Current State", "", "Main is green.", "", "## Session History", ""]

    def handoff_text() -> str:
        return "\n".join(handoff[-60:] + ["", "## Next Steps", "", "- Carry on.", ""])

    base = stream.commit("main", "Initial commit\n", {".agent-lint.toml": CONFIG, "HANDOFF.md": handoff_text(),
                                                      "README.md": "A synthetic pull request.\n"})
    head = base
    made = 0
    session = 0
    while made < commits:
        session += 1
        day = f"2026-{1 + session // 900 % 12:02d}-{1 + session // 30 % 28:02d}"
        ident = f"{day}-step-{session}"
        trailer: list[str]
        if rng.random() < 0.75 or commits - made < 10:
            # A single session: its log, a change or two, then its HANDOFF update.
            log = f".agents/sessions/{ident}.md"
            # Most real logs state no role: half of these do not either.
            role = "single" if rng.random() < 0.5 else ""
            head = stream.commit("review", f"docs: start {ident}\n", {log: _log(ident, role)}, (head,))
            made += 1
            for n in range(rng.randint(0, 2)):
                head = stream.commit("review", f"feat: part {n} of {ident}\n",
                                     {f"src/module_{rng.randrange(200)}.txt": f"{ident} {n}\n"}, (head,))
                made += 1
            trailer = [ident]
        else:
            # A batch: the orchestrator's log, workers on branches merged back, one update.
            workers = tuple(f"{ident}-w{n}" for n in range(rng.randint(2, 4)))
            head = stream.commit("review", f"orchestrator: dispatch {len(workers)} workers\n",
                                 {f".agents/sessions/{ident}.md": _log(ident, "orchestrator", dispatched=workers)},
                                 (head,))
            made += 1
            tips = []
            for worker in workers:
                files = {f".agents/sessions/{worker}.md": _log(worker, "worker", ident),
                         f"src/{worker}.txt": f"{worker}\n"}
                tips.append((stream.commit(f"work/{worker}", f"{worker}: log and change\n", files, (head,)), files))
                made += 1
            for tip, files in tips:
                # fast-import starts a merge's tree from its first parent: the branch's files are named again.
                head = stream.commit("review", f"Merge branch of {ident}\n", files, (head, tip))
                made += 1
            trailer = [ident, *workers]
        handoff.append(f"### {trailer[0]}\n\n**Sessions**: {', '.join(trailer)}\n\n**Summary**: Done.\n")
        head = stream.commit("review", f"docs: record {ident}\n\nSession-Ids: {', '.join(trailer)}\n",
                             {"HANDOFF.md": handoff_text()}, (head,))
        made += 1
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(stream.parts), check=True)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-f", "review"], check=True)
    return "main"
