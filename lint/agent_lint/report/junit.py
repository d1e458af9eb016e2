"""``--output-format junit``: JUnit XML for CI test-report views (GitLab, Jenkins, Azure, CircleCI).

One ``<testsuite name="agent-lint">`` inside ``<testsuites>``. Every file
with violations is a ``<testcase>`` (``classname`` and ``name`` = its path)
holding one ``<failure>`` per violation. The report does not list the files
that passed, so a clean run is a single passing testcase ``agent-lint``.
``tests`` counts testcases and ``failures`` failed testcases, the meaning
CI parsers give them; the number of violations is ``failures`` elements.

XML 1.0 cannot carry most C0 control characters even as character
references, so they are replaced by U+FFFD rather than dropped silently.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from . import Report

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="agent-lint")
    suite = ET.SubElement(suites, "testsuite", name="agent-lint")
    by_path: dict[str, list] = {}
    for violation in report.violations:
        by_path.setdefault(violation.path, []).append(violation)
    for path, group in by_path.items():
        shown = clean(report.display_path(path))
        case = ET.SubElement(suite, "testcase", classname=shown, name=shown)
        for v in group:
            failure = ET.SubElement(case, "failure", message=clean(f"{v.code} {v.message}"), type=v.code)
            failure.text = clean(f"{shown}:{v.line}:{v.column}: {v.code} [{v.severity.value}] {v.message}")
    failed = len(by_path)
    cases = failed or 1
    if not failed:
        ET.SubElement(suite, "testcase", classname="agent-lint", name="agent-lint")
    for element in (suites, suite):
        element.set("tests", str(cases))
        element.set("failures", str(failed))
        element.set("errors", "0")
    suite.set("skipped", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
