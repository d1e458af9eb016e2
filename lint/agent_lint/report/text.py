"""The default format: ``path:line:col: CODE [severity] message``, then a summary line."""

from __future__ import annotations

from . import Report


def summary(report: Report) -> str:
    errors = sum(1 for v in report.violations if v.severity.value == "error")
    warnings = len(report.violations) - errors
    files = len({v.path for v in report.violations})
    checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
    if not report.violations:
        return f"All checks passed ({checked})."
    fixable = sum(1 for v in report.violations if v.fix is not None)
    fix_note = f", {fixable} fixable with --fix" if fixable else ""
    return (
        f"Found {len(report.violations)} violation{'s' if len(report.violations) != 1 else ''}"
        f" ({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})"
        f" in {files} file{'s' if files != 1 else ''}; {checked}{fix_note}."
    )


def render(report: Report) -> str:
    lines = [
        f"{report.display_path(v.path)}:{v.line}:{v.column}: {v.code} [{v.severity.value}] {v.message}"
        for v in report.violations
    ]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"
