"""``python -m benchmarks.hook``: how long ``agent-lint hook`` keeps an agent waiting at its stop, on the real corpus.

A copy of the corpus becomes a git work tree (one commit), then a session's
work is left in it uncommitted: one session log edited, one added, HANDOFF
edited (when the corpus has one), a code file added. A Claude Code ``Stop`` payload for that tree is piped into
``agent-lint hook`` (through ``/bin/sh``, which costs a millisecond), timed
as the main benchmark times every command (launcher.py):

- ``cold``: no project cache (a first stop after a fresh clone);
- ``warm``: the cache a previous run left (every later stop);
- ``seen``: a state the hook blocked before, let through with a note;
- ``check``: ``agent-lint check`` on the same changed documents, warm,
  for comparison (what pre-commit would run on them).

Before ``cold`` and ``warm`` the hook's record of blocked states is removed,
so that each run does the whole work.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import suite
from .processes import measure

PAYLOAD = {
    "session_id": "8f2c1a9e-4b7d-4e0a-9c3f-2d6b5e8a1f04",
    "transcript_path": "/home/dev/.claude/projects/corpus/8f2c1a9e-4b7d-4e0a-9c3f-2d6b5e8a1f04.jsonl",
    "permission_mode": "default",
    "hook_event_name": "Stop",
    "stop_hook_active": False,
    "last_assistant_message": "Done.",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", *args], cwd=root,
                   check=True, capture_output=True)


def work_tree(corpus: Path, target: Path) -> tuple[suite.Tree, list[str]]:
    """The corpus copied and committed, then a session's uncommitted changes; returns the tree and what changed."""
    tree = suite.copy_corpus(corpus, target)
    git(target, "init", "-q", "-b", "session-work")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "corpus")
    logs = sorted(p for p in tree.session_logs if p.endswith(".json"))
    edited, model = logs[len(logs) // 2], logs[len(logs) // 3]
    with open(target / edited, "a", encoding="utf-8") as handle:
        handle.write("\n")
    added = f"{Path(model).parent.as_posix()}/2026-03-02-session-benchmark.json"
    shutil.copyfile(target / model, target / added)
    (target / "scripts").mkdir(exist_ok=True)
    (target / "scripts" / "benchmark.py").write_text("print('changed by the session')\n", encoding="utf-8")
    changed = [edited, added]
    handoff = next((p for p, kind in tree.documents.items() if kind.name == "HANDOFF" and p.count("/") <= 1), None)
    if handoff is not None:
        with open(target / handoff, "a", encoding="utf-8") as handle:
            handle.write("\n- The benchmark session was here.\n")
        changed.append(handoff)
    return tree, [*changed, "scripts/benchmark.py"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hook", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=suite.DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not (corpus / ".agents").is_dir():
        print(f"real corpus not found at {corpus}", file=sys.stderr)
        return 2
    tool = suite.AgentLint.from_checkout()
    with tempfile.TemporaryDirectory(prefix="agent-lint-hook-bench-") as tmp:
        root, cache = Path(tmp) / "tree", Path(tmp) / "user-cache"
        tree, changed = work_tree(corpus, root)
        env = {**tool.env, "XDG_CACHE_HOME": str(cache)}
        payload = Path(tmp) / "payload.json"
        payload.write_text(json.dumps({**PAYLOAD, "cwd": str(root)}), encoding="utf-8")
        hook = ["/bin/sh", "-c", f"exec {shlex.quote(sys.executable)} -m agent_lint hook < {shlex.quote(str(payload))}"]
        blocked = lambda code: code in (0, 2)  # noqa: E731 - exit 2 is the hook blocking: a normal run

        def forget_blocks() -> None:
            shutil.rmtree(cache / "agent-lint" / "hook", ignore_errors=True)

        def cold() -> None:
            forget_blocks()
            shutil.rmtree(root / ".agent_lint_cache", ignore_errors=True)

        results = {
            "cold": measure(hook, root, env, runs=args.runs, warmup=1, before=cold, accept=blocked, capture=True),
            "warm": measure(hook, root, env, runs=args.runs, warmup=1, before=forget_blocks, accept=blocked),
            "seen": measure(hook, root, env, runs=args.runs, warmup=1, accept=blocked),
            "check": measure(tool.check(*changed[:2]), root, env, runs=args.runs, warmup=1,
                             accept=suite.clean_or_found),
        }
    said = results["cold"].samples[-1]
    print(f"agent-lint hook on the real corpus ({len(tree.documents):,} documents; changed: {', '.join(changed)})")
    print(f"exit {said.returncode}; what the agent reads:\n{said.stderr.rstrip()}\n")
    print(f"{'':8}{'wall ms':>10}{'cpu ms':>10}{'peak MB':>10}")
    for name, result in results.items():
        print(f"{name:8}{result.median('wall_ms'):>10.0f}{result.median('cpu_ms'):>10.0f}"
              f"{result.median('peak_mb'):>10.1f}")
    if args.json:
        args.json.write_text(json.dumps({name: r.as_json() for name, r in results.items()}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
