"""Baselines: adopt agent-lint on a repository that already has violations.

``check --write-baseline FILE`` records every current violation; ``check
--baseline FILE`` then reports only violations that are not in it, and each
entry that no longer matches a violation (AL007), so the file shrinks as
the old problems are fixed and nobody can quietly add to it.

A violation is matched by path, code and a fingerprint that survives edits
elsewhere in the file: a hash of the code, the message and the stripped text
of the offending line (none for findings about the whole file, at 1:1),
plus a counter that tells apart identical violations
in one file (numbered in line order). Line numbers are deliberately not part
of it. The file is JSON, sorted and indented, so its diffs read well.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .model import AgentLintError, Violation

VERSION = 1

LineText = Callable[[str, int], str]  # (root-relative path, 1-based line) -> the line's text


@dataclass(frozen=True)
class Entry:
    path: str
    code: str
    fingerprint: str
    message: str  # for the reader of the file; matching does not use it


@dataclass(frozen=True)
class StaleEntry:
    entry: Entry
    line: int  # where the entry is in the baseline file
    column: int


def fingerprinted(violations: Iterable[Violation], line_text: LineText) -> list[tuple[Violation, str]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    result = []
    for violation in sorted(violations):
        # 1:1 is where file-level findings go; the first line's text says nothing about them.
        whole_file = (violation.line, violation.column) == (1, 1)
        text = "" if whole_file else line_text(violation.path, violation.line).strip()
        digest = hashlib.sha256(f"{violation.code}\0{violation.message}\0{text}".encode()).hexdigest()[:16]
        key = (violation.path, violation.code, digest)
        result.append((violation, f"{digest}-{seen[key]}"))
        seen[key] += 1
    return result


def write_baseline(file: Path, violations: Iterable[Violation], line_text: LineText) -> int:
    entries = sorted(
        {(v.path, v.code, fp): v.message for v, fp in fingerprinted(violations, line_text)}.items()
    )
    document = {
        "version": VERSION,
        "entries": [
            {"path": path, "code": code, "fingerprint": fp, "message": message}
            for (path, code, fp), message in entries
        ],
    }
    try:
        file.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise AgentLintError(f"{file}: cannot write baseline: {err.strerror or err}") from None
    return len(entries)


def read_baseline(file: Path) -> list[StaleEntry]:
    """Every entry of a baseline file, with its position there (for reporting it stale)."""
    from .document import JsonDocument, parse_document

    try:
        data = file.read_bytes()
    except OSError as err:
        raise AgentLintError(f"{file}: cannot read baseline: {err.strerror or err}") from None
    doc = parse_document(str(file), None, data)
    if not isinstance(doc, JsonDocument) or not isinstance(doc.data, dict) or doc.data.get("version") != VERSION:
        raise AgentLintError(f"{file}: not an agent-lint baseline (version {VERSION} JSON written by --write-baseline)")
    found = []
    for index, item in enumerate(doc.data.get("entries") or []):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("path", "code", "fingerprint")):
            raise AgentLintError(f"{file}: entry {index} needs string 'path', 'code' and 'fingerprint'")
        line, column = doc.locate(["entries", index])
        entry = Entry(item["path"], item["code"], item["fingerprint"], str(item.get("message", "")))
        found.append(StaleEntry(entry, line, column))
    return found


def apply_baseline(
    violations: Sequence[Violation],
    entries: Sequence[StaleEntry],
    line_text: LineText,
    judged: Callable[[Entry], bool],
) -> tuple[list[Violation], list[StaleEntry]]:
    """The violations the baseline does not cover, and the judged entries that matched none."""
    known = {(e.entry.path, e.entry.code, e.entry.fingerprint) for e in entries}
    kept, used = [], set()
    for violation, fp in fingerprinted(violations, line_text):
        key = (violation.path, violation.code, fp)
        if key in known:
            used.add(key)
        else:
            kept.append(violation)
    stale = [e for e in entries
             if (e.entry.path, e.entry.code, e.entry.fingerprint) not in used and judged(e.entry)]
    return sorted(kept), stale
