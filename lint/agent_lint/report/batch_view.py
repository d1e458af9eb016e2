"""What the batch renderers (tree.py, mermaid.py) read of a range's parallel batches.

The renderers see batches only through these protocols, so the model that
finds batches (agent_lint.batches) can change without them: a batch's name
and orchestrator, its sessions with their role, log path and commits, its
HANDOFF commits, which of those is a worker's, and the violations reported
on each session or commit (``marks``, keyed by :func:`session_node` and
:func:`commit_node`). Figures a renderer may show later per batch (timings)
belong in :class:`Drawing` beside the batches.
"""

from __future__ import annotations

from typing import Callable, Mapping, NamedTuple, Protocol, Sequence


class CommitView(Protocol):
    hash: str
    short: str
    subject: str

    def session_ids(self) -> tuple[str, ...]: ...


class SessionView(Protocol):
    id: str
    path: str
    role: str | None
    commits: Sequence[CommitView]


class BatchView(Protocol):
    sessions: Sequence[SessionView]
    handoff_commits: Sequence[CommitView]  # every commit of the batch that changes HANDOFF

    @property
    def name(self) -> str: ...  # the orchestrator's ID, or a placeholder when it is unknown

    @property
    def orchestrator(self) -> str | None: ...

    @property
    def updates(self) -> Sequence[CommitView]: ...  # the orchestrator's HANDOFF commits

    def is_worker(self, session: SessionView) -> bool: ...

    def worker_of(self, commit: CommitView) -> SessionView | None: ...


class Drawing(NamedTuple):
    """Everything a renderer draws: the range, its batches, the reported violations on them."""

    span: str  # the range as the user named it: "origin/main..HEAD"
    batches: Sequence[BatchView]
    marks: Mapping[str, Sequence[str]]  # session_node / commit_node key -> codes reported there
    is_ancestor: Callable[[CommitView, CommitView], bool]  # (older, newer): is older in newer's history?


def commit_node(commit: CommitView) -> str:
    return f"commit:{commit.hash}"


def session_node(session_id: str) -> str:
    return f"session:{session_id}"


SUBJECT_WIDTH = 60
IDS_SHOWN = 10  # a message names at most this many IDs: a bulk import lists hundreds


def describe(commit: CommitView) -> str:
    """A commit as messages name it: short hash and subject."""
    subject = commit.subject if len(commit.subject) <= SUBJECT_WIDTH else commit.subject[:SUBJECT_WIDTH - 1] + "…"
    return f'{commit.short} "{subject}"'


def id_list(ids: Sequence[str]) -> str:
    """IDs as messages name them: comma-separated, the tail of a long list counted, not named."""
    shown = ", ".join(ids[:IDS_SHOWN])
    hidden = len(ids) - IDS_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def batch_codes(drawing: Drawing, batch: BatchView) -> list[str]:
    """The codes reported on the batch's sessions and commits, sorted."""
    keys = {session_node(batch.orchestrator or "")} | {session_node(s.id) for s in batch.sessions}
    keys |= {commit_node(c) for s in batch.sessions for c in s.commits}
    keys |= {commit_node(c) for c in batch.handoff_commits}
    return sorted({code for key in keys for code in drawing.marks.get(key, ())})


def headline(batch: BatchView, codes: Sequence[str]) -> str:
    """``3 session logs, 1 HANDOFF commit; violations: AL403, AL404.``"""
    sessions = f"{len(batch.sessions)} session log{'s' if len(batch.sessions) != 1 else ''}"
    updates = f"{len(batch.handoff_commits)} HANDOFF commit{'s' if len(batch.handoff_commits) != 1 else ''}"
    verdict = f"violations: {', '.join(codes)}" if codes else "no violations"
    return f"{sessions}, {updates}; {verdict}."


def handoff_text(batch: BatchView, commit: CommitView) -> tuple[str, str]:
    """(what a HANDOFF commit is, its trailer) as both renderers word them."""
    ids = commit.session_ids()
    trailer = f"Session-Ids: {id_list(ids)}" if ids else "no Session-Ids trailer"
    worker = batch.worker_of(commit)
    return (f"changes HANDOFF (worker {worker.id})" if worker else "HANDOFF update"), trailer
