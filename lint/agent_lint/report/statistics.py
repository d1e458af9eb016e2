"""``--statistics``: how many violations of each rule, most frequent first (ruff's shape).

Text: one line per rule, ``count<TAB>code<TAB>[*] name`` (``[*]`` where the
rule can fix, ``[ ]`` where it cannot, both only when some rule can), then
the summary line. JSON: a list of ``{"code", "name", "count", "fixable"}``.
"""

from __future__ import annotations

import json
from collections import Counter

from ..terminal import SEVERITY_STYLE, paint
from . import Report
from .text import painted_summary

FORMATS = ("text", "json")


def counts(report: Report) -> list[dict]:
    by_code = Counter(v.code for v in report.violations)
    first = {}
    for violation in report.violations:
        first.setdefault(violation.code, violation)
    fixable = {v.code for v in report.violations if v.fix is not None}
    return [
        {"code": code, "name": first[code].name, "count": count, "fixable": code in fixable}
        for code, count in sorted(by_code.items(), key=lambda item: (-item[1], item[0]))
    ]


def render(fmt: str, report: Report) -> str:
    rows = counts(report)
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    first = {}
    for violation in report.violations:
        first.setdefault(violation.code, violation)
    count_width = max((len(str(r["count"])) for r in rows), default=0)
    code_width = max((len(r["code"]) for r in rows), default=0)
    marks = any(r["fixable"] for r in rows)
    lines = []
    for r in rows:
        colour = SEVERITY_STYLE.get(first[r["code"]].severity.value, "bold")
        mark = ("[*] " if r["fixable"] else "[ ] ") if marks else ""
        lines.append(f"{str(r['count']).rjust(count_width)}\t{paint(r['code'].ljust(code_width), 'bold', colour, on=report.colour)}"
                     f"\t{mark}{r['name']}")
    lines.append(painted_summary(report))
    return "\n".join(lines) + "\n"
