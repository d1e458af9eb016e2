"""Run the enabled rules over a project and resolve findings into violations.

Document rules see one document at a time; project rules see the whole
project. Findings then pass, in order, through severity, suppression
comments, per-file-ignores and the report scope (the paths given).
"""

from __future__ import annotations

import re

from typing import Any, Collection, Iterable, Mapping, Sequence

from .config import Config, rule_options, rule_severity, selector_matches
from .document import Document, MarkdownDocument
from .globs import matches
from .model import Finding, Outcome, Rule, Scope, Violation
from .project import Project
from .suppressions import Suppressions, Unused


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(message: str) -> str:
    """A message every output can encode.

    JSON allows lone surrogates (``"\\ud800"``) and messages quote values;
    UTF-8 cannot encode them, so they become U+FFFD here, once for all formats.
    """
    return _SURROGATE.sub("\ufffd", message) if _SURROGATE.search(message) else message


def _applies(rule: Rule, doc: Document) -> bool:
    if doc.load_error is not None:
        return rule.handles_load_errors
    if rule.handles_load_errors:
        return False
    return not rule.kinds or doc.kind in rule.kinds


def options_by_rule(config: Config, rules: Sequence[Rule]) -> dict[str, dict[str, Any]]:
    """Each rule's options under this config, worked out once per run rather than per document."""
    return {rule.code: rule_options(config, rule) for rule in rules}


def document_findings(doc: Document, rules: Sequence[Rule],
                      options: Mapping[str, dict[str, Any]]) -> list[tuple[Rule, Finding]]:
    """Findings of the document-scope rules on one document (the cacheable part).

    ``options`` is :func:`options_by_rule` of the run.
    """
    found = []
    for rule in rules:
        if rule.scope is Scope.DOCUMENT and _applies(rule, doc):
            found.extend((rule, finding) for finding in rule.check(doc, options[rule.code]))
    return found


def project_findings(project: Project, rules: Sequence[Rule]) -> list[tuple[Rule, Finding]]:
    found = []
    for rule in rules:
        if rule.scope is Scope.PROJECT:
            options = rule_options(project.config, rule)
            found.extend((rule, finding) for finding in rule.check(project, options))
    return found


def resolve(
    config: Config,
    documents: Mapping[str, Document],
    rules: Sequence[Rule],
    all_rules: Sequence[Rule],
    targets: Iterable[str],
    findings: Iterable[tuple[Rule, Finding, str]],
    *,
    paths: Collection[str] | None = None,
) -> list[Violation]:
    """Turn (rule, finding, path) triples into the sorted violations to report.

    ``documents`` gives each target its suppressions; ``paths`` is every
    document of the project (default: those of ``documents``), for the
    findings on a file that is not one. Each target's violations depend on
    its own document and findings alone, so a run may resolve a few targets
    (incremental.py) given their documents and every path.
    """
    paths = documents if paths is None else paths
    targets = set(targets)
    names = {r.code: r.code for r in all_rules} | {r.name: r.code for r in all_rules}
    active = {r.code for r in rules}
    suppressions: dict[str, Suppressions] = {}

    def suppressor(path: str) -> Suppressions | None:
        if path not in suppressions:
            doc = documents.get(path)
            suppressions[path] = Suppressions(doc, names) if isinstance(doc, MarkdownDocument) else None
        return suppressions[path]

    globs = config.per_file_ignores
    ignored_by_glob: dict[str, list[str]] = {}

    def ignored(path: str) -> list[str]:
        """The selectors per-file-ignores sets for this path."""
        if path not in ignored_by_glob:
            ignored_by_glob[path] = [sel for glob, sels in globs.items() if matches(glob, path) for sel in sels]
        return ignored_by_glob[path]

    # A project finding may name a file that does not exist (a configured
    # system document that is missing); it is reported when the run covers
    # every document of the project, never when only some files were named.
    whole_run = targets.issuperset(paths)
    violations = []
    for rule, finding, path in findings:
        if path not in targets and not (whole_run and path not in paths):
            continue
        if globs and path in targets and any(selector_matches(sel, rule) for sel in ignored(path)):
            continue
        sup = suppressor(path)
        if sup is not None and sup.suppresses(rule.code, finding.line):
            continue
        violations.append(
            Violation(path, finding.line, finding.column, rule.code, rule.name, printable(finding.message),
                      rule_severity(config, rule), finding.fix)
        )
    meta = [rule for rule in rules if rule.scope is Scope.META]
    # Only a Markdown document has suppression comments to report on.
    commented = sorted(path for path, doc in documents.items() if isinstance(doc, MarkdownDocument) and path in targets)
    for path in commented if meta else ():
        sup = suppressor(path)
        assert sup is not None
        unused: list[Unused] = sup.unused(active)
        for rule in meta:
            if globs and any(selector_matches(sel, rule) for sel in ignored(path)):
                continue
            for finding in rule.check(unused, rule_options(config, rule)):
                violations.append(
                    Violation(path, finding.line, finding.column, rule.code, rule.name, printable(finding.message),
                              rule_severity(config, rule), finding.fix)
                )
    return sorted(violations)


def lint(
    project: Project,
    rules: Sequence[Rule],
    all_rules: Sequence[Rule],
    targets: Iterable[str],
    precomputed: Mapping[str, Iterable[tuple[Rule, Finding]]] | None = None,
    project_found: Iterable[tuple[Rule, Finding]] | None = None,
) -> Outcome:
    """All violations in ``targets``; findings may come precomputed (document: pipeline, cache; project)."""
    targets = sorted(set(targets))
    triples: list[tuple[Rule, Finding, str]] = []
    options = None
    for path in targets:
        if precomputed is not None and path in precomputed:
            found = precomputed[path]
        else:
            options = options or options_by_rule(project.config, rules)
            found = document_findings(project.documents[path], rules, options)
        triples.extend((rule, finding, path) for rule, finding in found)
    for rule, finding in project_findings(project, rules) if project_found is None else project_found:
        triples.append((rule, finding, finding.path or ""))
    return Outcome(resolve(project.config, project.documents, rules, all_rules, targets, triples), len(targets),
                   tuple(project.notes))
