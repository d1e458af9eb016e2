"""The per-document work of a large tree, shared between forked worker processes.

A standard pool (concurrent.futures, fork start method) runs the batches;
forked workers inherit the run's state (config, rules, the compiled schema)
instead of receiving it. Results come out in a fixed order (:func:`ordered`),
each batch's as soon as it and those before it are done (:func:`stream`):
the same as a one-process run, and held no longer than the caller holds them.
Batches are submitted a few per worker ahead of the one given next (AHEAD),
so results done out of turn wait for a bounded time: memory follows the
work in flight, not the size of the tree.

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
from collections import deque
from itertools import islice
from typing import Callable, Iterator, Sequence, TypeVar

from .model import AgentLintError

J = TypeVar("J")
R = TypeVar("R")

POOL_THRESHOLD = 128  # below this many jobs, starting workers costs more than it saves
AHEAD = 16  # batches submitted per worker ahead of the one whose results are given next
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_WORK: Callable | None = None  # the work of the run, which each worker inherits through the fork


def share(work: Callable[[J], R], jobs: Sequence[J], processes: int,
          heavy: Callable[[J], bool] = lambda job: False) -> list[R]:
    """``[work(job) for job in jobs]``, in that order, computed by up to ``processes`` processes."""
    by_job = {id(job): result for job, result in zip(ordered(jobs, heavy), stream(work, jobs, processes, heavy))}
    return [by_job[id(job)] for job in jobs]


def ordered(jobs: Sequence[J], heavy: Callable[[J], bool] = lambda job: False) -> list[J]:
    """The jobs in the order :func:`stream` gives their results: the heavy ones first."""
    return [job for job in jobs if heavy(job)] + [job for job in jobs if not heavy(job)]


def stream(work: Callable[[J], R], jobs: Sequence[J], processes: int,
           heavy: Callable[[J], bool] = lambda job: False) -> Iterator[R]:
    """``work(job)`` for each job, in the order of :func:`ordered` (heavy jobs first, then the others),
    computed by up to ``processes`` processes; each result as soon as it and those before it are ready."""
    if processes < 2 or len(jobs) < POOL_THRESHOLD or not hasattr(os, "fork"):
        yield from map(work, ordered(jobs, heavy))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORK
    _WORK = work
    rest = [job for job in jobs if not heavy(job)]
    batches = [[job] for job in jobs if heavy(job)] + [rest[n:n + 8] for n in range(0, len(rest), 8)]
    try:
        # The workers are forked inside: none starts with this process's handlers, and none has its
        # cycle collector walk (so copy) every object it was born with (gc.freeze's use, as documented).
        with _held():
            gc.freeze()
            try:
                pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                                           initializer=_worker_starts)
                pending = iter(batches)
                # Submitted a few batches ahead of the one given next, not all at once: results done
                # out of turn wait in their futures, so the work in flight bounds them, not the tree.
                futures = deque(pool.submit(_run, batch) for batch in islice(pending, AHEAD * processes))
            finally:
                gc.unfreeze()
    except OSError:  # no pool here (no /dev/shm for its locks, no processes left): one process does it all
        _WORK = None
        yield from map(work, ordered(jobs, heavy))
        return
    try:
        while futures:
            future = futures.popleft()  # its results are the caller's once given
            for batch in islice(pending, 1):
                futures.append(pool.submit(_run, batch))
            yield from future.result()
    except BrokenProcessPool:
        raise AgentLintError("a worker process stopped unexpectedly; try --jobs 1") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None


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
