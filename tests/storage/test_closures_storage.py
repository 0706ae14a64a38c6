"""Emergency closures as stored (DESIGN §13), on both engines: one action closes the requests
in a range at one site (whole groups), words each user's notice into the outbox in the same
commit, refuses a range with nothing to close, records each answer once, never counts a
closed booking as a no-show, keeps it in the usage log with its reason, and re-opens."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from booking import JST
from config import Settings
from dialogs.flows.closure import parse_option
from dialogs.notify import Notifier
from dialogs.ports import OfficeInfo, Reason
from dialogs.postback import Postback
from storage.availability import AvailabilityService
from storage.closures import ClosureOps, ClosureRequest, closure_report
from storage.db import make_sessionmaker, transaction
from storage.demo_seed import TOWN_SITE, seed_demo_sites
from storage.models import Booking, BookingStatus, ClosureNotice, LineUser, Outbox
from storage.requests import RequestsService
from storage.seed import ensure_office
from storage.staff_accounts import Actor
from storage.staff_office import OfficeOps
from storage.staff_ops import OpError
from storage.sweeps import sweep_no_shows
from storage.unit_of_work import UnitOfWork
from tests.builders import new_booking, new_user

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # Tuesday
THURSDAY, FRIDAY = date(2026, 12, 3), date(2026, 12, 4)
ACTOR = Actor(id=uuid.uuid4(), login="closer", name="職員", role="staff")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


class Office:
    """One office with the demo's two sites, three users booked on Thursday."""

    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def start(self) -> Office:
        self.sessions = make_sessionmaker(self.db)
        self.office_id = await ensure_office(self.sessions, Settings(
            _env_file=None, environment="test", office_code=f"c{uuid.uuid4().hex[:10]}"))
        await seed_demo_sites(self.sessions, self.office_id, NOW)
        self.uow = UnitOfWork(self.sessions, Notifier())
        self.availability = AvailabilityService(self.sessions, self.office_id)
        own, town = (await self.availability.calendar(NOW)).sites
        self.own, self.town = own, town
        self.users = {name: "U" + uuid.uuid4().hex for name in ("a", "b", "c")}
        rows = {name: new_user(self.office_id, line_id, consented_at=NOW)
                for name, line_id in self.users.items()}
        town_id, own_id = uuid.UUID(town.id), uuid.UUID(own.id)
        group = uuid.uuid4()
        self.bookings = {
            "a": [new_booking(self.office_id, rows["a"].id, at(THURSDAY, 10), booth=2,
                              site_id=town_id, status=BookingStatus.CONFIRMED)],
            "b": [new_booking(self.office_id, rows["b"].id, at(THURSDAY, 10), booth=1,
                              site_id=own_id)],
            "c": [new_booking(self.office_id, rows["c"].id, at(THURSDAY, 11, m), booth=2,
                              site_id=town_id, group_id=group) for m in (0, 30)]}
        async with transaction(self.sessions) as session:
            session.add_all(rows.values())
            await session.flush()
            session.add_all([b for group_rows in self.bookings.values() for b in group_rows])
        return self

    def ops(self) -> ClosureOps:
        return ClosureOps(self.uow, self.office_id)

    def requests(self) -> RequestsService:
        info = OfficeInfo(name="見本", phone="0173-00-0000", hours="", address="",
                          base_url="http://x")
        return RequestsService(self.uow, self.office_id, info, self.availability)

    async def close(self, day: date, reason: str = "", starts: time | None = None,
                    ends: time | None = None, site: str | None = None, now: datetime = NOW):
        return await self.ops().close(ACTOR, ClosureRequest(
            day=day, reason=reason, starts=starts, ends=ends,
            site_id=uuid.UUID(site) if site else None), now=now)

    async def status(self, name: str) -> list[str]:
        async with self.sessions() as session:
            return [(await session.get(Booking, b.id)).status for b in self.bookings[name]]


async def test_closing_one_site_closes_its_requests_and_tells_each_user_in_one_commit(
        db: AsyncEngine):
    office = await Office(db).start()
    done = await office.close(THURSDAY, "町役場の停電のため", site=office.town.id)
    assert (done.closed, done.told) == (2, 2)
    assert await office.status("a") == ["closed"] and await office.status("c") == ["closed"] * 2
    assert await office.status("b") == ["requested"]  # the office's own booth stays open
    async with office.sessions() as session:
        pushes = (await session.scalars(select(Outbox).where(
            Outbox.office_id == office.office_id, Outbox.kind == "notice.closed"))).all()
        notices = (await session.scalars(select(ClosureNotice))).all()
    assert sorted(p.to_line_user_id for p in pushes) == sorted(
        [office.users["a"], office.users["c"]])
    words = json.dumps([p.payload for p in pushes], ensure_ascii=False)
    assert "町役場の停電のため" in words and TOWN_SITE["name"] in words
    assert "11:00〜12:00（2枠）" in words and "取り消す" in words
    # The starts offered are at the town hall (Tuesdays and Thursdays), never the closed day.
    offered = [parse_option(Postback.parse(button["data"]).value)[1]
               for push in pushes for reply in push.payload for button in reply["buttons"]
               if "closure.move" in button["data"]]
    assert offered and all(s.date() != THURSDAY and s.weekday() in (1, 3) for s in offered)
    assert {n.booking_id for n in notices} == {office.bookings["a"][0].id,
                                               office.bookings["c"][0].id}
    assert all(n.outbox_id in {p.id for p in pushes} and n.answer is None for n in notices)


async def test_a_range_with_nothing_to_close_or_in_the_past_is_refused_with_the_reason(
        db: AsyncEngine):
    office = await Office(db).start()
    town, own = office.town.id, office.own.id
    cases = [  # day, reason, starts, ends, site: why not
        (FRIDAY, "点検", None, None, town, "nothing_to_close"),  # the town hall shuts Fridays
        (date(2026, 12, 5), "点検", None, None, None, "not_open_day"),  # a Saturday
        (date(2026, 11, 30), "点検", None, None, None, "past_range"),
        (NOW.date(), "点検", time(9), time(9, 30), None, "past_range"),  # over by 10:00
        (THURSDAY, "点検", time(10), None, None, "bad_closure_range"),
        (THURSDAY, "点検", time(16), time(18), None, "bad_closure_range"),
        (THURSDAY, "", time(10), time(10, 30), own, "closure_needs_reason"),  # b is booked
    ]
    for day, reason, starts, ends, site, code in cases:
        with pytest.raises(OpError) as refused:
            await office.close(day, reason, starts, ends, site)
        assert refused.value.code == code, (day, starts, site)
    await office.close(THURSDAY, "大雪のため", site=office.town.id)
    with pytest.raises(OpError) as twice:
        await office.close(THURSDAY, "大雪のため", starts=time(10), ends=time(12),
                           site=office.town.id)
    assert twice.value.code == "nothing_to_close"
    assert await office.status("b") == ["requested"]


async def test_today_can_be_closed_from_now_on(db: AsyncEngine):
    office = await Office(db).start()
    done = await office.close(NOW.date(), "停電のため", starts=time(13), ends=time(17))
    assert done.closed == 0
    free = await office.availability.calendar(NOW)
    assert any(r.day == NOW.date() and r.starts == time(13) for r in free.ranges)


async def test_a_user_moves_once_and_another_cancels_and_neither_is_a_no_show(db: AsyncEngine):
    office = await Office(db).start()
    done = await office.close(THURSDAY, "大雪のため", site=office.town.id)
    requests = office.requests()
    options = await office.availability.nearest_free(office.users["a"], at(THURSDAY, 10), NOW,
                                                     site_id=office.town.id)
    assert options and all(o.date() != THURSDAY and o.weekday() in (1, 3) for o in options)
    moved = await requests.move_closed(office.users["a"], str(office.bookings["a"][0].id),
                                       options[0], NOW)
    assert moved.ok and moved.bookings[0].starts_at == options[0]
    again = await requests.move_closed(office.users["a"], str(office.bookings["a"][0].id),
                                       options[-1], NOW)
    assert not again.ok and again.reason == Reason.ALREADY
    stranger = await requests.cancel_closed(office.users["b"], str(office.bookings["c"][0].id),
                                            NOW)
    assert stranger.reason == Reason.NOT_FOUND
    cancelled = await requests.cancel_closed(office.users["c"], str(office.bookings["c"][1].id),
                                             NOW)
    assert cancelled.ok and cancelled.bookings[0].slots == 2
    async with office.sessions() as session:
        new = await session.get(Booking, uuid.UUID(moved.bookings[0].id))
        assert new.status == "requested" and str(new.site_id) == office.town.id
        report = await closure_report(session, office.office_id, done.closure_id)
    answers = {r.booking.id: (r.notice.answer, r.moved_to) for r in report.rows}
    assert answers[office.bookings["a"][0].id][0] == "moved"
    assert answers[office.bookings["a"][0].id][1].id == new.id
    assert answers[office.bookings["c"][0].id] == ("cancelled", None)
    assert await office.status("c") == ["closed", "closed"]

    later = at(THURSDAY, 12, 30)
    async with office.uow.begin() as work:
        swept = await sweep_no_shows(session=work.session, office_id=office.office_id, now=later)
    assert set(swept).isdisjoint({b.id for rows in office.bookings.values() for b in rows
                                  if rows is not office.bookings["b"]})
    assert await office.status("a") == ["closed"] and await office.status("c") == ["closed"] * 2
    async with office.sessions() as session:
        users = (await session.scalars(select(LineUser).where(
            LineUser.line_user_id.in_([office.users["a"], office.users["c"]])))).all()
    assert [u.no_show_count for u in users] == [0, 0]

    csv = await OfficeOps(office.uow, office.office_id).usage_csv(
        ACTOR, THURSDAY, THURSDAY, now=later + timedelta(hours=1))
    closed_lines = [line for line in csv.splitlines() if ",closed," in line]
    assert len(closed_lines) == 3 and all(line.endswith(",大雪のため") for line in closed_lines)


async def test_reopening_makes_the_range_bookable_and_leaves_closed_requests_closed(
        db: AsyncEngine):
    office = await Office(db).start()
    done = await office.close(THURSDAY, "大雪のため", site=office.town.id)
    assert await office.availability.free_slots("U1", THURSDAY, NOW,
                                                site_id=office.town.id) == []
    await office.ops().reopen(ACTOR, done.closure_id, now=NOW)
    free = await office.availability.free_slots("U1", THURSDAY, NOW, site_id=office.town.id)
    assert at(THURSDAY, 10) in free and at(THURSDAY, 11) in free
    assert await office.status("a") == ["closed"] and await office.status("c") == ["closed"] * 2
    with pytest.raises(OpError) as twice:
        await office.ops().reopen(ACTOR, done.closure_id, now=NOW)
    assert twice.value.code == "already_reopened"
