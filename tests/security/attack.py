"""agent-lint run as a real process on a hostile project: what the security tests share.

Each case of the threat model ("a hostile repository gets nothing") runs
``python -m agent_lint`` in a child process with its own user cache folder,
a time limit (a hang fails the test instead of the suite) and, where memory
is the attack, a limit on it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


VALID_LOG = (
    '{{"id": "{id}", "date": "2026-03-02", "agent": "claude-code", "role": "single", '
    '"objective": "Check", "workLog": [], "outcome": "Done.", "status": "complete", '
    '"completed": "2026-03-02T10:00:00Z"}}\n'
)
HANG = 60  # seconds: far beyond any run here, short of a run that never ends


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def agent_lint(*args: str, cwd: Path, cache: Path, memory_mb: int | None = None, env: dict | None = None,
               timeout: float = HANG) -> Run:
    """``python -m agent_lint ARGS`` in ``cwd``, with ``cache`` as the user cache folder."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), **(env or {})}
    environment.pop("AGENT_LINT_DEBUG", None)

    def limit() -> None:
        if memory_mb is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    result = subprocess.run([sys.executable, "-m", "agent_lint", *args], cwd=cwd, env=environment,
                            capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout, preexec_fn=limit)
    decode = lambda data: data.decode("utf-8", "surrogateescape")  # noqa: E731
    return Run(result.returncode, decode(result.stdout), decode(result.stderr))


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
