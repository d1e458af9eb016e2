"""``agent-lint new-session``: a session log that checks clean from its first byte.

The log is written the way AGENT-SYSTEM.md's "Session Log Conventions" show
it, with every field the built-in session-log schema requires: ID from the
date and a slug, metadata, an empty work log, an outcome that says the
session is under way, ``Status: in-progress`` and no HANDOFF update. An
orchestrator's log carries the prerequisites template of the project's
system document (agent-lint's own when the project has none), unchecked:
nothing was verified yet, and AL215 asks for each item only once a worker
is dispatched. A worker's log names its orchestrator, whose log must exist;
the worker is added to that log's ``Dispatched`` list, so the batch is whole
as soon as the worker has a log.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from .config import load_config
from .document import JsonDocument, MarkdownDocument, normalize_key, parse_document
from .edits import (checklist_json_items, checklist_markdown, json_append_element, json_append_member, json_array,
                    metadata_append)
from .extract.parallel_pattern import template_items
from .extract.session_log import ROLES, SESSION_ID_PATTERN, session_log
from .files import discover
from .model import AgentLintError, Edit, Kind
from .scaffold import create_new, insert, session_folder, system_document_path

FORMATS = {"md": ".md", "json": ".json"}
PENDING = "Pending: the session is in progress."
_ID = re.compile(SESSION_ID_PATTERN)


@dataclass
class NewSessionOptions:
    slug: str
    role: str
    orchestrator: str | None = None
    format: str = "md"
    date: str | None = None  # YYYY-MM-DD; today when None
    agent: str = "unknown"
    objective: str | None = None
    config: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)


def normalize_slug(slug: str) -> str:
    """Lowercase ASCII letters and digits joined by single hyphens, as the ID pattern wants."""
    # casefold first: it spells out letters that have no decomposition (ß -> ss).
    ascii_text = unicodedata.normalize("NFKD", slug.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _day(text: str | None) -> str:
    if text is None:
        return date.today().isoformat()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise AgentLintError(f"--date takes a date as YYYY-MM-DD, not '{text}'") from None


def _template(root: Path, config) -> tuple[tuple[str, ...], str]:
    """The prerequisites template and where it came from."""
    path = system_document_path(config)
    try:
        doc = parse_document(path, Kind.SYSTEM, (root / path).read_bytes())
    except OSError:
        doc = None
    items = template_items(doc) if doc is not None and doc.load_error is None else ()
    if items:
        return items, path
    from .resources import reference_system_document

    reference = parse_document("AGENT-SYSTEM.md", Kind.SYSTEM, reference_system_document().encode("utf-8"))
    return template_items(reference), "agent-lint's reference AGENT-SYSTEM.md"


# ----------------------------------------------------------------------------
# The log


def _fields(ident: str, day: str, options: NewSessionOptions, objective: str,
            template: tuple[str, ...]) -> dict[str, Any]:
    agent = " ".join(options.agent.split()) or "unknown"
    fields: dict[str, Any] = {"id": ident, "date": day, "agent": agent, "role": options.role,
                              "objective": objective}
    if options.role == "worker":
        fields["orchestrator"] = options.orchestrator
    if options.role == "orchestrator":
        fields["dispatched"] = []
        fields["prerequisites"] = list(template)
    fields.update({"status": "in-progress", "handoffUpdated": False, "workLog": [], "outcome": PENDING})
    return fields


def render_markdown(fields: dict[str, Any]) -> str:
    labels = [("date", "Date"), ("agent", "Agent"), ("role", "Role"), ("objective", "Objective"),
              ("orchestrator", "Orchestrator"), ("dispatched", "Dispatched"), ("status", "Status")]
    lines = [f"# Session {fields['id']}: {fields['objective']}", ""]
    for key, label in labels:
        if key in fields:
            value = ", ".join(fields[key]) if isinstance(fields[key], list) else fields[key]
            lines.append(f"**{label}**:{' ' + value if value else ''}")
    lines += ["**HANDOFF Updated**: no", "", "## Work Log", ""]
    if "prerequisites" in fields:
        lines += ["## Prerequisites Checklist", "", checklist_markdown(fields["prerequisites"])]
    lines += ["## Outcome", "", fields["outcome"], ""]
    return "\n".join(lines)


def render_json(fields: dict[str, Any]) -> str:
    members = []
    for key, value in fields.items():
        if key == "prerequisites":
            rendered = json_array(checklist_json_items(value), "  ", "    ")
        elif isinstance(value, list):
            rendered = json_array([json.dumps(v, ensure_ascii=False) for v in value], "  ", "    ")
        else:
            rendered = json.dumps(value, ensure_ascii=False)
        members.append(f"  {json.dumps(key)}: {rendered}")
    return "{\n" + ",\n".join(members) + "\n}\n"


# ----------------------------------------------------------------------------
# The orchestrator's Dispatched list


def _dispatch_edit(doc, worker: str) -> Edit | None:
    """The insertion adding ``worker`` to an orchestrator log's Dispatched list (None: not possible)."""
    if isinstance(doc, JsonDocument):
        value = doc.data.get("dispatched")
        if value is None:
            return json_append_member(doc, "dispatched", [json.dumps(worker)])
        return json_append_element(doc, ["dispatched"], json.dumps(worker)) if isinstance(value, list) else None
    if not isinstance(doc, MarkdownDocument):
        return None
    header_end = next((s.line for s in doc.sections if s.level == 2), len(doc.lines) + 1)
    header = [m for m in doc.metadata_entries if m.line < header_end and not m.in_list]
    entry = next((m for m in header if normalize_key(m.key) == "dispatched"), None)
    if entry is not None:
        return metadata_append(doc, entry, worker)
    if not header or "dispatched" in {normalize_key(str(k)) for k in doc.front_matter}:
        return None
    last = header[-1]
    end = doc.offset(last.line, 1) + len(doc.lines[last.line - 1])
    return Edit(end, end, f"\n**Dispatched**: {worker}")


def _register(root: Path, path: str, worker: str, err: TextIO) -> None:
    full = root / path
    data = full.read_bytes()
    doc = parse_document(path, Kind.SESSION_LOG, data)
    if doc.load_error is None and worker in session_log(doc).dispatched:
        return
    edit = _dispatch_edit(doc, worker) if doc.load_error is None else None
    if edit is None:
        err.write(f"agent-lint: warning: add {worker} to the Dispatched list of {path} by hand\n")
        return
    insert(full, data, [edit], f"dispatch {worker}")


# ----------------------------------------------------------------------------
# The command


def _orchestrator_log(logs: dict[str, str], ident: str | None, role: str, folder: str) -> str | None:
    if role != "worker":
        if ident is not None:
            raise AgentLintError(f"--orchestrator is for a worker; a {role} session has none")
        return None
    if ident is None:
        raise AgentLintError("a worker names its orchestrator: --orchestrator SESSION-ID")
    if ident not in logs:
        raise AgentLintError(f"orchestrator session '{ident}' has no log in {folder or '.'}; create it first "
                             f"with 'agent-lint new-session --role orchestrator SLUG'")
    return logs[ident]


def new_session(options: NewSessionOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from .rules import RULES

    out, err = out or sys.stdout, err or sys.stderr
    if options.role not in ROLES:
        raise AgentLintError(f"--role takes {', '.join(ROLES)}, not '{options.role}'")
    if options.format not in FORMATS:
        raise AgentLintError(f"--format takes md or json, not '{options.format}'")
    slug = normalize_slug(options.slug)
    if not slug:
        raise AgentLintError(f"slug '{options.slug}' has no letter or digit to make a session ID from")
    if slug != options.slug:
        err.write(f"agent-lint: note: slug '{options.slug}' written as '{slug}'\n")
    day = _day(options.date)
    suffix = FORMATS[options.format]
    config = load_config(RULES, options.cwd, options.config)
    root = config.root
    folder = session_folder(config, suffix, f"{day}-{slug}")
    if not _ID.fullmatch(f"{day}-{slug}"):
        raise AgentLintError(f"'{day}-{slug}' is not a session ID ({SESSION_ID_PATTERN})")
    logs = {path.rsplit("/", 1)[-1].rsplit(".", 1)[0]: path
            for path, kind in discover(config).items() if kind is Kind.SESSION_LOG}
    orchestrator_path = _orchestrator_log(logs, options.orchestrator, options.role, folder)
    if orchestrator_path is not None:
        doc = parse_document(orchestrator_path, Kind.SESSION_LOG, (root / orchestrator_path).read_bytes())
        if doc.load_error is not None:
            raise AgentLintError(f"{orchestrator_path}: {doc.load_error.message}")
        orchestrator = session_log(doc)
        if orchestrator.role != "orchestrator":
            what = f"a {orchestrator.role} session" if orchestrator.role else "a session without a role"
            raise AgentLintError(f"session '{options.orchestrator}' is {what}, not an orchestrator "
                                 f"({orchestrator_path})")
    template: tuple[str, ...] = ()
    if options.role == "orchestrator":
        template, source = _template(root, config)
        if source != system_document_path(config):
            err.write(f"agent-lint: note: {system_document_path(config)} has no prerequisites template; "
                      f"used {source}\n")
    taken = set(logs)
    if (root / folder).is_dir():
        taken |= {p.stem for p in (root / folder).iterdir() if p.suffix in (".md", ".json")}
    words = " ".join(re.sub(r"[-_]+", " ", options.slug).split())
    # One line each: a metadata value cannot hold a line break.
    objective = " ".join((options.objective or "").split()) or words[:1].upper() + words[1:]
    for n in range(1, 10_000):
        ident = f"{day}-{slug}" if n == 1 else f"{day}-{slug}-{n}"
        if ident in taken:
            continue
        fields = _fields(ident, day, options, objective, template)
        text = render_json(fields) if options.format == "json" else render_markdown(fields)
        path = f"{folder}/{ident}{suffix}" if folder else f"{ident}{suffix}"
        try:
            create_new(root / path, text.encode("utf-8"))
        except FileExistsError:
            continue  # written meanwhile by someone else: take the next number
        except OSError as err_:
            raise AgentLintError(f"cannot write {path}: {err_.strerror or err_}") from None
        break
    else:
        raise AgentLintError(f"no free session ID for {day}-{slug}")
    if orchestrator_path is not None:
        _register(root, orchestrator_path, ident, err)
        if any(not item.checked and not item.note for item in orchestrator.prerequisites or ()):
            err.write(f"agent-lint: warning: {orchestrator_path} has prerequisites left unchecked without a "
                      f"justification; check them or say why before dispatching (AL215)\n")
    out.write(os.path.relpath(root / path, options.cwd) + "\n")
    return 0
