"""Outbox delivery against the emulator's faults: nothing lost, nothing recorded twice.

At-least-once from our side (a row stays pending until a send is settled), exactly-once as
LINE sees it (the row's id is the X-Line-Retry-Key of every attempt).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextlib import suppress

from sqlalchemy import select, update

from bot.outbox_sender import LEASE, MAX_ATTEMPTS
from dialogs.replies import Text, dump_replies
from storage.db import transaction
from storage.models import Outbox, OutboxStatus
from storage.outbox import add_push
from tests.helpers import texts
from tests.worker.conftest import add_booking, add_user, jst, new_user, outbox_rows, sender

# Generous for a push LINE answers (milliseconds), yet a held push always outlasts it.
CLIENT_TIMEOUT = 2.0


async def _queue(services, office_id, n: int, *, kind: str = "test.notice",
                 booking_id: uuid.UUID | None = None) -> tuple[list[uuid.UUID], list[str]]:
    users = [new_user() for _ in range(n)]
    async with transaction(services.sessions) as session:
        rows = [add_push(session=session, office_id=office_id, to=user, kind=kind,
                         payload=dump_replies([Text(text=f"お知らせです（{i}）")]),
                         now=services.clock.now(), booking_id=booking_id)
                for i, user in enumerate(users)]
    return [r.id for r in rows], users


async def _until_settled(out, services, ids, clock, rounds: int = 12) -> list[Outbox]:
    """Deliver, moving the clock past any backoff, until none of `ids` is pending."""
    for _ in range(rounds):
        await out.drain()
        rows = await outbox_rows(services, ids)
        if all(r.status != OutboxStatus.PENDING for r in rows):
            return rows
        clock.advance(minutes=11)  # beyond the backoff cap
    raise AssertionError("rows still pending")


def _recorded_once(emulator, users: list[str], ids: list[uuid.UUID]) -> None:
    """Each user got exactly one push, carrying their row's id as its retry key."""
    keys: dict[str, list[str]] = {user: [] for user in users}
    for entry in emulator.log():
        for user in entry["to"]:
            if user in keys:
                keys[user].append(entry["retry_key"])
    assert keys == {user: [str(row_id)] for user, row_id in zip(users, ids, strict=True)}


async def _wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll a condition on the emulator (something happening there, not a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


def _logged(emulator, users: list[str]) -> int:
    wanted = set(users)
    return len({u for entry in emulator.log() for u in entry["to"] if u in wanted})


async def test_each_row_is_pushed_with_its_id_as_the_retry_key(services, office, clock, emulator):
    ids, users = await _queue(services, office.id, 5)
    assert await services.sender.drain() >= 5
    _recorded_once(emulator, users, ids)
    assert "お知らせです（0）" in texts(emulator.messages(users[0]))
    rows = await outbox_rows(services, ids)
    assert {(r.status, r.attempts, r.sent_at) for r in rows} == {("sent", 1, clock.now())}


async def test_5xx_and_429_are_retried_with_backoff_and_recorded_once(services, office, clock,
                                                                       emulator):
    ids, users = await _queue(services, office.id, 20)
    emulator.fault(status=500, count=5)
    emulator.fault(status=429, count=5)
    emulator.fault(status=503, count=3)
    out = sender(services)
    await out.drain()
    waiting = [r for r in await outbox_rows(services, ids) if r.status == OutboxStatus.PENDING]
    assert len(waiting) == 13
    assert all(r.next_attempt_at > clock.now() and r.last_error for r in waiting)
    assert await out.drain() == 0  # backoff: not before their time

    rows = await _until_settled(out, services, ids, clock)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert sum(r.attempts for r in rows) == 20 + 13
    _recorded_once(emulator, users, ids)


async def test_time_outs_are_retried_with_the_same_key_and_recorded_once(services, office, clock,
                                                                          emulator):
    ids, users = await _queue(services, office.id, 20)
    # Four pushes LINE holds unanswered until released: two it then accepts (after our
    # client gave up on them), two it never accepts. The others answer in milliseconds.
    emulator.fault(hold=True, count=2)
    emulator.fault(status=503, hold=True, count=2)
    out = sender(services, timeout=CLIENT_TIMEOUT)
    await out.drain()
    waiting = [r for r in await outbox_rows(services, ids) if r.status == OutboxStatus.PENDING]
    assert len(waiting) == 4 and all(r.last_error == "TimeoutError" for r in waiting)
    assert (emulator.held(), _logged(emulator, users)) == (4, 16)
    assert emulator.release() == 4
    await _wait_until(lambda: _logged(emulator, users) == 18)  # the late ones landed at LINE

    rows = await _until_settled(out, services, ids, clock)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    _recorded_once(emulator, users, ids)


async def test_a_worker_killed_mid_batch_leaves_rows_leased_then_resent_once(services, office,
                                                                             clock, emulator):
    ids, users = await _queue(services, office.id, 20)
    emulator.fault(hold=True, count=3)  # in flight when the worker dies, accepted by LINE
    emulator.fault(status=503, hold=True, count=2)  # in flight, never accepted
    # A time-out the test never meets: the worker dies while five pushes are held.
    dying = asyncio.create_task(sender(services, timeout=300).drain())
    await _wait_until(lambda: _logged(emulator, users) == 15 and emulator.held() == 5)
    dying.cancel()
    with suppress(asyncio.CancelledError):
        await dying
    rows = await outbox_rows(services, ids)
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert all(r.claimed_until == clock.now() + LEASE for r in rows)
    assert emulator.release() == 5
    await _wait_until(lambda: _logged(emulator, users) == 18)

    restarted = sender(services)
    assert await restarted.drain() == 0  # still leased to the dead worker
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await restarted.drain()
    rows = await outbox_rows(services, ids)
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.SENT, 1)}
    _recorded_once(emulator, users, ids)


async def test_two_workers_share_the_rows_without_sending_any_twice(services, office, clock,
                                                                     emulator):
    ids, users = await _queue(services, office.id, 200)
    first, second = sender(services, concurrency=8), sender(services, concurrency=8)
    sent = await asyncio.gather(first.drain(limit=20), second.drain(limit=20))
    # A row claimed by both would be sent by both (the second getting a 409, counted as sent).
    assert sum(sent) == 200 and min(sent) > 0
    _recorded_once(emulator, users, ids)


async def test_rows_given_to_two_senders_at_once_are_each_sent_once(services, office, clock,
                                                                    emulator):
    """A step's or a page's own rows are claimed by one statement (no transaction around it):
    another sender given the same rows, and the worker's drain, find them claimed."""
    ids, users = await _queue(services, office.id, 60)
    first, second = sender(services, concurrency=8), sender(services, concurrency=8)
    sent = await asyncio.gather(first.deliver(ids), second.deliver(list(reversed(ids))),
                                sender(services).drain())
    assert sum(sent) == 60
    rows = await outbox_rows(services, ids)
    assert {(r.status, r.attempts, r.claimed_until) for r in rows} == {
        (OutboxStatus.SENT, 1, None)}
    _recorded_once(emulator, users, ids)


async def test_a_4xx_fails_the_row_at_once_and_staff_are_told(services, office, clock, emulator):
    user = await add_user(services, office.id)
    booking = await add_booking(services, office.id, user, jst(2026, 12, 3, 10, 0))
    ids, users = await _queue(services, office.id, 1, kind="reminder.day_before",
                              booking_id=booking.id)
    emulator.fault(status=400, count=1)
    await services.sender.drain()
    (row,) = await outbox_rows(services, ids)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1) and row.last_error
    await services.sender.drain()  # the staff alert is an outbox row like any other
    alert = texts(emulator.messages(office.staff))
    assert "LINEでの通知を送れませんでした" in alert and "前日のお知らせ" in alert
    assert "12月3日(木) 10:00〜10:30" in alert and "山田 様" in alert
    assert emulator.log(users[0]) == []


async def test_retries_give_up_after_the_last_attempt_and_staff_are_told(services, office, clock,
                                                                          emulator):
    ids, users = await _queue(services, office.id, 1)
    async with transaction(services.sessions) as session:
        await session.execute(update(Outbox).where(Outbox.id == ids[0])
                              .values(attempts=MAX_ATTEMPTS - 1))
    emulator.fault(status=500, count=1)
    await services.sender.drain()
    (row,) = await outbox_rows(services, ids)
    assert row.status == OutboxStatus.FAILED
    await services.sender.drain()
    assert "LINEでの通知を送れませんでした" in texts(emulator.messages(office.staff))


async def test_a_failed_staff_alert_does_not_alert_staff_again(services, office, clock, emulator):
    ids, _ = await _queue(services, office.id, 1, kind="staff.no_show")
    emulator.fault(status=400, count=1)
    await services.sender.drain()
    async with services.sessions() as session:
        alerts = (await session.scalars(select(Outbox).where(
            Outbox.office_id == office.id, Outbox.kind == "staff.push_failed"))).all()
    assert alerts == []
    assert (await outbox_rows(services, ids))[0].status == OutboxStatus.FAILED


async def test_an_unusable_payload_fails_alone_and_does_not_hold_up_the_batch(services, office,
                                                                             clock, emulator):
    ids, users = await _queue(services, office.id, 3)
    async with transaction(services.sessions) as session:
        broken = add_push(session=session, office_id=office.id, to=new_user(), kind="test.notice",
                          payload=[{"kind": "no-such-reply"}], now=clock.now())
    await services.sender.drain()
    (row,) = await outbox_rows(services, [broken.id])
    assert row.status == OutboxStatus.FAILED and row.last_error.startswith("payload")
    _recorded_once(emulator, users, ids)
