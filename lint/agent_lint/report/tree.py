"""The batches of a range as a text tree, what ``agent-lint batches`` prints by default.

::

    Parallel batches in main..HEAD

    Batch 2026-03-02-review: 3 session logs, 1 HANDOFF commit; violations: AL403, AL404.
    ├── orchestrator 2026-03-02-review  .agents/sessions/2026-03-02-review.md
    │   └── 3c2f03e "docs: record the review batch"  HANDOFF update, Session-Ids: ...  [AL404]
    ├── worker 2026-03-02-review-api  .agents/sessions/2026-03-02-review-api.md
    │   └── ed8c351 "2026-03-02-review-api: review log"
    └── worker 2026-03-02-review-docs  .agents/sessions/2026-03-02-review-docs.md
        └── 9a8b7c6 "2026-03-02-review-docs: review log"  not before 3c2f03e  [AL403]

Every session of a batch is shown (a terminal scrolls, where a diagram
has to stay small); HANDOFF commits that belong to no session's log are
listed under the batch at the end. On a terminal the marks are red, IDs
bold, paths dim; without colour the text is the same.
"""

from __future__ import annotations

from .batch_view import (BatchView, CommitView, Drawing, SessionView, batch_codes, commit_node, describe,
                         handoff_text, headline, session_node)
from ..terminal import paint


def render(drawing: Drawing, colour: bool = False) -> str:
    out = [paint(f"Parallel batches in {_line(drawing.span)}", "bold", on=colour), ""]
    if not drawing.batches:
        out += ["No session log or HANDOFF changes in this range."]
    for number, batch in enumerate(drawing.batches):
        if number:
            out.append("")
        out += _batch(batch, drawing, colour)
    return "\n".join(out) + "\n"


def _batch(batch: BatchView, drawing: Drawing, colour: bool) -> list[str]:
    def marks(key: str) -> str:
        codes = drawing.marks.get(key, ())
        return "  " + paint(f"[{' '.join(codes)}]", "red", on=colour) if codes else ""

    handoff = {c.hash for c in batch.handoff_commits}
    updates = list(batch.updates)

    def commit(c: CommitView, session: SessionView | None) -> str:
        text = describe(c)
        if c.hash in handoff:
            what, trailer = handoff_text(batch, c)
            text += f"  {what}, {trailer}"
        elif session is not None and batch.is_worker(session):
            late = [u.short for u in updates if u.hash != c.hash and not drawing.is_ancestor(c, u)]
            if late:
                text += f"  not before {', '.join(late)}"
        return _line(text) + marks(commit_node(c))

    codes = batch_codes(drawing, batch)
    lines = [paint(f"Batch {_line(batch.name)}", "bold", on=colour) + f": {headline(batch, codes)}"]
    head = batch.orchestrator
    own = next((s for s in batch.sessions if s.id == head), None)
    children: list[tuple[str, list[str]]] = []
    if own is None:  # an orchestrator without a log in the range still heads the batch
        children.append((f"orchestrator {paint(_line(batch.name), 'bold', on=colour)}"
                         + marks(session_node(head or "")), []))
    in_logs = set()
    for session in sorted(batch.sessions, key=lambda s: s is not own):
        role = session.role or ("worker" if batch.is_worker(session) else "session")
        title = (f"{role} {paint(_line(session.id), 'bold', on=colour)}  "
                 f"{paint(_line(session.path), 'dim', on=colour)}{marks(session_node(session.id))}")
        children.append((title, [commit(c, session) for c in session.commits]))
        in_logs |= {c.hash for c in session.commits}
    rest = [commit(c, None) for c in batch.handoff_commits if c.hash not in in_logs]
    if rest:
        children.append(("HANDOFF commits", rest))
    for index, (title, leaves) in enumerate(children):
        last = index == len(children) - 1
        lines.append(("└── " if last else "├── ") + title)
        for leaf_index, leaf in enumerate(leaves):
            lines.append(("    " if last else "│   ") + ("└── " if leaf_index == len(leaves) - 1 else "├── ") + leaf)
    return lines


def _line(text: str) -> str:
    """User data (subjects, IDs, paths) on one line, with no control character reaching the terminal."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
