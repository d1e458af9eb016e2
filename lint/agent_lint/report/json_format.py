"""``--output-format json``: a versioned document for scripts.

Shape (version 1; fields are only ever added within a version)::

    {
      "version": 1,
      "tool": {"name": "agent-lint", "version": "0.1.0"},
      "summary": {"files": 12, "violations": 3, "errors": 2, "warnings": 1},
      "violations": [
        {"path": "...", "line": 3, "column": 1, "code": "AL102",
         "name": "...", "severity": "error", "message": "...", "fixable": false}
      ],
      "batches": [...]
    }

``batches`` is there only with ``--since``: each parallel batch of the
range, its sessions with their times, and what parallelism saved
(:func:`agent_lint.report.batch_view.figures`). ``agent-lint batches
--format json`` prints that list alone, in a document of the same version.
"""

from __future__ import annotations

import json

from . import Report

SCHEMA_VERSION = 1


def render(report: Report) -> str:
    errors = sum(1 for v in report.violations if v.severity.value == "error")
    items = []
    for violation in report.violations:
        item = violation.to_dict()
        item["path"] = report.display_path(violation.path)
        items.append(item)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "agent-lint", "version": report.version},
        "summary": {
            "files": report.files,
            "violations": len(items),
            "errors": errors,
            "warnings": len(items) - errors,
        },
        "violations": items,
    }
    if report.batches is not None:
        document["batches"] = list(report.batches)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_batches(span: str, batches: list[dict], version: str) -> str:
    """``agent-lint batches --format json``: the batches of a range and their figures."""
    document = {"version": SCHEMA_VERSION, "tool": {"name": "agent-lint", "version": version},
                "range": span, "batches": batches}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
