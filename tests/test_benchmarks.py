"""The benchmark's synthetic corpus and its command line; no timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.synthetic import generate  # noqa: E402


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "lint"), str(REPO), env.get("PYTHONPATH")]))
    return env


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes(tmp_path):
    generate(tmp_path / "a", 60, seed=7)
    generate(tmp_path / "b", 60, seed=7)
    generate(tmp_path / "c", 60, seed=8)
    first = _tree(tmp_path / "a")
    assert first == _tree(tmp_path / "b")
    assert first != _tree(tmp_path / "c")


@pytest.mark.parametrize("count", [1, 2, 3, 57])
def test_generates_the_requested_number_of_agent_documents(tmp_path, count):
    written = generate(tmp_path, count, seed=1)
    assert len(written) == count
    (tmp_path / ".agent-lint.toml").write_text("", encoding="utf-8")

    from agent_lint.config import load_config
    from agent_lint.files import discover
    from agent_lint.rules import RULES

    assert len(discover(load_config(RULES, tmp_path))) == count


def test_batches_link_orchestrators_and_workers_both_ways(tmp_path):
    generate(tmp_path, 200, seed=3)
    logs = {}
    for path in (tmp_path / ".agents" / "sessions").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem
        logs[path.stem] = data
    orchestrators = [d for d in logs.values() if d["role"] == "orchestrator"]
    workers = [d for d in logs.values() if d["role"] == "worker"]
    assert orchestrators and workers
    for worker in workers:
        lead = logs.get(worker["orchestrator"])
        # The orchestrator may be one of the few Markdown logs.
        assert lead is None or worker["id"] in lead["dispatched"]
    for lead in orchestrators:
        for ident in lead["dispatched"]:
            assert ident.startswith(lead["id"] + "-")
            assert ident in logs or (tmp_path / ".agents" / "sessions" / f"{ident}.md").is_file()
    markdown = list((tmp_path / ".agents" / "sessions").glob("*.md"))
    assert 0 < len(markdown) < len(logs)


def test_agent_lint_checks_a_generated_tree_without_internal_errors(tmp_path):
    generate(tmp_path, 40, seed=5)
    (tmp_path / ".agent-lint.toml").write_text("", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "agent_lint", "check"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stderr


def test_quick_run_writes_json_with_every_section(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--scales", "1,2", "--runs", "1",
         "--synthetic-files", "12", "--corpus", str(tmp_path / "absent"), "--json", str(out)],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "synthetic 1x" in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "agent_lint", "settings", "notes", "corpora", "history", "growth"} <= set(result)
    assert {"cpu_count", "python"} <= set(result["machine"])
    assert {"version", "commit", "cache"} <= set(result["agent_lint"])
    assert [tree["name"] for tree in result["corpora"]] == ["synthetic 1x", "synthetic 2x"]
    assert [tree["files"] for tree in result["corpora"]] == [12, 24]
    for tree in result["corpora"]:
        measured = tree["measurements"]
        assert {"import", "floor", "floor-parse", "cold", "warm", "touched", "edited", "one-log-alone",
                "one-log-alone-warm", "one-file", "one-file-warm", "one-file-touched"} <= set(measured)
        for name in ("import", "floor", "cold", "warm", "touched", "edited", "one-log-alone", "one-log-alone-warm",
                     "one-file"):
            assert "error" not in measured[name], measured[name]
            assert measured[name]["wall_ms"] > 0 and measured[name]["peak_mb"] > 0
        assert measured["floor-parse"]["json"] + measured["floor-parse"]["markdown"] == tree["files"]
        assert {"cold/floor", "warm/cold", "touched/warm", "edited/warm", "touched-warm/alone",
                "one-file/import"} <= set(tree["ratios"])
    (history,) = result["history"]
    assert history["commits"] == 200 and history["merges"] > 0
    assert {"git-log", "gate", "gate-no-history"} <= set(history["measurements"])
    assert all("error" not in entry for entry in history["measurements"].values())
    assert set(history["ratios"]) == {"gate/git-log", "stage/git-log"}
    growth = result["growth"]
    assert growth["files"] == [12, 24]
    assert "cold_ms_per_file" in growth["per_file_ratio"]


def test_unknown_only_name_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nonsense"], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "nonsense" in done.stderr


def test_each_protocol_edit_gives_the_log_a_record_it_never_had(tmp_path):
    from benchmarks.suite import _edit_protocol

    log = tmp_path / "log.json"
    log.write_text('{"id": "x", "completed": "2026-01-01T00:00Z", "outcome": "Done."}\n', encoding="utf-8")
    edit = _edit_protocol(log)
    seen = set()
    for _ in range(70):  # past an hour of minutes
        edit()
        data = json.loads(log.read_text(encoding="utf-8"))
        assert data["outcome"] == "Done."
        seen.add(data["completed"])
    assert len(seen) == 70
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    _edit_protocol(tmp_path / "broken.json")()
    assert (tmp_path / "broken.json").read_text(encoding="utf-8") == "{\n"


def test_synthetic_pull_request_has_its_commits_and_passes_the_gate(tmp_path):
    from benchmarks.history import generate as pull_request

    pull_request(tmp_path / "pr", 80, seed=4)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path / "pr"), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    assert int(git("rev-list", "--count", "main..review")) >= 80
    assert int(git("rev-list", "--count", "--merges", "main..review")) > 0
    assert git("log", "--format=%(trailers:key=Session-Ids)", "-1", "review").startswith("Session-Ids: ")
    # Written as the protocol asks: the gate has nothing to say about it.
    done = subprocess.run([sys.executable, "-m", "agent_lint", "check", "--since", "main", "--no-cache"],
                          cwd=tmp_path / "pr", env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hook_benchmark_runs_on_a_small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / ".agents" / "schemas").mkdir(parents=True)
    (corpus / ".agents" / "schemas" / "session-log.schema.json").write_text('{"type": "object"}')
    for number in range(3):
        log = {"id": f"2026-03-0{number + 1}-s", "date": f"2026-03-0{number + 1}", "agent": "a", "role": "single",
               "objective": "o", "workLog": [], "outcome": "done"}
        (corpus / ".agents" / "sessions").mkdir(exist_ok=True)
        (corpus / ".agents" / "sessions" / f"2026-03-0{number + 1}-s.json").write_text(json.dumps(log))
    out = tmp_path / "hook.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks.hook", "--corpus", str(corpus), "--runs", "1",
                           "--json", str(out)], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "what the agent reads:" in done.stdout
    assert sorted(json.loads(out.read_text())) == ["check", "cold", "seen", "warm"]
