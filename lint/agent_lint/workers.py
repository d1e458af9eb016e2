"""Share a list of jobs between this process and forked children.

``multiprocessing.Pool`` leaves the calling process idle while its workers
run, so on two cores a pool of two runs three processes: the parent's
unpickling of every result competes with the workers, half the results
cross a pipe that need not, and the pool's own start and stop cost ~5 ms.
Here the caller is one of the workers: it forks ``processes - 1`` children,
and every process, itself included, takes the next batch from a shared
list of tickets until none is left, so the work ends at the same moment in
every process (measured on the real corpus, two cores: the per-document
stage 400 -> 365 ms, the whole cold check 580 -> 540 ms).

The tickets are the numbers of the batches, one pipe per queue, written
before the fork; a read of one two-byte ticket is atomic, so no lock or
semaphore is needed (some sandboxes have no /dev/shm). Children take from
the queues in one order and this process in the other, so a kind of work
with a costly set-up can be left to the children.

A child pickles each result as it is made into an anonymous file (memfd on
Linux) opened before the fork, which this process reads once the child has
exited. A pipe read by a thread here was tried first: the thread needed the
GIL for every result and got it about once per switch interval (5 ms)
while this process worked, so past the pipe's capacity a child would wait
on it; a file never makes anyone wait. Results arrive in no particular
order: callers key them.

A child's exception is sent back and raised here; a child that dies without
a word (killed, out of memory) is an :class:`AgentLintError`. Only where
``os.fork`` exists; elsewhere callers run the jobs here.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from typing import Any, Callable, Iterator, Sequence, TypeVar

from .guard import fork, reaped
from .model import AgentLintError

T = TypeVar("T")
_TICKET = struct.Struct("<H")
# Every ticket is written before the fork, so all must fit in the pipe at once: 4 KiB, the
# smallest capacity Linux gives a pipe (when a user's pipe allowance is spent).
_MAX_TICKETS = 4096 // _TICKET.size
_BUFFER = 1 << 20  # a child's writes and this process's reads: one system call per megabyte


def can_fork() -> bool:
    return hasattr(os, "fork")


def share(queues: Sequence[Sequence[Sequence[T]]], processes: int, here: Callable[[T], None],
          there: Callable[[T], Any], take: Callable[[Any], None]) -> None:
    """Run every job once: ``here(job)`` in this process, or ``there(job)`` in a child.

    ``queues`` are lists of batches of jobs. Children empty them first to
    last, this process last to first, each process taking the next batch of
    the first queue that has one: work that needs a costly set-up (an
    import) can go first to the children and last to this process, which
    then may never pay for it. What ``there`` returns is pickled, sent back
    and passed to ``take`` in this process (after its own share is done).
    """
    pipes: list[tuple[int, Sequence[Sequence[T]]]] = []

    def claimed(order: Sequence[int]) -> Iterator[Sequence[T]]:
        for index in order:
            read, batches = pipes[index]
            while len(ticket := os.read(read, _TICKET.size)) == _TICKET.size:
                yield batches[_TICKET.unpack(ticket)[0]]

    children: list[_Child] = []
    scratch: list[Any] = []
    try:
        pipes.extend(_tickets(batches) for batches in queues)
        forward = range(len(pipes))
        try:
            scratch.extend(_scratch_file() for _ in range(processes - 1))  # all before any fork
        except OSError:  # nowhere to put a child's results (no memfd, no writable temp folder):
            for file in scratch:  # this process does it all
                file.close()
            scratch.clear()
        for file in scratch:
            children.append(_Child.start(lambda: (there(job) for batch in claimed(forward) for job in batch), file))
        for batch in claimed(forward[::-1]):
            for job in batch:
                here(job)
        for child in children:
            for result in child.results():
                take(result)
    finally:
        for read, _ in pipes:
            os.close(read)
        for child in children:
            child.stop()
        for file in scratch:
            file.close()


def _tickets(batches: Sequence[Sequence[T]]) -> tuple[int, Sequence[Sequence[T]]]:
    """A pipe holding the number of every batch, and the batches the numbers name."""
    if len(batches) > _MAX_TICKETS:  # a huge tree: fewer, larger batches, in the same order
        step = -(-len(batches) // _MAX_TICKETS)
        batches = [[job for batch in batches[n:n + step] for job in batch] for n in range(0, len(batches), step)]
    read, fill = os.pipe()
    try:
        os.write(fill, b"".join(_TICKET.pack(n) for n in range(len(batches))))
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(fill)
    return read, batches


class _Child:
    """A forked process writing its pickled results to a scratch file this process reads after it."""

    def __init__(self, pid: int, scratch: Any):
        self.pid = pid
        self._scratch = scratch
        self._status: int | None = None

    @classmethod
    def start(cls, work: Callable[[], Iterator[Any]], scratch: Any) -> "_Child":
        pid = fork()
        if pid != 0:
            return cls(pid, scratch)
        code = 0  # the child, from here on: never returns
        try:
            try:
                for result in work():
                    pickle.dump((True, result), scratch, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
                pickle.dump((False, _portable(error)), scratch, protocol=pickle.HIGHEST_PROTOCOL)
            scratch.flush()
        except BaseException:  # noqa: BLE001 - nowhere left to say it: the exit code does
            code = 1
        os._exit(code)  # no atexit handlers, no flush of buffers the parent owns

    def results(self) -> Iterator[Any]:
        _, status = os.waitpid(self.pid, 0)
        self._status = status
        reaped(self.pid)
        if status != 0:
            why = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.waitstatus_to_exitcode(status)}"
            raise AgentLintError(f"a worker process stopped unexpectedly ({why}); try --jobs 1")
        scratch = self._scratch
        scratch.seek(0)  # the child wrote through the same open file, from its start
        while True:
            try:
                ok, value = pickle.load(scratch)
            except EOFError:
                return
            except Exception as error:  # noqa: BLE001 - a torn result: say so, once
                raise AgentLintError(f"a worker process left a broken result: {error}") from None
            if not ok:
                raise value
            yield value

    def stop(self) -> None:
        """After an error here: do not leave the child running or unreaped."""
        if self._status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            reaped(self.pid)


def _scratch_file() -> Any:
    """An anonymous file for a child's results: in memory where Linux offers one (memfd),
    else an unlinked temporary file. Opened before the fork, so both ends share it."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create("agent-lint-results", os.MFD_CLOEXEC), "w+b", buffering=_BUFFER)
        except OSError:
            pass
    import tempfile

    return tempfile.TemporaryFile(buffering=_BUFFER)


def _portable(error: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any failure to round-trip
        return RuntimeError(f"{type(error).__name__}: {error}")
