"""What project rules read: the views of every document of a run, and its history when asked for.

Project-scope rules receive a :class:`Project` and nothing else: plain data,
already read and parsed, the same whether the run was cold or answered from
the cache, so a rule never touches the file system or git. The one way to a
document's text is :meth:`Project.document` (or :meth:`Project.text`, its
text alone, unparsed), for a rule that declares it (``reads=Document``), to
offer a fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from .config import Config
from .model import Kind
from .views import Handoff, SessionLog, SystemDocument

if TYPE_CHECKING:
    from .batches import Gate, Unit
    from .document import Document

T = TypeVar("T")

NO_ROLES = ("no session log states a role, an orchestrator or a dispatch list, so no session is known to be an "
            "orchestrator or a worker; if your logs keep these facts elsewhere, map them in "
            "[tool.agent-lint.session-fields]")


class Project:
    """A run's documents as project rules see them."""

    def __init__(self, config: Config, kinds: Mapping[str, Kind | None], views: Mapping[str, Any], history: Any = None):
        """``kinds``: every document of the run by path (those that failed to load included; None for a
        file among the session logs that holds data, not a log); ``views``: the view of each document
        that loaded (extract.VIEWS)."""
        self.config = config
        self.kinds = kinds
        self.history = history  # agent_lint.history.History when --since is given
        self.notes: list[str] = []  # what the run could not judge, said once (Outcome.notes)
        ordered = [views[path] for path in sorted(views)]
        self.sessions: tuple[SessionLog, ...] = tuple(v for v in ordered if isinstance(v, SessionLog))
        self.handoffs: tuple[Handoff, ...] = tuple(v for v in ordered if isinstance(v, Handoff))
        # The configured system document, or the first default location that exists; None when
        # there is none, or it did not load.
        system = next((path for path in config.system_document_candidates if path in kinds),
                      next((path for path in sorted(kinds) if kinds[path] is Kind.SYSTEM), None))
        found = views.get(system) if system is not None else None
        self.system: SystemDocument | None = found if isinstance(found, SystemDocument) else None
        self.session_paths = tuple(sorted(path for path, kind in kinds.items() if kind is Kind.SESSION_LOG))
        # The ID (Config.session_id) of every session log, those that failed to load included.
        self.session_ids = frozenset(config.session_id(path) for path in self.session_paths)
        self._memo: dict[str, Any] = {}
        self._documents: dict[str, Document] = {}
        self._texts: dict[str, Document] = {}  # read by text(), not parsed
        self._bytes: dict[str, bytes] = {}  # of each of those, should document() parse it
        self.reads_documents = False  # set by the engine for a rule that declares reads=Document

    @property
    def read(self) -> tuple[str, ...]:
        """The documents whose text a rule has read (:meth:`text`, :meth:`document`), in path order."""
        return tuple(sorted(self._texts.keys() | self._documents.keys()))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def derived(self, name: str, compute: Callable[[Project], T]) -> T:
        """Data derived from the whole project (the sessions by role, the batches), computed once per run."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return self._memo[name]

    def by_role(self, role: str | None) -> tuple[SessionLog, ...]:
        """The session logs of one role (orchestrator, worker, single; None: no role), in path order.

        A run whose logs state no role at all says so once (a note, not a violation).
        """
        return self.derived("by-role", _by_role).get(role, ())

    @property
    def batches(self) -> tuple[Unit, ...]:
        """The parallel batches the session logs declare: each orchestrator's, with the workers that name it."""
        from .batches import declared

        return self.derived("batches", declared)

    @property
    def gate(self) -> Gate | None:
        """The units of the history's range (--since), for the pull-request gate; None without a history."""
        if self.history is None:
            return None
        from .batches import gate

        return self.derived("gate", gate)

    def document(self, path: str) -> Document:
        """The document at ``path``, read and parsed now (its bytes as they are on disk).

        Only for a rule that declares ``reads=Document``: what the others
        read is in the views, whatever stage the run answered from.
        """
        if path not in self._documents:
            from .document import FailedDocument, parse_document

            text = self.text(path)
            self._documents[path] = (text if isinstance(text, FailedDocument)
                                     else parse_document(path, text.kind, self._bytes.pop(path)))
        return self._documents[path]

    def text(self, path: str) -> Document:
        """The document at ``path`` as text alone (its lines and offsets), read now and not parsed: what a
        fix's edits need. The rule declares ``reads=Document`` as for :meth:`document`."""
        if not self.reads_documents:
            raise RuntimeError("a project rule read a document's text without declaring reads=Document")
        if path in self._documents:
            return self._documents[path]
        if path not in self._texts:
            from .analysis import unread
            from .document import Document, FailedDocument, LoadError, decode, document_format
            from .files import Reader

            data = Reader(self.config.root, self.config.max_file_size).read(path)
            kind = self.kinds.get(path)
            failed = unread(path, kind, data, self.config.max_file_size)
            if failed is not None:
                self._texts[path] = failed
            else:
                decoded = decode(data)  # type: ignore[arg-type]
                if isinstance(decoded, LoadError):
                    self._texts[path] = FailedDocument(path, kind, decoded, document_format(path))
                else:
                    self._texts[path] = Document(path, kind, *decoded)
                    self._bytes[path] = data  # type: ignore[assignment]
        return self._texts[path]


def _by_role(project: Project) -> dict[str | None, tuple[SessionLog, ...]]:
    grouped: dict[str | None, list[SessionLog]] = {}
    for log in project.sessions:
        grouped.setdefault(log.role, []).append(log)
    if project.sessions and not any(log.role for log in project.sessions):
        project.note(NO_ROLES)
    return {role: tuple(logs) for role, logs in grouped.items()}
