"""Fuzz agent-lint through its command line: generated and mutated documents, every output format.

``python -m benchmarks.fuzz [--documents 100000] [--seed N] [--batch 500] [--keep DIR]``

Documents are written into projects of ``--batch`` documents each (the
system document, HANDOFF files, Markdown and JSON session logs), half
generated from hostile parts (control characters, workflow commands,
invalid UTF-8, BOMs, CRLF, deep nesting, huge numbers, odd front matter,
suppressions, checklists, tables, links), half mutations of real-shaped
documents (the synthetic corpus and the test fixtures: bytes flipped,
slices repeated, cut or inserted). Each project is checked in every format,
and twice more in text with a cache, cold then warm; every run must:

* end, within a time limit, with exit code 0 or 1 and nothing on stderr;
* print no control character but line breaks, and no line that could be a
  workflow command but the github format's own annotations;
* parse (json, sarif, junit), each violation one line of text;
* agree: the same violations in every format, and warm as cold.

A failing project is kept (``--keep``) with the command that failed. The
test suite runs a few thousand documents (tests/security/test_fuzz.py); the
default here is 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
FORMATS = ("text", "json", "github", "sarif", "junit")
TIME_LIMIT = 120  # seconds for one run over one batch: a hang, not a slow run

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
ROW = re.compile(r"^\S.*:\d+:\d+: AL\d{3} \[(error|warning)\] .*$")
SUMMARY = re.compile(r"^(Found \d+ violations? \(\d+ errors?, \d+ warnings?\) in \d+ files?; \d+ files? checked"
                     r"(, \d+ fixable with --fix)?|All checks passed \(\d+ files? checked\))\.$")
ANNOTATION = re.compile(r"^::(error|warning) (file=[^,]*,line=\d+,col=\d+,)?title=AL\d{3} [a-z0-9-]+::.*$")

HOSTILE = (
    "\n::error::pwned\n", "\r\x1b[31m", "\x00", "\u2028", "\u202e", "\ud800", "%0A::warning::x", "\\", "`", "``",
    "**", "<!--", "-->", "<!-- agent-lint-disable -->", "<!-- agent-lint-disable-next-line AL2 -->",
    "[x](../../etc/passwd)", "[y](http://127.0.0.1:9/)", "|", "| a | b |\n|---|---|\n", "- [ ] ", "* [X] ", "+ [x] ",
    "1. [ ] ", "#", "\n## Session History\n", "\n### 2026-03-02-x\n", "**Sessions**: ", "**Status**: complete",
    "**Role**: orchestrator", "**Orchestrator**: ", "**Dispatched**: ", "**HANDOFF Updated**: yes", "{TODO}", "TODO",
    "---\n", "\ufeff", "\t", "    ", "> ", "```", "~~~", "\x85", "9" * 5000, "[" * 50, "{" * 50,
)
JSON_VALUES = (None, True, False, 0, -1, 1e308, -0.0, "", "x", "2026-03-02", "2026-03-02T10:00:00Z", [], {},
               "\n::error::x", "\x1b[2J", "\ud800", "a" * 300, 10 ** 30)
KEYS = ("id", "date", "agent", "role", "objective", "workLog", "outcome", "status", "completed", "orchestrator",
        "dispatched", "handoffUpdated", "prerequisites", "checklist", "complete", "evidence", "$ref", "__proto__")


@dataclass
class Failure(Exception):
    command: str
    why: str
    output: str = ""

    def __str__(self) -> str:
        return f"{self.command}: {self.why}\n{self.output[-2000:]}"


# ----------------------------------------------------------------------------
# Documents


def _seeds() -> list[tuple[str, bytes]]:
    """Real-shaped documents to mutate: the synthetic corpus's and the test fixtures."""
    from benchmarks.synthetic import generate

    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in generate(Path(tmp), 60, seed=11):
            seeds.append((path.name, path.read_bytes()))
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".json"):
            seeds.append((path.name, path.read_bytes()))
    return seeds


def _json_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 4 and roll < 0.15:
        return [_json_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if depth < 4 and roll < 0.3:
        return {rng.choice(KEYS): _json_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    if roll < 0.4:
        return rng.choice(HOSTILE)
    return rng.choice(JSON_VALUES)


def generated_json(rng: random.Random) -> bytes:
    data = {key: _json_value(rng) for key in rng.sample(KEYS, rng.randrange(len(KEYS)))}
    if rng.random() < 0.1:
        data = [data] * rng.randrange(3)
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5, allow_nan=True)
    if rng.random() < 0.1:
        text = "[" * 3000 + "]" * 3000  # deeper than the parser's recursion limit
    return text.encode("utf-8", "surrogatepass")


def generated_markdown(rng: random.Random) -> bytes:
    parts = []
    if rng.random() < 0.3:
        parts.append(rng.choice(["---\nid: x\n---\n", "---\n: [\n---\n", "---\ndate: 2026-13-45\n---\n",
                                 "---\n!!python/object:os.system ls\n---\n", "---\na: &a [*a]\n---\n"]))
    parts.append(rng.choice(["# Session 2026-03-02-x\n\n", "# Handoff\n\n", "# Agent System\n\n", ""]))
    for _ in range(rng.randrange(1, 40)):
        parts.append(rng.choice(HOSTILE))
        parts.append(rng.choice([" word", "\n", "\n\n", ": value", "2026-03-02-fuzz", " — because"]))
    text = "".join(parts)
    if rng.random() < 0.2:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:
        data = b"\xef\xbb\xbf" + data
    return data


def mutated(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        if not data:
            data += rng.choice(HOSTILE).encode("utf-8", "surrogatepass")
            continue
        at = rng.randrange(len(data))
        roll = rng.random()
        if roll < 0.3:
            data[at] = rng.randrange(256)
        elif roll < 0.5:
            data[at:at] = rng.choice(HOSTILE).encode("utf-8", "surrogatepass")
        elif roll < 0.65:
            end = min(len(data), at + rng.randrange(1, 200))
            data[at:at] = data[at:end] * rng.randrange(1, 20)
        elif roll < 0.8:
            del data[at:at + rng.randrange(1, 100)]
        else:
            del data[at:]
    return bytes(data)


def project(root: Path, rng: random.Random, count: int, seeds: list[tuple[str, bytes]]) -> None:
    """Write ``count`` documents (generated and mutated) into a fresh project at ``root``."""
    sessions = root / ".agents" / "sessions"
    sessions.mkdir(parents=True)
    (root / ".agent-lint.toml").write_text(
        'select = ["ALL", "AL205"]\nhandoff = ["/HANDOFF.md", ".agents/HANDOFF*.md"]\n', encoding="utf-8")
    (root / ".git").mkdir()  # the root, without git: the folders are walked
    for n in range(count):
        if n == 0:
            name, data = "AGENT-SYSTEM.md", mutated(rng, (REPO_ROOT / "AGENT-SYSTEM.md").read_bytes())
            (root / name).write_bytes(data)
            continue
        if n % 50 == 1:
            name = ".agents/HANDOFF.md" if n == 1 else f".agents/HANDOFF-{n}.md"
            (root / name).write_bytes(mutated(rng, rng.choice(seeds)[1]) if rng.random() < 0.5
                                      else generated_markdown(rng))
            continue
        suffix = rng.choice([".json", ".md"])
        stem = rng.choice([f"2026-03-02-fuzz-{n}", f"2026-03-02-fuzz-{n}", f"Session {n}", f"x{n}\u202e"])
        if rng.random() < 0.5:
            data = mutated(rng, rng.choice([d for name, d in seeds if name.endswith(suffix)] or [b""]))
        else:
            data = generated_json(rng) if suffix == ".json" else generated_markdown(rng)
        (sessions / f"{stem}{suffix}").write_bytes(data)


# ----------------------------------------------------------------------------
# Runs and what each must hold to


def _run(root: Path, env: dict[str, str], *args: str) -> tuple[str, str]:
    command = ["agent-lint", "check", *args]
    try:
        result = subprocess.run([sys.executable, "-m", "agent_lint", "check", *args], cwd=root, env=env,
                                capture_output=True, stdin=subprocess.DEVNULL, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        raise Failure(" ".join(command), f"no answer in {TIME_LIMIT} s") from None
    out = result.stdout.decode("utf-8", "surrogateescape")
    err = result.stderr.decode("utf-8", "surrogateescape")
    if result.returncode not in (0, 1) or err:
        raise Failure(" ".join(command), f"exit {result.returncode}", err or out)
    if CONTROL.search(out) or "\r" in out:
        raise Failure(" ".join(command), f"control character {CONTROL.search(out) or chr(13)!r} in the output", out)
    return " ".join(command), out


_TEXT_ROW = re.compile(r"^.*?:(\d+):\d+: (AL\d{3}) \[")


def violations(command: str, fmt: str, out: str) -> list[tuple[int, str]]:
    """The (line, code) of every violation a format printed (line 0 where it has none), checking its shape."""
    lines = out.splitlines()
    if fmt in ("text", "github"):
        pattern = ROW if fmt == "text" else ANNOTATION
        if not lines or not SUMMARY.match(lines[-1]):
            raise Failure(command, "no summary line", out)
        bad = [line for line in lines[:-1] if not pattern.match(line) or (fmt == "text" and line.startswith("::"))]
        if bad:
            raise Failure(command, f"not one violation a line: {bad[0]!r}", out)
        if fmt == "text":
            return sorted((int(m.group(1)), m.group(2)) for m in map(_TEXT_ROW.match, lines[:-1]))
        return sorted((0, re.search(r"title=(AL\d{3})", line).group(1)) for line in lines[:-1])
    try:
        if fmt == "json":
            return sorted((v["line"], v["code"]) for v in json.loads(out)["violations"])
        if fmt == "sarif":
            return sorted((0, r["ruleId"]) for r in json.loads(out)["runs"][0]["results"])
        return sorted((0, f.get("type")) for f in ET.fromstring(out.encode("utf-8")).iter("failure"))
    except (ValueError, KeyError, IndexError, ET.ParseError) as err:
        raise Failure(command, f"does not parse: {err}", out) from None


def check_project(root: Path, env: dict[str, str]) -> int:
    """Run every format on one project and hold the runs to the invariants; the violations found."""
    found = {}
    for fmt in FORMATS:
        command, out = _run(root, env, "--no-cache", "--output-format", fmt)
        found[fmt] = violations(command, fmt, out)
    codes = {fmt: sorted(code for _, code in rows) for fmt, rows in found.items()}
    if any(codes[fmt] != codes["text"] for fmt in FORMATS) or found["text"] != found["json"]:
        raise Failure(f"agent-lint check ({root})", f"formats disagree: { {f: len(c) for f, c in codes.items()} }")
    counts = {fmt: len(rows) for fmt, rows in found.items()}
    _, cold = _run(root, env, "--output-format", "json")
    _, warm = _run(root, env, "--output-format", "json")
    if cold != warm or json.loads(cold)["violations"] != json.loads(_run(root, env, "--no-cache",
                                                                         "--output-format", "json")[1])["violations"]:
        raise Failure(f"agent-lint check ({root})", "the cached runs differ from a run without the cache")
    return counts["text"]


def fuzz(documents: int, seed: int, batch: int, keep: Path | None, log=print, *, checkout: bool = True) -> int:
    """Check ``documents`` documents in projects of ``batch``; 0 when every run held, else 1.

    With ``checkout`` the agent-lint of this checkout runs, else the one installed (as CI tests it).
    """
    rng = random.Random(seed)
    seeds = _seeds()
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT / "lint"), os.environ.get("PYTHONPATH")]))
    env.pop("AGENT_LINT_DEBUG", None)
    done = total = 0
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="agent-lint-fuzz-") as tmp:
        env["XDG_CACHE_HOME"] = str(Path(tmp) / "user-cache")
        number = 0
        while done < documents:
            count = min(batch, documents - done)
            root = Path(tmp) / f"project-{number}"
            project(root, rng, count, seeds)
            try:
                total += check_project(root, env)
            except Failure as failure:
                log(f"FAILED after {done:,} documents (seed {seed}, project {number}): {failure}")
                if keep is not None:
                    shutil.copytree(root, keep / root.name, symlinks=True)
                    log(f"project kept in {keep / root.name}")
                return 1
            shutil.rmtree(root)
            done += count
            number += 1
            log(f"{done:,} documents, {total:,} violations, {time.time() - started:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--batch", type=int, default=500, help="documents per project (per run)")
    parser.add_argument("--keep", type=Path, default=None, help="copy a failing project here")
    args = parser.parse_args(argv)
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    sys.path.insert(0, str(REPO_ROOT / "lint"))
    print(f"fuzzing {args.documents:,} documents, seed {args.seed}", file=sys.stderr)
    return fuzz(args.documents, args.seed, args.batch, args.keep, log=lambda m: print(m, file=sys.stderr, flush=True))


if __name__ == "__main__":
    sys.exit(main())
