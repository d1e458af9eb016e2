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
with a costly set-up can be left to the children. A child pickles each result as it
is made and streams it back; a thread here reads the pipe while this
process works, so a child never waits on a full pipe, and nothing is
gathered twice in memory. Results arrive in no particular order: callers
key them.

A child's exception is sent back and raised here; a child that dies without
a word (killed, out of memory) is an :class:`AgentLintError`. Only where
``os.fork`` exists; elsewhere callers run the jobs here.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
from typing import Any, Callable, Iterator, Sequence, TypeVar

from .model import AgentLintError

T = TypeVar("T")
_TICKET = struct.Struct("<H")
# Every ticket is written before the fork, so all must fit in the pipe at once: 4 KiB, the
# smallest capacity Linux gives a pipe (when a user's pipe allowance is spent).
_MAX_TICKETS = 4096 // _TICKET.size
_PIPE_BUFFER = 1 << 20  # the child's writes: one system call per megabyte


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
    try:
        pipes.extend(_tickets(batches) for batches in queues)
        forward = range(len(pipes))
        for _ in range(processes - 1):
            children.append(_Child.start(lambda: (there(job) for batch in claimed(forward) for job in batch)))
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
    """A forked process streaming pickled results back, and the thread reading them here."""

    def __init__(self, pid: int, reader: Any):
        self.pid = pid
        self._reader = reader
        self._frames: list[Any] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        self._status: int | None = None

    @classmethod
    def start(cls, work: Callable[[], Iterator[Any]]) -> "_Child":
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            code = 0
            try:
                with os.fdopen(write, "wb", buffering=_PIPE_BUFFER) as out:
                    try:
                        for result in work():
                            pickle.dump((True, result), out, protocol=pickle.HIGHEST_PROTOCOL)
                    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
                        pickle.dump((False, _portable(error)), out, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - the parent is gone: nobody to tell
                code = 1
            os._exit(code)  # no atexit handlers, no flush of buffers the parent owns
        os.close(write)
        return cls(pid, os.fdopen(read, "rb"))

    def _read(self) -> None:
        """Frames as they arrive (a thread: the parent is busy with its own share meanwhile)."""
        frames = self._frames
        try:
            while True:
                frames.append(pickle.load(self._reader))
        except EOFError:
            pass
        except BaseException as error:  # noqa: BLE001 - a torn frame: reported by results()
            frames.append((False, AgentLintError(f"a worker process sent a broken result: {error}")))

    def results(self) -> Iterator[Any]:
        self._thread.join()
        _, status = os.waitpid(self.pid, 0)
        self._status = status
        for ok, value in self._frames:
            if not ok:
                raise value
            yield value
        if status != 0:
            why = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.waitstatus_to_exitcode(status)}"
            raise AgentLintError(f"a worker process stopped unexpectedly ({why}); try --jobs 1")

    def stop(self) -> None:
        """After an error here: do not leave the child running or unreaped."""
        if self._status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        self._thread.join()
        self._reader.close()


def _portable(error: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any failure to round-trip
        return RuntimeError(f"{type(error).__name__}: {error}")
