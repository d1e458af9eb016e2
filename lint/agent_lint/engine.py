"""The engine: every violation of a run, from its documents.

:func:`lint` is the pipeline after discovery, in order: each document is
read, parsed, its views extracted and its document rules run (``analyze``,
the per-document stage: analysis.py); the project rules run over the views
of every document (``project_stage``: project.py); findings are resolved
into the violations to report. No cache in it: the cache wraps ``analyze``
(each document by the hash of its bytes), ``project_stage`` (by the views it
reads) and ``lint`` itself (the outcome by every input's hash) from outside
(caching.py).

Resolving passes findings, in order, through severity, suppression
comments, per-file-ignores and the report scope (the paths given).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from .analysis import Analysis, Job, Stage, analyze as analyze_jobs, collect, jobs_of
from .config import Config, rule_options, rule_severity, selector_matches
from .document import Document
from .globs import matches
from .model import Finding, Kind, Outcome, Rule, Scope, Violation
from .project import Project
from .suppressions import Suppressions, Unused

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Run:
    """What one check runs on, all known before a document is read."""

    config: Config
    rules: tuple[Rule, ...]  # the rules enabled (AL007 aside: it judges the baseline, after the report)
    registry: tuple[Rule, ...]  # every known rule: a suppression comment may name any
    documents: Mapping[str, Kind]  # every agent document of the project, by root-relative path
    targets: frozenset[str]  # the documents reported on
    history: Any = None  # history.History with --since, else None
    processes: int = 1  # for the per-document stage

    def jobs(self) -> list[Job]:
        """The per-document stage's jobs: every document, targets marked."""
        return jobs_of(self.documents, self.targets)

    @functools.cached_property
    def stage(self) -> Stage:
        """The per-document stage of this run (its compiled schema included, once made)."""
        from .schema_check import session_log_schema

        return Stage(self.config, self.rules, lambda: session_log_schema(self.config))


def analyze(run: Run, jobs: Sequence[Job] | None = None, then: Callable[[Analysis], Any] | None = None
            ) -> Iterator[Any]:
    """The per-document stage of a run, for every document (or ``jobs``): read, parse, extract, check;
    each analysis as it is made (or ``then(analysis)``, see analysis.analyze)."""
    jobs = run.jobs() if jobs is None else jobs
    stage = run.stage
    if stage.needs_schema(jobs):
        stage.context.schema()  # compiled once, here, before any worker starts
    return analyze_jobs(stage, jobs, run.processes, then)


def analyses(run: Run) -> dict[str, Analysis]:
    """The analysis of every document of the run, by path."""
    return collect(analyze(run))


class Checked(NamedTuple):
    """What the project stage found."""

    findings: list[tuple[Rule, Finding]]  # of the project rules, in order
    notes: tuple[str, ...]  # Project.notes
    read: tuple[str, ...]  # the documents whose text a project rule read (Project.read)


def project_stage(run: Run, analyses: Mapping[str, Analysis]) -> Checked:
    """The project rules over the views of every document."""
    project = project_of(run, analyses)
    found = check_project(project, run.rules)
    return Checked(found, tuple(project.notes), project.read)


def lint(run: Run, analyses: Callable[[Run], Mapping[str, Analysis]] = analyses,
         checked: Callable[[Run, Mapping[str, Analysis]], Checked] = project_stage) -> Outcome:
    """Every violation of the run: analyse each document, check the project, resolve."""
    if run.config.session_log_schema:
        run.stage.context.schema()  # a broken team schema is a config error even with no log to check
    found = analyses(run)
    return outcome(run, found, checked(run, found))


def project_of(run: Run, analyses: Mapping[str, Analysis]) -> Project:
    """What project rules read: the view of every document that loaded, the history."""
    views = {path: analysis.view for path, analysis in analyses.items() if analysis.view is not None}
    kinds = {path: analyses[path].kind if path in analyses else kind for path, kind in run.documents.items()}
    return Project(run.config, kinds, views, run.history)


def outcome(run: Run, analyses: Mapping[str, Analysis], checked: Checked) -> Outcome:
    """Every finding, the targets' and the project stage's, resolved into the violations to report.

    Of a document the run does not report on, nothing but its view is read
    (by the project stage): not its analysis. Of a target, its findings,
    suppressions, line count and digest; its view only by the project stage,
    which walks ``analyses`` (the cache decodes a view only then).
    """
    by_code = {rule.code: rule for rule in run.registry}
    found = [(by_code[code], finding, path)
             for path in sorted(run.targets) for code, finding in analyses[path].findings or ()]
    found += [(rule, finding, finding.path or "") for rule, finding in checked.findings]
    violations = resolve(run, analyses, found)
    fixable = {v.path for v in violations if v.fix is not None}
    return Outcome(violations, len(run.targets), checked.notes,
                   {path: analyses[path].digest for path in sorted(fixable) if path in analyses})


def check_project(project: Project, rules: Sequence[Rule]) -> list[tuple[Rule, Finding]]:
    """The findings of the project rules; a rule that declares ``reads=Document`` may read documents."""
    found = []
    for rule in rules:
        if rule.scope is Scope.PROJECT:
            project.reads_documents = rule.reads is Document
            try:
                found.extend((rule, finding) for finding in rule.check(project, rule_options(project.config, rule)))
            finally:
                project.reads_documents = False
    return found


def printable(message: str) -> str:
    """A message every output can encode.

    JSON allows lone surrogates (``"\\ud800"``) and messages quote values;
    UTF-8 cannot encode them, so they become U+FFFD here, once for all formats.
    """
    return _SURROGATE.sub("\ufffd", message) if _SURROGATE.search(message) else message


def resolve(run: Run, analyses: Mapping[str, Analysis], findings: Iterable[tuple[Rule, Finding, str]]
            ) -> list[Violation]:
    """Turn (rule, finding, path) triples into the sorted violations to report.

    Each target's suppression comments come from its analysis. A project
    finding may name a file that is no document of the run (a configured
    system document that is missing); it is reported when the run covers
    every document of the project, never when only some files were named.
    """
    config, targets, paths = run.config, run.targets, run.documents
    names = {r.code: r.code for r in run.registry} | {r.name: r.code for r in run.registry}
    active = {r.code for r in run.rules}
    suppressions: dict[str, Suppressions | None] = {}

    def suppressor(path: str) -> Suppressions | None:
        if path not in suppressions:
            analysis = analyses.get(path)
            comments = analysis.suppressions if analysis is not None else None
            suppressions[path] = Suppressions(comments, analysis.lines, names) if comments is not None else None
        return suppressions[path]

    globs = config.per_file_ignores
    ignored_by_glob: dict[str, list[str]] = {}

    def ignored(path: str) -> list[str]:
        """The selectors per-file-ignores sets for this path."""
        if path not in ignored_by_glob:
            ignored_by_glob[path] = [sel for glob, sels in globs.items() if matches(glob, path) for sel in sels]
        return ignored_by_glob[path]

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
        violations.append(_violation(config, rule, finding, path))
    meta = [rule for rule in run.rules if rule.scope is Scope.META]
    # Only a Markdown document has suppression comments to report on.
    commented = sorted(path for path in targets if path in analyses and analyses[path].suppressions is not None)
    for path in commented if meta else ():
        sup = suppressor(path)
        assert sup is not None
        unused: list[Unused] = sup.unused(active)
        for rule in meta:
            if globs and any(selector_matches(sel, rule) for sel in ignored(path)):
                continue
            for finding in rule.check(unused, rule_options(config, rule)):
                violations.append(_violation(config, rule, finding, path))
    return sorted(violations)


def _violation(config: Config, rule: Rule, finding: Finding, path: str) -> Violation:
    return Violation(path, finding.line, finding.column, rule.code, rule.name, printable(finding.message),
                     rule_severity(config, rule), finding.fix, finding.marks)
