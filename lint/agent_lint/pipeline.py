"""Per-document work: parse, extract records, run the document rules.

This is the part of a check whose cost grows with the tree, so it is the part
that is cached (by the hash of each file's bytes) and shared between this
process and forked children (workers.share; the parse is pure Python: threads
would not help). Each document's result depends on its bytes and the
settings alone, so the outcome is the same whichever process computed it,
and whether it came from the cache.
"""

from __future__ import annotations

import os
from typing import Any, Callable, NamedTuple, Sequence

from . import codec
from .cache import Cache, digest
from .config import Config
from .document import Document, FailedDocument, LoadError, MarkdownDocument, document_format, parse_document, too_large
from .engine import document_findings, options_by_rule
from .extract import extract_records
from .extract.session_log import RECORD as SESSION_RECORD, VIEW as SESSION_VIEW, session_log
from .files import Reader, TooLarge, content_key
from .model import Finding, Kind, Rule
from .rules import al201_session_log_schema_violation as al201
from .workers import can_fork, share

# Below this many documents to parse, forking costs more than it saves.
POOL_THRESHOLD = 128


class Analysis(NamedTuple):
    doc: Document
    findings: tuple[tuple[str, Finding], ...] | None  # (rule code, finding); None: not a target, not run
    # What project rules can see of the document: the hash of its encoded model and records
    # (incremental.py compares it). None where nothing is cached, which is all that needs it.
    fingerprint: str | None = None


def pack(doc: Document, findings: tuple[tuple[str, Finding], ...] | None) -> tuple[bytes, str]:
    """An analysis as the cache keeps it, and its fingerprint.

    Three lines (codec.dumps writes none): the fingerprint, the encoded
    document, whose hash it is, and the findings, flattened to one tuple
    of (code, line, column, message, path, fix) after another: a load then
    takes apart one tuple, not two per finding (16,000 on the real corpus).
    """
    model = codec.dumps(doc)
    fingerprint = digest(model)
    flat = None if findings is None else tuple(part for code, finding in findings for part in (code, *finding))
    return b"\n".join((fingerprint.encode(), model, codec.dumps(flat))), fingerprint


def unpack(blob: bytes | None) -> Analysis | None:
    """The analysis :func:`pack` kept, or None for anything else."""
    parts = blob.split(b"\n") if isinstance(blob, bytes) else ()
    if len(parts) != 3:
        return None
    try:
        doc, flat = codec.loads(parts[1]), codec.loads(parts[2])
    except codec.CodecError:  # signed, yet not readable (older code): analyse again
        return None
    if not isinstance(doc, Document) or not (flat is None or isinstance(flat, tuple) and len(flat) % _ROW == 0):
        return None
    findings = None if flat is None else tuple(
        (flat[at], tuple.__new__(Finding, flat[at + 1:at + _ROW])) for at in range(0, len(flat), _ROW))
    return Analysis(doc, findings, parts[0].decode("ascii", "replace"))


_ROW = 1 + len(Finding._fields)  # a finding as pack() flattens it: its rule's code, then its fields


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Every process's view of the run, set before the fork.
_CONFIG: Config | None = None
_READER: Reader | None = None  # reads the documents, inside the root only
_ROOT = ""  # _CONFIG.root as text: one string every document shares
_RULES: Sequence[Rule] = ()
_SCHEMA: Any = None  # the run's compiled session-log schema (schema_check.CompiledSchema)
_OPTIONS: dict[str, dict[str, Any]] = {}  # each rule's options (engine.options_by_rule)


def _analyze(job: tuple[str, Kind, bool]) -> tuple[Analysis, str | None]:
    """Read, parse, extract and check one document; also return its bytes' digest."""
    path, kind, is_target = job
    assert _CONFIG is not None and _READER is not None
    data = _READER.read(path)
    key: str | None = content_key(data)
    if isinstance(data, OSError):
        reason = data.strerror or type(data).__name__
        error = LoadError("unreadable", f"cannot read file: {reason}")
        doc: Document = FailedDocument(path, kind, error, document_format(path))
        key = None
    elif isinstance(data, TooLarge):
        doc = too_large(path, kind, data.size, _CONFIG.max_file_size)
    else:
        doc = parse_document(path, kind, data, max_bytes=_CONFIG.max_file_size)
    _place(doc)
    if kind is Kind.SESSION_LOG and _CONFIG.session_id_from_folder:
        doc.stem = _CONFIG.session_id(path)  # a log of one folder per session: the folder names it
    extract_records(doc)
    if kind is Kind.SESSION_LOG and SESSION_RECORD in doc.records:
        doc.records[SESSION_VIEW] = session_log(doc, doc.records[SESSION_RECORD], _CONFIG.session_fields)
    if _SCHEMA is not None and is_target and SESSION_RECORD in doc.records:
        from .schema_check import validation_errors

        doc.records[al201.SCHEMA_ERRORS] = validation_errors(doc, doc.records[SESSION_RECORD], _SCHEMA)
    findings = None
    if is_target:
        found = document_findings(doc, _RULES, _OPTIONS)
        findings = tuple((rule.code, finding) for rule, finding in found)
    if kind is Kind.SESSION_LOG and SESSION_RECORD in doc.records:
        # After the document rules: what crosses to the project rules and the cache is the
        # log's view (the same one the document rules could read), and of a Markdown log what
        # suppressions still read. The record, a JSON log's whole data, stays behind.
        del doc.records[SESSION_RECORD]
        doc.records.pop(al201.SCHEMA_ERRORS, None)  # AL201's findings hold them now
        if isinstance(doc, MarkdownDocument):
            doc.release_document_stage()
    return Analysis(doc, findings), key


def _place(doc: Document) -> None:
    """Tell a document where its text is, should anything read it again (within the same limit)."""
    assert _CONFIG is not None
    doc.root = _ROOT
    doc.read_limit = _CONFIG.max_file_size


def _analyze_packed(job: tuple[str, Kind, bool]) -> tuple[bytes | Analysis, str | None]:
    """A child's result, packed there: the parent keeps the bytes for the cache as they are."""
    analysis, key = _analyze(job)
    analysis.doc.drop_heavy()
    packed = _packed(analysis)
    return (packed[0] if packed is not None else analysis, key)


def _packed(analysis: Analysis) -> tuple[bytes, str] | None:
    """pack(), or None for a document the cache cannot hold (nested deeper than the codec goes)."""
    try:
        return pack(analysis.doc, analysis.findings)
    except (RecursionError, ValueError):
        return None


def _queues(todo: list[tuple[str, Kind, bool]]) -> list[list[list[tuple[str, Kind, bool]]]]:
    """The jobs in two queues for workers.share: Markdown documents, then JSON logs.

    A Markdown document costs several JSON logs (the parse is most of a run),
    so each is a batch of its own; JSON logs go eight to a batch. Small last
    batches let every process finish at about the same time.
    """
    markdown = [[job] for job in todo if not job[0].lower().endswith(".json")]
    json = [job for job in todo if job[0].lower().endswith(".json")]
    return [markdown, [json[i:i + 8] for i in range(0, len(json), 8)]]


def analyze(
    config: Config,
    documents: dict[str, Kind],
    targets: set[str],
    rules: Sequence[Rule],
    digests: dict[str, str],
    *,
    cache: Cache | None = None,
    jobs: int = 1,
    schema: Callable[[], Any] | None = None,
) -> dict[str, Analysis]:
    """The analysis of every document, from the cache where its bytes are known.

    ``schema`` compiles the session-log schema; it is called only when a
    session log has to be analysed, so a run answered from the cache never
    imports a validator.
    """
    global _CONFIG, _READER, _ROOT, _RULES, _SCHEMA, _OPTIONS
    _CONFIG, _RULES, _SCHEMA, _OPTIONS = config, rules, None, {}
    _READER = Reader(config.root, config.max_file_size)
    results: dict[str, Analysis] = {}
    todo: list[tuple[str, Kind, bool]] = []
    _ROOT = os.fspath(config.root)
    for path, kind in documents.items():
        hit = unpack(cache.get(f"{path}:{digests[path]}")) if cache is not None and digests.get(path) else None
        if hit is not None and (hit.findings is not None or path not in targets):
            _place(hit.doc)
            results[path] = hit
        else:
            todo.append((path, kind, path in targets))
    if cache is not None:
        cache.done_reading()

    if todo:
        _OPTIONS = options_by_rule(config, rules)
    # Only AL201 reads the schema's errors, and only of the files reported on.
    validates = any(rule.code == al201.RULE.code for rule in rules)
    if schema is not None and validates and any(job[1] is Kind.SESSION_LOG and job[2] for job in todo):
        _SCHEMA = schema()  # before the fork: compiled once, shared by every worker

    def keep(analysis: Analysis | None, key: str | None, blob: bytes | None) -> None:
        assert analysis is not None, "a worker's result is packed by pack()"
        _place(analysis.doc)  # where it was read is not encoded
        results[analysis.doc.path] = analysis
        digests[analysis.doc.path] = key or ""  # the bytes analysed: the fixer and the run cache use it
        if cache is not None and key is not None and blob is not None:
            cache.put_packed(f"{analysis.doc.path}:{key}", blob)

    def here(job: tuple[str, Kind, bool]) -> None:
        analysis, key = _analyze(job)
        # Drop the text now, as a child's result would: memory stays flat with tree size.
        analysis.doc.drop_heavy()
        if cache is None or key is None:
            keep(analysis, key, None)
            return
        packed = _packed(analysis)
        if packed is None:
            keep(analysis, key, None)  # analysed, not cached
            return
        keep(analysis._replace(fingerprint=packed[1]), key, packed[0])

    if jobs > 1 and len(todo) >= POOL_THRESHOLD and can_fork():
        # Every rule is imported once, here, rather than in each child. The Markdown parser
        # is not: children start with the Markdown documents, this process with the JSON
        # logs, so it never pays for markdown-it's import (~18 ms) unless it runs out of them.
        for rule in rules:
            rule.check  # noqa: B018 - a registry entry imports its rule module on first use
        share(_queues(todo), jobs, here, _analyze_packed,
              lambda result: keep(result[0], result[1], None) if isinstance(result[0], Analysis)
              else keep(unpack(result[0]), result[1], result[0]))
    else:
        for job in todo:
            here(job)
    if cache is not None:
        cache.save()
    return results
