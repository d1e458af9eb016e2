"""What ``agent-lint init`` finds in a repository before it writes a config.

Also what a check that found no agent document says it saw instead
(:func:`nothing_found`). Only what file names and a document's own words
say (STYLE: inferences need evidence), whatever the case of the names:

* the system document: an ``AGENT-SYSTEM.md``, the shallowest one;
* session logs: Markdown and JSON files in a folder named ``sessions`` (or
  ``session-logs``), one glob per extension present;
* HANDOFF documents: a file named ``HANDOFF.md``, and the Markdown files
  of a folder named ``handoffs``;
* a session-log JSON Schema: a ``*.schema.json`` whose name says
  session log (``session-log.schema.json``, ``session.schema.json``);
* HANDOFF frozen: a HANDOFF document that says it is read-only (the
  notices AL109 knows, and "this file is read-only").

Anything under a folder named archive, templates, examples, fixtures or
tests is a copy, a template or test data, and anything under commands,
prompts or skills an instruction to agents (``.claude/commands/handoff.md``
says how to write a handoff), never the live document; so is
what the default ``exclude`` leaves out by its name (a README, a template,
a SCHEMA.md, a TODO.md).

Besides, for a check's note only (init writes no key for them): Markdown
files whose name says handoff (``260129_PRAXIS_HANDOFF.md``,
``final_merge_handoff.md``) outside a ``handoffs`` folder.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any, NamedTuple

from .config import DEFAULT_EXCLUDE
from .globs import compile_globs

NOT_LIVE = frozenset({"archive", "archives", "template", "templates", "example", "examples", "fixtures",
                      "test", "tests", "node_modules", "vendor", "third_party",
                      # instructions to agents: .claude/commands/handoff.md is how to write one
                      "commands", "prompts", "skills"})
SESSION_FOLDERS = frozenset({"sessions", "session-logs"})
_SCHEMA_NAME = re.compile(r"session[-_]?(?:log)?s?\.schema\.json", re.I)
_THIS_FILE_READ_ONLY = re.compile(
    r"\b(?:this\s+(?:file|document)|handoff(?:\.md)?)[`*]*\s+(?:is|are|remains|stays)\s+(?:now\s+)?[`*]*"
    r"(?:read[- ]?only|frozen)\b", re.I)


class SessionFolder(NamedTuple):
    folder: str
    suffixes: tuple[str, ...]  # ".json", ".md", in the order of their counts
    count: int


class Notice(NamedTuple):
    path: str
    line: int
    text: str


class Survey(NamedTuple):
    system_document: str | None = None
    session_folders: tuple[SessionFolder, ...] = ()
    handoff_files: tuple[str, ...] = ()
    handoff_folders: tuple[tuple[str, int], ...] = ()  # (folder, Markdown files in it)
    schema: str | None = None
    read_only: Notice | None = None
    named_like_handoffs: tuple[str, ...] = ()  # other Markdown files whose name says handoff

    @property
    def session_globs(self) -> tuple[str, ...]:
        return tuple(f"{s.folder}/*{suffix}" for s in self.session_folders for suffix in s.suffixes)

    @property
    def handoff_globs(self) -> tuple[str, ...]:
        files = tuple(path if "/" in path else f"/{path}" for path in self.handoff_files)
        return files + tuple(f"{folder}/**/*.md" for folder, _ in self.handoff_folders)


def _listed(root: Path) -> list[str]:
    from .files import _git_files, _walk_files

    files = _git_files(root, [""])
    return files if files is not None else _walk_files(root, [""], True)


def _live(path: str) -> bool:
    return not any(part.lower() in NOT_LIVE for part in path.split("/")[:-1]) \
        and compile_globs(DEFAULT_EXCLUDE, True).fullmatch(path) is None


def survey(root: Path) -> Survey:
    """What the repository's file names and HANDOFF notices say about its agent documents (module docstring)."""
    files = [path for path in _listed(root) if _live(path)]
    by_depth = sorted(files, key=lambda p: (p.count("/"), p))
    system = next((p for p in by_depth if posixpath.basename(p).upper() == "AGENT-SYSTEM.MD"), None)
    handoff_folders = _handoff_folders(files)
    handoff_files, named_like = _handoff_files(by_depth, handoff_folders)
    schemas = [p for p in by_depth if _SCHEMA_NAME.fullmatch(posixpath.basename(p)) and _is_schema(root / p)]
    return Survey(system, _session_folders(files), handoff_files, tuple(sorted(handoff_folders.items())),
                  schemas[0] if schemas else None, _read_only(root, handoff_files), named_like)


def _session_folders(files: list[str]) -> tuple[SessionFolder, ...]:
    """The folders named ``sessions`` (or ``session-logs``) holding Markdown or JSON files, in path order."""
    folders: dict[str, dict[str, int]] = {}  # folder -> suffix as written -> files
    for path in files:
        folder, name = posixpath.split(path)
        suffix = posixpath.splitext(name)[1].lower()
        if posixpath.basename(folder).lower() in SESSION_FOLDERS and suffix in (".md", ".json") \
                and name.upper() != "README.MD":
            counts = folders.setdefault(folder, {})
            counts[posixpath.splitext(name)[1]] = counts.get(posixpath.splitext(name)[1], 0) + 1
    return tuple(
        SessionFolder(folder, tuple(sorted(counts, key=lambda s: (-counts[s], s))), sum(counts.values()))
        for folder, counts in sorted(folders.items())
    )


def _handoff_folders(files: list[str]) -> dict[str, int]:
    """Each outermost folder named ``handoffs`` -> the Markdown files under it (READMEs aside)."""
    handoff_folders: dict[str, int] = {}
    for path in files:
        parts = path.split("/")
        for depth, part in enumerate(parts[:-1]):
            if part.lower() == "handoffs" and path.lower().endswith(".md") and parts[-1].upper() != "README.MD":
                key = "/".join(parts[:depth + 1])
                handoff_folders[key] = handoff_folders.get(key, 0) + 1
                break
    return handoff_folders


def _handoff_files(by_depth: list[str], handoff_folders: dict[str, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Outside the handoffs folders: the files named HANDOFF.md, and the other Markdown files whose name says
    handoff, shallowest first."""
    handoff_files = tuple(p for p in by_depth if posixpath.basename(p).upper() == "HANDOFF.MD"
                          and not any(p.startswith(folder + "/") for folder in handoff_folders))
    named_like = tuple(p for p in by_depth if "HANDOFF" in posixpath.basename(p).upper() and p.lower().endswith(".md")
                       and p not in handoff_files and not any(p.startswith(f + "/") for f in handoff_folders))
    return handoff_files, named_like


def _is_schema(path: Path) -> bool:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, dict) and ("$schema" in data or "properties" in data)


def _read_only(root: Path, handoffs: tuple[str, ...]) -> Notice | None:
    """The first read-only notice a HANDOFF document gives about itself."""
    from .document import MarkdownDocument, parse_document
    from .model import Kind
    from .rules.al109_handoff_step_contradicts_read_only_notice import EXEMPT, NOTICES, notices

    from .config import Config
    from .files import read_inside

    for path in handoffs:
        data = read_inside(root, path, Config._field_defaults["max_file_size"])
        if data is None:
            continue
        doc = parse_document(path, Kind.HANDOFF, data)
        if not isinstance(doc, MarkdownDocument) or doc.load_error is not None:
            continue
        options = {"notice-patterns": [*NOTICES, _THIS_FILE_READ_ONLY.pattern], "exempt-pattern": EXEMPT}
        found = min(notices(doc, options, (0, -1)), default=None)
        if found is not None:
            return Notice(path, found[0], found[1])
    return None


def config_lines(found: Survey) -> list[tuple[str, str]]:
    """The config keys the survey supports, as (why, TOML line), in the config's order."""
    import json

    def toml_list(items) -> str:
        return "[" + ", ".join(json.dumps(item) for item in items) + "]"

    lines = []
    if found.system_document:
        lines.append((f"{found.system_document} is the system document",
                      f"system-document = {json.dumps(found.system_document)}"))
    if found.session_folders:
        where = ", ".join(f"{s.count:,} in {s.folder}/" for s in found.session_folders)
        lines.append((f"session logs: {where}", f"session-logs = {toml_list(found.session_globs)}"))
    if found.handoff_files or found.handoff_folders:
        named = [*found.handoff_files, *(f"{n:,} in {folder}/" for folder, n in found.handoff_folders)]
        lines.append((f"HANDOFF documents: {', '.join(named)}", f"handoff = {toml_list(found.handoff_globs)}"))
    if found.schema:
        lines.append((f"{found.schema} is the team's session-log schema",
                      f"session-log-schema = {json.dumps(found.schema)}"))
    if found.read_only:
        notice = found.read_only
        lines.append((f"{notice.path}:{notice.line} says '{notice.text}'", 'handoff-mode = "read-only"'))
    return lines


def nothing_found(config: Any) -> str:
    """The note of a check that found no agent document: where it looked, and what it saw elsewhere.

    What it saw is what ``agent-lint init`` would find (:func:`survey`),
    less what the config excludes: a layout the config does not describe,
    most likely. None of it is reported as a violation.
    """
    from .files import Classifier

    handoff = ", ".join(config.handoff) + (" (in any case)" if config.handoff_any_case else "")
    note = (f"no agent document found: looked for the system document at "
            f"{' or '.join(config.system_document_candidates)}, session logs at {', '.join(config.session_logs)}"
            f" and HANDOFF at {handoff}; set system-document, session-logs or handoff in the config")
    excluded = Classifier(config).excluded
    found = survey(config.root)
    known = []  # what init would write a config for
    if found.system_document and not excluded(found.system_document):
        known.append(f"a system document at {found.system_document}")
    if found.session_folders:
        known.append(f"session logs: {', '.join(f'{s.count:,} in {s.folder}/' for s in found.session_folders)}")
    handoffs = [p for p in found.handoff_files if not excluded(p)] + [f"{n:,} in {f}/" for f, n in found.handoff_folders]
    if handoffs:
        known.append(f"HANDOFF documents: {', '.join(handoffs)}")
    seen = [f"{'; '.join(known)} ('agent-lint init' writes a config for them)"] if known else []
    named = [p for p in found.named_like_handoffs if not excluded(p)]
    if named:
        more = f" and {len(named) - 3:,} more" if len(named) > 3 else ""
        seen.append(f"files named like HANDOFFs: {', '.join(named[:3])}{more}")
    return f"{note}. Seen where the config does not look: {'; '.join(seen)}" if seen else note
