"""Running a command as a child process and measuring it the same way every time.

Each command is started by ``launcher.py``, a bare interpreter that times
spawn-to-reap and reads the command's own rusage from ``os.wait4``: CPU time
(user + system) and peak memory (max RSS) count the command alone, neither
the benchmark nor the launcher (see launcher.py for why it is needed). On
Linux that rusage also covers the processes the command reaped (a process
forked workers): CPU time is their sum, peak memory the largest single one.
A measurement is the median of several runs, each metric taken separately.

Commands that are compared run in rounds (:func:`alternate`): each round
runs every command once, in a fixed order, so that a burst of load from
other work on the machine falls on all of them alike rather than on the
runs of one. The order also sets each command's state (a cache cleared
before the cold run is full for the warm run that follows it).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

LAUNCHER = Path(__file__).resolve().parent / "launcher.py"


@dataclass(frozen=True)
class Sample:
    wall_ms: float
    cpu_ms: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Measurement:
    """The median of several runs of one command, with every run kept."""

    samples: list[Sample]
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.samples)

    def median(self, metric: str) -> float:
        return statistics.median(getattr(s, metric) for s in self.samples)

    def as_json(self) -> dict:
        data = {
            "wall_ms": round(self.median("wall_ms"), 2),
            "cpu_ms": round(self.median("cpu_ms"), 2),
            "peak_mb": round(self.median("peak_mb"), 2),
            "runs": [
                {"wall_ms": round(s.wall_ms, 2), "cpu_ms": round(s.cpu_ms, 2), "peak_mb": round(s.peak_mb, 2),
                 "returncode": s.returncode}
                for s in self.samples
            ],
        }
        if self.note:
            data["note"] = self.note
        data.update(self.extra)
        return data


class CommandFailed(Exception):
    """A measured command exited with a code it must not have."""


def run_once(argv: Sequence[str], cwd: Path, env: dict[str, str], *, capture: bool = False) -> Sample:
    """Run ``argv`` (an absolute executable first) to completion.

    Its stdout goes to /dev/null unless captured. Raises OSError when the
    command cannot be started.
    """
    with tempfile.TemporaryDirectory(prefix="agent-lint-run-") as tmp:
        out = Path(tmp) / "stdout" if capture else Path(os.devnull)
        err = Path(tmp) / "stderr"
        done = subprocess.run(
            [sys.executable, str(LAUNCHER), str(cwd), str(out), str(err), *argv],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        )
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise OSError(f"launcher failed: {done.stderr.strip()[-300:]}") from None
        if "error" in report:
            raise OSError(report["error"])
        return Sample(
            wall_ms=report["wall_ms"],
            cpu_ms=report["cpu_ms"],
            peak_mb=report["maxrss_kb"] / 1024,
            returncode=report["returncode"],
            stdout=out.read_text(encoding="utf-8", errors="replace") if capture else "",
            stderr=err.read_text(encoding="utf-8", errors="replace"),
        )


@dataclass
class Step:
    """One command of a round (see :func:`alternate`)."""

    name: str
    argv: Sequence[str]
    cwd: Path
    before: Callable[[], None] | None = None  # runs ahead of each run, untimed
    accept: Callable[[int], bool] = lambda code: code == 0
    capture: bool = False


def alternate(steps: Sequence[Step], env: dict[str, str], *, runs: int, warmup: int = 0,
              log: Callable[[str], None] = lambda message: None) -> dict[str, Measurement | str]:
    """``warmup`` untimed rounds, then ``runs`` timed ones; each round runs every step once, in order.

    A step that fails (it cannot start, or exits with a code it must not)
    is left out of the rounds after; its entry is the error's text.
    """
    samples: dict[str, list[Sample]] = {step.name: [] for step in steps}
    failed: dict[str, str] = {}
    for index in range(warmup + runs):
        for step in steps:
            if step.name in failed:
                continue
            try:
                if step.before is not None:
                    step.before()
                sample = run_once(step.argv, step.cwd, env, capture=step.capture)
            except OSError as err:
                failed[step.name] = str(err)
                log(f"  {step.name} failed: {err}")
                continue
            if not step.accept(sample.returncode):
                last = (sample.stderr.strip().splitlines() or ["(no output on stderr)"])[-1]
                failed[step.name] = f"{' '.join(step.argv[-3:])} exited {sample.returncode}: {last}"
                log(f"  {step.name} failed: {failed[step.name]}")
                continue
            if index >= warmup:
                samples[step.name].append(sample)
    return {name: failed.get(name) or Measurement(found) for name, found in samples.items()}


def measure(
    argv: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    *,
    runs: int,
    warmup: int = 0,
    before: Callable[[], None] | None = None,
    capture: bool = False,
    accept: Callable[[int], bool] = lambda code: code == 0,
) -> Measurement:
    """``runs`` timed runs after ``warmup`` untimed ones; ``before`` runs ahead of each."""
    samples = []
    for index in range(warmup + runs):
        if before is not None:
            before()
        sample = run_once(argv, cwd, env, capture=capture)
        if not accept(sample.returncode):
            last = (sample.stderr.strip().splitlines() or ["(no output on stderr)"])[-1]
            raise CommandFailed(f"{' '.join(argv[-3:])} exited {sample.returncode}: {last}")
        if index >= warmup:
            samples.append(sample)
    return Measurement(samples)
