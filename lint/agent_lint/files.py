"""Which files are agent documents, and reading them: the only file I/O of a check.

Discovery asks git for the files it tracks or would track
(``git ls-files --cached --others --exclude-standard``), which honours every
.gitignore, .git/info/exclude and the user's global excludes exactly as git
does. Outside a git work tree it walks the folders and reads .gitignore files
itself with pathspec.

The project root is a boundary: a :class:`Reader` reads only regular files
whose real path is inside it (a symbolic link that leads out, a FIFO, a
device is refused, with the reason, before a byte is read), never blocks
on opening, and reads at most the size limit and one byte more.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path
from typing import Iterable, NamedTuple

from .config import Config, enclosing_work_tree, relative_to_root
from .globs import compile_globs, static_prefix
from .model import AgentLintError, Kind

_SUFFIXES = (".md", ".markdown", ".json")


class Classifier:
    """:func:`classify` and :func:`excluded` for one config, with its globs compiled once
    (discovery asks for every file of the tree)."""

    __slots__ = ("system", "handoff", "session_logs", "exclude", "exclude_any_case", "_excludes")

    def __init__(self, config: Config):
        self.system = config.system_document_candidates
        self.handoff = compile_globs(tuple(config.handoff), config.handoff_any_case)
        self.session_logs = compile_globs(tuple(config.session_logs))
        self.exclude = compile_globs(tuple(g for g in config.exclude if g not in config.exclude_any_case))
        self.exclude_any_case = compile_globs(config.exclude_any_case, True)
        self._excludes = tuple(globs for globs in (self.exclude, self.exclude_any_case) if globs is not None)

    def kind(self, path: str) -> Kind | None:
        if not path.lower().endswith(_SUFFIXES):
            return None
        if path in self.system:
            return Kind.SYSTEM
        if self.handoff is not None and self.handoff.fullmatch(path):
            return Kind.HANDOFF
        if self.session_logs is not None and self.session_logs.fullmatch(path):
            return Kind.SESSION_LOG
        return None

    def excluded(self, path: str) -> bool:
        if path in self.system:
            return False
        for globs in self._excludes:  # (a loop, not any(): discovery asks this of every file of the tree)
            if globs.fullmatch(path) is not None:
                return True
        return False

    def document_kind(self, path: str | None) -> Kind | None:
        """The kind of agent document ``path`` is for the config: None for none, an excluded one, or no path."""
        return None if path is None or self.excluded(path) else self.kind(path)


def classify(path: str, config: Config) -> Kind | None:
    """The kind of a root-relative path, or None when it is no agent document.

    Only the config's globs say what a file is, for a whole run and for a
    file named on the command line alike: a file is never taken for a
    HANDOFF or a system document by its name alone.
    """
    return Classifier(config).kind(path)


def excluded(path: str, config: Config) -> bool:
    return Classifier(config).excluded(path)


ANY_CASE = ":(icase)"  # git's pathspec magic, which the folder walk reads as well


def _search_roots(config: Config) -> list[str]:
    roots = {static_prefix(glob) for glob in config.session_logs}
    handoff = {static_prefix(glob) for glob in config.handoff}
    roots.update(f"{ANY_CASE}{root}" if root and config.handoff_any_case else root for root in handoff)
    roots.update(config.system_document_candidates)
    if "" in roots:
        return [""]
    # Drop roots nested in other roots.
    ordered = sorted(roots)
    kept: list[str] = []
    for root in ordered:
        if not any(root == k or root.startswith(k + "/") for k in kept):
            kept.append(root)
    return kept


def _git_files(root: Path, prefixes: list[str]) -> list[str] | None:
    # Outside a work tree (unless git is told where one is) asking git only costs a process.
    if not (os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE") or enclosing_work_tree(root)):
        return None
    import subprocess  # here: a run outside git never pays for the module

    from .guard import run

    try:
        result = run(
            ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard", "-z",
             "--", *([prefix or "." for prefix in prefixes] or ["."])],  # git refuses an empty pathspec
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    out = result.stdout.decode("utf-8", errors="surrogateescape")
    # ls-files names paths relative to its working directory (-C root), which
    # is what the root-relative paths need, even with the root below the top.
    return [name for name in out.split("\0") if name]


def _walk_files(root: Path, prefixes: list[str], respect_gitignore: bool) -> list[str]:
    specs: list[tuple[str, object]] = []
    if respect_gitignore:
        def load_spec(directory: Path, rel: str) -> None:
            ignore_file = directory / ".gitignore"
            if ignore_file.is_file():
                from .cache import Refused, read_regular

                try:  # never a FIFO or /dev/zero, nor a file larger than git itself would take in
                    data = read_regular(ignore_file, 1 << 24, follow=True, own=False) or b""
                except (OSError, Refused):
                    return
                lines = data.decode("utf-8", errors="replace").splitlines()
                import pathspec  # only where there is a .gitignore to read

                specs.append((rel, pathspec.GitIgnoreSpec.from_lines(lines)))
    else:
        def load_spec(directory: Path, rel: str) -> None:
            return None

    def ignored(rel: str, is_dir: bool) -> bool:
        for base, spec in specs:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1:] if base else rel
            if spec.match_file(sub + ("/" if is_dir else "")):  # type: ignore[attr-defined]
                return True
        return False

    files: list[str] = []
    loaded: set[str] = set()

    def load_once(rel: str) -> None:
        if rel not in loaded:
            loaded.add(rel)
            load_spec(root / rel if rel else root, rel)

    load_once("")
    for prefix in _cased(root, prefixes) or [""]:
        # The .gitignore files of the folders above the walk apply inside it too.
        parts = prefix.split("/") if prefix else []
        for depth in range(1, len(parts)):
            load_once("/".join(parts[:depth]))
        start = root / prefix if prefix else root
        if start.is_file():
            if not ignored(prefix, False):
                files.append(prefix)
            continue
        if prefix and ignored(prefix, True):
            continue
        for rel_dir, dirnames, filenames in _walk(start, prefix):
            load_once(rel_dir)
            dirnames[:] = sorted(
                d for d in dirnames
                if d != ".git" and not ignored(f"{rel_dir}/{d}" if rel_dir else d, True)
            )
            for name in sorted(filenames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if not ignored(rel, False):
                    files.append(rel)
    return list(dict.fromkeys(files))  # a folder named twice (in any case) is listed once


def _cased(root: Path, prefixes: list[str]) -> list[str]:
    """The prefixes as they are written on disk: one marked ANY_CASE stands for each path matching it in any case."""
    out = []
    for prefix in prefixes:
        if not prefix.startswith(ANY_CASE):
            out.append(prefix)
            continue
        found = [""]
        for part in prefix[len(ANY_CASE):].split("/"):
            step = []
            for rel in found:
                try:
                    with os.scandir(root / rel if rel else root) as entries:
                        step += [f"{rel}/{e.name}" if rel else e.name for e in entries
                                 if e.name.casefold() == part.casefold()]
                except OSError:
                    continue
            found = step
        out += found
    return out


def _walk(start: Path, prefix: str) -> Iterable[tuple[str, list[str], list[str]]]:
    """os.walk, naming only files a check can read: regular files and symlinks to them.

    The entry types come with the directory listing, so unlike os.walk plus
    a stat per file, this costs no system call per file; FIFOs and sockets
    (whose read would block) never reach the reader.
    """
    pending = [(str(start), prefix)]
    while pending:
        folder, rel_dir = pending.pop()
        dirnames, filenames = [], []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            dirnames.append(entry.name)
                        elif entry.is_file(follow_symlinks=False):
                            filenames.append(entry.name)
                        elif entry.is_symlink() and not _leads_to_folder(entry):
                            filenames.append(entry.name)  # to a file, dangling, a loop: AL001 says which
                    except OSError:
                        continue
        except OSError:
            continue
        yield rel_dir, dirnames, filenames
        for name in reversed(dirnames):  # the caller may have pruned them
            pending.append((os.path.join(folder, name), f"{rel_dir}/{name}" if rel_dir else name))


def _leads_to_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a loop of links, or one too deep to follow: not a folder
        return False



def discover(config: Config) -> dict[str, Kind]:
    """Every agent document of the project, by root-relative path."""
    prefixes = _search_roots(config)
    files = _git_files(config.root, prefixes) if config.respect_gitignore else None
    listed_by_git = files is not None
    if files is None:
        files = _walk_files(config.root, prefixes, config.respect_gitignore)
    found = {}
    root = str(config.root)
    classifier = Classifier(config)
    for path in files:
        kind = classifier.kind(path)
        if kind is None or classifier.excluded(path):
            continue
        # git also lists files deleted from the work tree: skip those, but keep a
        # dangling symlink, which AL001 reports as unreadable. (The walk names
        # only such files already.)
        if not listed_by_git or os.path.isfile(full := os.path.join(root, path)) or os.path.islink(full):
            found[path] = kind
    return dict(sorted(found.items()))


def expand_targets(paths: Iterable[Path], config: Config, known: dict[str, Kind],
                   force_exclude: bool) -> dict[str, Kind]:
    """The agent documents named on the command line (files, or folders to search).

    A file is what the config's globs make it, as in a whole run; a named
    file they do not cover is passed over silently (pre-commit hands every
    hook every staged Markdown and JSON file). As in ruff, a file named
    outright that the config excludes or git ignores is checked anyway,
    unless ``force_exclude``; a folder yields the documents a whole run finds
    in it. With ``force_exclude`` the targets are exactly the named files a
    whole run would check, so a run on them reports what it would.
    """
    targets: dict[str, Kind] = {}
    classifier = Classifier(config)
    for given in paths:
        if not os.path.lexists(given):
            raise AgentLintError(f"{given}: no such file or directory")
        rel = relative_to_root(given, config.root) if given.is_dir() else _named_file(given, config.root)
        if given.is_dir():
            inside = "" if rel in ("", ".") else rel.rstrip("/") + "/"
            targets.update((p, kind) for p, kind in known.items() if p.startswith(inside))
        elif rel in known:
            targets[rel] = known[rel]
        elif not force_exclude and (kind := classifier.kind(rel)) is not None:
            targets[rel] = kind
    return targets


def _named_file(given: Path, root: Path) -> str:
    """The root-relative path of a file named on the command line: its folder resolved, the file itself
    not, so that a symbolic link keeps its own name and is refused by the Reader as a whole run refuses it."""
    folder = relative_to_root(given.parent, root)
    return given.name if folder == "." else f"{folder}/{given.name}"


class TooLarge(NamedTuple):
    """A document over the size limit, of which nothing was read."""

    size: int

    @property
    def key(self) -> str:
        """What stands for its bytes' digest: its analysis depends on its size alone."""
        return f"too-large-{self.size}"


_OPEN = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
         | getattr(os, "O_BINARY", 0))
_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
OUTSIDE = "it leads outside the project (a symbolic link); not read"


def refusal(reason: str) -> OSError:
    """An OSError whose strerror is ``reason`` (what AL001 shows)."""
    return OSError(None, reason)


class Reader:
    """Reads the documents of one project: the root is a boundary.

    A document is read only if it is a regular file whose real path is
    inside the root. The folders on the way are resolved once each (a
    realpath per file would cost a large tree a quarter of a second); the
    file itself is opened without following a symbolic link and without
    blocking (a FIFO), so only a link takes the slow path, and it is
    resolved and checked before anything is opened.
    """

    def __init__(self, root: Path | str, limit: int):
        self.root = os.fspath(root)
        self.limit = limit
        self._real_root = os.path.realpath(self.root)
        self._inside: dict[str, bool] = {}  # folder -> does its real path lie inside the root

    def _leads_inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(os.path.join(self._real_root, ""))

    def _folder_inside(self, folder: str) -> bool:
        known = self._inside.get(folder)
        if known is None:
            known = self._inside[folder] = self._leads_inside(os.path.realpath(folder))
        return known

    def read(self, path: str) -> bytes | TooLarge | OSError:
        """The bytes of a root-relative file, a TooLarge, or an OSError saying why not."""
        full = os.path.join(self.root, path)
        if not self._folder_inside(os.path.dirname(full)):
            return refusal(OUTSIDE)
        try:
            try:
                fd = os.open(full, _OPEN)
            except OSError as err:
                if err.errno not in (errno.ELOOP, errno.EMLINK) or not os.path.islink(full):
                    return err
                real = os.path.realpath(full)  # a symbolic link: where it leads must be inside too
                if not self._leads_inside(real):
                    return refusal(OUTSIDE)
                fd = os.open(real, _OPEN)
        except OSError as err:
            return err
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                what = next((what for test, what in _NOT_REGULAR if test(st.st_mode)), None)
                return refusal(f"it is {what}, not a regular file; not read" if what else
                               "it is not a regular file; not read")
            if st.st_size > self.limit:
                return TooLarge(st.st_size)
            # Its size and a little more at once (one read, then the one that finds the end), never past
            # the limit and one byte: a file that grows meanwhile is not followed.
            parts, total = [], 0
            while total <= self.limit:
                part = os.read(fd, min(self.limit + 1 - total, max(st.st_size - total, 0) + 65536))
                if not part:
                    break
                parts.append(part)
                total += len(part)
        except OSError as err:
            return err
        finally:
            os.close(fd)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        return TooLarge(total) if total > self.limit else data


def read_document(root: Path | str, path: str, limit: int) -> bytes | TooLarge | OSError:
    """One file, read as :meth:`Reader.read` reads it (for a few files; a run keeps one Reader)."""
    return Reader(root, limit).read(path)


def read_inside(root: Path, path: str, max_bytes: int) -> bytes | None:
    """A project file's bytes, read as documents are (:class:`Reader`); None where they cannot be: absent,
    a link out of the project, not a regular file, over ``max_bytes``."""
    data = Reader(root, max_bytes).read(path)
    return data if isinstance(data, bytes) else None


def content_key(data: bytes | TooLarge | OSError) -> str:
    """The cache's key for what a read gave: the digest of the bytes ('' where nothing was read)."""
    from .cache import digest

    if isinstance(data, bytes):
        return digest(data)
    return data.key if isinstance(data, TooLarge) else ""


# A file's stat as the cache keeps it, "size mtime_ns ctime_ns inode" (text: read back ten times faster than
# tuples, and a third of their size for 100,000 files); None where it cannot be stat'ed.
Stamp = str


def stamp_files(config: Config, documents: Iterable[str]) -> dict[str, Stamp | None]:
    """Each document's stat, taken before any of its bytes are read."""
    stamps: dict[str, Stamp | None] = {}
    root = os.path.join(str(config.root), "")  # with its separator: one concatenation per file
    stat = os.stat
    for path in documents:
        try:
            st = stat(root + path)
        except OSError:
            stamps[path] = None
            continue
        stamps[path] = f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
    return stamps


def digest_files(config: Config, stamps: dict[str, Stamp | None], known: dict | None = None, *,
                 read: bool = True) -> dict[str, str]:
    """The digest of every document's bytes ('' where it cannot be read): the cache's key.

    ``known`` maps a path to its stamp and digest from earlier runs, as one
    string (see remember_digests): a file whose stamp is unchanged is not
    read again. With ``read`` false the others are left out, for the
    analysis to digest as it reads them.
    """
    digests = {}
    reader = Reader(config.root, config.max_file_size)
    for path, stamp in stamps.items():
        entry = known.get(path) if known is not None and stamp is not None else None
        kept, _, digest = entry.rpartition(" ") if isinstance(entry, str) else ("", "", "")
        if stamp is not None and kept == stamp:
            digests[path] = digest
        elif read:
            digests[path] = content_key(reader.read(path))
    return digests


def remember_digests(known: dict, stamps: dict[str, Stamp | None], digests: dict[str, str]) -> None:
    """Record the digests ``digest_files`` may trust next time.

    Only files untouched for two seconds before their stamp was taken: any
    later write sets a newer ctime, which no tool can set back, so a
    remembered digest is never stale (git's index does the same). The stamp
    is older than the read, so a change in between is caught next time too.
    """
    settled = time.time_ns() - 2_000_000_000
    for path, stamp in stamps.items():
        found = digests.get(path)
        if stamp is not None and found and max(map(int, stamp.split(" ")[1:3])) < settled:
            known[path] = f"{stamp} {found}"
        else:
            known.pop(path, None)
