"""Lasting threads: a job's result or error reaches its caller, and a finished job's thread
stays alive and takes the next job (it is never destroyed while the process runs)."""

from __future__ import annotations

import threading

import pytest

from devservices.lasting_threads import run_in_lasting_thread

WAIT = 30  # seconds: generous, the suite loads the machine


def test_the_result_and_the_error_reach_the_caller():
    assert run_in_lasting_thread(lambda: 6 * 7).result(WAIT) == 42

    def fails() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        run_in_lasting_thread(fails).result(WAIT)


def test_a_finished_job_leaves_its_thread_alive_for_the_next_one():
    first = run_in_lasting_thread(threading.current_thread).result(WAIT)
    assert first is not threading.main_thread()
    assert first.daemon
    # The inbox goes back to the idle list just after the result is set: wait for that.
    seen: set[threading.Thread] = set()
    for _ in range(1000):
        second = run_in_lasting_thread(threading.current_thread).result(WAIT)
        seen.add(second)
        if second is first:
            break
        threading.Event().wait(0.01)
    assert first in seen
    assert first.is_alive()


def test_jobs_at_the_same_time_run_on_different_threads():
    release = threading.Event()
    started = [threading.Event(), threading.Event()]

    def job(index: int) -> threading.Thread:
        started[index].set()
        assert release.wait(WAIT)
        return threading.current_thread()

    futures = [run_in_lasting_thread(lambda i=i: job(i)) for i in range(2)]
    assert all(event.wait(WAIT) for event in started)  # both running before either ends
    release.set()
    threads = [future.result(WAIT) for future in futures]
    assert threads[0] is not threads[1]
    assert all(thread.is_alive() for thread in threads)
