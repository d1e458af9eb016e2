"""The drawing of a range's units, and what the batch renderers (tree.py, mermaid.py) say alike about one.

A :class:`Drawing` holds the range's units (parallel batches and single
sessions, from ``project.gate``), the HANDOFF commits no unit claims, the
violations reported on each session or commit (``marks``, keyed by
``session_node`` and ``commit_node``: the reported violations' own
``marks``, so a drawing marks exactly what was reported), and when each
batch's sessions ran (``timing``, from unit_facts: the figures of what
parallelism saved).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping, NamedTuple, Sequence

from ..batches import IDS_SHOWN, Gate, Unit, commit_node, id_list, session_node
from ..history import Commit
from ..model import Violation
from ..unit_facts import Run, Timing, clock, duration, facts, percent


class Drawing(NamedTuple):
    """Everything a renderer draws: the range, its units, the reported violations on them."""

    span: str  # the range as the user named it: "origin/main..HEAD"
    units: tuple[Unit, ...]
    unattributed: tuple[Commit, ...]  # HANDOFF commits that name no unit
    marks: Mapping[str, Sequence[str]]  # session_node / commit_node key -> codes reported there
    is_ancestor: Callable[[Commit, Commit], bool]  # (older, newer): is older in newer's history?
    timing: Mapping[str, Timing] = {}  # a batch's key -> when its sessions ran (unit_facts)

    @property
    def batches(self) -> tuple[Unit, ...]:
        return tuple(unit for unit in self.units if unit.batch)

    @property
    def singles(self) -> tuple[Unit, ...]:
        return tuple(unit for unit in self.units if not unit.batch)


def drawing(gate: Gate, violations: Sequence[Violation]) -> Drawing:
    """The range's units with the reported violations marked."""
    marks: dict[str, set[str]] = {}
    for violation in violations:
        for key in violation.marks:
            marks.setdefault(key, set()).add(violation.code)
    history = gate.history
    span = f"{history.since or history.base[:12]}..HEAD" if history.base else "the whole history of HEAD"
    return Drawing(span, gate.units, gate.unattributed, {key: sorted(codes) for key, codes in marks.items()},
                   history.is_ancestor, facts(gate).timing)


def unit_codes(drawing: Drawing, unit: Unit) -> list[str]:
    """The codes reported on the unit's sessions and commits, sorted."""
    keys = {session_node(unit.orchestrator or unit.key)} | {session_node(m.id) for m in unit.sessions}
    keys |= {commit_node(c) for m in unit.sessions for c in m.commits}
    keys |= {commit_node(c) for c in unit.updates} | {commit_node(c) for c, _ in unit.worker_changes}
    return sorted({code for key in keys for code in drawing.marks.get(key, ())})


def handoff_count(unit: Unit) -> int:
    return len(unit.updates) + len(unit.worker_changes)


def headline(unit: Unit, codes: Sequence[str]) -> str:
    """``3 session logs, 1 HANDOFF commit; violations: AL403, AL404.``"""
    sessions = f"{len(unit.sessions)} session log{'s' if len(unit.sessions) != 1 else ''}"
    count = handoff_count(unit)
    updates = f"{count} HANDOFF commit{'s' if count != 1 else ''}"
    verdict = f"violations: {', '.join(codes)}" if codes else "no violations"
    return f"{sessions}, {updates}; {verdict}."


def handoff_text(unit: Unit, commit: Commit) -> tuple[str, str]:
    """(what a HANDOFF commit is, its trailer) as both renderers word them."""
    ids = commit.session_ids()
    trailer = f"Session-Ids: {id_list(ids)}" if ids else "no Session-Ids trailer"
    worker = next((m for c, m in unit.worker_changes if c.hash == commit.hash), None)
    return (f"changes HANDOFF (worker {worker.id})" if worker else "HANDOFF update"), trailer


def window(runs: Sequence[Run]) -> str:
    """``10:00-10:12 UTC``: from the earliest start to the latest completion (with dates across days)."""
    starts = [run.started for run in runs if run.started is not None]
    ends = [run.completed for run in runs if run.completed is not None]
    if not starts or not ends:
        return ""
    first, last = min(starts), max(ends)
    day = clock(first, day=True)[:10] != clock(last, day=True)[:10]
    return f"{clock(first, day)}-{clock(last, day)} UTC"


def run_text(run: Run) -> str:
    """A session's times as the tree shows them beside it: ``10:00-10:10 (10 min)``, or what it lacks."""
    if run.lacks:
        return run.lacks
    return f"{window([run])} ({duration(run.duration)})"  # type: ignore[arg-type]


def timing_text(timing: Timing) -> str:
    """What parallelism saved, in one line, or why nothing can be said."""
    count = len(timing.counted)
    if not count:
        return "no worker log in the range, so nothing to measure"
    if not timing.known:
        if len(timing.missing) == count:
            return "no worker log gives a Started and a Completed time, so no figures"
        return f"times incomplete, so no figures: {_lacking(timing)}"
    assert timing.span is not None and timing.total is not None and timing.critical is not None
    saving = timing.saving
    saved = "nothing to save" if saving is None else f"saved {percent(saving)}" if saving > 0 \
        else f"saved nothing ({percent(saving)}: the span is no shorter than the sum)"
    noun = "worker" if all(run.role == "worker" for run in timing.counted) else "session"
    workers = f"{count} {noun}{'s' if count != 1 else ''}"
    critical = timing.critical
    return (f"{workers}, span {duration(timing.span)} ({window(timing.counted)}), sum {duration(timing.total)},"
            f" {saved}; critical path {critical.session} ({duration(critical.duration or timedelta())})")


def _lacking(timing: Timing) -> str:
    shown = [f"{run.session} has {run.lacks}" if run.lacks.startswith("no ") else f"{run.session}: {run.lacks}"
             for run in timing.missing[:IDS_SHOWN]]
    more = len(timing.missing) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def figures(drawing: Drawing) -> list[dict]:
    """Each parallel batch and its figures, as the JSON formats carry them (seconds, ISO 8601 times in UTC)."""
    def moment(value: datetime | None) -> str | None:
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if value is not None else None

    def seconds(value: timedelta | None) -> float | None:
        return value.total_seconds() if value is not None else None

    out = []
    for unit in drawing.batches:
        timing = drawing.timing.get(unit.key)
        runs = {run.session: run for run in timing.runs} if timing else {}
        sessions = []
        for member in unit.sessions:
            run = runs.get(member.id)
            sessions.append({
                "id": member.id, "role": member.role,
                "started": moment(run.started if run else None), "completed": moment(run.completed if run else None),
                "duration_seconds": seconds(run.duration if run else None),
                "counted": member.role != "orchestrator", "lacks": (run.lacks or None) if run else None,
            })
        known = timing is not None and timing.known
        out.append({
            "key": unit.key, "orchestrator": unit.orchestrator, "evidence": list(unit.evidence),
            "sessions": sessions,
            "figures": {
                "known": known,
                "span_seconds": seconds(timing.span) if timing else None,
                "sum_seconds": seconds(timing.total) if timing else None,
                "saving": timing.saving if timing else None,
                "critical_path": timing.critical.session if timing and timing.critical else None,
                "overlapped": timing.overlapped if timing else None,
                "missing": [run.session for run in timing.missing] if timing else [],
            },
        })
    return out
