"""Running a command as a child process and measuring it the same way every time.

Wall time is taken around spawn and reap; CPU time (user + system) and peak
memory (max RSS) come from the child's own rusage as ``os.wait4`` returns it,
so they count the child alone, not the benchmark. On Linux that rusage also
covers the processes the child reaped (a process pool's workers): CPU time
is their sum, peak memory the largest single one of them. A measurement is
the median of several runs, each metric taken separately.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

# ru_maxrss is in kilobytes on Linux and in bytes on macOS.
_RSS_TO_MB = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024


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
    """Run ``argv`` to completion; stdout goes to /dev/null unless captured."""
    # Files, not pipes: nothing to drain while the child runs, so no deadlock
    # and no reader thread in the measured interval.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL, stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        # Popen did not reap the child itself; tell it, or it warns on exit.
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(
            wall_ms=wall * 1000,
            cpu_ms=(usage.ru_utime + usage.ru_stime) * 1000,
            peak_mb=usage.ru_maxrss * _RSS_TO_MB,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


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
