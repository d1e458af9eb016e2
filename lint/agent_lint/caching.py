"""The cache beside the pipeline: it wraps two whole stages from outside, and changes no result.

* The per-document stage (``engine.analyze``): each document's analysis is
  kept by the hash of its bytes, so only documents whose bytes are new are
  read and parsed.
* The whole run (``engine.lint``): its outcome is kept by the hash of every
  input (each document's kind and bytes, the targets, the history's
  commits), so an unchanged tree is answered without reading any document.

To know a document's hash without reading it, each file's digest is kept
with the stat it had when read (files.digest_files): a file whose size,
mtime, ctime and inode are unchanged is not read again.

Both are keyed by the settings (agent-lint's version and code, the config,
the rules enabled, a team schema's bytes), so what is kept is what the
stage would make now: tests hold every cached run to a run without the
cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Mapping

from . import __version__, codec
from .analysis import Analysis
from .cache import Cache, digest, source_stamp
from .engine import Run, analyze
from .files import Reader, digest_files, remember_digests, stamp_files
from .model import Kind, Outcome


def open_cache(run: Run, directory: Path | None) -> Cache:
    """The cache for these settings: version, own source, config, rules, a team schema's bytes."""
    config = run.config
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
    settings = "\n".join([
        __version__, source_stamp(), config.fingerprint(), ",".join(rule.code for rule in run.rules), digest(extra),
    ])
    return Cache(directory or config.root / ".agent_lint_cache", settings)


def cached_lint(cache: Cache, run: Run, lint: Callable[..., Outcome]) -> Outcome:
    """``lint(run)``, or the outcome kept for these same inputs; the per-document stage cached too."""
    stamps = stamp_files(run.config, run.documents)
    known = cache.file_digests()
    digests = digest_files(run.config, stamps, known, read=False)
    # Every file as it was when last read: there is nothing new to remember about them.
    unchanged = len(digests) == len(stamps)
    if not unchanged and cache.has_entries():
        # Files changed since their stamps were taken: read them, the cache may know their bytes.
        # (With nothing cached, the analysis digests what it reads; no file is read twice.)
        digests = digest_files(run.config, stamps, known)
    key = run_key(run, digests) if cache.enabled and len(digests) == len(run.documents) else None
    kept = cache.get_run(key) if key is not None else None
    if isinstance(kept, Outcome):
        return kept
    outcome = lint(run, lambda run: cached_analyses(cache, run, digests))
    if cache.enabled:
        # The analysis digested every file it read; one may have changed since the key was made.
        cache.put_run(run_key(run, digests), outcome)
    if not unchanged:
        remember_digests(known, stamps, digests)
        cache.save_file_digests()
    return outcome


def cached_analyses(cache: Cache, run: Run, digests: dict[str, str],
                    analyze: Callable[..., dict[str, Analysis]] = analyze) -> dict[str, Analysis]:
    """``analyze(run)``, each document's analysis from the cache where its bytes are known.

    ``digests`` is updated with the bytes each analysed document had.
    """
    found: dict[str, Analysis] = {}
    todo = []
    for job in run.jobs():
        kept = _decoded(cache.get(f"{job.path}:{digests[job.path]}")) if digests.get(job.path) else None
        if kept is not None and kept.path == job.path and (kept.findings is not None or not job.target):
            found[job.path] = kept
        else:
            todo.append(job)
    cache.done_reading()
    for path, analysis in analyze(run, todo).items():
        found[path] = analysis
        digests[path] = analysis.digest
        if analysis.digest:
            try:
                cache.put(f"{path}:{analysis.digest}", codec.dumps(analysis))
            except (RecursionError, ValueError):  # nested deeper than the codec goes: analysed, not kept
                pass
    cache.save()
    return found


def _decoded(blob: bytes | None) -> Analysis | None:
    """The analysis kept in ``blob``, or None for anything else."""
    if blob is None:
        return None
    try:
        value = codec.loads(blob)
    except codec.CodecError:  # signed, yet not readable (older code): analysed again
        return None
    return value if isinstance(value, Analysis) else None


def run_key(run: Run, digests: Mapping[str, str]) -> str:
    """What a run's outcome depends on besides the settings: every document's kind and bytes, the
    targets, the history's commits."""
    history = run.history
    commits = (history.base, history.head) if history is not None else None
    kinds = {kind: kind.value for kind in Kind}
    inputs = "\n".join(f"{p}\0{kinds[k]}\0{digests[p]}" for p, k in sorted(run.documents.items()))
    # Sections end with two NULs, which no path, kind or digest holds. A path that is not UTF-8
    # carries surrogate escapes: they encode back to its bytes.
    text = f"{commits!r}\0\0" + "\0".join(sorted(run.targets)) + "\0\0" + inputs
    return digest(text.encode("utf-8", "surrogateescape"))
