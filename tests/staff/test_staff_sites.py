"""The sites page and the capacity page (DESIGN §13): admins describe a town hall booth and
lower the staff capacity; bad input is answered with the reason (and, for a capacity below
the bookings already in that range, which bookings); every change audited; staff cannot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from sqlalchemy import select, update

from booking import JST
from devservices import PostgresServer, RedisServer
from storage.db import transaction
from storage.models import Booking, BoothRow, CapacityLimitRow, Office, SiteRow
from tests.conftest import LiveApp, running_app
from tests.staff.conftest import Console, add_booking, add_staff, add_user, audits, rows

THURSDAY = date(2026, 12, 3)
TOWN = {"name": "見本町役場 2階 相談室", "address": "青森県見本郡見本町1-1",
        "map_url": "https://maps.example/town", "access_notes": "2階の総務課へ",
        "booths": "2", "open_1": "10:00", "close_1": "15:00", "open_3": "10:00",
        "close_3": "15:00", "active": "on", "position": "1"}


@pytest.fixture(scope="module")
def sites_console_app(redis_server: RedisServer, pg_server: PostgresServer
                      ) -> Iterator[LiveApp]:
    """An app of its own: the sites added here never reach the other console tests."""
    with running_app(pg_server, redis_server.url, "ssites", admin_mfa_required=False) as app:
        yield app


@pytest.fixture
def site_admin(sites_console_app: LiveApp) -> Iterator[Console]:
    client = Console(sites_console_app)
    client.login(add_staff(sites_console_app, "admin", name="管理 太郎"))
    yield client
    client.close()


@pytest.fixture
def site_staff(sites_console_app: LiveApp) -> Iterator[Console]:
    client = Console(sites_console_app)
    client.login(add_staff(sites_console_app, "staff"))
    yield client
    client.close()


def _town(app: LiveApp) -> SiteRow | None:
    return next((s for s in rows(app, select(SiteRow)) if s.name == TOWN["name"]),
                None)


def test_an_admin_adds_the_town_hall_site_and_it_is_listed_with_its_hours(
        sites_console_app, site_admin):
    app = sites_console_app
    if _town(app) is None:
        added = site_admin.form("/staff/sites", TOWN)
        assert added.status_code == 303, added.text
    page = site_admin.page("/staff/sites")
    assert TOWN["name"] in page.text and "火・木 10:00〜15:00" in page.text
    listed = site_admin.get_json("/staff/sites").json()["sites"]
    town = next(s for s in listed if s["name"] == TOWN["name"])
    assert town["booths"] == [2] and town["map_url"] == TOWN["map_url"]
    (office,) = rows(app, select(Office))
    assert office.booths == 2  # the capacity default follows the booths
    assert any(a.detail.get("booths") == [2] for a in audits(app, "site.create"))


@pytest.mark.parametrize("change, answer", [
    ({"open_1": "8:30"}, "9:00〜17:00"),
    ({"close_3": "17:30"}, "9:00〜17:00"),
    ({"open_1": "10:15"}, "30 分単位"),
    ({"close_1": ""}, "開始と終了の両方"),
    ({"open_1": "朝"}, "「時:分」"),
    ({"booths": "二"}, "カンマ区切り"),
    ({"booths": "1"}, "ほかの場所"),
    ({"map_url": "javascript:alert(1)"}, "https://"),
])
def test_bad_site_input_is_answered_with_the_reason(sites_console_app, site_admin, change,
                                                    answer):
    answered = site_admin.form("/staff/sites", {**TOWN, "name": "駅前", **change})
    assert answered.status_code in (409, 422) and answer in answered.text
    assert not any(s.name == "駅前" for s in rows(sites_console_app, select(SiteRow)))


def test_staff_may_see_capacity_but_not_change_sites_or_limits(site_staff):
    assert site_staff.page("/staff/sites").status_code == 403
    assert site_staff.page("/staff/capacity").status_code == 200
    refused = site_staff.form("/staff/capacity", {"day": "2026-12-04", "starts": "14:00",
                                                  "ends": "15:00", "capacity": "0"})
    assert refused.status_code == 403


def test_a_form_without_the_csrf_token_changes_nothing(site_admin):
    refused = site_admin.form("/staff/sites", {**TOWN, "name": "CSRFなし"}, csrf="wrong")
    assert refused.status_code == 403


def test_a_limit_below_the_bookings_already_there_names_them_and_a_fitting_one_is_kept(
        sites_console_app, site_admin):
    app = sites_console_app
    user, _ = add_user(app, name="見本 花子")
    ten = datetime.combine(THURSDAY, time(10), tzinfo=JST)
    booked = add_booking(app, user, ten, status="confirmed")
    refused = site_admin.form("/staff/capacity", {"day": THURSDAY.isoformat(),
                                                  "starts": "10:00", "ends": "11:00",
                                                  "capacity": "0", "reason": "会議のため"})
    assert refused.status_code == 409
    assert "12月3日(木) 10:00" in refused.text and str(booked)[:8] in refused.text
    kept = site_admin.form("/staff/capacity", {"day": THURSDAY.isoformat(), "starts": "10:00",
                                               "ends": "11:00", "capacity": "1",
                                               "reason": "会議のため"})
    assert kept.status_code == 303
    page = site_admin.page("/staff/capacity")
    assert "会議のため" in page.text and "10:00〜11:00" in page.text
    (limit,) = [r for r in rows(app, select(CapacityLimitRow))
                if r.day == THURSDAY]
    assert any(a.detail.get("limit") == str(limit.id) for a in audits(app, "capacity.add"))
    removed = site_admin.form(f"/staff/capacity/{limit.id}/delete")
    assert removed.status_code == 303
    assert [r for r in rows(app, select(CapacityLimitRow)) if r.day == THURSDAY] == []
    assert site_admin.form(f"/staff/capacity/{uuid.uuid4()}/delete").status_code == 404


@pytest.mark.parametrize("fields, answer", [
    ({"starts": "15:00", "ends": "14:00", "day": "2026-12-04"}, "開始時刻より後"),
    ({"starts": "8:00", "ends": "10:00", "day": "2026-12-04"}, "9:00〜17:00"),
    ({"starts": "14:00", "ends": "15:00"}, "どちらか一方"),
    ({"starts": "14:00", "ends": "15:00", "day": "2026-12-04", "weekday": "4"}, "どちらか一方"),
])
def test_bad_limit_input_is_answered_with_the_reason(site_admin, fields, answer):
    answered = site_admin.form("/staff/capacity", {"capacity": "1", **fields})
    assert answered.status_code == 422 and answer in answered.text


def test_a_booth_with_bookings_ahead_cannot_leave_its_site(sites_console_app, site_admin):
    app = sites_console_app
    own = next(s for s in rows(app, select(SiteRow)) if s.name != TOWN["name"]
               and s.position == 0)
    user, _ = add_user(app)
    add_booking(app, user, datetime.combine(THURSDAY, time(13), tzinfo=JST), status="confirmed")
    answered = site_admin.form(f"/staff/sites/{own.id}", {
        **TOWN, "name": own.name, "booths": "3", "position": "0",
        **{f"{k}_{d}": v for d in range(5) for k, v in (("open", "9:00"), ("close", "17:00"))}})
    assert answered.status_code == 409 and "これからの有効な予約が" in answered.text
    assert [b.number for b in rows(app, select(BoothRow))
            if b.site_id == own.id] == [1]


def test_board_queue_and_booking_page_name_the_site_and_filter_by_it(sites_console_app,
                                                                      site_admin):
    app = sites_console_app
    if _town(app) is None:
        site_admin.form("/staff/sites", TOWN)
    town = _town(app)
    assert town is not None
    user, _ = add_user(app)
    tuesday = date(2026, 12, 8)  # the town hall is open on Tuesdays
    booked = add_booking(app, user, datetime.combine(tuesday, time(11), tzinfo=JST), booth=2)
    set_site(app, booked, town.id)
    board = site_admin.page("/staff/", day=tuesday.isoformat(), site=str(town.id))
    assert board.status_code == 200 and "ブース2" in board.text and "ブース1" not in board.text
    assert TOWN["name"] in board.text
    queue = site_admin.page("/staff/queue", site=str(town.id))
    assert str(booked) in queue.text and TOWN["name"] in queue.text
    page = site_admin.page(f"/staff/bookings/{booked}")
    assert TOWN["address"] in page.text and TOWN["map_url"] in page.text
    assert site_admin.page("/staff/queue", site="nowhere").status_code == 400


def set_site(app: LiveApp, booking_id: uuid.UUID, site_id: uuid.UUID) -> None:
    async def change() -> None:
        async with transaction(app.services.sessions) as session:
            await session.execute(update(Booking).where(Booking.id == booking_id)
                                  .values(site_id=site_id))
    app.call(change())


def test_with_several_sites_the_booth_count_is_set_per_site_not_in_the_settings(
        sites_console_app, site_admin):
    app = sites_console_app
    if _town(app) is None:
        site_admin.form("/staff/sites", TOWN)
    (office,) = rows(app, select(Office))
    answered = site_admin.form("/staff/settings", {
        "name": office.name, "phone": "0173-00-0000", "address": office.address,
        "hours": office.hours, "booths": str(office.booths + 1), "cutoff_hour": "15",
        "no_show_limit": "2", "max_active_requests": "3"})
    assert answered.status_code == 409 and "場所ごとに変更" in answered.text
    assert rows(app, select(Office))[0].booths == office.booths
