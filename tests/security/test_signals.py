"""Signals: Ctrl-C exits 130 and SIGTERM 143, each with one line, at any moment, leaving nothing behind.

Real processes, stopped at real moments: while each of the modules a check
imports is being imported (an import hook sends the signal), and at
intervals through a cold run, a run sharing its work with worker processes,
and ``--fix``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from attack import HANG, VALID_LOG

STOPPED = {signal.SIGINT: (130, "agent-lint: interrupted\n"), signal.SIGTERM: (143, "agent-lint: terminated\n")}

# Run as the console script runs it, with a hook that signals this process when one module is imported.
IMPORTING = """
import os, signal, sys
module, signum = sys.argv[1], int(sys.argv[2])
class Hook:
    def find_spec(self, name, path=None, target=None):
        if name == module:
            os.kill(os.getpid(), signum)
        return None
sys.meta_path.insert(0, Hook())
sys.argv = ["agent-lint", "check", "--no-cache"]
from agent_lint.__main__ import console
console()
"""

MODULES = ("agent_lint.__main__", "agent_lint.runner", "agent_lint.config", "agent_lint.files", "agent_lint.cache",
           "agent_lint.engine", "agent_lint.analysis", "agent_lint.project", "agent_lint.document", "markdown_it",
           "jsonschema_rs",
           "agent_lint.rules.al201_session_log_schema_violation", "agent_lint.report.text")


@pytest.fixture(autouse=True)
def interruptible():
    """Programs start with Ctrl-C at its default, as from a terminal, even when these tests run as a background job.

    A shell starts a background job (``pytest &`` in a script) with SIGINT
    ignored, its children inherit that, and agent-lint rightly leaves an
    ignored SIGINT ignored (the last test): every Ctrl-C sent here would
    then be lost, and the run would finish with 1 and nothing on stderr.
    A handler set here is reset to the default in the programs started.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def tree(root: Path, logs: int = 1500) -> Path:
    sessions = root / ".agents" / "sessions"
    sessions.mkdir(parents=True)
    (root / ".agent-lint.toml").write_text('select = ["ALL", "AL205"]\n', encoding="utf-8")
    (root / ".git").mkdir()
    for n in range(logs):
        sid = f"2026-03-02-log-{n}"
        (sessions / f"{sid}.json").write_text(VALID_LOG.format(id=sid), encoding="utf-8")
    for n in range(max(1, logs // 10)):
        (sessions / f"2026-03-02-notes-{n}.md").write_text(
            f"# Session 2026-03-02-notes-{n}\n\n## Work Log\n\n" + "* [X] done\n\n+ [X] also\n\n" * 20
            + "| a | b |\n|---|---|\n| `x` | [y](z.md) |\n\n" * 40, encoding="utf-8")
    return root


def environment(tmp_path: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    env.pop("AGENT_LINT_DEBUG", None)
    return env


def leftovers(*folders: Path) -> list[Path]:
    """Temporary files a stopped run could leave: the cache's and --fix's."""
    return [path for folder in folders if folder.exists() for path in folder.rglob("*")
            if path.name.startswith(".tmp-") or path.name.endswith(".agent-lint.tmp")]


def assert_stopped(result: subprocess.CompletedProcess, signum: int, started: bool = True) -> None:
    """Stopped as promised; unless ``started`` (a signal at once), Python may not have begun agent-lint yet."""
    code, line = STOPPED[signum]
    stderr = result.stderr.decode("utf-8", "replace")
    if "Traceback" in stderr and not started:
        # Python's own start-up (site, runpy) was interrupted, before agent-lint's first line ran.
        assert "agent_lint" not in stderr and signum == signal.SIGINT, stderr
        return
    if result.returncode in (0, 1):  # finished before the signal came
        return
    if result.returncode == -signum and not started:  # stopped before Python had a handler: nothing said
        assert stderr == ""
        return
    assert (result.returncode, stderr) == (code, line)


@pytest.mark.parametrize("module", MODULES)
def test_ctrl_c_while_a_module_is_imported_exits_130_with_one_line(tmp_path, module):
    """From agent-lint's first line on: what comes before it is Python's own start-up."""
    root = tree(tmp_path / "repo", logs=3)
    result = subprocess.run([sys.executable, "-c", IMPORTING, module, str(int(signal.SIGINT))], cwd=root,
                            env=environment(tmp_path), capture_output=True, timeout=HANG)
    assert (result.returncode, result.stderr.decode()) == STOPPED[signal.SIGINT]


def stop_after(argv: list[str], root: Path, env: dict, delay: float, signum: int) -> subprocess.CompletedProcess:
    process = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    time.sleep(delay)
    process.send_signal(signum)  # to agent-lint alone: its workers must end with it
    stdout, stderr = process.communicate(timeout=HANG)
    assert group(process.pid) == [], "a worker process outlived agent-lint"
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def group(pgid: int) -> list[str]:
    """The processes left in a process group (/proc; zombies count: nobody reaped them)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            members.append(f"{stat.parent.name} ({fields[0]})")
    return members


def stopped(result: subprocess.CompletedProcess) -> bool:
    return result.returncode in (130, 143)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_stopped_at_any_moment_exits_with_one_line_and_leaves_nothing(tmp_path, signum, jobs):
    root = tree(tmp_path / "repo")  # a cold run takes 0.6 s (two processes) to 1.2 s (one)
    env = environment(tmp_path)
    results = []
    for delay in (0.0, 0.15, 0.3, 0.45):
        for leftover in (root / ".agent_lint_cache", tmp_path / "user-cache"):
            subprocess.run(["rm", "-rf", str(leftover)], check=True)
        result = stop_after([sys.executable, "-m", "agent_lint", "check", "-j", jobs], root, env, delay, signum)
        assert_stopped(result, signum, started=delay > 0)
        assert leftovers(root, tmp_path / "user-cache") == []
        results.append(result)
    assert sum(map(stopped, results)) >= 2, [r.returncode for r in results]  # stopped mid-run, not after


def test_fix_stopped_at_any_moment_leaves_every_file_whole(tmp_path):
    root = tree(tmp_path / "repo")
    notes = sorted((root / ".agents" / "sessions").glob("*.md"))
    originals = {note: note.read_bytes() for note in notes}
    results = []
    for delay in (0.15, 0.3, 0.45):
        for note, original in originals.items():
            note.write_bytes(original)
        result = stop_after([sys.executable, "-m", "agent_lint", "check", "--fix", "--no-cache"], root,
                            environment(tmp_path), delay, signal.SIGINT)
        assert_stopped(result, signal.SIGINT)
        assert leftovers(root) == []
        for note, original in originals.items():
            content = note.read_bytes()  # the fixes keep the length: a file written in part would be shorter
            assert len(content) == len(original) and content[-300:] == original[-300:], json.dumps(content.decode())
        results.append(result)
    assert any(map(stopped, results)), [r.returncode for r in results]


def test_a_ctrl_c_ignored_on_entry_stays_ignored(tmp_path):
    # A shell's background job starts with SIGINT ignored, so that Ctrl-C reaches the foreground only.
    root = tree(tmp_path / "repo")
    process = subprocess.Popen([sys.executable, "-m", "agent_lint", "check", "--no-cache"], cwd=root,
                               env=environment(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    time.sleep(0.15)  # mid-run
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=HANG)
    assert process.returncode in (0, 1) and stderr == b""
