"""What ``agent-lint init`` and ``agent-lint new-session`` share: writing files without losing any.

A new file appears in one step and never replaces one that exists (it is
written aside, then hard-linked into place, which fails if the name is
taken). An existing file is only ever changed by inserting text, through
the fixer's own edit machinery (BOM, newline style and the final newline
kept), and only if nobody changed it since it was read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
from pathlib import Path
from typing import Sequence

from .config import Config
from .files import classify, excluded
from .fixer import ChangedOnDisk, apply_fixes, write_atomic, write_temp
from .model import AgentLintError, Edit, Fix, Kind

_GLOB_CHARS = re.compile(r"[*?\[]")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def create_new(path: Path, data: bytes) -> None:
    """Write a new file in one step; FileExistsError if the name is taken.

    Readers never see it half written, and a file created meanwhile by
    someone else is never overwritten.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path.parent, path.name, data, 0o666 & ~_umask())
    try:
        try:
            os.link(tmp, path)
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # No hard links here (some network and FAT file systems): exclusive, if not in one step.
            with open(path, "xb") as handle:
                handle.write(data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def insert(path: Path, data: bytes, edits: Sequence[Edit], description: str) -> bytes:
    """Apply insertions to a file's bytes as a fix would, write the result, return it.

    ``data`` is what the edits were computed from: if the file holds
    something else by now, nothing is written (AgentLintError).
    """
    after = apply_fixes(data, [Fix(description, tuple(edits))]).data
    if after != data:
        try:
            write_atomic(path, after, expected=data)
        except ChangedOnDisk:
            raise AgentLintError(f"{path} changed while agent-lint was editing it; nothing written") from None
        except OSError as err:
            raise AgentLintError(f"cannot write {path}: {err.strerror or err}") from None
    return after


def static_folder(glob: str) -> str:
    """The folder a glob's matches live in, up to its first wildcard ("" for the root)."""
    parts = glob.split("/")[:-1]
    static = []
    for part in parts:
        if _GLOB_CHARS.search(part):
            break
        static.append(part)
    return "/".join(static)


def session_folder(config: Config, suffix: str, stem: str) -> str:
    """The folder a new session log named ``stem + suffix`` goes in: the first
    configured ``session-logs`` folder where the config would read it as one."""
    for glob in config.session_logs:
        folder = static_folder(glob)
        path = posixpath.join(folder, stem + suffix)
        if classify(path, config) is Kind.SESSION_LOG and not excluded(path, config):
            return folder
    raise AgentLintError(f"no session-logs glob of the config ({', '.join(config.session_logs)}) takes a "
                         f"log named {stem}{suffix}")


def system_document_path(config: Config) -> str:
    """The configured system document, else the first default location that exists, else the first default."""
    candidates = config.system_document_candidates
    return next((c for c in candidates if (config.root / c).is_file()), candidates[0])
