"""``python -m benchmarks``: measure agent-lint against the floor, print a table.

Run from the repository root. See ``python -m benchmarks --help``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from . import history as pull_request
from . import report, suite
from .synthetic import REAL_DOCUMENT_COUNT, Profile, measure_profile

CORPORA = ("real", "synthetic")
LARGE_SCALE = 65.0  # about 100,000 session logs at the real corpus's size
LARGE_RUNS = 2
DEFAULT_SEED = 20260302


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure agent-lint on the real corpus and on synthetic trees at several scales, "
                    "against the floor of reading and parsing the same files.",
    )
    parser.add_argument("--corpus", type=Path, default=suite.DEFAULT_CORPUS,
                        help="the real corpus (default: ../shared/corpus/ai-agents); skipped when absent")
    parser.add_argument("--scales", default=None,
                        help="synthetic sizes as multiples of the real corpus (default 1,4,10; --quick: 1)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per measurement (default 5; --quick: 1)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed runs before each measurement (default 1; --quick: 0)")
    parser.add_argument("--large", action="store_true",
                        help=f"also measure the {LARGE_SCALE:g}x tree (about 100,000 files; built as the others are),"
                             f" with at most {LARGE_RUNS} runs and no warm-up round; it takes several minutes")
    parser.add_argument("--quick", action="store_true",
                        help="a fast smoke run: one run, no warm-up, scale 1, no reference linters")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--only", action="append", default=[],
                        help="comma-separated measurements (" + ", ".join(suite.MEASUREMENTS)
                             + ") and/or corpora (real, synthetic) to run; repeatable")
    parser.add_argument("--synthetic-files", type=int, default=None,
                        help="files at scale 1 (default: the real corpus's count, else "
                             f"{REAL_DOCUMENT_COUNT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the synthetic trees")
    parser.add_argument("--history", default=None,
                        help="commits of the synthetic pull requests the PR gate is timed on (default 500,5000;"
                             " --quick: 200)")
    args = parser.parse_args(argv)

    args.runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    args.warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)
    try:
        args.scales = [float(s) for s in (args.scales or ("1" if args.quick else "1,4,10")).split(",") if s.strip()]
    except ValueError:
        parser.error(f"--scales takes numbers separated by commas, not {args.scales!r}")
    try:
        args.history = [int(n) for n in (args.history or ("200" if args.quick else "500,5000")).split(",") if n.strip()]
    except ValueError:
        parser.error(f"--history takes commit counts separated by commas, not {args.history!r}")
    if args.large and LARGE_SCALE not in args.scales:
        args.scales.append(LARGE_SCALE)
    if args.runs < 1 or args.warmup < 0 or any(s <= 0 for s in args.scales) or any(n < 1 for n in args.history):
        parser.error("--runs must be at least 1, --warmup at least 0, scales above 0")
    if args.synthetic_files is not None and args.synthetic_files < 1:
        parser.error("--synthetic-files must be at least 1")

    names = {part.strip() for value in args.only for part in value.split(",") if part.strip()}
    unknown = names - set(suite.MEASUREMENTS) - set(CORPORA)
    if unknown:
        parser.error(f"--only: unknown name(s) {', '.join(sorted(unknown))}")
    args.measurements = frozenset(names & set(suite.MEASUREMENTS) or suite.MEASUREMENTS)
    args.corpora = frozenset(names & set(CORPORA) or CORPORA)
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Stopped from outside, still remove the 100+ MB of temporary trees.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.time()
    machine = suite.machine_info()
    tool = suite.AgentLint.from_checkout()
    plan = suite.Plan(runs=args.runs, warmup=args.warmup, only=args.measurements,
                      references=not args.quick, log=log)
    notes: list[str] = []
    trees: list[dict] = []
    history: list[dict] = []
    if not tool.has_cache:
        notes.append("agent-lint has no --no-cache yet: warm and touched repeat the cold runs")

    with tempfile.TemporaryDirectory(prefix="agent-lint-bench-") as tmp:
        workdir = Path(tmp)
        profile = Profile()
        real_count = None
        corpus = args.corpus.resolve()
        trees_wanted = bool(args.measurements - {"history"})  # --only history: no tree to measure
        if not trees_wanted:
            pass
        elif (corpus / ".agents").is_dir():
            log(f"copying {corpus}")
            real = suite.copy_corpus(corpus, workdir / "real")
            real_count = len(real.documents)
            profile = measure_profile(real.root, real.documents, real.session_logs)
            if "real" in args.corpora:
                trees.append(_measure(real, tool, plan, workdir, references=True))
        else:
            notes.append(f"real corpus not found at {corpus}: synthetic trees only, "
                         f"scale 1 = {REAL_DOCUMENT_COUNT} files")
        base = args.synthetic_files or real_count or REAL_DOCUMENT_COUNT
        if "synthetic" in args.corpora and trees_wanted:
            for scale in args.scales:
                target = workdir / f"synthetic-{scale:g}x"
                log(f"generating synthetic {scale:g}x ({round(scale * base):,} files)")
                tree = suite.synthetic_tree(target, scale, base, args.seed, profile)
                # Reference linters once, at the smallest scale: their per-file
                # cost is the comparison, not their growth.
                large = scale >= LARGE_SCALE
                sized = plan if not large else dataclasses.replace(plan, runs=min(plan.runs, LARGE_RUNS), warmup=0)
                trees.append(_measure(tree, tool, sized, workdir, references=scale == min(args.scales) and not large))
                # The largest trees take 100+ MB; keep at most one on disk.
                shutil.rmtree(target, ignore_errors=True)
        if "history" in args.measurements:
            for commits in args.history:
                history.append(_measure_history(workdir / f"history-{commits}", commits, args.seed, tool, plan))

    result = {
        "schema": 1,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "machine": {**machine, "load_average_end": suite.machine_info().get("load_average")},
        "agent_lint": suite.agent_lint_info(tool),
        "settings": {
            "runs": args.runs,
            "warmup": args.warmup,
            "quick": args.quick,
            "scales": args.scales,
            "seed": args.seed,
            "synthetic_base_files": base,
            "measurements": sorted(args.measurements),
            "history_commits": args.history,
            "corpora": sorted(args.corpora),
            "corpus": str(corpus),
            "profile": profile.summary(),
        },
        "notes": notes,
        "corpora": trees,
        "history": history,
        "growth": report.growth(trees),
    }
    sys.stdout.write(report.render(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def _measure_history(root: Path, commits: int, seed: int, tool: suite.AgentLint, plan: suite.Plan) -> dict:
    log(f"generating a pull request of {commits:,} commits")
    pull_request.generate(root, commits, seed)
    counted = suite.subprocess.run(["git", "-C", str(root), "rev-list", "--count", "--merges", "main..review"],
                                   capture_output=True, text=True).stdout.strip()
    logs = len(list((root / ".agents" / "sessions").glob("*.md")))
    results = suite.measure_history(root, commits, tool, plan)
    shutil.rmtree(root, ignore_errors=True)
    return {"commits": commits, "merges": int(counted or 0), "logs": logs, "measurements": results,
            "ratios": report.history_ratios(results)}


def _measure(tree: suite.Tree, tool: suite.AgentLint, plan: suite.Plan, workdir: Path, *, references: bool) -> dict:
    log(f"measuring {tree.name} ({len(tree.documents):,} files)")
    before = suite.load_average()
    results = suite.measure_tree(tree, tool, plan, workdir, references=references)
    return {**tree.summary(), "measurements": results, "ratios": report.ratios(results), "runs": plan.runs,
            "warmup": plan.warmup, "load_average": {"before": before, "after": suite.load_average()}}


if __name__ == "__main__":
    sys.exit(main())
