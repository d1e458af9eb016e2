"""The default format: ``path:line:col: CODE [severity] message``, then a summary line.

On a terminal (see terminal.py) paths are bold, codes and severities in
their severity's colour, the verdict green or bold; the text without its
colours is what a pipe gets.
"""

from __future__ import annotations

from ..terminal import SEVERITY_STYLE, paint
from . import Report


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def summary(report: Report) -> str:
    errors = sum(1 for v in report.violations if v.severity.value == "error")
    warnings = len(report.violations) - errors
    files = len({v.path for v in report.violations})
    checked = f"{_plural(report.files, 'file')} checked"
    if report.held_back:
        checked += f", {_plural(report.held_back, 'violation')} held back by the baseline"
    if not report.violations:
        return f"All checks passed ({checked})."
    fixable = sum(1 for v in report.violations if v.fix is not None)
    fix_note = f", {fixable} fixable with --fix" if fixable else ""
    return (
        f"Found {_plural(len(report.violations), 'violation')}"
        f" ({_plural(errors, 'error')}, {_plural(warnings, 'warning')})"
        f" in {_plural(files, 'file')}; {checked}{fix_note}."
    )


def painted_summary(report: Report) -> str:
    text = summary(report)
    verdict, rest = text.split(" (", 1) if " (" in text else (text, "")
    style = "bold" if report.violations else "green"
    return paint(verdict, style, on=report.colour) + (f" ({rest}" if rest else "")


def row(report: Report, violation) -> str:
    on = report.colour
    severity = violation.severity.value
    colour = SEVERITY_STYLE.get(severity, "bold")
    colon = paint(":", "cyan", on=on)
    return (f"{paint(report.display_path(violation.path), 'bold', on=on)}{colon}{violation.line}{colon}"
            f"{violation.column}{colon} {paint(violation.code, 'bold', colour, on=on)}"
            f" {paint(f'[{severity}]', colour, on=on)} {violation.message}")


def render(report: Report) -> str:
    lines = [row(report, v) for v in report.violations]
    lines.append(painted_summary(report))
    return "\n".join(lines) + "\n"
