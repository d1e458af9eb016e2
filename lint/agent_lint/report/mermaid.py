"""The units of a range as Mermaid: ``agent-lint batches --format mermaid``, and the Markdown
that ``--output-format github`` appends to the job's step summary.

One flowchart per parallel batch: the orchestrator, each worker, the commits
of their logs, the HANDOFF commits (an orchestrator's update is drawn once,
as the labelled edge "updates HANDOFF"), a dotted "not before" edge from a
log commit that is not in an update's history; nodes with a reported
violation are marked with its codes. Under it, when its logs give times, a
``gantt`` chart of when its sessions ran (the critical path marked), and
after the batches a table of what parallel dispatch saved in each.
Single sessions, and HANDOFF commits that name no session, are one table.
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence

from ..batches import Member, Unit, commit_node, describe, session_node
from ..history import Commit
from ..unit_facts import Timing, duration, percent
from .batch_view import Drawing, handoff_text, headline, timing_text, unit_codes, window

SESSIONS_DRAWN = 30  # GitHub refuses diagrams past 500 edges or 50,000 characters

# Characters shown as themselves in a Mermaid label; every other ASCII one
# becomes an entity code (#35;), so a subject can close no quote, bracket or
# code fence, start no comment and inject no HTML.
_LABEL_SAFE = frozenset(string.ascii_letters + string.digits + " -_.,:/@+=!?'")
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>()#|!~&$")
_GANTT_SAFE = frozenset(string.ascii_letters + string.digits + " -_.")
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


def flowchart(unit: Unit, drawing: Drawing) -> str:
    """One unit as a Mermaid flowchart: orchestrator (or session), workers, their log commits, HANDOFF."""
    chart = _Flowchart(unit, drawing)
    drawn = drawn_sessions(unit, drawing.marks)
    chart.add_sessions(drawn)
    chart.add_updates(drawn)
    for c, _ in unit.worker_changes:
        chart.commit(c)
    return "\n".join(chart.lines + list(dict.fromkeys(chart.edges))) + "\n"


class _Flowchart:
    """A unit's flowchart as it is drawn: a node is numbered when first drawn, its top node (the orchestrator,
    or the single session) first; an edge drawn twice is written once."""

    def __init__(self, unit: Unit, drawing: Drawing):
        self.unit, self.drawing = unit, drawing
        self.lines = ["flowchart LR", *(f"  {c}" for c in _CLASSES)]
        self.edges: list[str] = []
        self.names: dict[str, str] = {}  # node key -> its Mermaid name
        self.updates = {c.hash for c in unit.updates}
        self.handoff = self.updates | {c.hash for c, _ in unit.worker_changes}
        head = unit.orchestrator if unit.batch else unit.key
        self.own = next((m for m in unit.sessions if m.id == head), None)
        title = "orchestrator" if unit.batch else "single session"
        self.top = self.node(session_node(head or unit.key), title, head or unit.name,
                             *((self.own.path,) if self.own else ()))

    def node(self, key: str, *text: str, css: str | None = None) -> str:
        """The node's name, drawing it the first time (with the codes of its violations, marked)."""
        if key in self.names:
            return self.names[key]
        self.names[key] = f"n{len(self.names)}"
        codes = self.drawing.marks.get(key, ())
        if codes:
            text, css = (*text, " ".join(codes)), "violation"
        self.lines.append(f"  {self.names[key]}[{label(*text)}]" + (f":::{css}" if css else ""))
        return self.names[key]

    def commit(self, c: Commit) -> str:
        if c.hash in self.handoff:
            what, trailer = handoff_text(self.unit, c)
            return self.node(commit_node(c), what, describe(c), trailer, css="handoff")
        return self.node(commit_node(c), describe(c))

    def add_sessions(self, drawn: list[Member]) -> None:
        """Each drawn session under the top node, with the commits of its log; a node for those not drawn."""
        for member in drawn:
            start = self.top if member is self.own else self.node(session_node(member.id), member.role, member.id,
                                                                  member.path)
            if member is not self.own:
                self.edges.append(f"  {self.top} --> {start}")
            for c in member.commits:
                if member is self.own and c.hash in self.updates:
                    continue  # drawn once, as the labelled update edge
                self.edges.append(f"  {start} --> {self.commit(c)}")
        hidden = len(self.unit.sessions) - len(drawn)
        if hidden:
            self.edges.append(f"  {self.top} --> {self.node('more', f'{hidden} more session logs, not drawn')}")

    def add_updates(self, drawn: list[Member]) -> None:
        """Each HANDOFF update, from the top node, and from each drawn log's commit: dotted when not before it."""
        for update in self.unit.updates:
            target = self.commit(update)
            self.edges.append(f"  {self.top} -->|{label('updates HANDOFF')}| {target}")
            for member in drawn:
                if member is self.own or member.committed is None or member.committed.hash == update.hash:
                    continue
                c = member.committed
                if self.drawing.is_ancestor(c, update):
                    self.edges.append(f"  {self.commit(c)} --> {target}")
                else:
                    self.edges.append(f"  {self.commit(c)} -.->|{label('not before')}| {target}")


def gantt(unit: Unit, timing: Timing) -> str | None:
    """When a batch's sessions ran, as a Mermaid gantt chart in UTC (None when no log gives both times).

    The critical path (the longest worker) is drawn ``crit``; a session
    whose log lacks a time is left out (the figures say which).
    """
    runs = [run for run in timing.runs if not run.lacks]
    if not runs:
        return None
    critical = timing.critical.session if timing.critical else None
    lines = ["gantt", f"  title {_gantt_text(f'Batch {unit.orchestrator or unit.key} - times in UTC')}",
             "  dateFormat YYYY-MM-DD HH:mm:ss", "  axisFormat %H:%M", "  todayMarker off"]
    sections = (("orchestrator", [r for r in runs if r.role == "orchestrator"]),
                ("workers" if unit.orchestrator else "sessions", [r for r in runs if r.role != "orchestrator"]))
    number = 0
    for title, members in sections:
        if not members:
            continue
        lines.append(f"  section {title}")
        for run in sorted(members, key=lambda r: r.started):  # type: ignore[arg-type, return-value]
            tags = "crit, " if run.session == critical else ""
            lines.append(f"  {_gantt_text(f'{run.role} {run.session}')} :{tags}t{number},"
                         f" {_gantt_time(run.started)}, {_gantt_time(run.completed)}")  # type: ignore[arg-type]
            number += 1
    return "\n".join(lines) + "\n"


def _gantt_text(text: str) -> str:
    """A gantt title or task name: letters, digits and ``-_. `` as themselves, everything else an entity code.

    A colon would end a task's name and ``#``, ``;`` or ``%`` start an
    entity or a comment, so none of them is written as itself.
    """
    return "".join(ch if ch in _GANTT_SAFE or (ord(ch) > 127 and ch.isprintable())
                   else f"#{ord(ch)};" if ch.isprintable() else " " for ch in text)


def _gantt_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def drawn_sessions(unit: Unit, marks: Mapping[str, Sequence[str]]) -> list[Member]:
    """The sessions a diagram shows: those with a violation first, at most SESSIONS_DRAWN in all."""
    def marked(member: Member) -> bool:
        keys = (session_node(member.id), *(commit_node(c) for c in member.commits))
        return any(key in marks for key in keys)

    ranked = sorted(unit.sessions, key=lambda m: (m.role != "orchestrator", not marked(m)))
    chosen = {m.id for m in ranked[:SESSIONS_DRAWN]}
    return [m for m in unit.sessions if m.id in chosen]


def markdown(drawing: Drawing) -> str:
    """Markdown: a Mermaid flowchart per parallel batch of the range, a table of its single sessions."""
    out = [f"### Parallel batches in {_markdown(drawing.span)}", ""]
    batches = drawing.batches
    if not drawing.units and not drawing.unattributed:
        out += ["No session log or HANDOFF changes in this range.", ""]
    elif not batches:
        out += ["No parallel batch: nothing in this range says that sessions ran in parallel.", ""]
    for unit in batches:
        out += _batch_markdown(unit, drawing)
    if batches:
        out += ["#### What parallel dispatch saved", "",
                "| Batch | Workers | Span | Sum of durations | Saved | Critical path |",
                "| --- | ---: | --- | --- | ---: | --- |"]
        out += [_figures_row(unit, drawing.timing.get(unit.key)) for unit in batches]
        out.append("")
    if drawing.singles or drawing.unattributed:
        out += _singles_markdown(drawing)
    return "\n".join(out)


def _batch_markdown(unit: Unit, drawing: Drawing) -> list[str]:
    """A batch's heading, headline and evidence, its flowchart, and its times with their gantt chart."""
    out = [f"#### Batch {_markdown(unit.orchestrator or unit.key)}", "",
           headline(unit, unit_codes(drawing, unit)), "",
           f"Evidence: {_markdown('; '.join(unit.evidence))}.", "",
           "```mermaid", flowchart(unit, drawing).rstrip("\n"), "```", ""]
    timing = drawing.timing.get(unit.key)
    chart = gantt(unit, timing) if timing is not None else None
    if timing is not None:
        out += [f"Timing: {_markdown(timing_text(timing))}.", ""]
    if chart:
        out += ["```mermaid", chart.rstrip("\n"), "```", ""]
    return out


def _singles_markdown(drawing: Drawing) -> list[str]:
    """The table of single sessions, then of HANDOFF commits that name no session."""
    out = ["#### Single sessions", "", "| Session | Log committed in | HANDOFF updates | Violations |",
           "| --- | --- | --- | --- |"]
    for unit in drawing.singles:
        member = unit.sessions[0] if unit.sessions else None
        committed = member.committed.short if member and member.committed else "before the range"
        updates = ", ".join(c.short for c in unit.updates) or "none"
        codes = ", ".join(unit_codes(drawing, unit)) or "-"
        out.append(f"| {_markdown(unit.key)} | {committed} | {updates} | {codes} |")
    for commit in drawing.unattributed:
        codes = ", ".join(drawing.marks.get(commit_node(commit), ())) or "-"
        out.append(f"| (no session named) | - | {commit.short} | {codes} |")
    out.append("")
    return out


def _figures_row(unit: Unit, timing: Timing | None) -> str:
    name = _markdown(unit.orchestrator or unit.key)
    if timing is None or not timing.known:
        why = timing_text(timing) if timing is not None else "no times"
        return f"| {name} | {len(timing.counted) if timing else 0} | {_markdown(why)} | - | - | - |"
    assert timing.span is not None and timing.total is not None and timing.critical is not None
    saving, critical = timing.saving, timing.critical
    return (f"| {name} | {len(timing.counted)} | {duration(timing.span)} ({window(timing.counted)})"
            f" | {duration(timing.total)} | {percent(saving) if saving is not None else '-'}"
            f" | {_markdown(critical.session)} ({duration(critical.duration or timedelta())}) |")


def _markdown(text: str) -> str:
    """Text shown literally in a Markdown heading or paragraph (IDs and refs are user data)."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else " " if not ch.isprintable() else ch
                   for ch in text)
