"""The drawing of a range's units, and what the batch renderers (tree.py, mermaid.py) say alike about one.

A :class:`Drawing` holds the range's units (parallel batches and single
sessions, from ``project.gate``), the HANDOFF commits no unit claims, and
the violations reported on each session or commit (``marks``, keyed by
``session_node`` and ``commit_node``: the reported violations' own
``marks``, so a drawing marks exactly what was reported).
"""

from __future__ import annotations

from typing import Callable, Mapping, NamedTuple, Sequence

from ..batches import Gate, Unit, commit_node, id_list, session_node
from ..history import Commit
from ..model import Violation


class Drawing(NamedTuple):
    """Everything a renderer draws: the range, its units, the reported violations on them."""

    span: str  # the range as the user named it: "origin/main..HEAD"
    units: tuple[Unit, ...]
    unattributed: tuple[Commit, ...]  # HANDOFF commits that name no unit
    marks: Mapping[str, Sequence[str]]  # session_node / commit_node key -> codes reported there
    is_ancestor: Callable[[Commit, Commit], bool]  # (older, newer): is older in newer's history?

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
                   history.is_ancestor)


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
