"""``agent-lint hook``: the protocol enforced where agents work, at the moment an agent stops.

Claude Code runs a command when its main agent is about to end its turn
(``Stop``) and when a sub-agent it dispatched is about to end (``SubagentStop``),
passing a JSON payload on stdin; a command that exits 2 blocks the stop, and
its stderr is fed back to the model as the reason (REFERENCE). This is that
command:

1. read the payload (an unknown event, a malformed payload, no git, no
   commit yet: exit 0 with one line on stderr, never a block by accident);
2. gather the working tree's changes against HEAD (staged, unstaged,
   untracked) with one ``git status``;
3. when this exact state (the stopping agent, HEAD, each changed file's
   size and time) was blocked before, let the stop through with a note:
   the agent was told once, and a state file keeps no agent stopping in a
   loop (see :func:`blocked_before`);
4. run the regular check (runner.check) over the changed agent documents
   with the rest of the project as context, and the live checks (live.py)
   over the session's logs;
5. with errors, write a short list to stderr (each problem, where, how to
   fix it; at most MAX_LINES lines) and exit 2; else exit 0, silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import subprocess
from pathlib import Path
from typing import IO, Any, NamedTuple, Sequence

from .guard import run
from .live import STOP, SUBAGENT_STOP, Problem, Situation, live_problems, our_ids
from .model import AgentLintError, Kind
from .views import SessionLog

REFERENCE = "https://code.claude.com/docs/en/hooks"
EVENTS = (STOP, SUBAGENT_STOP)
EXIT_ALLOW, EXIT_BLOCK = 0, 2
MAX_PAYLOAD = 16 * 1024 * 1024  # the payload carries the agent's last message; anything larger is not one
MAX_LINES = 20  # of the report the model reads
BLOCKS_KEPT = 32  # states remembered per project
_RUNTIME_ID_MIN = 8  # a runtime ID shorter than this could be named by a log by accident


class Payload(NamedTuple):
    """The fields of Claude Code's Stop and SubagentStop payloads the hook reads (others are ignored)."""

    event: str  # hook_event_name
    session_id: str
    cwd: str | None
    stop_hook_active: bool  # the agent is already continuing because a stop hook blocked it
    agent_id: str | None  # SubagentStop: the sub-agent's ID


def read_payload(data: bytes) -> Payload | str:
    """The payload, or why it is not one the hook acts on."""
    if len(data) > MAX_PAYLOAD:
        return f"the payload on stdin is over {MAX_PAYLOAD // (1024 * 1024)} MiB"
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "stdin holds no JSON payload"
    if not isinstance(value, dict):
        return "the payload on stdin is not a JSON object"
    event = value.get("hook_event_name")
    if event not in EVENTS:
        shown = repr(event)[:60] if event is not None else "no hook_event_name"
        return f"event {shown} is none of {', '.join(EVENTS)}"

    def text(key: str) -> str | None:
        field = value.get(key)
        return field if isinstance(field, str) and field else None

    return Payload(event, text("session_id") or "", text("cwd"), value.get("stop_hook_active") is True,
                   text("agent_id"))


# ----------------------------------------------------------------------------
# The working tree


class Change(NamedTuple):
    path: str  # from the repository's top, "/"-separated
    status: str  # git's two letters (staged, unstaged), "??" for an untracked file


class WorkTree(NamedTuple):
    top: Path
    head: str | None  # None: no commit yet
    branch: str | None  # None: detached
    changes: tuple[Change, ...]


def parse_status(raw: bytes) -> tuple[str | None, str | None, tuple[Change, ...]]:
    """(HEAD, branch, changes) from ``git status --porcelain=v2 -z --branch``; a rename is two changes."""
    head = branch = None
    changes: dict[str, Change] = {}
    fields = raw.split(b"\0")
    index = 0
    while index < len(fields):
        entry = fields[index].decode("utf-8", "surrogateescape")
        index += 1
        kind, _, rest = entry.partition(" ")
        if kind == "#":
            key, _, value = rest.partition(" ")
            if key == "branch.oid":
                head = None if value == "(initial)" else value
            elif key == "branch.head":
                branch = None if value == "(detached)" else value
        elif kind == "?":
            changes.setdefault(rest, Change(rest, "??"))
        elif kind in ("1", "2", "u"):
            # The path follows a fixed number of fields (it may hold spaces); a rename's source follows it.
            parts = rest.split(" ", {"1": 7, "2": 8, "u": 9}[kind])
            if len(parts) < {"1": 8, "2": 9, "u": 10}[kind]:
                continue
            changes.setdefault(parts[-1], Change(parts[-1], parts[0]))
            if kind == "2" and index < len(fields):
                source = fields[index].decode("utf-8", "surrogateescape")
                index += 1
                changes.setdefault(source, Change(source, "D."))
    return head, branch, tuple(changes.values())


def first_changed_line(diff: bytes) -> int | None:
    """The first line of the new text that ``git diff -U0`` says changed (a deletion: the line after it)."""
    for line in diff.splitlines():
        if line.startswith(b"@@ "):
            new = line.split(b" ")[2]  # +start[,count]
            start = new[1:].split(b",")[0]
            return max(int(start), 1) if start.isdigit() else None
    return None


def restores_earlier_version(root: Path, path: str, depth: int = 100) -> bool:
    """Does the file now hold what it held before one of its last ``depth`` commits, or after?

    Such a change authors nothing: a session that puts HANDOFF back as it
    was (undoing an edit that was committed) is doing what the protocol asks,
    as a merge that keeps one side's HANDOFF is (history.py).
    """
    if not (root / path).is_file():
        return False
    now = _git(root, "--literal-pathspecs", "hash-object", "--", path)
    if now is None or now.returncode != 0:
        return False
    blobs = _git(root, "--literal-pathspecs", "log", f"-n{depth}", "--format=", "--raw", "--no-abbrev", "--", path)
    if blobs is None or blobs.returncode != 0:
        return False
    return now.stdout.strip() in {word for line in blobs.stdout.splitlines() for word in line.split()[2:4]}


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess | None:
    # --no-optional-locks: git status would otherwise lock the index to refresh it, and an agent's own
    # git command at that moment (a sub-agent committing while another stops) would fail on the lock.
    try:
        return run(["git", "--no-optional-locks", *args], cwd=cwd, stdin=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None


def read_work_tree(root: Path) -> WorkTree | str:
    """The working tree holding ``root`` and its changes against HEAD, or why there is none."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return "git cannot be run"
    if top.returncode != 0:
        return f"{root} is not in a git work tree"
    status = _git(root, "status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all")
    if status is None or status.returncode != 0:
        return "git status failed"
    head, branch, changes = parse_status(status.stdout)
    if head is None:
        return "the repository has no commit yet"
    return WorkTree(Path(os.fsdecode(top.stdout.strip())), head, branch, changes)


# ----------------------------------------------------------------------------
# Never blocking twice for the same state


def state_digest(payload: Payload, tree: WorkTree) -> str:
    """The stopping agent, HEAD, and each changed file as it is now (its size and time, or gone)."""
    parts = [payload.event, payload.session_id, payload.agent_id or "", tree.head or ""]
    for change in sorted(tree.changes):
        try:
            stat = os.lstat(tree.top / change.path)
            now = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            now = "gone"
        parts.append(f"{change.path}\0{change.status}\0{now}")
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _state_file(root: Path) -> Path:
    from .cache import user_cache_dir

    name = hashlib.blake2b(os.fsencode(root), digest_size=16).hexdigest()
    return user_cache_dir() / "hook" / f"{name}.json"


def blocked_before(root: Path) -> list[str]:
    """The states of this project the hook blocked lately, newest last.

    The file is input like any other: one that is unreadable, damaged,
    oversized or about another folder is ignored (the worst it can do is
    let one stop through, or block one more time).
    """
    try:
        with open(_state_file(root), "rb") as handle:
            data = handle.read(64 * 1024 + 1)
        value = json.loads(data.decode("utf-8")) if len(data) <= 64 * 1024 else None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return []
    if not isinstance(value, dict) or value.get("version") != 1 or value.get("root") != os.fsdecode(root):
        return []
    blocked = value.get("blocked")
    if not isinstance(blocked, list):
        return []
    return [item for item in blocked if isinstance(item, str) and len(item) == 32][-BLOCKS_KEPT:]


def remember_block(root: Path, digest: str) -> bool:
    """Record a blocked state (written whole or not at all); False when it cannot be recorded."""
    path = _state_file(root)
    blocked = [item for item in blocked_before(root) if item != digest] + [digest]
    data = json.dumps({"version": 1, "root": os.fsdecode(root), "blocked": blocked[-BLOCKS_KEPT:]})
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(data, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    return True


# ----------------------------------------------------------------------------
# The situation the live checks read


def _slug(branch: str | None) -> str:
    from .new_session import normalize_slug

    slug = normalize_slug(branch.rsplit("/", 1)[-1]) if branch else ""
    return slug if slug and slug not in ("main", "master", "trunk", "develop", "head") else "work"


def log_command(config: Any, branch: str | None) -> str:
    """The new-session command that writes the stopping session's log, with an ID not taken yet."""
    from datetime import date

    from .scaffold import session_folder

    slug, today = _slug(branch), date.today().isoformat()
    try:
        folder = session_folder(config, ".md", f"{today}-{slug}")
    except AgentLintError:
        folder = None
    if folder is not None:
        base, number = slug, 1
        while any((config.root / folder / f"{today}-{slug}{suffix}").exists() for suffix in (".md", ".json")):
            number += 1
            slug = f"{base}-{number}"
    return f"agent-lint new-session --role single --agent claude-code {slug}"


def _session_view(config: Any, path: str) -> tuple[SessionLog, str] | None:
    """A session log's protocol view and its text; None when it does not load (the check says why)."""
    from .document import parse_document
    from .extract.session_log import session_log

    from .files import Reader

    data = Reader(config.root, config.max_file_size).read(path)  # inside the root, a regular file, not too large
    if not isinstance(data, bytes):
        return None
    doc = parse_document(path, Kind.SESSION_LOG, data, max_bytes=config.max_file_size)
    if doc.load_error is not None:
        return None
    return session_log(doc, config.session_fields, config.session_id(path)), doc.text


def situation(payload: Payload, tree: WorkTree, config: Any) -> tuple[Situation, dict[str, Kind]]:
    """The live checks' data, and the changed agent documents still there (project-relative) with their kinds."""
    root = config.root.resolve()
    documents, handoffs, changed = _changed(tree, config, root)
    logs, ours = _changed_logs(payload, config, documents)
    log_paths = tuple(path for path, kind in sorted(documents.items()) if kind is Kind.SESSION_LOG)
    s = Situation(
        event=payload.event,
        changed=tuple(changed),
        logs=tuple(logs),
        log_paths=log_paths,
        handoffs=tuple(handoffs),
        handoff_lines=_handoff_lines(root, handoffs),
        ours=ours,
        read_only=config.handoff_mode == "read-only",
        log_command=log_command(config, tree.branch) if payload.event == STOP and not log_paths else "",
    )
    return _with_workers(s, config), documents


def _changed(tree: WorkTree, config: Any, root: Path) -> tuple[dict[str, Kind], list[str], list[str]]:
    """The changed agent documents of the project still there, with their kinds; the changed HANDOFFs; and
    every changed path of the work tree, but a HANDOFF put back as it was (no change of this session's)."""
    from .files import Classifier

    classifier = Classifier(config)
    documents: dict[str, Kind] = {}
    handoffs: list[str] = []
    changed: list[str] = []
    for change in tree.changes:
        changed.append(change.path)
        path = posixpath.normpath(os.path.relpath(tree.top / change.path, root).replace(os.sep, "/"))
        if path.startswith("../") or path == "..":
            continue
        kind = classifier.document_kind(path)
        if kind is None:
            continue
        if kind is Kind.HANDOFF:
            if restores_earlier_version(root, path):
                changed.pop()
                continue
            handoffs.append(path)
        if (root / path).is_file():
            documents[path] = kind
    return documents, handoffs, changed


def _changed_logs(payload: Payload, config: Any, documents: dict[str, Kind]) -> tuple[list[SessionLog],
                                                                                     tuple[str, ...]]:
    """The changed session logs that load, in path order, and the IDs of those that are the stopping agent's
    (the logs naming its runtime ID, when any does)."""
    logs: list[SessionLog] = []
    naming: list[str] = []
    runtime_id = payload.agent_id if payload.event == SUBAGENT_STOP else payload.session_id
    for path, kind in sorted(documents.items()):
        if kind is Kind.SESSION_LOG and (read := _session_view(config, path)) is not None:
            logs.append(read[0])
            if runtime_id and len(runtime_id) >= _RUNTIME_ID_MIN and runtime_id in read[1]:
                naming.append(read[0].id)
    return logs, our_ids(payload.event, logs, naming)


def _handoff_lines(root: Path, handoffs: list[str]) -> dict[str, int]:
    """Where each changed HANDOFF changed first, for the report (none when git cannot say)."""
    lines = {}
    for path in handoffs:
        diff = _git(root, "--literal-pathspecs", "diff", "--no-color", "--no-ext-diff", "-U0", "HEAD", "--", path)
        line = first_changed_line(diff.stdout) if diff is not None and diff.returncode == 0 else None
        if line is not None:
            lines[path] = line
    return lines


def _with_workers(s: Situation, config: Any) -> Situation:
    """With the logs of the workers our orchestrators dispatched (None: no log, or one that does not load),
    and whether the project has a HANDOFF; unchanged when they dispatched none."""
    dispatched = {ident for log in s.our_logs("orchestrator") for ident in log.dispatched}
    if not dispatched:
        return s
    from .files import discover

    known = discover(config)
    by_id = {config.session_id(path): path for path, kind in known.items() if kind is Kind.SESSION_LOG}
    ours_now = {log.id: log for log in s.logs}
    workers: dict[str, SessionLog | None] = {}
    for ident in dispatched:
        if ident in ours_now:
            workers[ident] = ours_now[ident]
        elif ident in by_id and (read := _session_view(config, by_id[ident])) is not None:
            workers[ident] = read[0]
        else:
            workers[ident] = None
    return s._replace(workers=workers, handoff_exists=any(kind is Kind.HANDOFF for kind in known.values()))


# ----------------------------------------------------------------------------
# The regular check, and the report


class Row(NamedTuple):
    """One line of the report: where, what, how to fix it."""

    path: str
    line: int
    column: int
    message: str
    fix: str


def regular_check(config: Any, paths: Sequence[str], explicit: Path | None) -> list[dict]:
    """The errors ``agent-lint check PATHS`` reports (the project read as context), as its JSON report has them."""
    if not paths:
        return []
    from .runner import CheckOptions, check

    out = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):  # its notes are for a person, not for the stopping agent
        check(CheckOptions(paths=tuple(Path(p) for p in paths), cwd=config.root, config=explicit,
                           output_format="json", exit_zero=True, force_exclude=True, colour=False), out=out)
    return [v for v in json.loads(out.getvalue())["violations"] if v["severity"] == "error"]


def rows(problems: Sequence[Problem], violations: Sequence[dict]) -> list[Row]:
    """The report's rows: the live problems first, then the check's violations that no problem repeats."""
    covered = {(p.path, p.where.line, p.covers) for p in problems if p.covers}
    found = [Row(p.path, p.where.line, p.where.column, p.message, p.fix) for p in problems]
    for v in violations:
        if (v["path"], v["line"], v["code"]) in covered:
            continue
        fix = f"`agent-lint check --fix {v['path']}` fixes it" if v.get("fixable") else \
            f"`agent-lint rule {v['code']}` explains the rule"
        found.append(Row(v["path"], v["line"], v["column"], f"{v['code']} {v['message']}", fix))
    return found


def report(found: Sequence[Row], event: str, shown_from: Path, root: Path, checked: Sequence[str]) -> str:
    """What the stopping agent reads: at most MAX_LINES lines."""
    who = "this sub-agent" if event == SUBAGENT_STOP else "this session"
    lines = [f"agent-lint: {who} breaks the agent protocol (AGENT-SYSTEM.md); fix these before stopping:"]

    def shown(path: str) -> str:
        return os.path.relpath(root / path, shown_from).replace(os.sep, "/")

    def place(row: Row) -> str:
        return f"{shown(row.path)}:{row.line}:{row.column}: " if row.path else ""

    room = MAX_LINES - 1 if len(found) <= MAX_LINES - 1 else MAX_LINES - 2
    lines += [f"- {place(row)}{row.message}. Fix: {row.fix}." for row in found[:room]]
    if len(found) > room:
        command = f"`agent-lint check {' '.join(shown(path) for path in checked)}`" if len(checked) <= 5 else \
            "`agent-lint check` over the changed agent documents"
        lines.append(f"and {len(found) - room} more: {command} lists them")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------
# The command


def _say(err: IO[str], message: str) -> None:
    err.write(f"agent-lint hook: {message}\n")


def run_hook(stdin: IO[bytes] | None, err: IO[str], *, config: Path | None = None, cwd: Path | None = None) -> int:
    """Exit code 2 (block the stop, the reason on ``err``) or 0 (let it through); never anything else."""
    try:
        return _run(stdin, err, config, cwd or Path.cwd())
    except AgentLintError as error:
        _say(err, f"{error}; nothing checked")
    except Exception as error:  # noqa: BLE001 - a bug must not keep an agent from stopping
        if os.environ.get("AGENT_LINT_DEBUG"):
            raise
        _say(err, f"internal error: {type(error).__name__}: {error}; nothing checked "
                  f"(set AGENT_LINT_DEBUG=1 for details)")
    return EXIT_ALLOW


def _run(stdin: IO[bytes] | None, err: IO[str], explicit: Path | None, cwd: Path) -> int:
    """The steps of the module docstring, in order."""
    from .config import load_config
    from .rules import RULES

    payload = _payload(stdin, err)
    if payload is None:
        return EXIT_ALLOW
    if payload.cwd and Path(payload.cwd).is_dir():
        cwd = Path(payload.cwd)
    config = load_config(RULES, cwd, explicit)
    root = config.root.resolve()
    tree = _changed_tree(config, root, err)
    if tree is None:
        return EXIT_ALLOW
    digest = state_digest(payload, tree)
    if digest in blocked_before(root):
        _say(err, "nothing changed since this stop was blocked: letting it through")
        return EXIT_ALLOW
    s, documents = situation(payload, tree, config)
    if payload.event == SUBAGENT_STOP:  # a sub-agent answers for its own logs only
        documents = {path: kind for path, kind in documents.items()
                     if kind is Kind.SESSION_LOG and any(log.path == path and log.id in s.ours for log in s.logs)}
    checked = sorted(documents)
    found = rows(live_problems(s), regular_check(config, checked, explicit))
    if not found:
        return EXIT_ALLOW
    if not remember_block(root, digest) and payload.stop_hook_active:
        _say(err, f"{len(found)} problem(s), but the state cannot be recorded ({_state_file(root)}), so this "
                  f"stop, already blocked once, goes through")
        return EXIT_ALLOW
    err.write(report(found, payload.event, cwd.resolve(), root, checked))
    return EXIT_BLOCK


def _payload(stdin: IO[bytes] | None, err: IO[str]) -> Payload | None:
    """The payload on stdin; None, said on ``err``, when there is none the hook acts on."""
    if stdin is None or stdin.isatty():
        _say(err, f"reads the payload of Claude Code's Stop or SubagentStop hook on stdin ({REFERENCE}); "
                  f"nothing checked")
        return None
    payload = read_payload(stdin.read(MAX_PAYLOAD + 1))
    if isinstance(payload, str):
        _say(err, f"{payload}; nothing checked")
        return None
    return payload


def _changed_tree(config: Any, root: Path, err: IO[str]) -> WorkTree | None:
    """The work tree when the project has something to enforce and changes to check it on; None otherwise
    (said on ``err``, but for a tree without changes)."""
    if config.source is None and not any((root / c).is_file() for c in config.system_document_candidates):
        _say(err, f"{root} has no agent-lint config and no system document: nothing to enforce")
        return None
    tree = read_work_tree(root)
    if isinstance(tree, str):
        _say(err, f"{tree}; nothing checked")
        return None
    return tree if tree.changes else None
