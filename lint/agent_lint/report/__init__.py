"""Output formats. Each module renders a :class:`Report` to text.

Formats are looked up by name in FORMATS and imported only when chosen, so
the default text output never pays for SARIF or JUnit.
"""

from __future__ import annotations

import importlib
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


def render(fmt: str, report: Report) -> str:
    module = importlib.import_module(f".{FORMATS[fmt]}", __name__)
    return module.render(report)
