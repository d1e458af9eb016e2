"""``agent-lint new-session``: a session log that checks clean from its first byte.

The log is written the way AGENT-SYSTEM.md's "Session Log Conventions" show
it, with every field the built-in session-log schema requires: metadata, an
empty work log, an outcome that says the session is under way,
``Status: in-progress`` and no HANDOFF update. The ID is the date and a
slug; a worker's is its orchestrator's ID plus the slug as a suffix, as
the conventions have it, and its date the orchestrator's. An ID that has a
log already is refused, never numbered: a second run is a mistake, not a
second session.

An orchestrator's log carries the prerequisites template of the project's
system document (agent-lint's own when the project has none), unchecked:
nothing was verified yet, and AL215 asks for each item only once a worker
is dispatched. A worker's log names its orchestrator, whose log must exist
and whose checklist must be worked through (each item checked, or
unchecked with a justification): AGENT-SYSTEM.md says a batch with an
item left blank must not be dispatched. The worker is then added to the
orchestrator's ``Dispatched`` list, so the batch is whole as soon as the
worker has a log.

Before anything is written, the log is checked against the schema AL201
holds it to (a JSON log: the team's own, when configured): a log that would
fail it is refused with the schema's first complaints.
"""

from __future__ import annotations

import json
import os
import posixpath
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
from .files import discover, read_inside
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
    data = read_inside(root, path, config.max_file_size)
    doc = parse_document(path, Kind.SYSTEM, data) if data is not None else None
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


def _register(root: Path, path: str, worker: str, err: TextIO, max_bytes: int) -> None:
    full = root / path
    data = read_inside(root, path, max_bytes)
    if data is None:
        raise AgentLintError(f"{path}: cannot read the orchestrator's log to add {worker} to its Dispatched list")
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


def _worker_id(orchestrator: str, slug: str) -> str:
    """``<orchestrator>-<suffix>``; a slug that repeats the orchestrator's own slug is not repeated."""
    own = orchestrator[len("YYYY-MM-DD-"):]
    for prefix in (orchestrator + "-", own + "-"):
        if slug.startswith(prefix) and len(slug) > len(prefix):
            slug = slug[len(prefix):]
            break
    return f"{orchestrator}-{slug}"


def _blank_prerequisites(record: Any) -> list[Any]:
    return [item for item in record.prerequisites or () if not item.checked and not item.note]


def _schema_complaints(config: Any, path: str, text: str) -> list[str]:
    """What the project's session-log schema says against a log, as AL201 would report it."""
    from .extract import Context
    from .extract.session_log import schema_check
    from .schema_check import session_log_schema

    doc = parse_document(path, Kind.SESSION_LOG, text.encode("utf-8"))
    if doc.load_error is not None:
        return []
    found = schema_check(doc, Context(config, lambda: session_log_schema(config)))
    return [error.message for error in found.errors]


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
    """Write the session's log (a worker's: and add it to its orchestrator's Dispatched list); print its path."""
    from .rules import RULES

    out, err = out or sys.stdout, err or sys.stderr
    slug = _slug(options, err)
    session = _NewSession(options, load_config(RULES, options.cwd, options.config), slug, err)
    ident, day, folder = session.identity()
    template = session.template()
    path = session.free_path(folder, ident)
    session.write(path, ident, session.text(path, ident, day, template))
    if session.orchestrator_path is not None:
        _register(session.root, session.orchestrator_path, ident, err, session.config.max_file_size)
    out.write(os.path.relpath(session.root / path, options.cwd) + "\n")
    return 0


def _slug(options: NewSessionOptions, err: TextIO) -> str:
    """The options checked, and the slug as the ID takes it (with a note when it differs from the one given)."""
    if options.role not in ROLES:
        raise AgentLintError(f"--role takes {', '.join(ROLES)}, not '{options.role}'")
    if options.format not in FORMATS:
        raise AgentLintError(f"--format takes md or json, not '{options.format}'")
    slug = normalize_slug(options.slug)
    if not slug:
        raise AgentLintError(f"slug '{options.slug}' has no letter or digit to make a session ID from")
    if slug != options.slug:
        err.write(f"agent-lint: note: slug '{options.slug}' written as '{slug}'\n")
    return slug


class _NewSession:
    """The steps of ``new-session``, in the order it runs them; each refuses with an error before anything is
    written, and a refusal that several steps could give is given by the first."""

    def __init__(self, options: NewSessionOptions, config: Any, slug: str, err: TextIO):
        self.options, self.config, self.slug, self.err = options, config, slug, err
        self.root: Path = config.root
        self.suffix = FORMATS[options.format]
        self.logs = {config.session_id(path): path  # session ID -> its log, every log
                     for path, kind in discover(config).items() if kind is Kind.SESSION_LOG}
        self.orchestrator_path: str | None = None  # a worker's orchestrator's log

    def identity(self) -> tuple[str, str, str]:
        """The session's ID, its date and the folder of its log; a worker's, from its orchestrator's log."""
        options = self.options
        folder = session_folder(self.config, self.suffix, f"{_day(options.date)}-{self.slug}")
        self.orchestrator_path = _orchestrator_log(self.logs, options.orchestrator, options.role, folder)
        if self.orchestrator_path is not None:
            self._check_orchestrator(self.orchestrator_path)
            ident = _worker_id(options.orchestrator, self.slug)  # type: ignore[arg-type]
            day = ident[:10]
            if options.date is not None and _day(options.date) != day:
                raise AgentLintError(f"a worker's date is its orchestrator's ({day}), not {options.date}")
        else:
            day = _day(options.date)
            ident = f"{day}-{self.slug}"
        folder = session_folder(self.config, self.suffix, ident)
        if not _ID.fullmatch(ident):
            raise AgentLintError(f"'{ident}' is not a session ID ({SESSION_ID_PATTERN})")
        return ident, day, folder

    def _check_orchestrator(self, path: str) -> None:
        """A worker is dispatched by an orchestrator whose checklist is worked through: refused otherwise."""
        data = read_inside(self.root, path, self.config.max_file_size)
        if data is None:
            raise AgentLintError(f"{path}: cannot read the orchestrator's log (not a regular file inside the project)")
        doc = parse_document(path, Kind.SESSION_LOG, data)
        if doc.load_error is not None:
            raise AgentLintError(f"{path}: {doc.load_error.message}")
        orchestrator = session_log(doc)
        if orchestrator.role != "orchestrator":
            what = f"a {orchestrator.role} session" if orchestrator.role else "a session without a role"
            raise AgentLintError(f"session '{self.options.orchestrator}' is {what}, not an orchestrator ({path})")
        blank = _blank_prerequisites(orchestrator)
        if blank:
            line = blank[0].where.line
            raise AgentLintError(
                f"{path}:{line}: {len(blank)} prerequisite{'s' if len(blank) != 1 else ''} "
                f"neither checked nor justified, and no worker is dispatched before each is: check each "
                f"('- [x]') once verified, or say why not after ' — ' on its line")

    def template(self) -> tuple[str, ...]:
        """An orchestrator's prerequisites, with a note when the system document has no template of its own."""
        if self.options.role != "orchestrator":
            return ()
        template, source = _template(self.root, self.config)
        if source != system_document_path(self.config):
            self.err.write(f"agent-lint: note: {system_document_path(self.config)} has no prerequisites template; "
                           f"used {source}\n")
        return template

    def free_path(self, folder: str, ident: str) -> str:
        """The log's path; refused when the ID has a log already, anywhere in the project or in that folder."""
        taken = dict(self.logs)
        if (self.root / folder).is_dir():
            taken.update({p.stem: posixpath.join(folder, p.name) for p in (self.root / folder).iterdir()
                          if p.suffix in (".md", ".json") and p.stem not in taken})
        path = f"{folder}/{ident}{self.suffix}" if folder else f"{ident}{self.suffix}"
        if ident in taken:
            raise _taken(ident, taken[ident])
        return path

    def text(self, path: str, ident: str, day: str, template: tuple[str, ...]) -> str:
        """The log's text; refused when the session-log schema (AL201's) would reject it."""
        words = " ".join(re.sub(r"[-_]+", " ", self.options.slug).split())
        # One line each: a metadata value cannot hold a line break.
        objective = " ".join((self.options.objective or "").split()) or words[:1].upper() + words[1:]
        fields = _fields(ident, day, self.options, objective, template)
        text = render_json(fields) if self.options.format == "json" else render_markdown(fields)
        complaints = _schema_complaints(self.config, path, text)
        if complaints:
            schema = self.config.session_log_schema or "the built-in session-log schema"
            more = f" (and {len(complaints) - 3} more)" if len(complaints) > 3 else ""
            raise AgentLintError(f"{schema} rejects the log new-session writes: {'; '.join(complaints[:3])}{more}; "
                                 f"write {path} by hand with what the schema asks for")
        return text

    def write(self, path: str, ident: str, text: str) -> None:
        """The log, created; refused when a file of that name appeared meanwhile, never overwritten."""
        try:
            create_new(self.root / path, text.encode("utf-8"))
        except FileExistsError:
            raise _taken(ident, path) from None  # written meanwhile by someone else
        except OSError as error:
            raise AgentLintError(f"cannot write {path}: {error.strerror or error}") from None


def _taken(ident: str, path: str) -> AgentLintError:
    return AgentLintError(f"session {ident} has a log already ({path}); a session has one log: "
                          f"choose another slug")
