"""The per-document work of a large tree, shared between forked worker processes.

A standard pool (concurrent.futures, fork start method) runs the batches;
forked workers inherit the run's state (config, rules, the compiled schema)
instead of receiving it. The results come back in the order of the jobs:
the same as a one-process run.

Heavy jobs (Markdown documents, each costing as much as several JSON logs)
come first, one to a batch, then the others, eight to a batch, so that the
last batches are small and every worker finishes at about the same time.
Where ``os.fork`` does not exist, or a pool cannot start (no /dev/shm for
its locks), this process runs every job.

Stopped by a signal, this process ends its workers with it (guard.py);
a worker itself leaves silently, as it starts with the default handlers.
"""

from __future__ import annotations

import gc
import os
import signal
from typing import Callable, Sequence, TypeVar

from .model import AgentLintError

J = TypeVar("J")
R = TypeVar("R")

POOL_THRESHOLD = 128  # below this many jobs, starting workers costs more than it saves
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_WORK: Callable | None = None  # the work of the run, which each worker inherits through the fork


def share(work: Callable[[J], R], jobs: Sequence[J], processes: int,
          heavy: Callable[[J], bool] = lambda job: False) -> list[R]:
    """``[work(job) for job in jobs]``, in that order, computed by up to ``processes`` processes.

    ``heavy`` jobs (those costlier than most) get a batch each and go first.
    """
    if processes < 2 or len(jobs) < POOL_THRESHOLD or not hasattr(os, "fork"):
        return [work(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORK
    _WORK = work
    first = [[job] for job in jobs if heavy(job)]
    rest = [job for job in jobs if not heavy(job)]
    batches = first + [rest[n:n + 8] for n in range(0, len(rest), 8)]
    try:
        # The workers are forked inside: none starts with this process's handlers, and none has its
        # cycle collector walk (so copy) every object it was born with (gc.freeze's use, as documented).
        with _held():
            gc.freeze()
            try:
                pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                                           initializer=_worker_starts)
                futures = [pool.submit(_run, batch) for batch in batches]
            finally:
                gc.unfreeze()
    except OSError:  # no pool here (no /dev/shm for its locks, no processes left): one process does it all
        return [work(job) for job in jobs]
    try:
        done = [future.result() for future in futures]
    except BrokenProcessPool:
        raise AgentLintError("a worker process stopped unexpectedly; try --jobs 1") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None
    by_batch = {id(job): result for batch, results in zip(batches, done) for job, result in zip(batch, results)}
    return [by_batch[id(job)] for job in jobs]


def _run(batch: list[J]) -> list[R]:
    assert _WORK is not None
    return [_WORK(job) for job in batch]


def _worker_starts() -> None:
    """A worker: the default handlers (a signal ends it silently: its parent speaks), then signals on."""
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


class _held:  # noqa: N801 - a context manager, named like one
    """SIGINT and SIGTERM held back in this block (where the pool forks its workers)."""

    def __enter__(self) -> None:
        self.mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS) if hasattr(signal, "pthread_sigmask") else None

    def __exit__(self, *exc: object) -> None:
        if self.mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)
