"""Rule documentation, generated from the rules' docstrings.

``agent-lint rules`` and ``agent-lint rule CODE`` print it; README's rules
table is written by :func:`readme_table` and a test fails when it is stale.
"""

from __future__ import annotations

import json
import textwrap

from .model import Rule


def _rules() -> tuple[Rule, ...]:
    from .rules import RULES

    return RULES


def _severity(rule: Rule) -> str:
    """The default severity, and whether the rule must be selected by name to run."""
    return f"{rule.severity.value} (opt-in)" if rule.opt_in else rule.severity.value


def rules_table(columns: int | None = None, colour: bool = False) -> str:
    """Every rule in aligned columns; with ``columns`` (a terminal's width) the summaries wrap
    to fit it, below the other columns when too little room is left beside them."""
    from .terminal import SEVERITY_STYLE, paint

    rows = [("CODE", "NAME", "SEVERITY", "FIX", "SUMMARY")]
    rows += [(r.code, r.name, _severity(r), "yes" if r.fixable else "", r.summary) for r in _rules()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    indent = sum(widths) + 2 * 4
    room = columns - indent - 1 if columns else None
    out = []
    for number, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:4])]
        if number == 0:
            cells = [paint(cell, "bold", on=colour) for cell in cells]
        else:
            cells[0] = paint(cells[0], "bold", on=colour)
            cells[2] = paint(cells[2], SEVERITY_STYLE.get(row[2].split()[0], "bold"), on=colour)
        head = "  ".join(cells) + "  "
        if room is None:
            out.append(head + row[4])
        elif room >= 40:
            lines = textwrap.wrap(row[4], room, break_on_hyphens=False) or [""]
            out += [head + lines[0], *(" " * indent + line for line in lines[1:])]
        else:  # a narrow terminal: the summary on lines of its own
            lines = textwrap.wrap(row[4], max(columns - 5, 20), break_on_hyphens=False)
            out += [head.rstrip(), *("    " + line for line in lines)]
    return "".join(line.rstrip(" ") + "\n" for line in out)


def rules_json() -> str:
    return json.dumps(
        [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "scope": r.scope.value,
             "fixable": r.fixable, "opt_in": r.opt_in, "summary": r.summary, "options": r.options_schema}
            for r in _rules()
        ],
        indent=2,
    ) + "\n"


def rule_text(rule: Rule) -> str:
    body = textwrap.dedent("\n".join(rule.doc.strip().splitlines()[1:])).strip()
    flags = (", fixable" if rule.fixable else "") + (", opt-in" if rule.opt_in else "")
    header = f"{rule.code} {rule.name} ({rule.severity.value}{flags})"
    return f"{header}\n\n{rule.summary}\n\n{body}\n"


def readme_table() -> str:
    """The Markdown rules table between README's rules-table markers."""
    lines = ["| Code | Name | Severity | Fix | Summary |", "| --- | --- | --- | --- | --- |"]
    for r in _rules():
        lines.append(f"| {r.code} | `{r.name}` | {_severity(r)} | {'yes' if r.fixable else ''} | {r.summary} |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- rules-table:begin -->", "<!-- rules-table:end -->"


def update_readme(text: str) -> str:
    """README text with the rules table between its markers regenerated."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + readme_table() + text[end:]


if __name__ == "__main__":  # python -m agent_lint.docs README.md
    import sys
    from pathlib import Path

    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
