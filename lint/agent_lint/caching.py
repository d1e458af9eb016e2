"""The cache beside the pipeline: it wraps two whole stages from outside, and changes no result.

* The whole run (``engine.lint``): its outcome is kept by the hash of every
  input (each document's kind and bytes, the targets, the history's
  commits), so an unchanged tree is answered without reading any document,
  without even importing the rules or the engine.
* The per-document stage (``engine.analyze``): each document's analysis is
  kept by the hash of its bytes, so only documents whose bytes are new are
  read and parsed; the analyses made go into the cache as they come. The
  view of a document the run does not report on is read from the project
  index (index.py), one file, where its bytes are those it was made of.

To know a document's hash without reading it, each file's digest is kept
with the stat it had when read (files.digest_files): a file whose size,
mtime, ctime and inode are unchanged is not read again.

Both are keyed by the settings (agent-lint's version and code, the config,
the rules selected, a team schema's bytes), so what is kept is what the
stage would make now: tests hold every cached run to a run without the
cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping

from . import __version__
from .cache import Cache, digest, source_stamp
from .config import Config
from .files import Reader, digest_files, remember_digests, stamp_files
from .model import Kind, Outcome


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


def cached_lint(cache: Cache, inputs: Any, lint: Callable[..., Outcome]) -> Outcome:
    """``lint(run)``, or the outcome kept for these same inputs; the per-document stage cached too.

    ``inputs`` holds what the outcome's key is made of (documents, targets,
    history) and makes the run (``inputs.run()``, with its rules) only when
    the outcome is not kept.
    """
    stamps = stamp_files(inputs.config, inputs.documents)
    known = cache.file_digests()
    digests = digest_files(inputs.config, stamps, known, read=False)
    # Every file as it was when last read: there is nothing new to remember about them.
    unchanged = len(digests) == len(stamps)
    if not unchanged and cache.has_entries():
        # Files changed since their stamps were taken: read them, the cache may know their bytes.
        # (With nothing cached, the analysis digests what it reads; no file is read twice.)
        digests = digest_files(inputs.config, stamps, known)
    key = run_key(inputs, digests) if cache.enabled and len(digests) == len(inputs.documents) else None
    kept = cache.get_run(key) if key is not None else None
    if isinstance(kept, Outcome):
        return kept
    outcome = lint(inputs.run(), lambda run: cached_analyses(cache, run, digests))
    if cache.enabled:
        # The analysis digested every file it read; one may have changed since the key was made.
        cache.put_run(run_key(inputs, digests), outcome)
    if not unchanged:
        remember_digests(known, stamps, digests)
        cache.save_file_digests()
    return outcome


def cached_analyses(cache: Cache, run: Any, digests: dict[str, str]) -> dict[str, Any]:
    """``engine.analyses(run)``, from the cache where it knows a document's bytes.

    A document the run reports on needs its whole analysis (its entry); of
    the others the view is enough, which the index holds. What is analysed
    now goes into the cache, entries and index, as it is made; the index is
    rewritten when it lacks a view the run used. ``digests`` is updated
    with the bytes each analysed document had.
    """
    from itertools import chain

    from . import index
    from .analysis import Analysis, collect
    from .engine import analyze

    jobs = run.jobs()
    # A run that reports on every document reads no view from the index: it reads the index only
    # to learn whether it must be rewritten, and only when nothing was analysed (made() says).
    records = cache.index() if any(not job.target for job in jobs) else None
    views: dict[str, tuple] = {}  # (digest, kind, view's bytes) of each document taken from the cache
    todo = []
    stale = records is not None and len(records) != len(run.documents)  # a document removed: rewritten

    def kept() -> Any:
        nonlocal stale
        for job in jobs:
            known = digests.get(job.path)  # None: learnt when it is read; "": it cannot be read
            record = index.parse(records[job.path]) if records is not None and job.path in records else None
            current = record is not None and bool(known) and record.digest == known
            if records is not None and not current and (record is None or record.digest or known != ""):
                stale = True  # the index has no view of these bytes
            if current and not job.target:
                view = index.view_of(record.view, record.kind)
                if view is not index.BAD:
                    views[job.path] = record
                    yield Analysis(job.path, record.kind, known, view, None, 0, None)
                    continue
                stale = True
            blob = cache.get(f"{job.path}:{known}") if known else None
            entry = index.from_entry(blob, job.path) if blob is not None else None
            if entry is not None and (entry[0].findings is not None or not job.target):
                views[job.path] = (known, entry[0].kind, entry[1])
                yield entry[0]
            else:
                todo.append(job)

    def made() -> Any:
        nonlocal stale
        cache.done_reading()
        if records is None:
            stale = bool(todo) or not _index_holds(cache.index(), views)
        writer = cache.index_writer() if stale else None

        def add(path: str, digest: str, kind: Kind | None, view: bytes | memoryview) -> None:
            nonlocal writer
            if writer is None:
                return
            try:
                writer.add(path, index.record(digest, kind, view))
            except OSError:  # a full disk: the index stays as it was
                writer.abort()
                writer = None

        for path, (digest, kind, view) in views.items():
            add(path, digest, kind, view)
        views.clear()
        if records is not None:
            records.clear()
        for analysis, view, entry in analyze(run, todo, then=index.entry):
            digests[analysis.path] = analysis.digest
            if analysis.digest:
                cache.put(f"{analysis.path}:{analysis.digest}", entry)
            add(analysis.path, analysis.digest, analysis.kind, view)
            yield analysis
        if writer is not None:
            writer.commit()

    try:
        analyses = collect(chain(kept(), made()))
    except BaseException:
        cache.abandon()  # no half-written file is left in the folder
        raise
    cache.save()
    return analyses


def _index_holds(records: Mapping[str, Any], views: Mapping[str, tuple]) -> bool:
    """Does the index hold a record of each of these views' bytes, and of nothing else?"""
    from . import index

    if len(records) != len(views):
        return False
    for path, (digest, _, _) in views.items():
        record = index.parse(records[path]) if path in records else None
        if record is None or record.digest != digest:
            return False
    return True


def run_key(inputs: Any, digests: Mapping[str, str]) -> str:
    """What a run's outcome depends on besides the settings: every document's kind and bytes, the
    targets, the history's commits."""
    history = inputs.history
    commits = (history.base, history.head) if history is not None else None
    kinds = {kind: kind.value for kind in Kind}
    text = "\n".join(f"{p}\0{kinds[k]}\0{digests[p]}" for p, k in sorted(inputs.documents.items()))
    # Sections end with two NULs, which no path, kind or digest holds. A path that is not UTF-8
    # carries surrogate escapes: they encode back to its bytes.
    text = f"{commits!r}\0\0" + "\0".join(sorted(inputs.targets)) + "\0\0" + text
    return digest(text.encode("utf-8", "surrogateescape"))
