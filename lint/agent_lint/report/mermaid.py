"""The batches of a range as Mermaid flowcharts: ``agent-lint batches --format mermaid``, and the
Markdown that ``--output-format github`` appends to the job's step summary.

One flowchart per batch: the orchestrator, each worker, the commits of their
logs, the HANDOFF commits (an orchestrator's update is drawn once, as the
labelled edge "updates HANDOFF"), a dotted "not before" edge from a worker
commit that is not in an update's history; nodes with a reported violation
are marked with its codes.
"""

from __future__ import annotations

import string
from typing import Mapping, Sequence

from .batch_view import (BatchView, CommitView, Drawing, SessionView, batch_codes, commit_node, describe,
                         handoff_text, headline, session_node)

SESSIONS_DRAWN = 30  # GitHub refuses diagrams past 500 edges or 50,000 characters

# Characters shown as themselves in a Mermaid label; every other ASCII one
# becomes an entity code (#35;), so a subject can close no quote, bracket or
# code fence, start no comment and inject no HTML.
_LABEL_SAFE = frozenset(string.ascii_letters + string.digits + " -_.,:/@+=!?'")
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>()#|!~&$")
_CLASSES = (
    "classDef violation fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#82071e",
    "classDef handoff fill:#ddf4ff,stroke:#0969da",
)


def label(*lines: str) -> str:
    """A quoted Mermaid node label of ``lines``, each escaped, joined by line breaks."""
    def escape(text: str) -> str:
        out = []
        for ch in text:
            if ch in _LABEL_SAFE or (ord(ch) > 127 and ch.isprintable()):
                out.append(ch)
            elif ch.isprintable():
                out.append(f"#{ord(ch)};")
            else:
                out.append(" ")  # newlines, tabs, bidi and other controls
        return "".join(out)

    return '"' + "<br/>".join(escape(line) for line in lines) + '"'


def flowchart(batch: BatchView, drawing: Drawing) -> str:
    """One batch as a Mermaid flowchart."""
    marks = drawing.marks
    lines = ["flowchart LR", *(f"  {c}" for c in _CLASSES)]
    names: dict[str, str] = {}

    def node(key: str, *text: str, css: str | None = None) -> str:
        if key in names:
            return names[key]
        names[key] = f"n{len(names)}"
        codes = marks.get(key, ())
        if codes:
            text, css = (*text, " ".join(codes)), "violation"
        lines.append(f"  {names[key]}[{label(*text)}]" + (f":::{css}" if css else ""))
        return names[key]

    handoff = {c.hash for c in batch.handoff_commits}
    updates = {c.hash for c in batch.updates}

    def commit(c: CommitView) -> str:
        if c.hash in handoff:
            what, trailer = handoff_text(batch, c)
            return node(commit_node(c), what, describe(c), trailer, css="handoff")
        return node(commit_node(c), describe(c))

    head = batch.orchestrator
    own = next((s for s in batch.sessions if s.id == head), None)
    top = node(session_node(head or ""), "orchestrator", batch.name, *((own.path,) if own else ()))
    edges = []
    drawn = drawn_sessions(batch, marks)
    for session in drawn:
        role = session.role or ("worker" if batch.is_worker(session) else "session")
        start = top if session is own else node(session_node(session.id), role, session.id, session.path)
        if session is not own:
            edges.append(f"  {top} --> {start}")
        for c in session.commits:
            if session is own and c.hash in updates:
                continue  # drawn once below, as the labelled update edge
            edges.append(f"  {start} --> {commit(c)}")
    hidden = len(batch.sessions) - len(drawn)
    if hidden:
        edges.append(f"  {top} --> {node('more', f'{hidden} more session logs, not drawn')}")
    for update in batch.updates:
        target = commit(update)
        edges.append(f"  {top} -->|{label('updates HANDOFF')}| {target}")
        for session in drawn:
            if not batch.is_worker(session):
                continue
            for c in session.commits:
                if c.hash == update.hash:
                    continue
                if drawing.is_ancestor(c, update):
                    edges.append(f"  {commit(c)} --> {target}")
                else:
                    edges.append(f"  {commit(c)} -.->|{label('not before')}| {target}")
    for c in batch.handoff_commits:
        commit(c)
    return "\n".join(lines + list(dict.fromkeys(edges))) + "\n"


def drawn_sessions(batch: BatchView, marks: Mapping[str, Sequence[str]]) -> list[SessionView]:
    """The sessions a diagram shows: those with a violation first, at most SESSIONS_DRAWN in all."""
    def marked(session: SessionView) -> bool:
        keys = (session_node(session.id), *(commit_node(c) for c in session.commits))
        return any(key in marks for key in keys)

    ranked = sorted(batch.sessions, key=lambda s: (s.id != batch.orchestrator, not marked(s)))
    chosen = {s.id for s in ranked[:SESSIONS_DRAWN]}
    return [s for s in batch.sessions if s.id in chosen]


def markdown(drawing: Drawing) -> str:
    """Markdown: a heading and a Mermaid flowchart per batch of the range, reported violations marked."""
    out = [f"### Parallel batches in {_markdown(drawing.span)}", ""]
    if not drawing.batches:
        out += ["No session log or HANDOFF changes in this range.", ""]
    for batch in drawing.batches:
        out += [f"#### Batch {_markdown(batch.name)}", "", headline(batch, batch_codes(drawing, batch)), "",
                "```mermaid", flowchart(batch, drawing).rstrip("\n"), "```", ""]
    return "\n".join(out)


def _markdown(text: str) -> str:
    """Text shown literally in a Markdown heading or paragraph (IDs and refs are user data)."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else " " if not ch.isprintable() else ch
                   for ch in text)
