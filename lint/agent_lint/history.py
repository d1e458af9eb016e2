"""The commits of a pull request, read from git once and handed to rules as data.

``read_history(root, since)`` reads the range ``merge-base(since, HEAD)..HEAD``,
the commits a pull request adds on top of its target branch, with a handful
of ``git`` calls whatever the number of commits: ``rev-parse`` and
``merge-base`` to check the repository and the refs, then one ``git log``
that prints every commit's metadata, git-parsed trailers and changed paths,
separated by NUL bytes.

Order. ``History.commits`` lists every commit of the range, parents before
children. The first-parent line from HEAD (``Commit.first_parent``) is
walked oldest first, and the commits a merge brings in from its other
parents come as one block right before that merge, in their own
first-parent order (``History.brought_in(merge)`` returns the block). On a
branch checked out as is, the first-parent line is the branch's own
commits; on a CI checkout of a pull request's synthetic merge commit, the
first-parent line is that merge alone and the pull request's commits are
the block it brings in.

Before and after. A position in ``commits`` is a valid "before" only along
ancestry: two commits on parallel branches have no order, so a rule that
asks whether A came after B asks ``History.is_ancestor(B, A)``.

Changes. A commit's changes are its diff against its parent. A merge's
changes are what the merge itself authored: the paths whose merged content
differs from every parent's (``--diff-merges=combined``, asked while the
log is read) and from what git merges on its own (``--diff-merges=remerge``,
one more call when some merge has such a path), for the paths the caller
names (HANDOFF's) or every path. A merge that takes one side's version, or lets git combine
both sides cleanly, changes nothing; a merge that resolves a conflict in its
own words changes that path. (Asked for its diff against the first parent,
a merge would list everything it brings in, including the target branch's
own changes when a branch merges its target back in.) Renames are detected
(``-M``); copies are not, so a copied file is an addition. Git older than
2.36 has no remerge: a clean merge of both sides then counts as the merge's
change too.

Paths are relative to the agent-lint project root, which may be a folder
below the repository's top level: changes outside the root are dropped, a
rename from outside the root is an addition and a rename to outside it a
deletion.

Older files. Asked for (``read_history(..., older=predicate)``), the
history also holds the content at the base of each such path that the
range changes without adding it (``History.at_base``): what a session log
said before the range, so a rule can tell a session that goes on in the
range from a finished one tidied up. One ``git cat-file --batch`` call reads
them all. And for each such path that the range adds in more than one commit
(``History.added_twice``), the object each of those commits wrote: two
branches that each add one session log with different content are two
sessions writing one log, two branches that each carry the same addition
(a cherry-pick, a branch stacked on another) are not. One ``git cat-file
--batch-check`` call reads them, and only when there are any.

Ancestry is worked out once per history, as one bitset per commit, so
asking it costs the same whatever the number of commits.

Every failure (no git, not a repository, an unknown ref, a shallow clone
that lacks the range, a timeout) raises :class:`AgentLintError` with one
line that says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple, Sequence

from .model import AgentLintError

if TYPE_CHECKING:
    import subprocess

TIMEOUT = 120  # seconds per git call; a log of tens of thousands of commits still fits

# Header fields of one commit in the git log output, each ended by a NUL.
# Git cuts a commit message at its first NUL byte, so no field contains one.
FIELDS = ("hash", "short", "parents", "author", "author_email", "date", "commit_date",
          "subject", "trailers", "message")
_FORMAT = "%x00".join(("%H", "%h", "%P", "%an", "%ae", "%aI", "%cI", "%s",
                       "%(trailers:only,unfold)", "%B"))
_STATUS = re.compile(r"[ACDMRTUXB][0-9]*\Z")
_COMBINED = re.compile(r"[ACDMRTUXB]{2,}\Z")  # a merge's path: one status per parent
_HASH = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?\Z")
_IDS_SPLIT = re.compile(r"[\s,]+")

SHALLOW_HINT = ("fetch the full history: 'fetch-depth: 0' in actions/checkout, "
                "or 'git fetch --unshallow'")


class Change(NamedTuple):
    """One changed path: status A, M, D, R (renamed), C (copied) or T (type changed)."""

    status: str
    path: str
    old_path: str | None = None  # the source of a rename or copy


class Commit(NamedTuple):
    hash: str
    short: str
    parents: tuple[str, ...]
    author: str
    author_email: str
    date: str  # author date, strict ISO 8601 with offset
    commit_date: str
    subject: str
    message: str  # the full message, subject and body
    trailers: tuple[tuple[str, str], ...]  # (key as written, value), unfolded, in order
    changes: tuple[Change, ...]
    first_parent: bool = True  # on the first-parent line from HEAD

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    def trailer_values(self, key: str) -> tuple[str, ...]:
        """Values of every trailer named ``key``, compared case-insensitively as git does."""
        folded = key.casefold()
        return tuple(value for name, value in self.trailers if name.casefold() == folded)

    def session_ids(self) -> tuple[str, ...]:
        """IDs of every ``Session-Ids`` trailer in order, duplicates kept so rules can report them."""
        return tuple(
            part for value in self.trailer_values("Session-Ids")
            for part in _IDS_SPLIT.split(value) if part
        )

    def touches(self, predicate: Callable[[str], bool]) -> bool:
        return any(predicate(c.path) or (c.old_path is not None and predicate(c.old_path))
                   for c in self.changes)


@dataclass(frozen=True)
class History:
    base: str  # merge-base of the --since ref and HEAD; not itself in the range
    head: str
    commits: tuple[Commit, ...]
    since: str = ""  # the ref as the user named it, for messages
    # Content at the base of the paths asked for that the range changes without adding
    # them (renames: under the name they had); None: not a file at the base.
    at_base: Mapping[str, bytes | None] = field(default_factory=dict)
    # (commit hash, path) -> the object the commit wrote, for each path asked for that
    # more than one commit of the range adds (see the module docstring).
    added_twice: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @cached_property
    def index(self) -> dict[str, int]:
        """Each commit's position in ``commits``."""
        return {c.hash: i for i, c in enumerate(self.commits)}

    def get(self, hash_: str) -> Commit | None:
        i = self.index.get(hash_)
        return None if i is None else self.commits[i]

    def brought_in(self, merge: Commit) -> tuple[Commit, ...]:
        """The commits of the range that ``merge`` brings in through its other parents, in order."""
        if not merge.is_merge or merge.hash not in self.index:
            return ()
        block = self.ancestry(merge.hash) & ~self.ancestry(merge.parents[0]) & ~(1 << self.index[merge.hash])
        return tuple(c for i, c in enumerate(self.commits) if block >> i & 1)

    def is_ancestor(self, older: Commit, newer: Commit) -> bool:
        """True when ``older`` is ``newer`` or one of its ancestors within the range."""
        i = self.index.get(older.hash)
        return i is not None and bool(self.ancestry(newer.hash) >> i & 1)

    def ancestry(self, hash_: str) -> int:
        """A bitset of the commits of the range that are ``hash_`` or its ancestors (bit i: ``commits[i]``)."""
        i = self.index.get(hash_)
        return 0 if i is None else self._ancestry[i]

    @cached_property
    def _ancestry(self) -> list[int]:
        # Parents come before children in ``commits`` (linearize); a history built
        # otherwise is walked depth first, so the order never makes it wrong.
        index = self.index
        bits: list[int | None] = [None] * len(self.commits)
        for start in range(len(self.commits)):
            stack = [start]
            while stack:
                i = stack[-1]
                if bits[i] is not None:
                    stack.pop()
                    continue
                parents = [index[p] for p in self.commits[i].parents if p in index]
                pending = [p for p in parents if bits[p] is None]
                if pending:
                    stack.extend(pending)
                    continue
                value = 1 << i
                for p in parents:
                    value |= bits[p]  # type: ignore[operator]
                bits[i] = value
                stack.pop()
        return bits  # type: ignore[return-value]


# ----------------------------------------------------------------------------
# Parsing (pure: bytes in, data out)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _path(raw: bytes) -> str:
    # Same decoding as file discovery, so history paths compare equal to document paths.
    return raw.decode("utf-8", errors="surrogateescape")


def parse_trailers(block: str) -> tuple[tuple[str, str], ...]:
    """Lines ``key: value`` as ``%(trailers:only,unfold)`` prints them, one per line."""
    pairs = []
    for line in block.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            pairs.append((key, value))
    return tuple(pairs)


def relocate(change: Change, prefix: str) -> Change | None:
    """``change`` with paths relative to the project root ``prefix``, or None when outside it."""
    if not prefix:
        return change

    def inside(path: str | None) -> str | None:
        return path[len(prefix):] if path is not None and path.startswith(prefix) else None

    path, old = inside(change.path), inside(change.old_path)
    if change.old_path is None:
        return Change(change.status, path) if path is not None else None
    if path is not None and old is not None:
        return Change(change.status, path, old)
    if path is not None:
        return Change("A", path)
    if old is not None and change.status == "R":
        return Change("D", old)
    return None  # a copy out of the root leaves the root unchanged


def parse_log(raw: bytes, prefix: str = "") -> list[Commit]:
    """Commits of ``git log -z --format=<_FORMAT> --name-status``, in output order.

    Each commit is its header fields, then, when it changed anything, a
    newline glued to the first status and ``status NUL path NUL`` entries
    (two paths for R and C). A merge shown in combined form
    (``--diff-merges=combined``) has an empty field instead, then entries
    whose status has a letter per parent and one path. A status token is
    letters and digits, a header starts with a hash, so the stream is read
    without guessing.
    """
    tokens = raw.split(b"\0")
    if tokens and tokens[-1] == b"":
        tokens.pop()
    commits: list[Commit] = []
    i = 0
    while i < len(tokens):
        header = tokens[i:i + len(FIELDS)]
        if len(header) < len(FIELDS) or not _HASH.match(_text(header[0])):
            raise AgentLintError(f"could not read git log output near {_text(tokens[i])[:40]!r}")
        fields = dict(zip(FIELDS, map(_text, header)))
        i += len(FIELDS)
        changes = []
        if i < len(tokens) and tokens[i] == b"" and len(fields["parents"].split()) > 1:
            # A merge in combined form: an empty field, then a status per parent and one path.
            i += 1
            while i + 1 < len(tokens) and _COMBINED.match(_text(tokens[i])):
                relocated = relocate(Change(_text(tokens[i])[0], _path(tokens[i + 1])), prefix)
                if relocated is not None:
                    changes.append(relocated)
                i += 2
        elif i < len(tokens) and tokens[i].startswith(b"\n"):
            tokens[i] = tokens[i][1:]
            while i < len(tokens) and _STATUS.match(_text(tokens[i])):
                status = _text(tokens[i])[0]
                if status in "RC":
                    if i + 2 >= len(tokens):
                        raise AgentLintError("could not read git log output: a rename lacks its paths")
                    change = Change(status, _path(tokens[i + 2]), _path(tokens[i + 1]))
                    i += 3
                else:
                    if i + 1 >= len(tokens):
                        raise AgentLintError("could not read git log output: a change lacks its path")
                    change = Change(status, _path(tokens[i + 1]))
                    i += 2
                relocated = relocate(change, prefix)
                if relocated is not None:
                    changes.append(relocated)
        commits.append(Commit(
            hash=fields["hash"],
            short=fields["short"],
            parents=tuple(fields["parents"].split()),
            author=fields["author"],
            author_email=fields["author_email"],
            date=fields["date"],
            commit_date=fields["commit_date"],
            subject=fields["subject"],
            message=fields["message"],
            trailers=parse_trailers(fields["trailers"]),
            changes=tuple(changes),
        ))
    return commits


def linearize(commits: Iterable[Commit], head: str) -> tuple[Commit, ...]:
    """Parents before children: the first-parent line oldest first, each merge after its block.

    A depth-first walk from HEAD that visits parents in order and emits a
    commit after all of them; iterative, so long histories need no recursion.
    """
    by_hash = {c.hash: c for c in commits}
    mainline: set[str] = set()
    current: str | None = head
    while current in by_hash:
        mainline.add(current)
        parents = by_hash[current].parents
        current = parents[0] if parents else None
    ordered: list[Commit] = []
    done: set[str] = set()
    stack: list[tuple[str, int]] = [(head, 0)] if head in by_hash else []
    while stack:
        hash_, next_parent = stack.pop()
        commit = by_hash[hash_]
        if next_parent < len(commit.parents):
            stack.append((hash_, next_parent + 1))
            parent = commit.parents[next_parent]
            if parent in by_hash and parent not in done:
                done.add(parent)  # claimed now, so a parent reached twice is walked once
                stack.append((parent, 0))
            continue
        done.add(hash_)
        ordered.append(commit._replace(first_parent=hash_ in mainline))
    return tuple(ordered)


# ----------------------------------------------------------------------------
# Reading (the git calls)


def _git(root: Path, args: Sequence[str], what: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    import subprocess  # here: this module is imported wherever the history rules are, git is asked only with --since

    from .guard import run

    try:
        return run(["git", "-C", str(root), *args], timeout=TIMEOUT, input=input)
    except FileNotFoundError:
        raise AgentLintError("--since needs git, which is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise AgentLintError(f"git took longer than {TIMEOUT} s to {what}; name a closer --since ref") from None
    except OSError as err:
        raise AgentLintError(f"cannot run git: {err.strerror or err}") from None


def _git_together(root: Path, calls: Sequence[tuple[Sequence[str], str]]) -> list[subprocess.CompletedProcess]:
    """Several git calls run at the same time; their results in order."""
    import subprocess

    from .guard import finish, reaped, spawn

    started = []
    try:
        for args, what in calls:
            started.append((spawn(["git", "-C", str(root), *args], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE), args, what))
        results = []
        for process, args, what in started:
            try:
                results.append(finish(process, TIMEOUT))
            except subprocess.TimeoutExpired:
                raise AgentLintError(f"git took longer than {TIMEOUT} s to {what}; name a closer --since ref") from None
        return results
    except FileNotFoundError:
        raise AgentLintError("--since needs git, which is not installed or not on PATH") from None
    except OSError as err:
        raise AgentLintError(f"cannot run git: {err.strerror or err}") from None
    finally:
        for process, _, _ in started:
            if process.poll() is None:
                process.kill()
                process.wait()
            reaped(process.pid)


def _stderr(result: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in _text(result.stderr).splitlines() if line.strip()]
    return lines[0] if lines else f"exit code {result.returncode}"


def _resolve(root: Path, ref: str) -> str | None:
    # --end-of-options: a ref that starts with '-' is a ref, not an option.
    result = _git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                  f"resolve '{ref}'")
    out = _text(result.stdout).strip()
    return out if result.returncode == 0 and out else None


def _shallow_commits(root: Path, git_path: str) -> set[str]:
    try:
        text = (root / git_path).read_text(encoding="ascii", errors="replace")
    except OSError:
        return set()
    return set(text.split())


def _pathspec(paths: Sequence[str] | None) -> list[str]:
    return ["--", *(f":(icase){path}" if path else "." for path in paths)] if paths is not None else []


def _merges_call(revisions: str, paths: Sequence[str] | None) -> list[str]:
    """The paths each merge of the range changes unlike every parent (combined diff), among ``paths``.

    ``--full-history`` walks every commit, so no merge is skipped for being
    like one parent on those paths (such a merge lists nothing anyway).
    """
    return ["-c", "log.showSignature=false", "log", "--merges", "--full-history", "-z", "--format=%H",
            "--name-only", "--no-relative", "--no-ext-diff", "--no-textconv", "--diff-merges=combined",
            revisions, *_pathspec(paths)]


def _authored_by_merges(root: Path, commits: list[Commit], combined: bytes, prefix: str,
                        paths: Sequence[str] | None) -> list[Commit]:
    """Give each merge the changes it authored (see the module docstring).

    ``combined`` is the output of :func:`_merges_call`: a path that differs
    from every parent, which a clean merge of both sides' edits does too; the
    remerge diff of those merges (one more call) lists the paths whose
    content differs from git's own merge. Without remerge (git < 2.36) the
    combined list stands.
    """
    merges = {c.hash for c in commits if c.is_merge}
    differ = {hash_: found for hash_, found in _paths_by_merge(combined, merges).items() if found}
    if differ:
        remerge = _git(root, ["-c", "log.showSignature=false", "log", "--no-walk=unsorted", "--stdin", "-z",
                              "--format=%H", "--name-only", "--no-relative", "--no-ext-diff", "--no-textconv",
                              "--diff-merges=remerge", *_pathspec(paths)],
                       "compare merges with git's own merge", input="\n".join(differ).encode())
        if remerge.returncode == 0:
            own = _paths_by_merge(remerge.stdout, set(differ))
            differ = {hash_: found & own.get(hash_, set()) for hash_, found in differ.items()}
    out = []
    for commit in commits:
        if commit.is_merge:
            changes = (relocate(Change("M", path), prefix) for path in sorted(differ.get(commit.hash, ())))
            commit = commit._replace(changes=tuple(c for c in changes if c is not None))
        out.append(commit)
    return out


def _paths_by_merge(raw: bytes, merges: set[str]) -> dict[str, set[str]]:
    """``git log -z --format=%H --name-only`` output: the paths listed under each commit."""
    found: dict[str, set[str]] = {}
    current: set[str] | None = None
    for token in raw.split(b"\0"):
        token = token[1:] if token.startswith(b"\n") else token
        if not token:
            continue
        text = _text(token)
        if text in merges and _HASH.match(text):
            current = found.setdefault(text, set())
        elif current is not None:
            current.add(_path(token))
    return found


def _older(commits: Sequence[Commit], older: Callable[[str], bool]) -> list[str]:
    """Paths ``older`` accepts whose first change in the range (oldest first) is not their addition."""
    first: dict[str, str | None] = {}
    for commit in commits:
        if commit.is_merge:
            continue
        for change in commit.changes:
            if change.path not in first and older(change.path):
                first[change.path] = None if change.status in "AC" else (change.old_path or change.path)
    return sorted({path for path in first.values() if path is not None})


def _added_twice(commits: Sequence[Commit], older: Callable[[str], bool]) -> list[tuple[str, str]]:
    """(commit hash, path) of each addition of a path ``older`` accepts that more than one commit adds."""
    adds: dict[str, list[str]] = {}
    for commit in commits:
        if commit.is_merge:
            continue
        for change in commit.changes:
            if change.status[0] in "ACR" and "\n" not in change.path and older(change.path):
                adds.setdefault(change.path, []).append(commit.hash)
    return [(hash_, path) for path, hashes in sorted(adds.items()) if len(hashes) > 1 for hash_ in hashes]


def _objects(root: Path, specs: Sequence[tuple[str, str]], prefix: str) -> dict[tuple[str, str], str]:
    """The object ID of each (commit, path), in one git call; a path missing there is left out."""
    if not specs:
        return {}
    query = "".join(f"{rev}:{prefix}{path}\n" for rev, path in specs).encode("utf-8", "surrogateescape")
    result = _git(root, ["cat-file", "--batch-check"], "read the session logs added twice", input=query)
    if result.returncode != 0:
        return {}
    found = {}
    for spec, line in zip(specs, result.stdout.split(b"\n")):
        fields = line.split()
        if len(fields) == 3 and fields[1] == b"blob":
            found[spec] = _text(fields[0])
    return found


def _contents(root: Path, rev: str, paths: Sequence[str], prefix: str) -> dict[str, bytes | None]:
    """The content of each path at ``rev`` (None where it is no file there), in one git call."""
    if not paths:
        return {}
    query = "".join(f"{rev}:{prefix}{path}\n" for path in paths).encode("utf-8", "surrogateescape")
    result = _git(root, ["cat-file", "--batch"], "read files at the base", input=query)
    out, found, at = result.stdout, {}, 0
    for path in paths:
        end = out.find(b"\n", at)
        if result.returncode != 0 or end < 0:
            break
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob" and header[2].isdigit():
            size = int(header[2])
            found[path] = out[at:at + size]
            at += size + 1
        elif len(header) == 3 and header[2].isdigit():  # a tree or link: skip its bytes
            at += int(header[2]) + 1
            found[path] = None
        else:
            found[path] = None  # "<rev>:<path> missing"
    return found


def read_history(root: Path, since: str | None, older: Callable[[str], bool] | None = None,
                 merged: Sequence[str] | None = None) -> History:
    """The commits of ``merge-base(since, HEAD)..HEAD`` in the repository holding ``root``.

    ``since`` None reads every commit HEAD has, from the root commit on (a
    first push, which brings the whole history); the base is then "".
    ``older`` picks the paths (session logs) whose content at the base the
    history keeps, and whose additions it tells apart when several commits
    add one;
    ``merged`` names the paths (root-relative prefixes, matched in any case)
    whose changes by merges are read, None every path (see the module
    docstring).
    """
    inspect = ["rev-parse", "--show-prefix", "--is-shallow-repository", "--git-path", "shallow"]
    if since is not None and not since.startswith("-"):
        # The usual case at once (each git process costs a few milliseconds): the repository,
        # HEAD and the ref, beside the range itself; anything amiss is asked again step by step.
        quick, *ranged = _git_together(root, [
            ([*inspect, "HEAD^{commit}", f"{since}^{{commit}}"], "inspect the repository"),
            *_range_calls(since, since, "HEAD", merged)])
        lines = _text(quick.stdout).split("\n")
        if quick.returncode == 0 and len(lines) >= 5 and all(_HASH.match(x) for x in lines[3:5]):
            return _range(root, since, lines[0], lines[1] == "true", lines[2], lines[3], ranged, older, merged)
    info = _git(root, inspect, "inspect the repository")
    if info.returncode != 0:
        reason = _stderr(info)
        if "not a git repository" in reason.lower():
            raise AgentLintError(f"--since needs a git repository, and {root} is not inside one")
        if "dubious ownership" in reason.lower():
            # Common in CI containers whose checkout belongs to another user.
            raise AgentLintError(f"git refuses to read {root}, owned by another user; "
                                 f"run 'git config --global --add safe.directory <repository>'")
        raise AgentLintError(f"--since needs a git repository, and git cannot read {root}: {reason}")
    lines = _text(info.stdout).split("\n")
    if len(lines) < 3:
        raise AgentLintError(f"could not read git rev-parse output in {root}")
    prefix, shallow, git_path = lines[0], lines[1] == "true", lines[2]

    head = _resolve(root, "HEAD")
    if head is None:
        raise AgentLintError("HEAD has no commit yet; --since needs at least one commit")
    if since is None:
        ranged = _git_together(root, _range_calls(None, None, head, merged))
        return _range(root, None, prefix, shallow, git_path, head, ranged, older, merged)
    target = _resolve(root, since)
    if target is None:
        if shallow:
            raise AgentLintError(f"unknown revision '{since}' in a shallow clone; {SHALLOW_HINT}")
        raise AgentLintError(f"unknown revision '{since}'; fetch it or name an existing ref")
    ranged = _git_together(root, _range_calls(since, target, head, merged))
    return _range(root, since, prefix, shallow, git_path, head, ranged, older, merged)


def _range_calls(since: str | None, target: str | None, head: str, merged: Sequence[str] | None) -> list:
    """The git calls that read the range: its merge base, its commits, what its merges changed.

    The commits HEAD has and the ref has not are those since their merge
    base: git lists them while it finds that base, in processes of their own.
    Without a ref (``target`` None) the range is every commit of HEAD, and
    there is no base to find.
    """
    named = f"'{since}'" if since is not None else "the root commit"
    revisions = f"{target}..{head}" if target is not None else head
    calls = [] if target is None else [(["merge-base", target, head], f"find the merge base of {named} and HEAD")]
    calls.append((["-c", "log.showSignature=false", "-c", "color.ui=never",
                   "log", "-z", f"--format={_FORMAT}", "--encoding=UTF-8", "--name-status", "-M",
                   "--diff-merges=off", "--root", "--no-relative", "--no-ext-diff", "--no-textconv",
                   revisions, "--"], f"read the commits from {named} to HEAD"))
    if merged is None or merged:
        calls.append((_merges_call(revisions, merged), "read what merges changed"))
    return calls


def _range(root: Path, since: str | None, prefix: str, shallow: bool, git_path: str, head: str,
           ranged: Sequence[subprocess.CompletedProcess], older: Callable[[str], bool] | None,
           merged: Sequence[str] | None) -> History:
    if since is None:  # every commit of HEAD: no base
        merge_base, base = None, ""
        log, *combined = ranged
    else:
        merge_base, log, *combined = ranged
        base = _text(merge_base.stdout).strip()
    named = f"'{since}'" if since is not None else "the root commit"
    if merge_base is not None and (merge_base.returncode != 0 or not base):
        if shallow:
            raise AgentLintError(f"no common history of '{since}' and HEAD in this shallow clone; {SHALLOW_HINT}")
        if merge_base.returncode == 1:
            raise AgentLintError(f"'{since}' and HEAD share no history; name a ref of the same repository line")
        raise AgentLintError(f"git merge-base failed: {_stderr(merge_base)}")
    if base == head:
        return History(base, head, (), since)
    if log.returncode != 0:
        raise AgentLintError(f"git log failed: {_stderr(log)}")
    if combined and combined[0].returncode != 0:
        raise AgentLintError(f"git log failed: {_stderr(combined[0])}")
    commits = parse_log(log.stdout, prefix)
    if combined:
        commits = _authored_by_merges(root, commits, combined[0].stdout, prefix, merged)
    if shallow:
        cut = _shallow_commits(root, git_path) & {c.hash for c in commits}
        if cut:
            raise AgentLintError(f"the shallow clone cuts the history between {named} and HEAD; {SHALLOW_HINT}")
    ordered = linearize(commits, head)
    at_base = _contents(root, base, _older(ordered, older), prefix) if older is not None and base else {}
    added = _objects(root, _added_twice(ordered, older), prefix) if older is not None else {}
    return History(base, head, ordered, since or "", at_base, added)
