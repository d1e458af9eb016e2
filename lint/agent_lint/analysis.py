"""The per-document stage: read, parse, extract, and the document rules, one document at a time.

Its cost grows with the tree, so it is the stage the cache keeps (by the
hash of each document's bytes, cache.py) and the one shared between
processes (parallel.py). An :class:`Analysis` depends on the document's
bytes and the run's settings alone, so it is the same whichever process
made it, and whether it came from the cache.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from .config import Config, rule_options
from .document import (Document, FailedDocument, JsonDocument, LoadError, MarkdownDocument, Suppression,
                       document_format, markdown_parser, parse_document, too_large)
from .extract import KIND_OF, VIEWS, Context, build
from .files import Reader, TooLarge, content_key
from .model import Finding, Kind, Rule, Scope
from .views import Handoff, SchemaCheck, SessionLog, SystemDocument

View = SessionLog | Handoff | SystemDocument


class Analysis(NamedTuple):
    """What the per-document stage made of one document."""

    path: str
    kind: Kind | None  # as discovered; None for a JSON file among the session logs that holds no log (data)
    digest: str  # of the bytes analysed (files.content_key); "" when none could be read
    view: View | None  # its kind's view (extract.VIEWS); None when it did not load
    suppressions: tuple[Suppression, ...] | None  # a Markdown document's suppression comments; None otherwise
    lines: int  # its number of lines (where a suppression of the whole file ends)
    findings: tuple[tuple[str, Finding], ...] | None  # (rule code, finding) of the document rules; None: not run


class Job(NamedTuple):
    path: str
    kind: Kind
    target: bool  # a document the run reports on: its document rules run


class Stage:
    """Everything the per-document stage needs of the run, made once, before any worker process starts."""

    def __init__(self, config: Config, rules: Sequence[Rule], schema: Callable[[], Any]):
        self.config = config
        self.reader = Reader(config.root, config.max_file_size)  # inside the root only
        self.context = Context(config, functools.cache(schema))
        self.rules = [rule for rule in rules if rule.scope is Scope.DOCUMENT]
        self.options = {rule.code: rule_options(config, rule) for rule in self.rules}

    def needs_schema(self, jobs: Iterable[Job]) -> bool:
        """Will analysing these read what the session-log schema says of a log the run reports on?"""
        return any(rule.reads is SchemaCheck for rule in self.rules) and any(
            job.target and job.kind is Kind.SESSION_LOG for job in jobs)

    def analyze(self, job: Job) -> Analysis:
        """Read, parse, extract and check one document."""
        return self.analyze_bytes(job, self.reader.read(job.path))

    def analyze_bytes(self, job: Job, data: bytes | TooLarge | OSError) -> Analysis:
        """Parse, extract and check one document, given what reading it gave."""
        doc = self._parse(job, data)
        if job.kind is Kind.SESSION_LOG:
            doc.stem = self.config.session_id(job.path)  # a log of one folder per session: the folder names it
            if isinstance(doc, JsonDocument) and not isinstance(doc.data, dict):
                doc.kind = None  # a JSON file among the logs that is no object (scan results) is data, no log
        read: dict[type, Any] = {}  # what rules read of the document, each made once
        view = VIEWS.get(doc.kind)  # type: ignore[arg-type]
        if doc.load_error is None and view is not None:
            read[view] = build(view, doc, self.context)
        findings = self.check(doc, read) if job.target else None
        markdown = isinstance(doc, MarkdownDocument)
        return Analysis(job.path, doc.kind, content_key(data), read.get(view),
                        tuple(doc.suppressions) if markdown else None, doc.line_count if markdown else 0, findings)

    def _parse(self, job: Job, data: bytes | TooLarge | OSError) -> Document:
        failed = unread(job.path, job.kind, data, self.config.max_file_size)
        if failed is not None:
            return failed
        return parse_document(job.path, job.kind, data, max_bytes=self.config.max_file_size)  # type: ignore[arg-type]

    def check(self, doc: Document, read: dict[type, Any]) -> tuple[tuple[str, Finding], ...]:
        """The findings of the document rules that apply to ``doc``, each given what it reads."""
        found: list[tuple[str, Finding]] = []
        for rule in self.rules:
            if not applies(rule, doc):
                continue
            if rule.reads not in read:
                read[rule.reads] = build(rule.reads, doc, self.context)
            found.extend((rule.code, finding) for finding in rule.check(read[rule.reads], self.options[rule.code]))
        return tuple(found)


def applies(rule: Rule, doc: Document) -> bool:
    """Does a document rule run on ``doc``? Load-error rules on failed documents only, the others on loaded ones
    of the kind they read (a view's), or of their ``kinds``."""
    if doc.load_error is not None:
        return rule.handles_load_errors
    if rule.handles_load_errors:
        return False
    kind = KIND_OF.get(rule.reads)
    if kind is not None:
        return doc.kind is kind
    return not rule.kinds or doc.kind in rule.kinds


def analyze(stage: Stage, jobs: Sequence[Job], processes: int = 1,
            then: Callable[[Analysis], Any] | None = None) -> Iterator[Any]:
    """The analysis of every job's document, as each is made (heavy ones first: parallel.ordered); shared
    between processes when there are many. With ``then``, ``then(analysis)`` instead, computed in the
    process that made the analysis (the cache encodes it there)."""
    from .parallel import POOL_THRESHOLD, stream

    markdown = {job.path for job in jobs if document_format(job.path) == "markdown"}
    if processes > 1 and len(jobs) >= POOL_THRESHOLD and markdown:
        markdown_parser(blocks_only=True)  # made once here, not in every worker
    work = stage.analyze if then is None else lambda job: then(stage.analyze(job))
    return stream(work, jobs, processes, heavy=lambda job: job.path in markdown)


def collect(analyses: Iterable[Analysis], every: int = 1000) -> dict[str, Analysis]:
    """The analyses by path, kept until the run ends.

    They are immutable and never part of a cycle, yet each holds tuples the
    cycle collector would walk again at every full collection while a large
    run piles them up: every thousand are moved out of its generations
    (gc.freeze) while they are collected, and back into the oldest once all
    are (gc.unfreeze), which keeps loading 15,000 views a third faster
    (benchmarks/README.md). Reference counting frees them either way.
    """
    import gc

    found: dict[str, Analysis] = {}
    try:
        for count, analysis in enumerate(analyses, 1):
            found[analysis.path] = analysis
            if count % every == 0:
                gc.freeze()
    finally:
        gc.unfreeze()
    return found


def unread(path: str, kind: Kind | None, data: bytes | TooLarge | OSError, max_bytes: int) -> FailedDocument | None:
    """The document of a file that could not be read, or is over the size limit; None when ``data`` is its bytes."""
    if isinstance(data, OSError):
        error = LoadError("unreadable", f"cannot read file: {data.strerror or type(data).__name__}")
        return FailedDocument(path, kind, error, document_format(path))
    if isinstance(data, TooLarge):
        return too_large(path, kind, data.size, max_bytes)
    return None


def jobs_of(documents: Mapping[str, Kind], targets: Iterable[str]) -> list[Job]:
    targets = set(targets)
    return [Job(path, kind, path in targets) for path, kind in documents.items()]
