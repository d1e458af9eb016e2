"""The units of a range as a text tree, what ``agent-lint batches`` prints by default.

::

    Parallel batches in main..HEAD

    Batch 2026-03-02-review: 3 session logs, 1 HANDOFF commit; violations: AL403, AL404.
    Evidence: 2026-03-02-review: orchestrator by its log's Role.
    Timing: 2 workers, span 15 min (10:00-10:15 UTC), sum 20 min, saved 25%; critical path ...
    ├── orchestrator 2026-03-02-review  .agents/sessions/2026-03-02-review.md
    │   └── 3c2f03e "docs: record the review batch"  HANDOFF update, Session-Ids: ...  [AL404]
    ├── worker 2026-03-02-review-api  .agents/sessions/2026-03-02-review-api.md  10:00-10:10 UTC (10 min)
    │   └── ed8c351 "2026-03-02-review-api: review log"
    └── worker 2026-03-02-review-docs  .agents/sessions/2026-03-02-review-docs.md  10:05-10:15 UTC (10 min)
        └── 9a8b7c6 "2026-03-02-review-docs: review log"  not before 3c2f03e  [AL403]

    Single sessions
    ├── 2026-03-03-fix: log 1a2b3c4, HANDOFF 1a2b3c4
    └── (no session named): HANDOFF 5d6e7f8  [AL404]

Every session of a batch is shown (a terminal scrolls, where a diagram
has to stay small), with its times where its log gives them, and under the
evidence what running the workers in parallel saved (or why no figure can
be given); a batch's HANDOFF commits that belong to no session's
log are listed under it at the end. On a terminal the marks are red, IDs
bold, paths dim; without colour the text is the same.
"""

from __future__ import annotations

from ..batches import Member, Unit, commit_node, describe, session_node
from ..history import Commit
from ..terminal import paint
from .batch_view import Drawing, handoff_text, headline, run_text, timing_text, unit_codes


def render(drawing: Drawing, colour: bool = False) -> str:
    out = [paint(f"Parallel batches in {_line(drawing.span)}", "bold", on=colour), ""]
    if not drawing.units and not drawing.unattributed:
        out += ["No session log or HANDOFF changes in this range."]
    elif not drawing.batches:
        out += ["No parallel batch: nothing in this range says that sessions ran in parallel."]
    for number, unit in enumerate(drawing.batches):
        if number:
            out.append("")
        out += _batch(unit, drawing, colour)
    if drawing.singles or drawing.unattributed:
        out += ["", paint("Single sessions", "bold", on=colour)]
        out += _branches([(line, []) for line in _singles(drawing, colour)])
    return "\n".join(out) + "\n"


def _marks(drawing: Drawing, key: str, colour: bool) -> str:
    codes = drawing.marks.get(key, ())
    return "  " + paint(f"[{' '.join(codes)}]", "red", on=colour) if codes else ""


def _batch(unit: Unit, drawing: Drawing, colour: bool) -> list[str]:
    tree = _BatchTree(unit, drawing, colour)
    return tree.heading() + _branches(tree.children())


class _BatchTree:
    """A batch as text: its headline, evidence and times, then a branch per session with its log's commits."""

    def __init__(self, unit: Unit, drawing: Drawing, colour: bool):
        self.unit, self.drawing, self.colour = unit, drawing, colour
        self.handoff = {c.hash for c in unit.updates} | {c.hash for c, _ in unit.worker_changes}
        self.timing = drawing.timing.get(unit.key)

    def heading(self) -> list[str]:
        unit, drawing = self.unit, self.drawing
        lines = [paint(f"Batch {_line(unit.orchestrator or unit.key)}", "bold", on=self.colour)
                 + f": {headline(unit, unit_codes(drawing, unit))}"]
        if unit.evidence:
            lines.append(f"Evidence: {_line('; '.join(unit.evidence))}.")
        if self.timing is not None:
            lines.append(f"Timing: {_line(timing_text(self.timing))}.")
        return lines

    def children(self) -> list[tuple[str, list[str]]]:
        """The orchestrator first (a line of its own when it has no log in the range), each session with the
        commits of its log, then the HANDOFF commits no log commit is."""
        unit, colour = self.unit, self.colour
        runs = {run.session: run for run in self.timing.runs} if self.timing is not None else {}
        head = unit.orchestrator
        own = next((m for m in unit.sessions if m.id == head), None)
        children: list[tuple[str, list[str]]] = []
        if own is None and head:  # an orchestrator without a log in the range still heads the batch
            children.append((f"orchestrator {paint(_line(head), 'bold', on=colour)}"
                             + _marks(self.drawing, session_node(head), colour), []))
        in_logs = set()
        for member in sorted(unit.sessions, key=lambda m: m is not own):
            run = runs.get(member.id)
            times = f"  {run_text(run)}" if run is not None and not run.lacks else ""
            title = (f"{member.role} {paint(_line(member.id), 'bold', on=colour)}  "
                     f"{paint(_line(member.path), 'dim', on=colour)}{times}"
                     f"{_marks(self.drawing, session_node(member.id), colour)}")
            children.append((title, [self.commit(c, member) for c in member.commits]))
            in_logs |= {c.hash for c in member.commits}
        rest = [self.commit(c, None) for c in (*unit.updates, *(c for c, _ in unit.worker_changes))
                if c.hash not in in_logs]
        if rest:
            children.append(("HANDOFF commits", rest))
        return children

    def commit(self, c: Commit, member: Member | None) -> str:
        """A commit's line: a HANDOFF commit says whose; a worker's log commit, the updates it is not before."""
        unit = self.unit
        text = describe(c)
        if c.hash in self.handoff:
            what, trailer = handoff_text(unit, c)
            text += f"  {what}, {trailer}"
        elif member is not None and member.committed is not None and c.hash == member.committed.hash \
                and member.role != "orchestrator":
            late = [u.short for u in unit.updates if u.hash != c.hash and not self.drawing.is_ancestor(c, u)]
            if late:
                text += f"  not before {', '.join(late)}"
        return _line(text) + _marks(self.drawing, commit_node(c), self.colour)


def _singles(drawing: Drawing, colour: bool) -> list[str]:
    lines = []
    for unit in drawing.singles:
        member = unit.sessions[0] if unit.sessions else None
        committed = member.committed.short if member and member.committed else "before the range"
        updates = ", ".join(c.short for c in unit.updates) or "none"
        codes = unit_codes(drawing, unit)
        mark = "  " + paint(f"[{' '.join(codes)}]", "red", on=colour) if codes else ""
        lines.append(f"{paint(_line(unit.key), 'bold', on=colour)}: log {committed}, HANDOFF {updates}{mark}")
    for commit in drawing.unattributed:
        lines.append(f"(no session named): HANDOFF {_line(describe(commit))}"
                     + _marks(drawing, commit_node(commit), colour))
    return lines


def _branches(children: list[tuple[str, list[str]]]) -> list[str]:
    lines = []
    for index, (title, leaves) in enumerate(children):
        last = index == len(children) - 1
        lines.append(("└── " if last else "├── ") + title)
        for leaf_index, leaf in enumerate(leaves):
            lines.append(("    " if last else "│   ") + ("└── " if leaf_index == len(leaves) - 1 else "├── ") + leaf)
    return lines


def _line(text: str) -> str:
    """User data (subjects, IDs, paths) on one line, with no control character reaching the terminal."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
