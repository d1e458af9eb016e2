"""The promise every command keeps: a failure is one line on stderr and an exit code, never a traceback.

Shared by the typer commands (cli.guarded) and the entry's direct path to
``check`` (__main__), which must fail exactly alike; neither imports the
other, and this module imports no CLI library.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

from .model import AgentLintError

EXIT_USAGE = 2


class Failed(Exception):
    """Raised once the failure's message is written: the process should exit with ``code``."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def fail(message: str) -> Failed:
    sys.stderr.write(f"agent-lint: error: {message}\n")
    return Failed(EXIT_USAGE)


def call(func: Callable[..., Any], *args: Any, passthrough: tuple[type[BaseException], ...] = (),
         **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, with every exception but ``passthrough`` turned into :class:`Failed`.

    An AgentLintError is the user's to fix (its message says how); any other
    exception is an internal error, shown in one line unless
    ``AGENT_LINT_DEBUG`` asks for the traceback.
    """
    try:
        return func(*args, **kwargs)
    except passthrough:
        raise
    except AgentLintError as err:
        raise fail(str(err)) from None
    except KeyboardInterrupt:
        raise fail("interrupted") from None
    except BrokenPipeError:  # the reader left (| head): nothing more to say to it
        raise Failed(1) from None
    except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("AGENT_LINT_DEBUG"):
            raise
        raise fail(f"internal error: {type(err).__name__}: {err} (set AGENT_LINT_DEBUG=1 for details)") from None
