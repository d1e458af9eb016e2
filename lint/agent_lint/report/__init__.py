"""Output formats. Each module renders a :class:`Report` to text.

Formats are looked up by name in FORMATS and imported only when chosen, so
the default text output never pays for SARIF or JUnit.

Messages quote documents and paths name their files, both chosen by
whoever wrote the repository: before any format sees them, every control
character in them is escaped (:func:`printable`), so a violation is one
line of text, cannot move the cursor, colour a terminal or start a line
with a GitHub workflow command (``::``).
"""

from __future__ import annotations

import importlib
import re
from typing import Callable, NamedTuple, Sequence

from ..model import Rule, Violation

FORMATS = {
    "text": "text",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
}


class Report(NamedTuple):
    violations: Sequence[Violation]
    files: int  # documents reported on
    rules: Sequence[Rule]  # every known rule, for formats that describe them
    display_path: Callable[[str], str]  # root-relative path -> path shown to the user
    version: str
    # Markdown a run adds to the GitHub step summary (the batch diagrams of
    # --since), computed by the runner so formats never call git themselves.
    extra_markdown: str = ""
    colour: bool = False  # text on a terminal (terminal.wants_colour)
    held_back: int = 0  # violations the baseline recorded, so not reported
    # Where the project root lies in its repository ("" at the top, else "sub/"), and the
    # repository's folder as a file URI: annotations and SARIF name files from the repository's
    # top, which is what GitHub attaches them to, whatever folder agent-lint ran in.
    repository_prefix: str = ""
    repository_uri: str | None = None
    # With --since, each parallel batch and what parallelism saved (batch_view.figures), for
    # the json format; None without a history.
    batches: Sequence[dict] | None = None


# C0 and C1 controls, DEL, line and paragraph separators, the marks that reorder text on screen
# (bidirectional overrides and isolates), and lone surrogates, which no output encoding can hold.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``, ``\\u2028``)."""
    return _UNPRINTABLE.sub(_escaped, text) if _UNPRINTABLE.search(text) else text


def shown_path(path: str) -> str:
    """A path as a line may start with it: printable, and never starting with ``:`` (``./::x``)."""
    path = printable(path)
    return "./" + path if path.startswith(":") else path


def render(fmt: str, report: Report) -> str:
    module = importlib.import_module(f".{FORMATS[fmt]}", __name__)
    display = report.display_path
    violations = [v if _UNPRINTABLE.search(v.message) is None else v._replace(message=printable(v.message))
                  for v in report.violations]
    return module.render(report._replace(violations=violations, display_path=lambda path: shown_path(display(path))))
