"""The content-hash cache's files (``.agent_lint_cache/`` by default); caching.py says what goes in them.

Per settings key (agent-lint's version and source, the effective
config, the selected rules, a team schema's bytes):

* ``entries-*-NN.bin``: per document, keyed by the hash of its bytes, its
  analysis (its view and the findings of the document rules), each encoded
  on its own (decoded only when asked for), in sixteen files by path;
* ``index-*.bin``: the project index (index.py): the view of every
  document of the last run that changed any, with its digest and kind, so
  that a run on a few files reads one file for the others' views;
* ``run-*-<inputs>.bin``: the outcome of a recent run (the last eight, of
  any settings), keyed by every input's hash, so an unchanged tree is
  answered without parsing anything;
* ``project-*-<views>.bin``: what the project stage of a recent run found
  (the last eight), keyed by the views it read (caching.py), so a run after
  an edit that changes no view runs no project rule and decodes no view of
  a document it does not report on;

and one for all settings, ``files.bin``: each file's digest with the
stat (size, mtime, ctime, inode) it had when read, so an unchanged file is
not read again to learn that it is unchanged. The files of the last
SETTINGS_KEPT settings used are kept, the others removed by a run that
writes (:meth:`Cache.forget_other_settings`).

A cache folder can come with the repository being checked, so nothing in
it is trusted. Values are plain data (codec.py: JSON over agent-lint's own
types; reading one runs no code, whatever the bytes). Every file is signed
with keyed BLAKE2b (a MAC by design, as HMAC is) under a 32-byte key kept
in the user's cache folder: a corrupt, truncated or foreign file (one
committed to a repository, say) fails the check and is ignored and
rebuilt. Files are opened without following symbolic links and without
blocking; a cache folder or file that is a symbolic link, not a regular
file or folder, or not the user's own, turns the cache off for the run
with one note. Writes go to a temporary file renamed into place, so
concurrent runs never see half a file; the last writer wins. Entries and
the index are streamed into theirs as they are made (:class:`Writer`), so a
large run holds none of them in memory.

A file of entries or of the index is a sequence of records, each a key
and a blob: two 32-bit lengths, then the key (UTF-8) and the blob.
"""

from __future__ import annotations

import os
import stat
import struct
import sys
from collections.abc import Iterable
from functools import lru_cache
from hashlib import blake2b
from hmac import compare_digest
from pathlib import Path
from typing import Any

from . import codec
from .guard import temporary

BUCKETS = 16  # files the per-document entries are split into, by path
MAGIC = b"agent-lint-cache\x04"  # \x04: records of plain data (\x03: one JSON index; \x02 was a signed pickle)
KEY_SIZE = 32
MAC_SIZE = 32
MAX_FILE = 256 << 20  # bytes of a cache file at most: the 65x tree's largest (its index) is some 60 MB
RUNS_KEPT = 8
SETTINGS_KEPT = 4  # the settings whose files a cache folder keeps: the last used (cache.forget_other_settings)
_SETTINGS_KINDS = frozenset({"entries", "index", "run", "project"})  # files named "<kind>-<settings>..."

# Opening a path never follows a symbolic link in its last part, nor waits on a FIFO.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_BINARY", 0))


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def digest_text(parts: Iterable[str]) -> str:
    """:func:`digest` of the text the parts make together, encoded as UTF-8 (a path's surrogate escapes
    as the bytes they stand for), without making that text: a key over 100,000 paths is some 15 MB."""
    hashed = blake2b(digest_size=16)
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogateescape"))
    return hashed.hexdigest()


def _bucket_of(key: str) -> int:
    """The bucket of an entry key ("path:digest"): every version of one file shares one."""
    path = key.rpartition(":")[0]
    return blake2b(path.encode("utf-8", "surrogateescape"), digest_size=1).digest()[0] % BUCKETS


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agent-lint"


def _key_file() -> Path:
    return user_cache_dir() / "cache-key"


def remembered(kind: str, key: str) -> bool:
    """Was this fact (e.g. "this config is valid") recorded by an earlier run?"""
    return (user_cache_dir() / kind / key).exists()


def recall(kind: str, key: str) -> str | None:
    """The text an earlier run recorded for this key (see remember), or None."""
    try:
        return (user_cache_dir() / kind / key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def remember(kind: str, key: str, text: str = "") -> None:
    """Record a fact, with ``text`` about it, for later runs (written whole or not at all)."""
    try:
        folder = user_cache_dir() / kind
        folder.mkdir(parents=True, exist_ok=True)
        if not text:
            (folder / key).touch()
            return
        write_replacing(folder, key, text.encode("utf-8"))
    except OSError:
        pass  # only costs the next run the work again


class Refused(Exception):
    """A cache path that is not what agent-lint writes there: a symlink, a FIFO, someone else's."""


def _owned(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def read_regular(path: Path | str, limit: int, *, follow: bool = False, own: bool = True) -> bytes | None:
    """The bytes of a regular file of the user's own, of at most ``limit`` bytes; None where absent.

    Raises Refused for anything else at ``path`` (a symbolic link unless
    ``follow``, a FIFO, a device, a folder, a file of another user unless
    not ``own``), and for a larger file. Never waits on a FIFO.
    """
    try:
        fd = os.open(path, _READ_FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow else _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as err:
        if not follow and os.path.islink(path):
            raise Refused("is a symbolic link") from None
        raise Refused(err.strerror or str(err)) from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused("is not a regular file")
        if own and not _owned(st):
            raise Refused("belongs to another user")
        if st.st_size > limit:
            raise Refused(f"is larger than {limit:,} bytes")
        # Its size and one byte, not the limit's worth: reading asks for a buffer of what it is given
        # (256 MB for a cache file), and a file that grew meanwhile is cut short (and fails its signature).
        data = handle.read(st.st_size + 1)
    if len(data) > limit:
        raise Refused(f"is larger than {limit:,} bytes")
    return data


def write_replacing(folder: Path, name: str, data: bytes, mode: int = 0o600) -> None:
    """Write ``folder/name`` whole or not at all: a new temporary file, renamed over the old name.

    The rename replaces whatever is at the name (a symbolic link included,
    never its target); the temporary file is removed on any failure, and
    by the signal handlers (guard.temporary) if the run is stopped.
    """
    # A name no other run can pick.
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
    with temporary(tmp):
        fd = os.open(tmp, _CREATE_FLAGS, mode)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, os.path.join(folder, name))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


class Writer:
    """A signed cache file written as a stream of records, renamed into place by :meth:`commit`.

    Its signature covers every byte after it and is written last, over the
    room left for it; until then the file is a temporary one that a stopped
    run removes (guard.temporary), as :meth:`abort` does.
    """

    def __init__(self, folder: Path, name: str, key: bytes):
        self.path = os.path.join(folder, name)
        self.tmp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
        self.mac = blake2b(key=key, digest_size=MAC_SIZE)
        self.keys: set[str] = set()
        self.done = False
        self._held = temporary(self.tmp)
        self._held.__enter__()
        try:
            self.handle = os.fdopen(os.open(self.tmp, _CREATE_FLAGS, 0o600), "wb")
            self.handle.write(MAGIC + bytes(MAC_SIZE))
        except BaseException:
            self._held.__exit__()
            raise

    def add(self, key: str, blob: bytes | memoryview) -> None:
        self.add_all(((key, blob),))

    def add_all(self, items: Iterable[tuple[str, bytes | memoryview]]) -> None:
        """Add each record, written (and signed) a megabyte at a time rather than one by one."""
        parts: list[bytes | memoryview] = []
        size = 0
        for key, blob in items:
            encoded = key.encode("utf-8", "surrogateescape")
            parts += (_RECORD.pack(len(encoded), len(blob)), encoded, blob)
            size += len(blob)
            self.keys.add(key)
            if size >= 1 << 20:
                self._write_all(parts)
                parts, size = [], 0
        self._write_all(parts)

    def _write_all(self, parts: list[bytes | memoryview]) -> None:
        data = b"".join(parts)
        self.handle.write(data)
        self.mac.update(data)

    def commit(self) -> None:
        """Sign the file and rename it into place (an OSError leaves nothing behind, and no file)."""
        try:
            self.handle.seek(len(MAGIC))
            self.handle.write(self.mac.digest())
            self.handle.close()
            os.replace(self.tmp, self.path)
        except OSError:
            self.abort()
            return
        self.done = True
        self._held.__exit__()

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            self.handle.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
        self._held.__exit__()


_RECORD = struct.Struct(">II")  # a record's key and blob lengths


def records(payload: bytes) -> dict[str, memoryview]:
    """The records of a signed payload, by key ({} for anything that is not a whole sequence of them)."""
    found: dict[str, memoryview] = {}
    view = memoryview(payload)
    at, end, head = 0, len(payload), _RECORD.size
    while at < end:
        if at + head > end:
            return {}
        key_length, blob_length = _RECORD.unpack_from(payload, at)
        start = at + head + key_length
        at = start + blob_length
        if at > end:
            return {}
        try:
            key = bytes(view[start - key_length:start]).decode("utf-8", "surrogateescape")
        except UnicodeDecodeError:
            return {}
        found[key] = view[start:at]
    return found


def _signing_key() -> bytes | None:
    """The user's key: exactly KEY_SIZE bytes of a regular file of theirs, else a new one."""
    path = _key_file()
    try:
        key = read_regular(path, KEY_SIZE)
    except Refused:
        key = None
    if key is not None and len(key) == KEY_SIZE:
        return key
    # Absent, empty, short, long, a link, a FIFO: replaced (never written through) by a new key.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_replacing(path.parent, path.name, os.urandom(KEY_SIZE))
        key = read_regular(path, KEY_SIZE)  # a run writing its own key at the same time may have won
    except (OSError, Refused):
        return None  # no writable home: run without a cache
    return key if key is not None and len(key) == KEY_SIZE else None


@lru_cache(maxsize=None)
def source_stamp() -> str:
    """Changes whenever agent-lint's own code or schemas change (even without a version bump)."""
    from .resources import schema_dir

    return tree_stamp(Path(__file__).resolve().parent, schema_dir())


def tree_stamp(*tops: Path) -> str:
    """A digest of every source file under ``tops``, in every folder (a new sub-package included):
    path, size and modification time."""
    parts = []
    for top in tops:
        for folder, folders, files in os.walk(top):
            folders[:] = [name for name in folders if name != "__pycache__"]
            for name in files:
                if name.endswith((".py", ".json", ".md")):
                    path = os.path.join(folder, name)
                    try:
                        stat = os.stat(path)
                    except OSError:
                        continue
                    parts.append(f"{os.path.relpath(path, top)}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest("\n".join(sorted(parts)).encode())


class Cache:
    def __init__(self, directory: Path, settings: str):
        self.directory = directory
        self.settings = digest(settings.encode())
        self._key = _signing_key()
        self._folder_checked = False
        self._buckets: dict[int, dict[str, memoryview]] = {}  # bucket -> its entries, as read
        self._writers: dict[int, Writer | None] = {}  # bucket -> its new file, holding the entries this run added
        self._pruned: set[int] = set()  # buckets read, then let go, that hold many unused entries
        self._ignored = False  # the folder's .gitignore is there
        self._open: list[Writer] = []  # files being written, for abandon
        self._seen: set[str] = set()
        self._tables: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # name -> (table, as read)

    @property
    def enabled(self) -> bool:
        return self._key is not None

    def _refuse(self, name: str, why: str) -> None:
        """Stop using the cache for this run, and say so once."""
        if self._key is not None:
            self._key = None
            shown = os.path.join(self.directory, name) if name else os.fspath(self.directory)
            from .report import printable

            sys.stderr.write(f"agent-lint: note: not using the cache: {printable(shown)} {why}\n")

    def _folder_usable(self, create: bool = False) -> bool:
        """Is the cache folder a real folder of the user's own (made now with ``create``)?"""
        if self._key is None:
            return False
        if self._folder_checked:
            return True
        try:
            st = os.lstat(self.directory)
        except FileNotFoundError:
            if not create:
                return False
            try:
                os.makedirs(self.directory, exist_ok=True)
                st = os.lstat(self.directory)
            except OSError:
                return False  # a read-only checkout still lints, only without a cache
        except OSError:
            return False
        if stat.S_ISLNK(st.st_mode):
            self._refuse("", "is a symbolic link")
        elif not stat.S_ISDIR(st.st_mode):
            self._refuse("", "is not a folder")
        elif not _owned(st):
            self._refuse("", "belongs to another user")
        else:
            self._folder_checked = True
        return self._folder_checked

    # -- signed files ----------------------------------------------------------

    def _read_payload(self, name: str) -> bytes | None:
        """The signed bytes of a cache file, or None where it is absent, damaged or foreign."""
        if not self._folder_usable():
            return None
        try:
            data = read_regular(self.directory / name, MAX_FILE)
        except Refused as refused:
            self._refuse(name, str(refused))
            return None
        except OSError:
            return None
        head = len(MAGIC) + MAC_SIZE
        if data is None or len(data) < head or not data.startswith(MAGIC) or self._key is None:
            return None
        mac = blake2b(data[head:], key=self._key, digest_size=MAC_SIZE).digest()
        return data[head:] if compare_digest(data[len(MAGIC):head], mac) else None

    def _read(self, name: str) -> Any:
        payload = self._read_payload(name)
        if payload is None:
            return None
        try:
            return codec.loads(payload)
        except codec.CodecError:  # signed, yet not readable (older code): rebuilt
            return None

    def _ignore_file(self) -> bool:
        """The folder's .gitignore, written once; False where a file of another sort is in its place."""
        if self._ignored:
            return True
        ignore = self.directory / ".gitignore"
        try:
            fd = os.open(ignore, _CREATE_FLAGS, 0o644)
        except FileExistsError:
            if not stat.S_ISREG(os.lstat(ignore).st_mode):
                self._refuse(".gitignore", "is not a regular file")
                return False
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"# Created by agent-lint: the cache is local to this machine.\n*\n")
        self._ignored = True
        return True

    def _write_payload(self, name: str, payload: bytes) -> None:
        if not self._folder_usable(create=True) or self._key is None:
            return
        try:
            if not self._ignore_file() or self._key is None:
                return
            mac = blake2b(payload, key=self._key, digest_size=MAC_SIZE).digest()
            write_replacing(self.directory, name, MAGIC + mac + payload)
        except OSError:
            pass  # a read-only checkout still lints, only without a cache

    def _write(self, name: str, value: Any) -> None:
        try:
            payload = codec.dumps(value)
        except (RecursionError, ValueError):  # nested too deeply, a number too long: not kept
            return
        self._write_payload(name, payload)

    # -- per-document entries --------------------------------------------------

    def _bucket(self, number: int) -> dict[str, memoryview]:
        """The entries of one bucket as the file holds them, read on first use."""
        if number not in self._buckets:
            payload = self._read_payload(self._bucket_name(number))
            self._buckets[number] = records(payload) if payload is not None else {}
        return self._buckets[number]

    def _bucket_name(self, number: int) -> str:
        return f"entries-{self.settings}-{number:02x}.bin"

    def has_entries(self) -> bool:
        """Is any document cached for these settings? (Without, keys are learnt while analysing.)"""
        return any(os.path.exists(self.directory / self._bucket_name(n)) for n in range(BUCKETS))

    def get(self, key: str) -> memoryview | None:
        """The bytes kept for an entry, if any."""
        self._seen.add(key)
        return self._bucket(_bucket_of(key)).get(key)

    def done_reading(self) -> None:
        """Every entry this run needs has been asked for: let go of those read.

        Their blobs would otherwise stay beside the analyses made from them
        until the save, which reads a bucket again where it has to rewrite it.
        """
        for number, entries in self._buckets.items():
            if self._unused(entries) * 8 > len(entries):
                self._pruned.add(number)
        self._buckets = {}

    def _unused(self, entries: dict[str, memoryview]) -> int:
        return len(entries) - len(self._seen & entries.keys())

    def put(self, key: str, blob: bytes) -> None:
        """Keep an entry's bytes: written to its bucket's new file at once, which :meth:`save` completes."""
        self._seen.add(key)
        number = _bucket_of(key)
        if number not in self._writers:
            self._writers[number] = self.writer(self._bucket_name(number))
        writer = self._writers[number]
        if writer is not None and key not in writer.keys:
            try:
                writer.add(key, blob)
            except OSError:  # a full disk: this bucket is not rewritten
                writer.abort()
                self._writers[number] = None

    def save(self) -> None:
        """Complete the buckets this run added to, and rewrite those that hold many entries no run uses any more.

        Entries are split into BUCKETS files by path, so a run after one edit
        rewrites one sixteenth of them. An entry this run did not use (an
        older version of a file) is dropped with the next rewrite of its
        bucket, and forces one past an eighth of it.
        """
        pruned = self._pruned | {n for n, entries in self._buckets.items() if self._unused(entries) * 8 > len(entries)}
        for number in sorted(self._writers.keys() | pruned):
            writer = self._writers.pop(number, None) or self.writer(self._bucket_name(number))
            if writer is None:
                continue
            try:
                for key, blob in self._bucket(number).items():
                    if key in self._seen and key not in writer.keys:
                        writer.add(key, blob)
            except OSError:
                writer.abort()
                continue
            finally:
                self._buckets.pop(number, None)
            writer.commit()
        wrote = bool(self._open)
        # Once written, the blobs are let go: a later get reads them again.
        self._buckets, self._pruned, self._open = {}, set(), []
        if wrote:
            self.forget_other_settings()

    def forget_other_settings(self) -> None:
        """Remove the entries, index and kept runs of all but the SETTINGS_KEPT settings used last.

        Every upgrade, config edit or rule selection is new settings with
        files of its own (at 100,000 documents some 140 MB): without this a
        folder grows by a full set each time. These settings, in use now,
        are always kept; a run of other settings that loses its files to
        this one analyses again, as after a damaged file. ``files.bin``,
        shared by all, stays.
        """
        by_settings: dict[str, list[tuple[int, str]]] = {}
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    kind, _, rest = entry.name.partition("-")
                    settings = rest[:32]
                    if (kind not in _SETTINGS_KINDS or len(settings) != 32 or rest[32:33] not in ("-", ".")
                            or not entry.name.endswith(".bin") or not entry.is_file(follow_symlinks=False)):
                        continue
                    by_settings.setdefault(settings, []).append((entry.stat(follow_symlinks=False).st_mtime_ns,
                                                                 entry.name))
        except OSError:
            return
        last_used = sorted(by_settings, key=lambda settings: max(by_settings[settings]), reverse=True)
        kept = {self.settings, *[settings for settings in last_used if settings != self.settings][:SETTINGS_KEPT - 1]}
        for settings, files in by_settings.items():
            if settings in kept:
                continue
            for _, name in files:
                try:
                    os.unlink(self.directory / name)
                except OSError:
                    pass  # removed by a concurrent run, or the folder is read-only

    def writer(self, name: str) -> Writer | None:
        """A new signed file of records, or None where the cache cannot be written."""
        if not self._folder_usable(create=True) or self._key is None or not self._ignore_file():
            return None
        try:
            writer = Writer(self.directory, name, self._key)
        except OSError:
            return None  # a read-only checkout still lints, only without a cache
        self._open.append(writer)
        return writer

    def abandon(self) -> None:
        """Remove every file this run began and did not complete (the run failed)."""
        for writer in self._open:
            writer.abort()
        self._open, self._writers = [], {}

    # -- the project index -------------------------------------------------------

    def _index_name(self) -> str:
        return f"index-{self.settings}.bin"

    def index(self) -> dict[str, memoryview]:
        """The project index's records by path (index.py says what a record holds); {} without one."""
        payload = self._read_payload(self._index_name())
        return records(payload) if payload is not None else {}

    def index_writer(self) -> Writer | None:
        return self.writer(self._index_name())

    # -- file digests by stat ------------------------------------------------------

    def file_digests(self) -> dict[str, Any]:
        """path -> "stat stamp digest" of the files read before (see files.digest_files)."""
        return self._table("files.bin")

    def save_file_digests(self) -> None:
        self._save_table("files.bin")

    def _table(self, name: str) -> dict[str, Any]:
        """A table a run updates in place, written back by _save_table if it changed."""
        if name not in self._tables:
            loaded = self._read(name)
            table = loaded if isinstance(loaded, dict) else {}
            self._tables[name] = (table, dict(table))
        return self._tables[name][0]

    def _save_table(self, name: str) -> None:
        if name in self._tables:
            table, before = self._tables[name]
            if table != before:
                self._write(name, table)
                self._tables[name] = (table, dict(table))

    # -- whole runs and project stages --------------------------------------------

    def get_keyed(self, kind: str, key: str) -> Any:
        """The value kept under ``key`` among those of ``kind`` ("run", "project")."""
        stored = self._read(f"{kind}-{self.settings}-{key}.bin")
        # The key is signed with the value: a file renamed to another key is not believed.
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == (self.settings, key):
            return stored[1]
        return None

    def put_keyed(self, kind: str, key: str, value: Any) -> None:
        """Keep a value of ``kind`` under ``key``, and the few before it (one file each: a hit reads one)."""
        self._write_keyed(kind, key, value)
        if not self.enabled:
            return
        try:
            with os.scandir(self.directory) as entries:
                runs = [(entry.stat(follow_symlinks=False).st_mtime_ns, entry.name) for entry in entries
                        if entry.name.startswith(f"{kind}-")]
            for _, name in sorted(runs)[:-RUNS_KEPT]:
                try:
                    os.unlink(self.directory / name)
                except FileNotFoundError:
                    pass
        except OSError:
            pass  # a concurrent run removed it first, or the folder is read-only

    def _write_keyed(self, kind: str, key: str, value: Any) -> None:
        self._write(f"{kind}-{self.settings}-{key}.bin", ((self.settings, key), value))
