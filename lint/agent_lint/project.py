"""All agent documents of one repository, plus its history when a run asks for it.

Project-scope rules receive a Project and nothing else: it is plain data,
already read and parsed, so a rule never touches the file system or git.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from .config import Config
from .document import Document
from .model import Kind

T = TypeVar("T")


class Project:
    """The project rules' view of a run: its config, every document, and its history when asked for."""

    def __init__(self, config: Config, documents: dict[str, Document], history: Any = None):
        self.config = config
        self.documents = documents
        self.history = history  # agent_lint.history.History when --since is given
        self.notes: list[str] = []  # what the run could not judge, said once (Outcome.notes)
        self._memo: dict[tuple[str, str], Any] = {}

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def of_kind(self, kind: Kind) -> list[Document]:
        return self.derived("by-kind", _by_kind).get(kind, [])

    @property
    def system_document(self) -> Document | None:
        """The configured system document, or the first default location that exists."""
        for candidate in self.config.system_document_candidates:
            doc = self.documents.get(candidate)
            if doc is not None:
                return doc
        systems = self.of_kind(Kind.SYSTEM)
        return systems[0] if systems else None

    @property
    def session_logs(self) -> list[Document]:
        return self.of_kind(Kind.SESSION_LOG)

    @property
    def handoffs(self) -> list[Document]:
        return self.of_kind(Kind.HANDOFF)

    def derived(self, name: str, compute: Callable[["Project"], T]) -> T:
        """Data derived from the whole project (all session records, the batches), computed once per run."""
        key = (name, "")
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    @property
    def session_ids(self) -> frozenset[str]:
        """The ID (Config.session_id) of every session log, those that failed to load included."""
        return self.derived("session-ids", lambda p: frozenset(doc.stem for doc in p.session_logs))

    def record(self, doc: Document, name: str, extract: Callable[[Document], T]) -> T:
        """Extract a record from a document once per run, however many rules ask."""
        if name in doc.records:
            return doc.records[name]
        key = (name, doc.path)
        if key not in self._memo:
            self._memo[key] = extract(doc)
        return self._memo[key]


def _by_kind(project: Project) -> dict[Kind | None, list[Document]]:
    """Every document by kind, in one pass (projects hold tens of thousands)."""
    grouped: dict[Kind | None, list[Document]] = {}
    for doc in project.documents.values():
        grouped.setdefault(doc.kind, []).append(doc)
    return grouped
