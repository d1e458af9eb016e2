"""``python -m agent_lint`` and the ``agent-lint`` console script."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .runner import CheckOptions


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    options = plain_check(args)
    if options is not None:
        from .guard import Failed, call
        from .runner import check

        try:
            return call(check, options)
        except Failed as failed:
            return failed.code
    from .cli import run

    return run(args)


def plain_check(args: Sequence[str]) -> CheckOptions | None:
    """The options of ``agent-lint check [PATH...]``, or None for any other command line.

    The two calls that run most often, pre-commit's (``check`` and the
    changed files) and CI's (``check`` alone), go straight to the check:
    importing typer is a third of a run the cache answers (about 25 of
    75 ms). Anything else, an option, ``--``, ``--help``, a path that starts
    with "-", goes through typer as always. A test holds the options built
    here equal to those typer's ``check`` builds for the same arguments.
    """
    if not args or args[0] != "check" or any(arg.startswith("-") for arg in args[1:]) or os.name == "nt":
        return None  # (on Windows click also expands wildcards in arguments: leave that to it)
    from pathlib import Path

    from .runner import CheckOptions

    return CheckOptions(paths=tuple(Path(arg) for arg in args[1:]))


def console() -> None:
    """The process entry: run, flush the output, and leave without tearing Python down.

    Freeing every module and object on the way out cost about 12 ms of each
    run, a tenth of a check answered from the cache. Nothing is left to clean
    up by then: the cache is written and the worker processes reaped before
    ``run`` returns, and the output is flushed here (mypy leaves the same
    way). Where the flush fails (a closed pipe), Python's own exit reports it
    as usual.
    """
    from .guard import handle_signals

    handle_signals()  # (already done on import, unless the entry was named otherwise)
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    console()
