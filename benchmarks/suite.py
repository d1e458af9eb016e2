"""What the benchmark measures on one tree, and the trees it measures.

Trees live in one temporary folder: a copy of the real corpus (made once;
the corpus itself is read-only and never touched) and synthetic trees at each
scale. On each tree, every command below runs as a child process:

- ``import``: ``python -c "import markdown_it"``, the interpreter floor;
- ``floor``: ``floor.py`` reading and parsing exactly the files agent-lint
  checks (list from agent-lint's own config and discovery);
- ``cold``, ``warm``, ``touched``: ``agent-lint check``, the command CI runs,
  with an empty cache (cleared before each run; the run fills it), with a
  filled cache (in its default place in the tree), and with a filled cache
  after one session log changed (a line added at its end, what its record
  holds unchanged); exit code 1 (violations found) counts as a normal run;
- ``edited``: the same after a protocol field of that log (its ``completed``
  time) changed, which the rules spanning files must see;
- ``one-log-alone``, ``one-log-alone-warm``: that log in a project of its
  own (with the tree's config and schema), without and with a cache: what
  checking that one file costs beyond a run with nothing to do;
- ``one-file``: ``agent-lint check <one session log>`` without a cache, and
  ``one-file-touched`` with a filled cache after a line was added to that
  log (pre-commit's case: it names the files that changed), and
  ``one-file-warm`` the same again, the log as that run left it;
- ``markdownlint-cli2``, ``pymarkdown``: the tree's Markdown documents through
  those linters, where installed, as reference points (real corpus and the
  smallest synthetic tree only, at most three runs).

The commands of a tree run in alternated rounds, in the order above
(processes.alternate): every ratio divides medians of runs that shared the
machine's load alike.

On a synthetic pull request of many commits (history.py), ``history``
measures the PR gate: ``git log --name-status`` of the range, ``agent-lint
check --since main --select AL4`` and the same without ``--since``; the
difference of the last two is the AL4xx stage, compared with the first.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .processes import CommandFailed, Measurement, Step, alternate, measure, run_once

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_SRC = REPO_ROOT / "lint"
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "ai-agents"
REAL_CONFIG = 'session-log-schema = ".agents/schemas/session-log.schema.json"\n'
# A synthetic tree has no git repository above it to mark the project root.
PIN_CONFIG = "# Marks the project root of this benchmark tree; all settings are defaults.\n"

MEASUREMENTS = ("import", "floor", "cold", "warm", "touched", "one-file", "markdownlint-cli2", "pymarkdown",
                "history")
REFERENCES = ("markdownlint-cli2", "pymarkdown")
NO_CACHE_YET = "no cache yet: same runs as cold"


def use_checkout() -> None:
    """Import agent-lint from this checkout, not from whatever is installed."""
    if str(LINT_SRC) not in sys.path:
        sys.path.insert(0, str(LINT_SRC))


@dataclass
class Tree:
    """One folder of agent documents to measure, as agent-lint sees it."""

    name: str
    root: Path
    documents: dict  # root-relative path -> agent_lint.model.Kind
    scale: float | None = None
    config: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def markdown(self) -> list[str]:
        return [p for p in self.documents if not p.lower().endswith(".json")]

    @property
    def session_logs(self) -> list[str]:
        return [p for p, kind in self.documents.items() if kind.name == "SESSION_LOG"]

    def one_file(self) -> str | None:
        """A session log from the middle of the tree, JSON like most of them."""
        logs = self.session_logs or list(self.documents)
        pool = [p for p in logs if p.lower().endswith(".json")] or logs
        return sorted(pool)[len(pool) // 2] if pool else None

    def summary(self) -> dict:
        return {
            "name": self.name,
            "scale": self.scale,
            "files": len(self.documents),
            "markdown": len(self.markdown),
            "json": len(self.documents) - len(self.markdown),
            "bytes": sum((self.root / p).stat().st_size for p in self.documents),
            "config": self.config,
            "one_file": self.one_file(),
            "notes": self.notes,
        }


def discover(root: Path):
    """The config and documents agent-lint finds for ``root`` (raises AgentLintError)."""
    use_checkout()
    from agent_lint.config import load_config
    from agent_lint.files import discover as discover_files
    from agent_lint.rules import RULES

    config = load_config(RULES, root)
    return config, discover_files(config)


def copy_corpus(source: Path, target: Path) -> Tree:
    """Copy the real corpus (never changed in place) and give it its config."""
    use_checkout()
    from agent_lint.model import AgentLintError

    # copyfile drops the read-only modes; folders are made writable after.
    shutil.copytree(source, target, symlinks=True, copy_function=shutil.copyfile)
    for folder, _, _ in os.walk(target):
        os.chmod(folder, 0o755)
    config_file = target / ".agent-lint.toml"
    config_file.write_text(REAL_CONFIG, encoding="utf-8")
    notes = []
    try:
        _, documents = discover(target)
        config = REAL_CONFIG.strip()
    except AgentLintError as err:
        # An agent-lint that rejects the key still gets measured, on defaults.
        config_file.write_text(PIN_CONFIG, encoding="utf-8")
        _, documents = discover(target)
        config = "defaults"
        notes.append(f"config rejected, ran on defaults: {err}")
    return Tree("real", target, documents, config=config, notes=notes)


def synthetic_tree(target: Path, scale: float, base_files: int, seed: int, profile) -> Tree:
    from .synthetic import generate

    files = max(round(scale * base_files), 1)
    generate(target, files, seed=seed, profile=profile)
    (target / ".agent-lint.toml").write_text(PIN_CONFIG, encoding="utf-8")
    _, documents = discover(target)
    notes = [] if len(documents) == files else [f"generated {files} files, agent-lint found {len(documents)}"]
    return Tree(f"synthetic {scale:g}x", target, documents, scale=scale, config="defaults", notes=notes)


# ----------------------------------------------------------------------------
# The agent-lint under test


@dataclass
class AgentLint:
    env: dict[str, str]
    has_cache: bool

    @classmethod
    def from_checkout(cls) -> "AgentLint":
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(LINT_SRC), env.get("PYTHONPATH")]))
        # An installed agent-lint runs from byte code pip compiled; let the checkout's be
        # written too (the warm-up run does it), or every run measures the compiler.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("AGENT_LINT_DEBUG", None)
        help_text = run_once([sys.executable, "-m", "agent_lint", "check", "--help"], REPO_ROOT, env,
                             capture=True).stdout
        return cls(env, "--no-cache" in help_text)

    def check(self, *args: str) -> list[str]:
        # As users run it: no option they would not pass (an option costs the CLI library's import).
        return [sys.executable, "-m", "agent_lint", "check", *args]


# ----------------------------------------------------------------------------
# Measuring one tree


@dataclass
class Plan:
    runs: int
    warmup: int
    only: frozenset[str]
    references: bool
    log: Callable[[str], None] = lambda message: None

    def wants(self, name: str) -> bool:
        return name in self.only


def clean_or_found(code: int) -> bool:
    """agent-lint's exit codes for a run that worked: 0 nothing found, 1 violations found."""
    return code in (0, 1)


def _append_byte(path: Path) -> Callable[[], None]:
    def touch() -> None:
        # A trailing newline keeps both JSON and Markdown valid.
        with open(path, "ab") as handle:
            handle.write(b"\n")
    return touch


def _edit_protocol(path: Path) -> Callable[[], None]:
    """Give a JSON log a new ``completed`` time at each call (a line at its end if it is not an object)."""
    count = 0

    def edit() -> None:
        nonlocal count
        count += 1
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            _append_byte(path)()
            return
        # Never a time used before: a repeated one would be answered by the run cache.
        data["completed"] = f"2026-01-{1 + count // 1440:02d}T{count // 60 % 24:02d}:{count % 60:02d}Z"
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return edit


def _alone(tree: Tree, one: str, workdir: Path) -> Path:
    """A project holding only ``one`` of ``tree``, with the tree's config and session-log schema."""
    folder = workdir / f"alone-{tree.root.name}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / one).parent.mkdir(parents=True)
    shutil.copyfile(tree.root / one, folder / one)
    shutil.copyfile(tree.root / ".agent-lint.toml", folder / ".agent-lint.toml")
    config, _ = discover(tree.root)
    if config.session_log_schema:
        schemas = Path(config.session_log_schema).parent
        shutil.copytree(tree.root / schemas, folder / schemas, dirs_exist_ok=True, copy_function=shutil.copyfile)
    return folder


def _clear(folder: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def _floor_parse(floor: Measurement) -> dict:
    reports = [json.loads(s.stdout.strip().splitlines()[-1]) for s in floor.samples]
    return {
        "wall_ms": round(statistics.median(r["parse_wall_ms"] for r in reports), 2),
        "cpu_ms": round(statistics.median(r["parse_cpu_ms"] for r in reports), 2),
        "setup_ms": round(statistics.median(r["setup_ms"] for r in reports), 2),
        "markdown_ms": round(statistics.median(r["markdown_ms"] for r in reports), 2),
        "json_ms": round(statistics.median(r["json_ms"] for r in reports), 2),
        "markdown": reports[-1]["markdown"],
        "json": reports[-1]["json"],
        "failed": reports[-1]["failed"],
    }


def measure_tree(tree: Tree, tool: AgentLint, plan: Plan, workdir: Path, *, references: bool = True) -> dict:
    """Every planned measurement of one tree, by name, as JSON-ready dicts.

    The commands run in alternated rounds (processes.alternate), in an order
    that gives each its state: the cache is cleared before ``cold`` and full
    for ``warm`` after it; ``one-file-warm`` follows ``one-file-touched``,
    so the log is as the last run left it. ``references`` runs the reference
    linters too (where the plan allows), on their own after the rounds.
    """
    results: dict[str, dict] = {}
    py = sys.executable
    root = tree.root
    one = tree.one_file()
    clear = _clear(root / ".agent_lint_cache")
    steps: list[Step] = []

    def step(name: str, argv: list[str], *, part_of: str | None = None, **kwargs) -> None:
        if plan.wants(part_of or name):
            steps.append(Step(name, argv, kwargs.pop("cwd", root), **kwargs))

    step("import", [py, "-c", "import markdown_it"])
    list_file = workdir / f"files-{root.name}.txt"
    list_file.write_text("".join(f"{root / p}\n" for p in tree.documents), encoding="utf-8")
    step("floor", [py, str(FLOOR_SCRIPT), str(list_file)], capture=True)
    if tool.has_cache:
        step("cold", tool.check(), accept=clean_or_found, before=clear)
        step("warm", tool.check(), accept=clean_or_found)
        if one is not None:
            step("touched", tool.check(), accept=clean_or_found, before=_append_byte(root / one))
            step("edited", tool.check(), accept=clean_or_found, before=_edit_protocol(root / one), part_of="touched")
            step("one-file", tool.check("--no-cache", one), accept=clean_or_found)
            # The pre-commit case: a filled cache and one named file, just changed, then as it was.
            step("one-file-touched", tool.check(one), accept=clean_or_found, part_of="one-file",
                 before=_append_byte(root / one))
            step("one-file-warm", tool.check(one), accept=clean_or_found, part_of="one-file")
            if plan.wants("touched"):
                alone = _alone(tree, one, workdir)
                step("one-log-alone", tool.check("--no-cache"), accept=clean_or_found, cwd=alone, part_of="touched")
                step("one-log-alone-warm", tool.check(), accept=clean_or_found, cwd=alone, part_of="touched",
                     before=_filled(alone, tool))
    else:
        step("cold", tool.check(), accept=clean_or_found)
        if one is not None:
            step("one-file", tool.check(one), accept=clean_or_found)

    measured = alternate(steps, tool.env, runs=plan.runs, warmup=plan.warmup,
                         log=lambda message: plan.log(f"  {tree.name}:{message}"))
    for name, found in measured.items():
        if isinstance(found, str):
            results[name] = {"error": found}
            continue
        results[name] = found.as_json()
        plan.log(f"  {tree.name}: {name} {results[name]['wall_ms']:.0f} ms, cpu {results[name]['cpu_ms']:.0f} ms")
        if name == "floor":
            results["floor-parse"] = _floor_parse(found)
    if not tool.has_cache:
        for name in ("warm", "touched"):
            if "cold" in results and plan.wants(name):
                results[name] = {**results["cold"], "note": NO_CACHE_YET}

    if plan.references and references:
        markdown = tree.markdown
        commands = {
            "markdownlint-cli2": lambda exe: [exe, *markdown],
            "pymarkdown": lambda exe: [exe, "scan", "-r", *markdown],
        }
        for name, argv in commands.items():
            exe = shutil.which(name)
            if exe is None or not markdown or not plan.wants(name):
                continue
            # Both exit 1 when they find problems; only crashes count as failures.
            # pymarkdown takes ~0.2 s a file: a reference point gets at most
            # three runs and no warm-up, or it would outlast the benchmark.
            try:
                result = measure(argv(exe), root, tool.env, accept=lambda code: code in (0, 1),
                                 runs=min(plan.runs, 3), warmup=0)
            except (CommandFailed, OSError) as err:
                results[name] = {"error": str(err)}
                continue
            results[name] = {**result.as_json(), "files": len(markdown)}
    return results


def _filled(folder: Path, tool: AgentLint) -> Callable[[], None]:
    """Before a warm run in ``folder``: one untimed run to fill its cache, if it has none yet."""
    def fill() -> None:
        if not (folder / ".agent_lint_cache").exists():
            run_once(tool.check(), folder, tool.env)
    return fill


def load_average() -> list[float] | None:
    """The machine's load over 1, 5 and 15 minutes: other work on it shows in wall time first."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def measure_history(root: Path, commits: int, tool: AgentLint, plan: Plan) -> dict:
    """The PR gate on a synthetic pull request of ``commits`` commits (see the module docstring)."""
    git = shutil.which("git") or "git"
    steps = [
        Step("git-log", [git, "log", "--name-status", "main..review"], root),
        Step("gate", tool.check("--since", "main", "--select", "AL4", "--no-cache"), root, accept=clean_or_found),
        Step("gate-no-history", tool.check("--select", "AL4", "--no-cache"), root, accept=clean_or_found),
    ]
    measured = alternate(steps, tool.env, runs=plan.runs, warmup=plan.warmup,
                         log=lambda message: plan.log(f"  history {commits}:{message}"))
    results: dict[str, dict] = {}
    for name, found in measured.items():
        results[name] = {"error": found} if isinstance(found, str) else found.as_json()
        if not isinstance(found, str):
            plan.log(f"  history {commits}: {name} {results[name]['wall_ms']:.0f} ms")
    return results


def machine_info() -> dict:
    import platform
    from importlib import metadata

    info = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    for package in ("markdown-it-py", "mdit-py-plugins"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    info["load_average"] = load_average()
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            info["memory_gb"] = round(int(handle.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return info


def agent_lint_info(tool: AgentLint) -> dict:
    use_checkout()
    from agent_lint import __version__

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no", "--", "lint")
    return {
        "version": __version__,
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(status) if status is not None else None,
        "cache": "supported" if tool.has_cache else "no cache yet",
        "phases": "not exposed by agent-lint yet",
    }
