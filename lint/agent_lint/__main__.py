"""``python -m agent_lint`` and the ``agent-lint`` console script."""

from __future__ import annotations

import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from .cli import run

    return run(list(sys.argv[1:] if argv is None else argv))


def console() -> None:
    """The process entry (the ``agent-lint`` script, ``python -m agent_lint``)."""
    from .guard import handle_signals

    handle_signals()  # (already done on import, unless the entry was named otherwise)
    sys.exit(main())


if __name__ == "__main__":
    console()
