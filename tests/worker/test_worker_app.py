"""The SAQ wiring: tasks run from the queue, keys make a second enqueue harmless, cron ticks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from saq import Queue
from saq.job import Status

from dialogs.replies import Text, dump_replies
from services import Services
from storage.db import transaction
from storage.models import OutboxStatus
from storage.outbox import add_push
from tests.evidence import subprocess_log
from tests.worker.conftest import new_user, outbox_rows
from worker.app import build_worker, make_queue, run_worker
from worker.jobs import TASKS, deliver_outbox, enqueue

ROOT = Path(__file__).resolve().parents[2]
DELIVER = next(t for t in TASKS if t.function is deliver_outbox)


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 120.0) -> None:
    """Poll until the worker has done something (it runs on its own schedule); the cap is
    generous because a loaded machine starts a worker process slowly."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the worker did not get there"
        await asyncio.sleep(0.05)


async def _queue_push(services, office_id, *, now: datetime) -> tuple[uuid.UUID, str]:
    user = new_user()
    async with transaction(services.sessions) as session:
        row = add_push(session=session, office_id=office_id, to=user, kind="test.notice",
                       payload=dump_replies([Text(text="ワーカーからのお知らせです。")]), now=now)
    return row.id, user


@pytest.fixture
async def services(live, clock) -> AsyncIterator[Services]:
    """A worker's Services with a Redis prefix and an office of its own: its queue (named under
    the prefix) is nobody else's, and its minute sweeps touch only its own office."""
    own = Services(live.settings.model_copy(update={
        "auto_migrate": False, "redis_prefix": f"t{uuid.uuid4().hex[:8]}",
        "office_code": f"w{uuid.uuid4().hex[:10]}"}), clock)
    await own.start()
    yield own
    await own.stop()


@pytest.fixture
async def queue(services) -> AsyncIterator[Queue]:
    """This test's job queue, as the worker names it; empty, and no worker on it yet."""
    own = make_queue(services.settings)
    await own.connect()
    yield own
    await own.disconnect()


@asynccontextmanager
async def _worker(services, queue: Queue, **overrides) -> AsyncIterator[None]:
    """`run_worker(services, queue=...)` with SAQ settings `overrides`, on a connection of its
    own to `queue`."""
    worker = build_worker(services=services, handle_signals=False, **overrides,
                          queue=Queue.from_url(services.settings.redis_url, name=queue.name))
    await worker.queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        yield
    finally:
        running.cancel()
        await running
        await worker.queue.disconnect()


async def test_a_second_enqueue_is_harmless_and_the_worker_runs_the_task(services, office, queue,
                                                                        emulator):
    row_id, user = await _queue_push(services, office.id, now=services.clock.now())
    job = await enqueue(queue, DELIVER)
    assert job is not None and (job.timeout, job.retries) == (DELIVER.timeout, DELIVER.retries)
    assert await enqueue(queue, DELIVER) is None  # same key, still waiting: ignored
    # The worker's start-up sweep of its active list must not meet the job half-way through
    # being dequeued: sweep this empty queue now, which keeps that sweep away for a minute.
    assert await queue.sweep(lock=60) == []

    # No cron: the row must be sent by the job enqueued above, not by a tick that came by.
    async with _worker(services, queue, cron_jobs=[]):
        await job.refresh(until_complete=30)
        assert job.status == Status.COMPLETE and job.result >= 1
        assert [e["retry_key"] for e in emulator.log(user)] == [str(row_id)]
        (row,) = await outbox_rows(services, [row_id])
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
        # Done, so it may be queued again (for an hour ahead: nothing runs while we stop).
        assert await enqueue(queue, DELIVER, scheduled=int(time.time()) + 3600) is not None


async def test_cron_ticks_deliver_what_is_due_without_anyone_enqueueing(services, office, queue,
                                                                         emulator):
    row_id, user = await _queue_push(services, office.id, now=services.clock.now())

    async def sent() -> bool:
        (row,) = await outbox_rows(services, [row_id])
        return row.status == OutboxStatus.SENT

    worker_queue = Queue.from_url(services.settings.redis_url, name=queue.name)
    running = asyncio.create_task(run_worker(services, queue=worker_queue))
    try:
        await _eventually(sent)
        assert [e["retry_key"] for e in emulator.log(user)] == [str(row_id)]
    finally:
        running.cancel()
        await running


async def test_main_py_worker_runs_until_sigterm(live, services, office, emulator, tmp_path):
    """`python main.py worker` in its own process, on the real clock like production."""
    # This worker reads the wall clock, so the row is due by the wall clock.
    row_id, user = await _queue_push(services, office.id,
                                     now=datetime.now(UTC) - timedelta(minutes=1))
    settings = live.settings.model_copy(update={
        "redis_prefix": f"t{uuid.uuid4().hex[:8]}", "auto_migrate": False,
        "office_code": f"w{uuid.uuid4().hex[:10]}"})  # its sweeps touch an office of its own
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env |= {f"MADOGUCHI_{k.upper()}": str(v) for k, v in settings.model_dump().items()}
    output = subprocess_log(tmp_path / "worker.log")
    with output.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "main.py", "worker"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)

    async def sent() -> bool:
        assert proc.poll() is None, output.read_text()
        (row,) = await outbox_rows(services, [row_id])
        return row.status == OutboxStatus.SENT

    try:
        await _eventually(sent)
        assert [e["retry_key"] for e in emulator.log(user)] == [str(row_id)]
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
