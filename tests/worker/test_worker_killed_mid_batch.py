"""A `python main.py worker` SIGKILLed while a batch of pushes is in flight, then restarted:
every push reaches LINE exactly once (the retry key is the outbox row's id) and every row ends
`sent`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dialogs.replies import Text, dump_replies
from storage.db import transaction
from storage.models import OutboxStatus
from storage.outbox import add_push
from tests.evidence import subprocess_log
from tests.worker.conftest import new_user, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
PUSHES = 20
HELD = 6  # pushes LINE holds unanswered: in flight when the worker dies
RECOVERY = 180.0  # seconds: a generous cap; with the short timings below it takes about ten
# Production's one-minute outbox lease, job time limit and stuck-job sweep, shortened: the
# restarted worker still has to wait out the dead one's run and lease, just not for minutes.
# The lease and the time limit stay above the push timeout (5 s), as in production.
TIMINGS = {"outbox_lease_seconds": 6.0, "outbox_job_timeout_seconds": 8,
           "worker_sweep_seconds": 1}


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    """Poll until the condition holds (the worker runs on its own schedule)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "did not get there"
        await asyncio.sleep(0.1)


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with subprocess_log(log).open("wb") as out:
        return subprocess.Popen([sys.executable, "main.py", "worker"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.timeout(RECOVERY + 120)
async def test_a_worker_killed_mid_batch_and_restarted_delivers_every_push_once(
        live: Any, services: Any, office: Any, emulator: Any, tmp_path: Path) -> None:
    # The subprocess reads the wall clock, so the rows are due by the wall clock.
    due = datetime.now(UTC) - timedelta(minutes=1)
    users = [new_user() for _ in range(PUSHES)]
    async with transaction(services.sessions) as session:
        rows = [add_push(session=session, office_id=office.id, to=user, kind="test.notice",
                         payload=dump_replies([Text(text="お知らせです。")]), now=due)
                for user in users]
    ids = [row.id for row in rows]
    settings = live.settings.model_copy(update={
        "redis_prefix": f"t{uuid.uuid4().hex[:8]}", "auto_migrate": False,
        "office_code": f"k{uuid.uuid4().hex[:10]}",  # its sweeps touch an office of its own
        **TIMINGS})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env |= {f"MADOGUCHI_{k.upper()}": str(v) for k, v in settings.model_dump().items()}

    def ours() -> list[str]:
        keys = {str(i) for i in ids}
        return [e["retry_key"] for e in emulator.log() if e["retry_key"] in keys]

    emulator.fault(hold=True, count=HELD)
    first = _start_worker(env, tmp_path / "worker-killed.log")
    try:
        async def in_flight() -> bool:
            assert first.poll() is None, (tmp_path / "worker-killed.log").read_text()
            return emulator.held() == HELD and len(ours()) == PUSHES - HELD

        # One batch: LINE has accepted the rest, holds HELD, and the batch has not settled.
        await _eventually(in_flight)
        os.kill(first.pid, signal.SIGKILL)
        assert await asyncio.to_thread(first.wait, 60) == -signal.SIGKILL
    finally:
        _stop(first)

    # Killed before settling: every row is still pending, under the dead worker's lease.
    killed = await outbox_rows(services, ids)
    assert {r.status for r in killed} == {OutboxStatus.PENDING}
    assert all(r.attempts == 0 and r.claimed_until is not None for r in killed)
    emulator.release()  # whatever LINE still held answers into a closed connection


    second = _start_worker(env, tmp_path / "worker-restarted.log")
    try:
        async def all_sent() -> bool:
            assert second.poll() is None, (tmp_path / "worker-restarted.log").read_text()
            return {r.status for r in await outbox_rows(services, ids)} == {OutboxStatus.SENT}

        # Recovery is not instant, by design: the dead worker's run still holds SAQ's unique
        # "cron:deliver_outbox" key until SAQ sweeps it as stuck (past its time limit, swept
        # every WORKER_SWEEP_SECONDS), and its claim holds the rows for OUTBOX_LEASE_SECONDS.
        # Both are wall clock.
        await _eventually(all_sent, timeout=RECOVERY)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(second.wait, 60) == 0
    finally:
        _stop(second)

    # LINE recorded each push once: a re-send with the same retry key got 409 and was dropped.
    assert Counter(ours()) == Counter(str(i) for i in ids)
    for user, row_id in zip(users, ids, strict=True):
        assert [e["retry_key"] for e in emulator.log(user)] == [str(row_id)]
    assert all(r.attempts == 1 for r in await outbox_rows(services, ids))
