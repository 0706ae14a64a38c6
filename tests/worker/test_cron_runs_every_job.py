"""All five SAQ jobs run from SAQ's own cron, in a real worker, at a moment the test sets.

SAQ times cron ticks by the wall clock; the jobs read the app's injected clock. So the worker
ticks every two seconds (`cron_jobs(every=...)`: the daily 03:30 purge would otherwise wait for
03:30), and the SettableClock decides what is due. Nobody enqueues anything and no sweep is
called directly: what happens is what SAQ's cron fired.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from clock import SettableClock
from config import Settings
from dialogs.replies import Text, dump_replies
from services import Services
from storage.db import transaction
from storage.models import Booking, BookingStatus, LineUser, OutboxStatus, StaffAccount
from storage.outbox import add_push
from tests.helpers import texts
from tests.worker.conftest import add_booking, add_user, get, jst, new_user, outbox_rows
from worker.app import build_worker, cron_jobs, make_queue, saq_settings
from worker.jobs import DELIVER_BUDGET, TASKS, deliver_budget, deliver_outbox

NOW = jst(2026, 12, 2, 16, 0)  # Wednesday 16:00: past the 15:00 cut-off, before 17:00
EVERY_TWO_SECONDS = "* * * * * */2"


@pytest.fixture
async def services(live: Any, clock: SettableClock) -> AsyncIterator[Services]:
    """The worker's Services with a Redis prefix (so a queue) and an office of their own: cron
    runs carry no office, so they sweep the worker's office, which only this test uses. The
    day-before reminder hour is 15 so that one moment has a reminder and a deadline alert due."""
    own = Services(live.settings.model_copy(update={
        "auto_migrate": False, "redis_prefix": f"t{uuid.uuid4().hex[:8]}",
        "office_code": f"c{uuid.uuid4().hex[:10]}", "reminder_day_before_hour": 15}), clock)
    await own.start()
    yield own
    await own.stop()


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    """Poll until the worker has got there (it runs on its own schedule)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the worker did not get there"
        await asyncio.sleep(0.1)


def test_the_default_schedule_is_the_tasks_own_and_every_overrides_it_alone() -> None:
    assert [j.cron for j in cron_jobs()] == [t.cron for t in TASKS]
    assert [(j.function, j.timeout, j.retries) for j in cron_jobs(EVERY_TWO_SECONDS)] == [
        (t.function, t.timeout, t.retries) for t in TASKS]
    assert {j.cron for j in cron_jobs(EVERY_TWO_SECONDS)} == {EVERY_TWO_SECONDS}


def test_the_outbox_time_limit_and_the_sweep_period_come_from_the_settings() -> None:
    settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                        outbox_job_timeout_seconds=8, worker_sweep_seconds=1)
    timeouts = {j.function: j.timeout for j in cron_jobs(settings=settings)}
    assert timeouts == {t.function: 8 if t.function is deliver_outbox else t.timeout
                        for t in TASKS}
    assert deliver_budget(settings) < 8
    assert saq_settings(settings)["timers"] == {"sweep": 1}
    production = Settings(_env_file=None, environment="test")  # type: ignore[call-arg]
    assert {j.function: j.timeout for j in cron_jobs(settings=production)} == {
        t.function: t.timeout for t in TASKS}
    assert deliver_budget(production) == DELIVER_BUDGET
    for wrong in ({"outbox_lease_seconds": 5}, {"outbox_job_timeout_seconds": 2},
                  {"worker_sweep_seconds": 0}):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, environment="test", **wrong)  # type: ignore[call-arg]


async def test_saq_cron_runs_all_five_jobs_and_each_does_its_work(services, clock, emulator):
    clock.set(NOW)
    office_id = services.office_id
    staff = new_user()
    async with transaction(services.sessions) as session:
        session.add(StaffAccount(office_id=office_id, login=f"s{uuid.uuid4().hex[:10]}",
                                 display_name="職員", password_hash="-", line_user_id=staff))

    # Reminders: confirmed for tomorrow, and it is past the day-before hour.
    reminded = await add_user(services, office_id)
    tomorrow = await add_booking(services, office_id, reminded, jst(2026, 12, 3, 10, 0))
    # No-shows: confirmed for 15:30 today, no check-in, 30 minutes on.
    absent = await add_user(services, office_id)
    missed = await add_booking(services, office_id, absent, jst(2026, 12, 2, 15, 30))
    # Deadlines: a request for tomorrow past today's 15:00 cut-off (staff alerted), and one for
    # this evening that lapsed at 17:00 yesterday (expired, the user told).
    waiting = await add_user(services, office_id)
    unconfirmed = await add_booking(services, office_id, waiting, jst(2026, 12, 3, 11, 0),
                                    BookingStatus.REQUESTED)
    lapsing = await add_user(services, office_id)
    lapsed = await add_booking(services, office_id, lapsing, jst(2026, 12, 2, 16, 45),
                               BookingStatus.REQUESTED)
    # Retention: last booked over a year ago.
    then = NOW - timedelta(days=400)
    idle = await add_user(services, office_id, created_at=then - timedelta(days=30),
                          last_booking_at=then, profile_updated_at=then, consented_at=then)
    await add_booking(services, office_id, idle, then, BookingStatus.COMPLETED)
    # Outbox: a push queued by someone else, waiting for the delivery job.
    recipient = new_user()
    async with transaction(services.sessions) as session:
        push = add_push(session=session, office_id=office_id, to=recipient, kind="test.notice",
                        payload=dump_replies([Text(text="お知らせです。")]), now=NOW)

    ran: list[tuple[str, Any]] = []

    async def after_process(ctx: Any) -> None:
        job = ctx["job"]
        ran.append((job.key, job.result))

    worker = build_worker(services=services, handle_signals=False,
                          cron_jobs=cron_jobs(EVERY_TWO_SECONDS), after_process=after_process,
                          queue=make_queue(services.settings))
    await worker.queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        async def everything_done() -> bool:
            booking = await get(services, Booking, tomorrow.id)
            no_show = await get(services, Booking, missed.id)
            alerted = await get(services, Booking, unconfirmed.id)
            expired = await get(services, Booking, lapsed.id)
            user = await get(services, LineUser, idle.id)
            (row,) = await outbox_rows(services, [push.id])
            return (booking.reminded_day_before_at is not None
                    and no_show.status == BookingStatus.NO_SHOW
                    and alerted.deadline_alerted_at is not None
                    and expired.status == BookingStatus.EXPIRED
                    and user.anonymized_at is not None
                    and row.status == OutboxStatus.SENT
                    # SAQ reports a run (after_process) only after its work is committed.
                    and {f"cron:{t.name}" for t in TASKS} <= {key for key, result in ran
                                                              if result})

        await _eventually(everything_done)
        assert await _cron_ran_every_task(ran)
    finally:
        running.cancel()
        await running
        await worker.queue.disconnect()

    # Each change happened at the injected moment, not the wall clock's.
    assert (await get(services, Booking, tomorrow.id)).reminded_day_before_at == NOW
    assert (await get(services, Booking, unconfirmed.id)).deadline_alerted_at == NOW
    assert (await get(services, LineUser, idle.id)).anonymized_at == NOW
    # And LINE saw it: each push once.
    assert "明日はご予約の日です" in texts(emulator.messages(reminded.line_user_id))
    assert len(emulator.log(reminded.line_user_id)) == 1
    assert len(emulator.log(absent.line_user_id)) == 1
    assert "未確定の申込みが1件" in texts(emulator.messages(staff))
    assert "12月2日(水) 16:45〜17:15のご予約の申込み" in texts(
        emulator.messages(lapsing.line_user_id))
    assert emulator.messages(waiting.line_user_id) == []
    assert [e["retry_key"] for e in emulator.log(recipient)] == [str(push.id)]


async def _cron_ran_every_task(ran: list[tuple[str, Any]]) -> bool:
    """Every task ran under SAQ's cron key, and each run that did something says so."""
    keys = {key for key, _ in ran}
    assert {f"cron:{t.name}" for t in TASKS} <= keys, ran
    worked = {key for key, result in ran if result}
    assert {f"cron:{t.name}" for t in TASKS} <= worked, ran
    return True
