"""parallel.share: every job once, results in the jobs' order whoever ran them; failures come back as errors."""

import os
import signal
import time
from pathlib import Path

import pytest

from agent_lint.model import AgentLintError
from agent_lint.parallel import POOL_THRESHOLD, share

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is not available here")
JOBS = list(range(POOL_THRESHOLD + 40))


def wait_for(path: Path) -> None:
    """Until another process has got as far as making ``path`` (so both sides are surely exercised)."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def test_results_come_in_the_jobs_order_whichever_worker_ran_them():
    results = share(lambda job: (job * 2, os.getpid()), JOBS, 2, heavy=lambda job: job % 7 == 0)
    assert [value for value, _ in results] == [job * 2 for job in JOBS]
    assert os.getpid() not in {pid for _, pid in results}


def test_batches_are_submitted_a_few_ahead_of_the_results_given_not_all_at_once(monkeypatch):
    # Results done out of turn wait in their futures: the work in flight bounds them, not the tree.
    from concurrent.futures import ProcessPoolExecutor

    from agent_lint import parallel

    monkeypatch.setattr(parallel, "AHEAD", 2)
    submitted: list[int] = []
    original = ProcessPoolExecutor.submit
    monkeypatch.setattr(ProcessPoolExecutor, "submit",
                        lambda self, *args: submitted.append(1) or original(self, *args))
    jobs = list(range(800))  # 100 batches of 8
    ahead = []
    for given, value in enumerate(parallel.stream(lambda job: job, jobs, 2), 1):
        assert value == given - 1
        ahead.append(len(submitted) * 8 - given)  # jobs submitted and not yet given
    assert len(submitted) == 100 and max(ahead) < 2 * 2 * 8 + 8


def test_a_few_jobs_stay_in_this_process():
    assert {pid for pid in share(lambda job: os.getpid(), list(range(POOL_THRESHOLD - 1)), 4)} == {os.getpid()}


def test_a_workers_exception_is_raised_here_as_itself():
    def work(job):
        raise ValueError(f"bad job {job}")

    with pytest.raises(ValueError, match="bad job"):
        share(work, JOBS, 2)


def test_a_worker_that_dies_is_an_error_not_a_hang():
    def work(job):
        if job == 50:
            os.kill(os.getpid(), signal.SIGKILL)
        return job

    with pytest.raises(AgentLintError, match="worker process stopped unexpectedly"):
        share(work, JOBS, 2)


def test_no_worker_is_left_behind():
    import multiprocessing

    share(lambda job: job, JOBS, 2)
    with pytest.raises(ValueError):
        share(lambda job: int("x"), JOBS, 2)
    assert multiprocessing.active_children() == []
