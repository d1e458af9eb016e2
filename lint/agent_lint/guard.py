"""The promise every command keeps: a failure is one line on stderr and an exit code, never a traceback.

Shared by the typer commands (cli.guarded) and the entry's direct path to
``check`` (__main__), which must fail exactly alike; neither imports the
other, and this module imports no CLI library.

Stopped by a signal, agent-lint leaves at once, whatever it was doing:
SIGINT (Ctrl-C) exits 130 and SIGTERM 143, as a shell reports a process
those signals ended, each with one line on stderr. Nothing is left behind:
a file being written is a temporary one (registered with
:func:`temporary`) that the handler removes, and helper processes (git,
started with :func:`spawn`) and worker processes
(parallel.py's, which multiprocessing knows) are ended with it.
"""

from __future__ import annotations

import os
import signal
import sys

# Only os, signal and sys at import (not even typing): the entry installs the handlers from
# its first module on. Type checkers take any name TYPE_CHECKING for typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

EXIT_USAGE = 2
_STOPPED = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
_TEMPORARY: set[str] = set()  # files being written, removed if the run is stopped
_CHILDREN: set[int] = set()  # helper processes (git, started with spawn), ended with this one


def _stop(signum: int, frame: Any) -> None:
    for path in list(_TEMPORARY):
        try:
            os.unlink(path)
        except OSError:
            pass
    threading = sys.modules.get("threading")
    if threading is not None:  # the worker pool's own thread sees its workers end: it has nothing to say
        threading.excepthook = lambda args: None
    for pid in list(_CHILDREN):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)  # reaped here: no process of this run outlives it, not even a zombie
        except OSError:
            pass
    multiprocessing = sys.modules.get("multiprocessing")  # (a run that started no worker never imports it)
    for child in multiprocessing.active_children() if multiprocessing else ():
        try:
            child.kill()
            child.join()  # reaped here: no process of this run outlives it, not even a zombie
        except (OSError, ValueError, AssertionError):
            pass
    try:
        os.write(2, f"agent-lint: {_STOPPED.get(signum, 'stopped')}\n".encode())
    finally:
        os._exit(128 + signum)


def handle_signals() -> None:
    """From now on SIGINT and SIGTERM end the process as described above (the command line's entry).

    A signal ignored when the process started (a shell's background job
    ignores SIGINT, so that Ctrl-C reaches only the foreground) stays ignored.
    """
    for signum in _STOPPED:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop)


def spawn(args: Any, **popen: Any) -> Any:
    """subprocess.Popen for a helper process (git), which a signal then ends with this one.

    The pid is registered before a signal can land (they are held back while
    the process starts), so a stopped run never leaves a child behind, not
    even a zombie; :func:`run` waits for it and lets it go.
    """
    import subprocess

    block = getattr(signal, "pthread_sigmask", None)
    held = block(signal.SIG_BLOCK, set(_STOPPED)) if block else None
    try:
        process = subprocess.Popen(args, **popen)
        _CHILDREN.add(process.pid)
    finally:
        if block:
            block(signal.SIG_SETMASK, held)
    return process


def finish(process: Any, timeout: float | None = None, input: bytes | None = None) -> Any:
    """``process.communicate`` as subprocess.run does it: its CompletedProcess; killed on a timeout."""
    import subprocess

    try:
        out, err = process.communicate(input, timeout=timeout)
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
    finally:
        if process.returncode is not None:
            reaped(process.pid)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def run(args: Any, *, timeout: float | None = None, input: bytes | None = None, **popen: Any) -> Any:
    """subprocess.run(args, capture_output=True, ...) through :func:`spawn`."""
    import subprocess

    stdin = subprocess.PIPE if input is not None else popen.pop("stdin", None)
    process = spawn(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
    return finish(process, timeout, input)


class temporary:  # noqa: N801 - used as a context manager, named like one
    """While the block runs, ``path`` is a file of this run's to remove should it be stopped."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self) -> None:
        _TEMPORARY.add(self.path)

    def __exit__(self, *exc: object) -> None:
        _TEMPORARY.discard(self.path)


def reaped(pid: int) -> None:
    _CHILDREN.discard(pid)


class Failed(Exception):
    """Raised once the failure's message is written: the process should exit with ``code``."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def fail(message: str) -> Failed:
    from .report import printable  # a message may name a file: one line, whatever its name holds

    sys.stderr.write(f"agent-lint: error: {printable(message)}\n")
    return Failed(EXIT_USAGE)


def call(func: Callable[..., Any], *args: Any, passthrough: tuple[type[BaseException], ...] = (),
         **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, with every exception but ``passthrough`` turned into :class:`Failed`.

    An AgentLintError is the user's to fix (its message says how); any other
    exception is an internal error, shown in one line unless
    ``AGENT_LINT_DEBUG`` asks for the traceback.
    """
    from .model import AgentLintError

    try:
        return func(*args, **kwargs)
    except passthrough:
        raise
    except AgentLintError as err:
        raise fail(str(err)) from None
    except KeyboardInterrupt:  # where the handlers are not installed (a caller's own process)
        sys.stderr.write("agent-lint: interrupted\n")
        raise Failed(128 + signal.SIGINT) from None
    except BrokenPipeError:  # the reader left (| head): nothing more to say to it
        raise Failed(1) from None
    except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("AGENT_LINT_DEBUG"):
            raise
        raise fail(f"internal error: {type(err).__name__}: {err} (set AGENT_LINT_DEBUG=1 for details)") from None
