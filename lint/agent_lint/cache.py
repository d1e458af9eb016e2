"""The content-hash cache (``.agent_lint_cache/`` by default).

Per settings key (agent-lint's version and source, the effective
config, the selected rules, a team schema's bytes):

* ``entries-*-NN.bin``: per document, keyed by the hash of its bytes, the
  parsed model with its records and the findings of the document rules,
  each pickled on its own (unpickled only when asked for, written without
  pickling again), in sixteen files by path;
* ``project-*.bin``: what the project rules saw in the last full run and
  found (incremental.py), so a run after a small edit need not load every
  document;
* ``run-*-<inputs>.bin``: the final violations of a recent run (the last
  eight, of any settings), keyed by every input's hash, so an unchanged tree
  is answered without parsing anything;

and one for all settings, ``files.bin``: each file's digest with the
stat (size, mtime, ctime, inode) it had when read, so an unchanged file is
not read again to learn that it is unchanged.

Every file is signed with keyed BLAKE2b (a MAC by design, as HMAC is) under
a key kept in the user's cache folder: a corrupt, truncated or foreign file
(one committed to a repository, say) fails the check and is ignored and
rebuilt, never unpickled. Writes go to a temporary file renamed into place,
so concurrent runs never see half a file; the last writer wins.
"""

from __future__ import annotations

import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

# hashlib's BLAKE2, taken from its own module: importing hashlib also loads OpenSSL's
# bindings (2 of a warm run's 47 ms), and nothing here needs them.
try:
    from _blake2 import blake2b
except ImportError:  # not CPython
    from hashlib import blake2b
try:
    from _operator import _compare_digest as compare_digest  # what hmac.compare_digest is
except ImportError:
    from hmac import compare_digest

BUCKETS = 16  # files the per-document entries are split into, by path
MAGIC = b"agent-lint-cache\x02"  # \x02: signed with BLAKE2b (\x01 was HMAC-SHA256)
RUNS_KEPT = 8
OUTPUTS_KEPT = 4  # reports kept per run: one per output format and folder it is shown from


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


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
        temporary = folder / f".{key}.{os.getpid()}"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, folder / key)
    except OSError:
        pass  # only costs the next run the work again


def _signing_key() -> bytes | None:
    path = _key_file()
    try:
        return path.read_bytes()
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = os.urandom(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    except FileExistsError:
        try:
            return path.read_bytes()
        except OSError:
            return None
    except OSError:
        return None  # no writable home: run without a cache


@lru_cache(maxsize=None)
def source_stamp() -> str:
    """Changes whenever agent-lint's own code or schemas change (even without a version bump)."""
    from .resources import schema_dir

    package = Path(__file__).resolve().parent
    parts = []
    for folder in (package, package / "rules", package / "extract", package / "report", schema_dir()):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_file():
                        stat = entry.stat()
                        parts.append(f"{folder.name}/{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            continue
    return digest("\n".join(sorted(parts)).encode())


class _Signer:
    """A file that also feeds what is written to it into a MAC."""

    def __init__(self, handle: Any, mac: Any):
        self.handle, self.mac = handle, mac

    def write(self, data: Any) -> int:
        self.mac.update(data)
        return self.handle.write(data)


class Cache:
    def __init__(self, directory: Path, settings: str):
        self.directory = directory
        self.settings = digest(settings.encode())
        self._key = _signing_key()
        self._buckets: dict[int, dict[str, Any]] = {}  # bucket -> its entries, as read
        self._added: dict[int, dict[str, bytes]] = {}  # bucket -> entries this run added
        self._pruned: set[int] = set()  # buckets read, then let go, that hold many unused entries
        self._seen: set[str] = set()
        self._tables: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # name -> (table, as read)

    @property
    def enabled(self) -> bool:
        return self._key is not None

    # -- signed files ----------------------------------------------------------

    def _read(self, name: str) -> Any:
        if self._key is None:
            return None
        try:
            # Checked, then unpickled, through one open file: writers replace files, never change
            # them, so both passes see the same bytes, and the file is never held whole in memory
            # beside what it unpickles to (the 10x tree's entries are 17 MB).
            with open(self.directory / name, "rb") as handle:
                head = handle.read(len(MAGIC) + 32)
                if len(head) < len(MAGIC) + 32 or not head.startswith(MAGIC):
                    return None
                mac = blake2b(key=self._key, digest_size=32)
                while chunk := handle.read(1 << 20):
                    mac.update(chunk)
                if not compare_digest(head[len(MAGIC):], mac.digest()):
                    return None
                handle.seek(len(head))
                try:
                    return pickle.load(handle)
                except Exception:  # noqa: BLE001 - signed but unreadable (older code): rebuild
                    return None
        except OSError:
            return None

    def _write(self, name: str, value: Any) -> None:
        if self._key is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by agent-lint: the cache is local to this machine.\n*\n")
            # A name no other run can pick (tempfile's import costs a writing run 2 ms).
            tmp = self.directory / f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as handle:
                    # Pickled straight into the file and signed on the way: the payload is
                    # never held whole in memory, which would double the cache's peak.
                    handle.write(MAGIC + bytes(32))
                    signer = _Signer(handle, blake2b(key=self._key, digest_size=32))
                    pickle.dump(value, signer, protocol=pickle.HIGHEST_PROTOCOL)
                    handle.seek(len(MAGIC))
                    handle.write(signer.mac.digest())
                os.replace(tmp, self.directory / name)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # a read-only checkout still lints, only without a cache

    # -- per-document entries --------------------------------------------------

    def _bucket(self, number: int) -> dict[str, Any]:
        """The entries of one bucket as the file holds them, read on first use."""
        if number not in self._buckets:
            loaded = self._read(self._bucket_name(number))
            self._buckets[number] = loaded if isinstance(loaded, dict) else {}
        return self._buckets[number]

    def _bucket_name(self, number: int) -> str:
        return f"entries-{self.settings}-{number:02x}.bin"

    def has_entries(self) -> bool:
        """Is any document cached for these settings? (Without, keys are learnt while analysing.)"""
        return any(os.path.exists(self.directory / self._bucket_name(n)) for n in range(BUCKETS))

    def get(self, key: str) -> Any:
        self._seen.add(key)
        number = _bucket_of(key)
        blob = self._added.get(number, {}).get(key) or self._bucket(number).get(key)
        if not isinstance(blob, bytes):
            return None
        try:
            return pickle.loads(blob)
        except Exception:  # noqa: BLE001 - signed but unreadable (older code): recompute
            return None

    def mark_used(self, keys: Iterable[str]) -> None:
        """Keep these entries at the next save without reading them (a run that reads a few)."""
        self._seen.update(keys)

    def done_reading(self) -> None:
        """Every entry this run needs has been asked for: let go of those read.

        Their blobs (17 MB for the 10x tree) would otherwise stay beside the
        analyses made from them until the save, which reads a bucket again
        where it has to rewrite it.
        """
        for number, entries in self._buckets.items():
            if self._unused(entries) * 8 > len(entries):
                self._pruned.add(number)
        self._buckets = {}

    def _unused(self, entries: dict[str, Any]) -> int:
        return len(entries) - len(self._seen & entries.keys())

    def put_pickled(self, key: str, blob: bytes) -> None:
        """Store a value pickled elsewhere (a worker pickles its results anyway)."""
        self._seen.add(key)
        self._added.setdefault(_bucket_of(key), {})[key] = blob

    def save(self) -> None:
        """Write the buckets this run added to, or that hold many entries no run uses any more.

        Entries are split into BUCKETS files by path, so a run after one edit
        reads and rewrites one sixteenth of them (the 10x tree's are 17 MB:
        reading them all was 38 of the 260 ms such a run took). An entry
        this run did not use (an older version of a file) is dropped with
        the next rewrite of its bucket, and forces one past an eighth of it.
        """
        pruned = self._pruned | {n for n, entries in self._buckets.items() if self._unused(entries) * 8 > len(entries)}
        for number in sorted(self._added.keys() | pruned):
            entries = {**self._bucket(number), **self._added.get(number, {})}
            self._write(self._bucket_name(number), {key: blob for key, blob in entries.items() if key in self._seen})
        # Once written, the blobs are let go: a later get reads them again.
        self._buckets, self._added, self._pruned = {}, {}, set()

    # -- what the project rules saw ------------------------------------------------

    def get_project(self) -> Any:
        """The project memo of the last full run under these settings (see incremental.py)."""
        return self._read(f"project-{self.settings}.bin")

    def put_project(self, memo: Any) -> None:
        self._write(f"project-{self.settings}.bin", memo)

    # -- file digests by stat ------------------------------------------------------

    def file_digests(self) -> dict[str, Any]:
        """path -> (stat stamp, digest) of the files read before (see files.digest_files)."""
        return self._table("files.bin")

    def save_file_digests(self) -> None:
        self._save_table("files.bin")

    # -- what discovery found each path to be ----------------------------------------

    def path_kinds(self) -> dict[str, str]:
        """files.discover's memo for these settings (which hold the config), filled in place."""
        return self._table(f"kinds-{self.settings}.bin")

    def save_path_kinds(self) -> None:
        self._save_table(f"kinds-{self.settings}.bin")

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

    # -- whole runs --------------------------------------------------------------

    def get_run(self, key: str, *, keep: bool = False) -> Any:
        """The outcome kept for run ``key``; with ``keep``, kept among the newest runs for longer."""
        if keep:
            try:
                os.utime(self.directory / f"run-{self.settings}-{key}.bin")  # put_run drops the oldest
            except OSError:
                return None
        return self._read_keyed("run", key)

    def put_run(self, key: str, value: Any) -> None:
        """Keep the outcome of this run, and of the few before it (one file each: a hit reads one)."""
        self._write_keyed("run", key, value)
        try:
            with os.scandir(self.directory) as entries:
                runs = [(entry.stat().st_mtime_ns, entry.name) for entry in entries if entry.name.startswith("run-")]
            for _, name in sorted(runs)[:-RUNS_KEPT]:
                for stale in (name, "out-" + name[len("run-"):]):  # and the reports kept with it
                    try:
                        os.unlink(self.directory / stale)
                    except FileNotFoundError:
                        pass
        except OSError:
            pass  # a concurrent run removed it first, or the folder is read-only

    # -- reports of whole runs ------------------------------------------------------

    def get_output(self, key: str, variant: str) -> Any:
        """A report rendered from the run ``key`` for ``variant`` (format and place), if kept."""
        return self._outputs(key).get(variant)

    def put_output(self, key: str, variant: str, value: Any) -> None:
        outputs = self._outputs(key)
        if outputs.get(variant) != value:
            # A few variants per run (formats, folders run from); the newest stay.
            kept = {name: shown for name, shown in list(outputs.items())[-(OUTPUTS_KEPT - 1):] if name != variant}
            kept[variant] = value
            self._write_keyed("out", key, kept)

    def _outputs(self, key: str) -> dict[str, Any]:
        stored = self._read_keyed("out", key)
        return stored if isinstance(stored, dict) else {}

    def _read_keyed(self, kind: str, key: str) -> Any:
        stored = self._read(f"{kind}-{self.settings}-{key}.bin")
        # The key is signed with the value: a file renamed to another key is not believed.
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == (self.settings, key):
            return stored[1]
        return None

    def _write_keyed(self, kind: str, key: str, value: Any) -> None:
        self._write(f"{kind}-{self.settings}-{key}.bin", ((self.settings, key), value))
