"""``--output-format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run whose driver lists every known rule (so a viewer can show the docs
of rules that did not fire) and one result per violation. Choices a reader
of the output may want to know:

* Locations are percent-encoded URIs relative to ``%SRCROOT%``, the
  repository's top folder (``originalUriBaseIds`` gives its absolute URI),
  not the cwd-relative paths the text format shows: code scanning attaches
  them to the pull request's files wherever agent-lint ran, a project in a
  subfolder included.
* A project-level violation (no file) points at the project root itself
  (its folder, or ``./``) without a region: code scanning rejects results
  without a location, and the root is where such a problem lives.
* ``partialFingerprints["agentLint/v1"]`` hashes code, path, message and the
  occurrence index among identical (code, path, message) triples. Reports
  carry no line text, so the line number is left out on purpose: an alert
  keeps its identity when lines are inserted above it.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections import Counter
from urllib.parse import quote

from .. import DOCS_URL
from . import Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "agentLint/v1"


def describe(rule) -> dict:
    doc = rule.doc.strip()
    body = textwrap.dedent("\n".join(doc.splitlines()[1:])).strip() or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": body},
        "help": {"text": doc, "markdown": doc},
        "helpUri": f"{DOCS_URL}#{rule.code.lower()}",
        "defaultConfiguration": {"level": rule.severity.value},
    }


def location(violation, prefix: str = "") -> dict:
    if not violation.path:
        return {"physicalLocation": {"artifactLocation": {"uri": quote(prefix, safe="/") or "./",
                                                          "uriBaseId": "%SRCROOT%"}}}
    # The file name's own bytes, percent-encoded: a name that is not UTF-8 is still a valid URI.
    uri = quote((prefix + violation.path).encode("utf-8", "surrogateescape"), safe="/")
    physical = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if violation.line >= 1:
        region = {"startLine": violation.line}
        if violation.column >= 1:
            region["startColumn"] = violation.column
        physical["region"] = region
    return {"physicalLocation": physical}


def fingerprint(violation, occurrence: int) -> str:
    key = "\0".join((violation.code, violation.path, violation.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def render(report: Report) -> str:
    index = {rule.code: i for i, rule in enumerate(report.rules)}
    seen: Counter = Counter()
    results = []
    for violation in report.violations:
        triple = (violation.code, violation.path, violation.message)
        result = {"ruleId": violation.code}
        if violation.code in index:
            result["ruleIndex"] = index[violation.code]
        result.update(
            level=violation.severity.value,
            message={"text": violation.message},
            locations=[location(violation, report.repository_prefix)],
            partialFingerprints={FINGERPRINT_KEY: fingerprint(violation, seen[triple])},
        )
        seen[triple] += 1
        results.append(result)
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agent-lint",
                        "version": report.version,
                        "informationUri": DOCS_URL,
                        "rules": [describe(rule) for rule in report.rules],
                    }
                },
                **({"originalUriBaseIds": {"%SRCROOT%": {"uri": report.repository_uri}}}
                   if report.repository_uri else {}),
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
