"""Applying the rules' fixes to files: ``check --fix`` and ``check --diff``.

A fix is a set of edits on a document's decoded text (BOM removed, newlines
as written). Applying it touches only the characters it names: the BOM, every
untouched byte, and the file mode stay as they were; inserted line breaks take
the file's dominant newline; a file without a final newline keeps lacking one
(and one with it keeps it) when an edit reaches the end of the file.

Fixes whose edits share a character with an already chosen fix wait for the
next pass: ``--fix`` re-runs the check after writing, up to MAX_PASSES times,
until no fixable violation is left, so a second ``--fix`` changes nothing.
``--diff`` shows one pass and writes nothing: a fix that only becomes
possible after another one is applied is not in it.

A file whose bytes changed since the check read them is skipped with a
warning: its fixes name offsets in text that no longer exists.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO

from .files import Reader, content_key
from .edits import splice
from .guard import temporary
from .model import Edit, Fix, Outcome, Violation

BOM_BYTES = b"\xef\xbb\xbf"
MAX_PASSES = 10
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class ChangedOnDisk(Exception):
    """The file's bytes are not the ones the fixes were computed from."""


# ----------------------------------------------------------------------------
# Pure text work


def _valid(fix: Fix, length: int) -> bool:
    edits = fix.edits
    if not edits:
        return False
    for edit in edits:
        if not (isinstance(edit.start, int) and isinstance(edit.end, int) and isinstance(edit.text, str)):
            return False
        if not 0 <= edit.start <= edit.end <= length:
            return False
    return not any(_overlap(a, b) for i, a in enumerate(edits) for b in edits[i + 1:])


def _overlap(a: Edit, b: Edit) -> bool:
    """Two edits share a character, or both insert at one point.

    Two insertions at one point from different findings usually answer the
    same problem twice (or their order matters): the second waits for the
    next pass, which sees the first one's result.
    """
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    return a.start < b.end and b.start < a.end


@dataclass
class Applied:
    """The outcome of applying one pass of fixes to one file's bytes."""

    data: bytes
    applied: list[int] = field(default_factory=list)  # indexes into the fixes given
    invalid: list[int] = field(default_factory=list)  # offsets out of range, or edits overlapping each other
    deferred: list[int] = field(default_factory=list)  # overlap a chosen fix: next pass


def apply_fixes(data: bytes, fixes: Sequence[Fix]) -> Applied:
    """Apply every fix that does not overlap an earlier one (by position) to a file's bytes.

    A fix whose edits are identical to a chosen fix counts as applied (two
    rules, or two findings, asking for the same change): it is made once.
    """
    has_bom = data.startswith(BOM_BYTES)
    text = data[len(BOM_BYTES):].decode("utf-8") if has_bom else data.decode("utf-8")
    result = Applied(data)
    order = sorted(
        range(len(fixes)),
        key=lambda i: (min((e.start for e in fixes[i].edits), default=0), max((e.end for e in fixes[i].edits), default=0), i),
    )
    chosen: list[tuple[int, Edit]] = []  # (rank, edit)
    seen: set[tuple[Edit, ...]] = set()
    for rank, index in enumerate(order):
        fix = fixes[index]
        if not _valid(fix, len(text)):
            result.invalid.append(index)
            continue
        key = tuple(sorted(fix.edits, key=lambda e: (e.start, e.end, e.text)))
        if key in seen:
            result.applied.append(index)
            continue
        if any(_overlap(edit, other) for edit in fix.edits for _, other in chosen):
            result.deferred.append(index)
            continue
        seen.add(key)
        chosen.extend((rank, edit) for edit in fix.edits)
        result.applied.append(index)
    if not chosen:
        return result
    new_text = splice(text, [edit for _, edit in sorted(chosen, key=lambda c: (c[1].start, c[1].end, c[0]))])
    result.data = (BOM_BYTES if has_bom else b"") + new_text.encode("utf-8")
    return result


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff, ``--- a/path`` / ``+++ b/path``, that patch and git apply accept."""
    old = _LINE.findall(before.decode("utf-8", errors="surrogateescape"))
    new = _LINE.findall(after.decode("utf-8", errors="surrogateescape"))
    out = []
    for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", lineterm="\n"):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


# ----------------------------------------------------------------------------
# Files


def write_atomic(path: Path, data: bytes, expected: bytes | None = None, *, root: Path | None = None) -> None:
    """Replace a file's content in one step, keeping its mode.

    Never through a symbolic link (the link would be replaced by a file, or
    its target changed, maybe outside the project): a link, a file that is
    not a regular one, or (with ``root``) a file whose real path is outside
    ``root`` is an OSError saying so, and nothing is written. With
    ``expected``, raise ChangedOnDisk instead if the file no longer holds
    those bytes (someone else wrote it meanwhile).
    """
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise OSError(None, "it is a symbolic link; not written through")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(None, "it is not a regular file; not written")
    if root is not None:
        real, inside = os.path.realpath(path), os.path.realpath(root)
        if not real.startswith(os.path.join(inside, "")):
            raise OSError(None, "it leads outside the project; not written")
    if expected is not None:
        from .files import read_document

        if read_document(path.parent, path.name, len(expected)) != expected:
            raise ChangedOnDisk(str(path))
    # The mode is set before the rename, so the file is never visible with the temporary file's 0600.
    tmp = write_temp(path.parent, path.name, data, stat.S_IMODE(st.st_mode))
    with temporary(tmp):
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def write_temp(folder: Path, name: str, data: bytes, mode: int) -> str:
    """A fully written, synced temporary file beside ``name`` with ``mode``: ready to rename into place.

    Its name is registered (guard.temporary) before it exists, so a run
    stopped by a signal while writing leaves no temporary file behind.
    """
    tmp = os.path.join(folder, f".{name}.{os.getpid()}-{os.urandom(6).hex()}.agent-lint.tmp")
    with temporary(tmp):
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return tmp


@dataclass
class FileChange:
    path: str  # root-relative
    before: bytes
    after: bytes
    fixed: list[Violation]  # violations whose fix this change contains


class Fixer:
    def __init__(self, root: Path, err: TextIO | None = None, limit: int = 4 * 1024 * 1024):
        self.root = root
        self.reader = Reader(root, limit)  # reads as the check did: inside the root only
        self.err = err or sys.stderr
        self.skipped: set[str] = set()  # files that cannot be fixed in this run
        self._warned: set[str] = set()

    def warn(self, message: str) -> None:
        from .report import printable  # messages name files: one line, whatever their names hold

        if message not in self._warned:
            self._warned.add(message)
            self.err.write(f"agent-lint: warning: {printable(message)}\n")

    def changes(self, violations: Sequence[Violation], digests: Mapping[str, str]) -> list[FileChange]:
        """One pass of fixes, file by file, computed but not written."""
        by_path: dict[str, list[Violation]] = {}
        for violation in violations:
            if violation.fix is not None and violation.path not in self.skipped:
                by_path.setdefault(violation.path, []).append(violation)
        result = []
        for path, fixable in sorted(by_path.items()):
            data = self.reader.read(path)
            if isinstance(data, OSError):
                self._skip(path, f"cannot read {path}: {data.strerror or data}; not fixed")
                continue
            if not isinstance(data, bytes) or content_key(data) != digests.get(path):
                self._skip(path, f"{path} changed on disk since it was checked; not fixed")
                continue
            try:
                applied = apply_fixes(data, [v.fix for v in fixable])  # type: ignore[misc]
            except UnicodeDecodeError:
                self._skip(path, f"{path} is not valid UTF-8; not fixed")
                continue
            for index in applied.invalid:
                v = fixable[index]
                self.warn(f"{path}:{v.line}:{v.column}: {v.code} offered a fix with edits outside the file "
                          "or overlapping each other; not applied")
            if applied.data != data:
                result.append(FileChange(path, data, applied.data, [fixable[i] for i in applied.applied]))
        return result

    def _skip(self, path: str, message: str) -> None:
        self.skipped.add(path)
        self.warn(message)

    def write(self, change: FileChange) -> bool:
        try:
            write_atomic(self.root / change.path, change.after, expected=change.before, root=self.root)
        except ChangedOnDisk:
            self._skip(change.path, f"{change.path} changed on disk while it was being fixed; not fixed")
            return False
        except OSError as err:
            self._skip(change.path, f"cannot write {change.path}: {err.strerror or err}; not fixed")
            return False
        return True


def fix(root: Path, checked: Callable[[], Outcome], err: TextIO | None = None, *,
        limit: int = 4 * 1024 * 1024) -> tuple[Outcome, int, int]:
    """Fix, re-check, repeat; return the last check's outcome and the counts (violations, files).

    ``checked`` runs the check; its outcome says which bytes each fix applies to (``Outcome.digests``).
    """
    fixer = Fixer(root, err, limit)
    fixed, files = 0, set()
    for passes in range(MAX_PASSES + 1):
        outcome = checked()
        changes = fixer.changes(outcome.violations, outcome.digests)
        if not changes:
            break
        if passes == MAX_PASSES:
            for change in changes:
                fixer.warn(f"{change.path}: fixes still pending after {MAX_PASSES} passes; "
                           "a rule keeps offering new ones")
            break
        for change in changes:
            if fixer.write(change):
                fixed += len(change.fixed)
                files.add(change.path)
    return outcome, fixed, len(files)


def preview(root: Path, outcome: Outcome, display_path: Callable[[str], str],
            err: TextIO | None = None, *, limit: int = 4 * 1024 * 1024) -> tuple[str, int, int]:
    """The unified diff of one pass of fixes, and the counts (violations, files); nothing written."""
    changes = Fixer(root, err, limit).changes(outcome.violations, outcome.digests)
    text = "".join(unified_diff(display_path(c.path), c.before, c.after) for c in changes)
    return text, sum(len(c.fixed) for c in changes), len(changes)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"
