"""workers.share: every job once, in this process or a child; failures come back as errors."""

import os
import signal
import time
from pathlib import Path

import pytest

from agent_lint.model import AgentLintError
from agent_lint.workers import _MAX_TICKETS, can_fork, share

pytestmark = pytest.mark.skipif(not can_fork(), reason="os.fork is not available here")


def wait_for(path: Path) -> None:
    """Until the other process has got as far as making ``path`` (so both sides are surely exercised)."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def run_share(batches, processes, there, here=None):
    done_here, taken = [], []
    share([batches], processes, here or done_here.append, there, taken.append)
    return done_here, taken


def test_every_job_runs_exactly_once_across_the_processes(tmp_path):
    marker = tmp_path / "child-started"

    def there(job):
        marker.touch()
        return job, os.getpid()

    def here(job):
        wait_for(marker)
        done_here.append(job)

    done_here: list[int] = []
    batches = [list(range(n, n + 3)) for n in range(0, 300, 3)]
    _, taken = run_share(batches, 3, there, here)
    from_children = [job for job, _ in taken]
    assert sorted(done_here + from_children) == list(range(300))
    assert from_children and {pid for _, pid in taken} - {os.getpid()}


def test_children_start_at_the_first_queue_and_this_process_at_the_last(tmp_path):
    here_started, child_started = tmp_path / "here-started", tmp_path / "child-started"
    first, last = [[("first", n)] for n in range(40)], [[("last", n)] for n in range(40)]

    # Each side waits, on its first job, until the other has claimed one: both have, before either
    # can take more, so each one's first claim shows where it starts.
    def there(job):
        child_started.touch()
        wait_for(here_started)
        return job

    def here(job):
        here_started.touch()
        wait_for(child_started)
        done_here.append(job)

    done_here: list = []
    taken: list = []
    share([first, last], 2, here, there, taken.append)
    assert sorted(done_here + taken) == sorted(job for batch in first + last for job in batch)
    assert taken[0][0] == "first" and done_here[0][0] == "last"
    # Each queue is emptied from its front, whoever takes from it.
    for name in ("first", "last"):
        assert [n for kind, n in done_here if kind == name] == sorted(n for kind, n in done_here if kind == name)


def test_more_batches_than_tickets_are_grouped_not_refused():
    batches = [[n] for n in range(_MAX_TICKETS * 3 + 5)]
    done_here, taken = run_share(batches, 2, lambda job: job)
    assert sorted(done_here + taken) == list(range(len(batches)))


def test_a_childs_exception_is_raised_here_as_itself(tmp_path):
    marker = tmp_path / "child-started"

    def there(job):
        marker.touch()
        raise ValueError(f"bad job {job}")

    with pytest.raises(ValueError, match="bad job"):
        run_share([[n] for n in range(50)], 2, there, lambda job: wait_for(marker))


def test_an_exception_that_cannot_be_pickled_still_says_what_it_was(tmp_path):
    marker = tmp_path / "child-started"

    class Local(Exception):  # a local class: pickle cannot find it by name
        pass

    def there(job):
        marker.touch()
        raise Local("went wrong")

    with pytest.raises(RuntimeError, match="Local: went wrong"):
        run_share([[n] for n in range(50)], 2, there, lambda job: wait_for(marker))


def test_a_child_that_dies_is_an_error_not_a_hang(tmp_path):
    marker = tmp_path / "child-started"

    def there(job):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(AgentLintError, match=r"worker process stopped unexpectedly \(signal 9\)"):
        run_share([[n] for n in range(50)], 2, there, lambda job: wait_for(marker))


def test_an_error_here_leaves_no_child_behind(tmp_path):
    pids = tmp_path / "pids"

    def there(job):
        with open(pids, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(0.05)
        return job

    def here(job):
        wait_for(pids)
        raise KeyError("here")

    with pytest.raises(KeyError):
        run_share([[n] for n in range(200)], 2, there, here)
    for pid in {int(line) for line in pids.read_text().split()}:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: not ours any more, not a zombie


def test_without_a_file_for_results_this_process_does_every_job(monkeypatch):
    import agent_lint.workers as workers

    def no_file():
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workers, "_scratch_file", no_file)
    done_here, taken = run_share([[n] for n in range(30)], 2, lambda job: pytest.fail("no child should run"))
    assert sorted(done_here) == list(range(30)) and taken == []


def test_without_memfd_results_come_back_through_a_temporary_file(monkeypatch, tmp_path):
    import os as os_module

    monkeypatch.delattr(os_module, "memfd_create", raising=False)
    marker = tmp_path / "child-started"

    def there(job):
        marker.touch()
        return job * 2

    def here(job):
        wait_for(marker)
        done_here.append(job * 2)

    done_here: list[int] = []
    _, taken = run_share([[n] for n in range(40)], 2, there, here)
    assert taken and sorted(done_here + taken) == [n * 2 for n in range(40)]
