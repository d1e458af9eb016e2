"""The cache beside the pipeline: it wraps three whole stages from outside, and changes no result.

* The whole run (``engine.lint``): its outcome is kept by the hash of every
  input (each document's kind and bytes, the targets, the history's
  commits), so an unchanged tree is answered without reading any document,
  without even importing the rules or the engine.
* The per-document stage (``engine.analyze``): each document's analysis is
  kept by the hash of its bytes, so only documents whose bytes are new are
  read and parsed; the analyses made go into the cache as they come. The
  view of a document the run does not report on is read from the project
  index (index.py), one file, where its bytes are those it was made of.
* The project stage (``engine.project_stage``): what the project rules found
  is kept by what they read: the history's range, every document's path,
  kind and view (by the digest of the view's bytes, which the index holds),
  and, checked after the key, the bytes of each document whose text a rule
  read for a fix. A run after an edit that changes no view (most edits of a
  log's work log) runs no project rule, and decodes no view of a document it
  does not report on (:class:`Analyses`).

To know a document's hash without reading it, each file's digest is kept
with the stat it had when read (files.digest_files): a file whose size,
mtime, ctime and inode are unchanged is not read again.

All are keyed by the settings (agent-lint's version and code, the config,
the rules selected, a team schema's bytes), so what is kept is what the
stage would make now: tests hold every cached run to a run without the
cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .cache import Cache, digest, digest_text, source_stamp
from .config import Config
from .files import Reader, digest_files, remember_digests, stamp_files
from .model import KIND_VALUES, Kind, Outcome


def open_cache(config: Config, selection: str, directory: Path | None) -> Cache:
    """The cache for these settings: version, own source, config, the rules selected, a team schema's bytes."""
    extra = b""
    if config.session_log_schema:
        # $refs may reach any file beside the schema: all of them are inputs (read as documents are).
        folder = Path(config.session_log_schema).parent.as_posix()
        reader = Reader(config.root, config.max_file_size)
        try:
            names = sorted(os.listdir(config.root / folder))
        except OSError:
            names = []
        for name in names:
            data = reader.read(f"{folder}/{name}")
            if not isinstance(data, OSError):
                extra += name.encode("utf-8", "surrogateescape") + b"\0" + (data if isinstance(data, bytes) else b"")
    settings = "\n".join([__version__, source_stamp(), config.fingerprint(), selection, digest(extra)])
    return Cache(directory or config.root / ".agent_lint_cache", settings)


def cached_lint(cache: Cache, inputs: Any, lint: Callable[..., Outcome], *, reuse: bool = True) -> Outcome:
    """The outcome kept for these same inputs, or ``lint(analyses, checked)`` with the per-document and
    project stages through the cache.

    ``inputs`` holds what the outcome's key is made of (documents, targets,
    history); ``lint`` makes the run, with its rules, only when the outcome
    is not kept. Without ``reuse`` the run is made whatever is kept (the
    caller wants its analyses too).
    """
    stamps = stamp_files(inputs.config, inputs.documents)
    known = cache.file_digests()
    digests = digest_files(inputs.config, stamps, known, read=False)
    remembered = dict(digests)  # what files.bin holds of them already
    # Every file as it was when last read: there is nothing new to remember about them.
    unchanged = len(digests) == len(stamps)
    if not unchanged and cache.has_entries():
        # Files changed since their stamps were taken: read them, the cache may know their bytes.
        # (With nothing cached, the analysis digests what it reads; no file is read twice.)
        read = digest_files(inputs.config, {path: stamp for path, stamp in stamps.items() if path not in digests})
        digests = {path: digests[path] if path in digests else read[path] for path in stamps}
    key = run_key(inputs, digests) if cache.enabled and len(digests) == len(inputs.documents) else None
    kept = cache.get_keyed("run", key) if key is not None and reuse else None
    if isinstance(kept, Outcome):
        return kept
    outcome = lint(lambda run: cached_analyses(cache, run, digests),
                   lambda run, found: cached_project(cache, run, found, digests))
    if cache.enabled:
        # The analysis digested every file it read; one may have changed since the key was made.
        cache.put_keyed("run", run_key(inputs, digests), outcome)
    if not unchanged:
        # A file with the stamp and digest remembered is remembered as it is: only the others are looked at.
        remember_digests(known, {path: stamp for path, stamp in stamps.items()
                                 if not remembered.get(path) or digests.get(path) != remembered[path]}, digests)
        cache.save_file_digests()
    return outcome


def cached_analyses(cache: Cache, run: Any, digests: dict[str, str]) -> Analyses:
    """``engine.analyses(run)``, from the cache where it knows a document's bytes.

    A document the run reports on needs its whole analysis (its entry); of
    the others the view is enough, which the index holds, and which is
    decoded only if the project stage asks for it (:class:`Analyses`). What
    is analysed now goes into the cache, entries and index, as it is made;
    the index is rewritten when it lacks a view the run used. ``digests`` is
    updated with the bytes each analysed document had.
    """
    from itertools import chain

    from . import index
    from .analysis import collect
    from .engine import analyze

    jobs = run.jobs()
    # A run that reports on every document reads no view from the index: it reads the index only
    # to learn whether it must be rewritten, and only when nothing was analysed (made() says).
    records = cache.index() if any(not job.target for job in jobs) else None
    # The record of each document taken from the cache (None: the index's own, kept_records holds its bytes)
    views: dict[str, index.Record | None] = {}
    pending: dict[str, Any] = {}  # path -> its index record (or the bytes of one), its view not decoded
    deferred: dict[str, Any] = {}  # path -> the record of a target's view, which its analysis holds encoded
    kept_records: dict[str, memoryview] = {}  # path -> the bytes of its index record, used as they are
    facts: dict[str, str] = {}  # path -> what the project stage's key holds of it: kind and view's digest
    todo = []
    stale = records is not None and len(records) != len(run.documents)  # a document removed: rewritten

    def kept() -> Any:
        nonlocal stale
        for job in jobs:
            known = digests.get(job.path)  # None: learnt when it is read; "": it cannot be read
            blob = records.get(job.path) if records is not None else None
            if blob is not None and known and not job.target:
                # The most frequent case of a large tree, tested on the record's bytes: parsed when decoded.
                fact = index.fact_if_current(blob, known)
                if fact is not None:
                    views[job.path] = None  # (its record is written back as it is: kept_records)
                    pending[job.path] = kept_records[job.path] = blob
                    facts[job.path] = fact
                    continue
            if records is not None:
                record = index.parse(blob) if blob is not None else None
                current = record is not None and bool(known) and record.digest == known
                if not current and (record is None or record.digest or known != ""):
                    stale = True  # the index has no view of these bytes
            blob = cache.get(f"{job.path}:{known}") if known else None
            entry = index.split_entry(blob, job.path, known) if blob is not None else None
            if entry is not None and (entry[0].findings is not None or not job.target):
                rest, view, view_digest = entry
                views[job.path] = record = index.Record(known, rest.kind, view_digest, view)
                facts[job.path] = index.fact(rest.kind, view_digest)
                if not job.target:
                    pending[job.path] = record
                    continue
                # Its findings are read now; its view only if the project stage runs (Analyses.load).
                deferred[job.path] = record
                yield rest._replace(view=DEFERRED)
            else:
                todo.append(job)

    def made() -> Any:
        nonlocal stale
        cache.done_reading()
        if records is None:
            stale = bool(todo) or not _index_holds(cache.index(), views)
        writer = cache.index_writer() if stale else None

        def add(path: str, digest: str, kind: Kind | None, view_digest: str, view: bytes | memoryview) -> None:
            nonlocal writer
            if writer is None:
                return
            try:
                writer.add(path, index.record(digest, kind, view_digest, view))
            except OSError:  # a full disk: the index stays as it was
                writer.abort()
                writer = None

        if writer is not None:
            # A record taken from the index is copied as it is: it is what index.record would make of it.
            try:
                writer.add_all((path, kept_records[path] if path in kept_records else index.record(*view))
                               for path, view in views.items())
            except OSError:  # a full disk: the index stays as it was
                writer.abort()
                writer = None
        views.clear()
        kept_records.clear()
        if records is not None:
            records.clear()
        for analysis, view, view_digest, entry in analyze(run, todo, then=index.entry):
            digests[analysis.path] = analysis.digest
            facts[analysis.path] = index.fact(analysis.kind, view_digest)
            if analysis.digest:
                cache.put(f"{analysis.path}:{analysis.digest}", entry)
            add(analysis.path, analysis.digest, analysis.kind, view_digest, view)
            yield analysis
        if writer is not None:
            writer.commit()

    try:
        analyses = collect(chain(kept(), made()))
    except BaseException:
        cache.abandon()  # no half-written file is left in the folder
        raise
    cache.save()
    return Analyses(cache, run, analyses, pending, facts, deferred)



class _Deferred:
    """The view of a target taken from its cache entry, until the project stage asks for views: a
    placeholder with no attribute, so that a reader that looks past the mapping fails loudly."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<view not decoded>"


DEFERRED = _Deferred()


class Analyses(dict):
    """The analyses of a run by path, where a view taken from the cache is decoded only when asked
    for: a run whose project stage is kept decodes none of them.

    The view of a document the run does not report on comes from the project
    index (or its entry) and its analysis is decoded when looked up. A
    target's analysis taken from its entry is looked up with its findings,
    suppressions and digest decoded and its view :data:`DEFERRED`: what is
    reported of a target (engine.outcome) reads nothing else, and the
    project stage, the one reader of views, reads them by walking the
    mapping, which decodes every view first (:meth:`load`).

    A dict, so that looking up an analysis costs what it costs in a dict.
    """

    def __init__(self, cache: Cache, run: Any, analyses: dict[str, Any], pending: dict[str, Any],
                 facts: dict[str, str], deferred: dict[str, Any] | None = None):
        super().__init__(analyses)
        self._cache = cache
        self._run = run
        self._pending = pending  # path -> index record (or its bytes), its view not decoded
        self._deferred = deferred or {}  # path -> index record of a target's view
        self.facts = facts  # path -> its kind and the digest of its view's bytes, for every document

    def __missing__(self, path: str) -> Any:
        if path not in self._pending:
            raise KeyError(path)
        analysis = self[path] = self._decoded(path, self._pending.pop(path))
        return analysis

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[path] if path in self._pending else dict.get(self, path, default)

    def __contains__(self, path: object) -> bool:
        return dict.__contains__(self, path) or path in self._pending

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._pending)

    def __iter__(self) -> Any:
        self.load()
        return dict.__iter__(self)

    def keys(self) -> Any:  # type: ignore[override]
        self.load()
        return dict.keys(self)

    def values(self) -> Any:  # type: ignore[override]
        self.load()
        return dict.values(self)

    def items(self) -> Any:  # type: ignore[override]
        self.load()
        return dict.items(self)

    def load(self) -> None:
        """Decode every view not yet decoded (all at once, as analysis.collect keeps a pile of them)."""
        from .analysis import collect

        if self._pending:
            pending, self._pending = self._pending, {}
            self.update(collect(self._decoded(path, record) for path, record in pending.items()))
        if self._deferred:
            deferred, self._deferred = self._deferred, {}
            # Each record let go once its view is decoded: the encoded and the decoded views of a large
            # tree are not all held at once. (The paths are in the mapping already: their order stays.)
            drained = (deferred.popitem() for _ in range(len(deferred)))
            self.update(collect(self._completed(dict.__getitem__(self, path), record) for path, record in drained))

    def _decoded(self, path: str, record: Any) -> Any:
        from . import index
        from .analysis import Analysis

        if not isinstance(record, index.Record):  # a record's bytes, as the index holds them
            record = index.parse(record)
            if record is None:  # (fact_if_current, which took its bytes, parses as parse does)
                return self._analysed(path, target=False)
        view = index.view_of(record.view, record.kind)
        if view is not index.BAD:
            return Analysis(path, record.kind, record.digest, view, None, 0, None)
        # Signed, yet no view (older code): from the document's entry, else analysed again.
        blob = self._cache.get(f"{path}:{record.digest}")
        entry = index.from_entry(blob, path, record.digest) if blob is not None else None
        if entry is not None:
            return entry[0]
        return self._analysed(path, target=False)

    def _completed(self, analysis: Any, record: Any) -> Any:
        """A target's analysis with its view decoded (analysed again if the bytes hold none)."""
        from . import index

        view = index.view_of(record.view, record.kind)
        return analysis._replace(view=view) if view is not index.BAD else self._analysed(analysis.path, target=True)

    def _analysed(self, path: str, target: bool) -> Any:
        from .analysis import Job
        from .engine import analyze

        return next(iter(analyze(self._run, [Job(path, self._run.documents[path], target)])))


def cached_project(cache: Cache, run: Any, analyses: Mapping[str, Any], digests: Mapping[str, str]) -> Any:
    """``engine.project_stage(run, analyses)``, or what it found for the same views.

    The project stage reads the settings (in the cache's key), the history's
    range, every document's path and kind, the view of every document that
    loaded, and the text of the documents a rule asks for (for a fix): its
    key is made of all but the last, which is kept with what it found, each
    document read with the digest of its bytes, and checked against them.
    """
    key = project_key(run, analyses) if cache.enabled and isinstance(analyses, Analyses) else None
    kept = _kept_project(run, cache.get_keyed("project", key), digests) if key is not None else None
    if kept is not None:
        return kept
    from .engine import project_stage

    if isinstance(analyses, Analyses):
        analyses.load()
    checked = project_stage(run, analyses)
    if key is None or any(not digests.get(path) for path in checked.read):
        return checked  # a document read that has no digest (it could not be read): not kept
    value = (tuple((rule.code, finding) for rule, finding in checked.findings), checked.notes,
             tuple((path, digests[path]) for path in checked.read))
    from . import codec

    try:
        if codec.loads(codec.dumps(value)) != value:
            return checked  # a value the cache's format does not give back as it was
    except (TypeError, ValueError, RecursionError):  # a type the format does not hold, a number too long
        return checked
    cache.put_keyed("project", key, value)
    return checked


def _kept_project(run: Any, kept: Any, digests: Mapping[str, str]) -> Any:
    """The project stage's result from a kept value, or None where it is not one or a document it read
    has other bytes now."""
    from .engine import Checked
    from .model import Finding, Scope

    if not (isinstance(kept, tuple) and len(kept) == 3 and all(isinstance(part, tuple) for part in kept)):
        return None
    found, notes, read = kept
    rules = {rule.code: rule for rule in run.rules if rule.scope is Scope.PROJECT}
    if not all(isinstance(item, tuple) and len(item) == 2 and item[0] in rules and isinstance(item[1], Finding)
               for item in found):
        return None
    if not all(isinstance(note, str) for note in notes):
        return None
    if not all(isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and item[1]
               and digests.get(item[0]) == item[1] for item in read):
        return None
    return Checked([(rules[code], finding) for code, finding in found], notes, tuple(path for path, _ in read))


def project_key(run: Any, analyses: Analyses) -> str | None:
    """What the project stage reads besides the settings and the documents' text: the history's range,
    every document's path and kind, its view (by the digest of its bytes); None where one is unknown."""
    facts = analyses.facts
    if facts.keys() != run.documents.keys():
        return None
    history = run.history
    commits = (history.base, history.head, history.since) if history is not None else None
    # As in run_key: sections end with two NULs; surrogate escapes encode back to a path's bytes.
    return digest_text(_joined(f"{commits!r}\0\0", "\0", (f"{path}\0{facts[path]}" for path in sorted(facts))))


def _index_holds(records: Mapping[str, Any], views: Mapping[str, Any]) -> bool:
    """Does the index hold a record of each of these views' bytes, and of nothing else?"""
    from . import index

    if len(records) != len(views):
        return False
    for path, view in views.items():
        record = index.parse(records[path]) if path in records else None
        if record is None or record.digest != view.digest:
            return False
    return True


def run_key(inputs: Any, digests: Mapping[str, str]) -> str:
    """What a run's outcome depends on besides the settings: every document's kind and bytes, the
    targets, the history's commits."""
    history = inputs.history
    commits = (history.base, history.head) if history is not None else None
    # Sections end with two NULs, which no path, kind or digest holds. A path that is not UTF-8
    # carries surrogate escapes: they encode back to its bytes.
    head = f"{commits!r}\0\0" + "\0".join(sorted(inputs.targets)) + "\0\0"
    return digest_text(_joined(head, "\n", (f"{p}\0{KIND_VALUES[k]}\0{digests[p]}"
                                             for p, k in sorted(inputs.documents.items()))))


def _joined(head: str, separator: str, items: Iterable[str]) -> Iterator[str]:
    """The text ``head + separator.join(items)`` in parts of a thousand items."""
    from itertools import islice

    yield head
    items = iter(items)
    lead = ""
    while True:
        part = list(islice(items, 1000))
        if not part:
            return
        yield lead + separator.join(part)
        lead = separator
