"""``--output-format github``: GitHub Actions workflow commands, one annotation per violation.

Each violation becomes ``::error file=…,line=…,col=…,title=CODE name::message``
(``::warning`` for warnings), then the plain-text summary line follows.
Values are escaped the way actions/toolkit (``packages/core/src/command.ts``)
escapes them, so a document cannot smuggle a newline and a second ``::``
command into the log through a message or a file name.

GitHub shows only a handful of annotations per step, so when
``GITHUB_STEP_SUMMARY`` is set the complete list is also appended to that
file as a Markdown table (:func:`step_summary`). That append is the only
side effect of any output format; failing to write is a warning, not an error.
"""

from __future__ import annotations

import os
import string
import sys

from . import Report, printable
from .text import summary

MAX_SUMMARY_ROWS = 1000


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, violation) -> str:
    properties = []
    # A project-level violation has no file; pointing file= at "." would
    # attach it to nothing, while an annotation without one shows on the run.
    if violation.path:
        properties += [
            # Relative to the repository's top: GitHub attaches it to the diff from there.
            f"file={escape_property(printable(report.repository_prefix + violation.path))}",
            f"line={violation.line}",
            f"col={violation.column}",
        ]
    properties.append(f"title={escape_property(f'{violation.code} {violation.name}')}")
    return f"::{violation.severity.value} {','.join(properties)}::{escape_data(violation.message)}"


def markdown_cell(value: str) -> str:
    """Text shown literally in a GFM table cell.

    CommonMark makes every backslash-escaped ASCII punctuation character
    literal, so escaping all of them rules out pipes that split the row,
    code spans, HTML and links in one stroke.
    """
    escaped = "".join(f"\\{ch}" if ch in string.punctuation else ch for ch in value)
    return "<br>".join(escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def step_summary(report: Report, extra_markdown: str = "") -> str:
    """The Markdown appended to ``$GITHUB_STEP_SUMMARY``.

    ``extra_markdown`` (diagrams, notes) is placed after the table, so other
    parts of agent-lint can add to the summary without changing this one.
    """
    lines = ["## agent-lint", "", summary(report), ""]
    if report.violations:
        lines += ["| File | Line | Code | Severity | Message |", "| --- | ---: | --- | --- | --- |"]
        for violation in report.violations[:MAX_SUMMARY_ROWS]:
            lines.append(
                f"| {markdown_cell(report.display_path(violation.path))} | {violation.line}"
                f" | {violation.code} | {violation.severity.value} | {markdown_cell(violation.message)} |"
            )
        hidden = len(report.violations) - MAX_SUMMARY_ROWS
        if hidden > 0:
            lines += ["", f"{hidden} more violation{'s' if hidden != 1 else ''} not shown;"
                      f" run agent-lint locally for the full list."]
        lines.append("")
    if extra_markdown:
        lines += [extra_markdown.rstrip("\n"), ""]
    return "\n".join(lines) + "\n"


def write_step_summary(report: Report, extra_markdown: str = "") -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(step_summary(report, extra_markdown))
    except (OSError, ValueError) as err:  # ValueError: a path with a NUL byte
        reason = " ".join(str(err).split())
        sys.stderr.write(f"agent-lint: warning: cannot write GITHUB_STEP_SUMMARY: {reason}\n")


def render(report: Report) -> str:
    write_step_summary(report, report.extra_markdown)
    lines = [annotation(report, v) for v in report.violations]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"
