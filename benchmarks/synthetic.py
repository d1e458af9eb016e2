"""A deterministic synthetic `.agents/` tree shaped like the real corpus.

The tree follows the conventions of the repository's own AGENT-SYSTEM.md:
the system document at the top, `.agents/HANDOFF.md`, and one session log per
session in `.agents/sessions/`, Markdown or JSON in the real corpus's ratio,
grouped into orchestrator/worker batches (orchestrators list `Dispatched`,
workers name their `Orchestrator`) and single sessions. Log sizes are drawn
from the real corpus's size distribution when it is at hand (see
:func:`measure_profile`), else from the distribution measured when this was
written, so timings per file mean the same with or without the corpus.

Everything comes from one seeded ``random.Random``: the same seed, file count
and profile give the same bytes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable

REPO_ROOT = Path(__file__).resolve().parents[1]

# The real corpus's agent-document count when the benchmark was written; scale
# 1 means this many files when the corpus itself is absent.
REAL_DOCUMENT_COUNT = 1521

# Session-log sizes in bytes at 40 (JSON) and 20 (Markdown) evenly spaced
# quantiles of the real corpus; drawing uniformly from them reproduces its
# distribution without its few 100 KB outliers.
DEFAULT_JSON_SIZES = (
    2544, 2575, 2616, 2658, 2686, 2727, 2763, 2799, 2837, 2895, 3061, 3442, 3712, 3975,
    4159, 4296, 4429, 4554, 4679, 4827, 4957, 5069, 5198, 5357, 5490, 5630, 5831, 6015,
    6186, 6379, 6625, 6900, 7207, 7500, 7918, 8431, 8957, 9736, 10870, 16827,
)
DEFAULT_MARKDOWN_SIZES = (
    245, 2924, 3779, 3967, 4388, 4612, 4863, 4899, 5213, 5309,
    5906, 6381, 6918, 7131, 7360, 7712, 7880, 8731, 9799, 12744,
)
DEFAULT_JSON_SHARE = 0.965  # 1,464 of the real corpus's 1,517 session logs


@dataclass(frozen=True)
class Profile:
    """What the generated tree imitates: the document count, JSON share and sizes."""

    documents: int = REAL_DOCUMENT_COUNT
    json_share: float = DEFAULT_JSON_SHARE
    json_sizes: tuple[int, ...] = DEFAULT_JSON_SIZES
    markdown_sizes: tuple[int, ...] = DEFAULT_MARKDOWN_SIZES
    source: str = "built-in defaults"

    def summary(self) -> dict:
        def median(sizes: tuple[int, ...]) -> int:
            return sorted(sizes)[len(sizes) // 2] if sizes else 0

        return {
            "source": self.source,
            "documents": self.documents,
            "json_share": round(self.json_share, 4),
            "json_median_bytes": median(self.json_sizes),
            "markdown_median_bytes": median(self.markdown_sizes),
        }


def measure_profile(root: Path, documents: dict[str, object], session_paths: Iterable[str]) -> Profile:
    """The profile of a real tree, from the documents agent-lint found in it."""
    json_sizes, md_sizes = [], []
    for path in session_paths:
        try:
            size = (root / path).stat().st_size
        except OSError:
            continue
        (json_sizes if path.lower().endswith(".json") else md_sizes).append(size)
    logs = len(json_sizes) + len(md_sizes)
    return Profile(
        documents=len(documents),
        json_share=len(json_sizes) / logs if logs else DEFAULT_JSON_SHARE,
        json_sizes=tuple(sorted(json_sizes)) or DEFAULT_JSON_SIZES,
        markdown_sizes=tuple(sorted(md_sizes)) or DEFAULT_MARKDOWN_SIZES,
        source=f"measured on {root.name}",
    )


# ----------------------------------------------------------------------------
# Vocabulary

_TOPICS = (
    "pr-review", "auth-impact", "docs-refresh", "parser-fix", "ci-speedup", "schema-migration",
    "release-prep", "dependency-bump", "flaky-tests", "api-cleanup", "perf-audit", "security-scan",
    "onboarding-guide", "cache-layer", "error-handling", "config-loader", "cli-polish", "retry-policy",
)
_WORKER_SUFFIXES = (
    "api", "docs", "tests", "cli", "parser", "security", "devops", "architect", "frontend",
    "backend", "qa", "review", "infra", "schema",
)
_AGENTS = ("claude-code", "copilot-cli", "codex", "cursor-agent")
_VERBS = (
    "Checked", "Updated", "Reviewed", "Refactored", "Ran", "Verified", "Fixed", "Documented",
    "Measured", "Removed", "Added", "Investigated", "Compared", "Split", "Renamed", "Traced",
)
_OBJECTS = (
    "the parser change", "the session log template", "the failing CI job", "`src/config.py`",
    "the retry loop in the client", "README.md", "the HANDOFF entry", "the test fixtures",
    "the schema validator", "the rate limit budget", "`scripts/release.sh`", "the worktree setup",
    "the lint configuration", "the error messages", "the cache invalidation path",
    "the dispatch plan", "issue #412", "PR #300", "the migration notes", "`tests/test_cli.py`",
)
_TAILS = (
    "no regressions found", "two edge cases remain", "see the outcome for details",
    "the fix needs a follow-up", "results match the previous run", "coverage rose to 91%",
    "the old behaviour is kept behind a flag", "the reviewer agreed", "CI is green again",
    "one flaky test was quarantined", "timings improved by about a third", "nothing else changed",
)

@dataclass
class _Session:
    id: str
    role: str  # orchestrator, worker or single
    day: date
    start: datetime
    completed: datetime
    fmt: str  # "json" or "md"
    size: int
    orchestrator: str | None = None
    dispatched: list[str] = field(default_factory=list)
    handoff_updated: datetime | None = None


class _Writer:
    def __init__(self, rng: random.Random, prerequisites: tuple[str, ...]) -> None:
        self.rng = rng
        self.prerequisites = prerequisites  # the template of the tree's AGENT-SYSTEM.md, all checked
        # A fixed pool keeps generation fast at 10x; parse cost does not depend on
        # every sentence being unique.
        self.sentences = [self._sentence() for _ in range(600)]

    def _sentence(self) -> str:
        r = self.rng
        return f"{r.choice(_VERBS)} {r.choice(_OBJECTS)}; {r.choice(_TAILS)}."

    def entry(self) -> str:
        return " ".join(self.rng.choice(self.sentences) for _ in range(self.rng.randint(1, 3)))


def _timed(entries: list[str], start: datetime, end: datetime) -> list[str]:
    """Prefix work-log entries with times spread evenly over the session."""
    step = (end - start) / max(len(entries), 1)
    return [f"{start + step * i:%H:%M} {text}" for i, text in enumerate(entries)]


def _plan(count: int, profile: Profile, rng: random.Random) -> list[_Session]:
    """Session records for ``count`` logs, in batches and single sessions."""
    sessions: list[_Session] = []
    day = date(2026, 1, 5)
    serial = 100
    clock = datetime(day.year, day.month, day.day, 9, 0)

    def draw(role: str, ident: str, start: datetime, minutes: int) -> _Session:
        fmt = "json" if rng.random() < profile.json_share else "md"
        sizes = profile.json_sizes if fmt == "json" else profile.markdown_sizes
        size = rng.choice(sizes)
        return _Session(ident, role, day, start, start + timedelta(minutes=minutes), fmt, size)

    while len(sessions) < count:
        remaining = count - len(sessions)
        serial += 1
        ident = f"{day.isoformat()}-{rng.choice(_TOPICS)}-{serial}"
        if remaining >= 3 and rng.random() < 0.6:
            workers = rng.randint(2, min(5, remaining - 1))
            orch = draw("orchestrator", ident, clock, 0)
            suffixes = rng.sample(_WORKER_SUFFIXES, workers)
            batch = [draw("worker", f"{ident}-{s}", clock + timedelta(minutes=5), rng.randint(10, 50))
                     for s in suffixes]
            for worker in batch:
                worker.orchestrator = ident
            latest = max(w.completed for w in batch)
            orch.dispatched = [w.id for w in batch]
            orch.handoff_updated = latest + timedelta(minutes=5)
            orch.completed = latest + timedelta(minutes=10)
            sessions.append(orch)
            sessions.extend(batch)
            clock = orch.completed + timedelta(minutes=15)
        else:
            single = draw("single", ident, clock, rng.randint(10, 60))
            single.handoff_updated = single.completed - timedelta(minutes=2) if rng.random() < 0.5 else None
            sessions.append(single)
            clock = single.completed + timedelta(minutes=10)
        if clock.hour >= 18:
            day += timedelta(days=1)
            clock = datetime(day.year, day.month, day.day, 9, 0)
    return sessions


def _iso(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%dT%H:%MZ}" if moment else "no"


def _json_log(s: _Session, w: _Writer) -> str:
    data: dict = {
        "id": s.id,
        "date": s.day.isoformat(),
        "agent": w.rng.choice(_AGENTS),
        "role": s.role,
        "branch": "main" if s.role != "worker" else f"work/{s.id[11:]}",
        "objective": w.rng.choice(w.sentences),
    }
    if s.role == "worker":
        data["orchestrator"] = s.orchestrator
    if s.role == "orchestrator":
        data["dispatched"] = s.dispatched
        data["prerequisites"] = [
            {"item": item, "checked": True, "note": ""} for item in w.prerequisites
        ]
    data.update(status="complete", completed=_iso(s.completed),
                handoffUpdated=_iso(s.handoff_updated) if s.handoff_updated else False)
    data["workLog"] = []
    data["outcome"] = " ".join(w.rng.choice(w.sentences) for _ in range(2))
    entries: list[str] = []
    size = len(json.dumps(data, indent=2))
    while size < s.size:
        entries.append(w.entry())
        size += len(entries[-1]) + 14  # time, quotes, comma, newline and indentation
    data["workLog"] = _timed(entries, s.start, s.completed)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _markdown_log(s: _Session, w: _Writer) -> str:
    r = w.rng
    meta = [
        ("Date", s.day.isoformat()),
        ("Agent", r.choice(_AGENTS)),
        ("Role", s.role),
        ("Branch", "main" if s.role != "worker" else f"work/{s.id[11:]}"),
        ("Objective", r.choice(w.sentences)),
    ]
    if s.role == "worker":
        meta.append(("Orchestrator", s.orchestrator or ""))
    if s.role == "orchestrator":
        meta.append(("Dispatched", ", ".join(s.dispatched)))
    meta += [("Status", "complete"), ("Completed", _iso(s.completed)), ("HANDOFF Updated", _iso(s.handoff_updated))]
    head = [f"# Session {s.id}", ""]
    head += [f"**{key}**: {value}" for key, value in meta]
    if r.random() < 0.3:
        head += ["", "## Objective", "", " ".join(r.choice(w.sentences) for _ in range(3))]
    head += ["", "## Work Log", ""]
    tail: list[str] = []
    # Most real Markdown logs carry a table and about half a checklist.
    if r.random() < 0.8:
        tail += ["", "### Files changed", "", "| File | Change | Status |", "|------|--------|--------|"]
        tail += [f"| {r.choice(_OBJECTS)} | {r.choice(_TAILS)} | {r.choice(('done', '**open**', 'n/a'))} |"
                 for _ in range(r.randint(3, 12))]
    if r.random() < 0.55:
        tail += ["", "### Verification", ""]
        tail += [f"- [{'x' if r.random() < 0.8 else ' '}] {r.choice(w.sentences)}" for _ in range(r.randint(3, 8))]
    if s.role == "orchestrator":
        tail += ["", "## Prerequisites Checklist", ""]
        tail += [f"- [x] {item}" for item in w.prerequisites]
    tail += ["", "## Outcome", "", " ".join(r.choice(w.sentences) for _ in range(2)), ""]
    fixed = sum(len(line) + 1 for line in head + tail)
    entries: list[str] = []
    size = fixed
    while size < s.size:
        entries.append(w.entry())
        if r.random() < 0.15:
            entries[-1] += f"\n  - {r.choice(w.sentences)}"
        elif r.random() < 0.2:
            number = r.randint(100, 999)
            entries[-1] += f" See [PR #{number}](https://example.com/pulls/{number}) and **{r.choice(_TAILS)}**."
        size += len(entries[-1]) + 9
    body = [f"- {entry}" for entry in _timed(entries, s.start, s.completed)]
    return "\n".join(head + body + tail)


def _handoff(sessions: list[_Session], w: _Writer) -> str:
    suffix = {s.id: s.fmt for s in sessions}
    batches = [s for s in sessions if s.role in ("orchestrator", "single")]
    lines = ["# Handoff", "", "## Current State", "", " ".join(w.rng.choice(w.sentences) for _ in range(3)),
             "", "## Session History", ""]
    # HANDOFF keeps only the last few batches; the logs hold the rest.
    for lead in batches[-6:]:
        ids = [lead.id, *lead.dispatched]
        links = ", ".join(f"[{i}](.agents/sessions/{i}.{suffix[i]})" for i in ids)
        lines += [f"### {lead.id}", "", f"**Sessions**: {links}", "",
                  f"**Summary**: {w.rng.choice(w.sentences)}", ""]
    lines += ["## Next Steps", ""]
    lines += [f"- {w.rng.choice(w.sentences)}" for _ in range(3)]
    return "\n".join(lines) + "\n"


def generate(root: Path, files: int, *, seed: int = 0, profile: Profile | None = None) -> list[Path]:
    """Write ``files`` agent documents under ``root``; returns their paths.

    Two of them are AGENT-SYSTEM.md and .agents/HANDOFF.md (when ``files``
    allows), the rest session logs.
    """
    from agent_lint.document import parse_document
    from agent_lint.extract.parallel_pattern import template_items
    from agent_lint.model import Kind

    profile = profile or Profile()
    rng = random.Random(seed)
    system = (REPO_ROOT / "AGENT-SYSTEM.md").read_bytes()
    writer = _Writer(rng, template_items(parse_document("AGENT-SYSTEM.md", Kind.SYSTEM, system)))
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)

    sessions = _plan(max(files - 2, 0), profile, rng)
    if files >= 1:
        write("AGENT-SYSTEM.md", system.decode("utf-8"))
    if files >= 2:
        write(".agents/HANDOFF.md", _handoff(sessions, writer))
    (root / ".agents" / "sessions").mkdir(parents=True, exist_ok=True)
    for s in sessions:
        text = _json_log(s, writer) if s.fmt == "json" else _markdown_log(s, writer)
        write(f".agents/sessions/{s.id}.{s.fmt}", text)
    return written
