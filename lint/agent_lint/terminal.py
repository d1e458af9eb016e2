"""What a terminal adds to plain text: colour, and the width to fit.

ruff's convention: colour only when the stream is a terminal; ``NO_COLOR``
(any value but empty) turns it off, ``FORCE_COLOR`` turns it on even for a
pipe, and wins over ``NO_COLOR``. Coloured text with its escape sequences
removed is the plain text byte for byte, so what a script reads never
depends on the colour.
"""

from __future__ import annotations

import os
import re
from typing import IO, Any

_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def wants_colour(stream: IO[Any] | None) -> bool:
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream is not None and stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, OSError, ValueError):  # no isatty, or a closed stream
        return False


def paint(text: str, *styles: str, on: bool = True) -> str:
    """``text`` in the given styles (bold, dim, red, green, yellow, cyan), or as it is when not ``on``."""
    if not on or not styles or not text:
        return text
    return f"\x1b[{';'.join(_STYLES[style] for style in styles)}m{text}\x1b[0m"


def plain(text: str) -> str:
    """``text`` with every colour removed."""
    return _ESCAPE.sub("", text)


SEVERITY_STYLE = {"error": "red", "warning": "yellow"}


def width(stream: IO[Any] | None) -> int | None:
    """The columns of the terminal ``stream`` writes to, or None for a file or pipe (no wrapping)."""
    try:
        if stream is None or not stream.isatty():
            return None
    except (AttributeError, OSError, ValueError):
        return None
    import shutil

    return shutil.get_terminal_size().columns
