"""Two booth sites (DESIGN §13), as the demo seeds them: the office's own booth and the
fictitious 見本町役場 booth (Tue/Thu 10:00–15:00). A newcomer chooses the town hall in a
carousel and sees its address and map in every message about the booking: the summary, 受付,
the confirmation, the day-before and 30-minute reminders, the booking list, the .ics."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from booking import JST
from devservices import PostgresServer, RedisServer
from storage.demo_seed import TOWN_SITE, seed_demo_sites
from storage.models import Office, StaffAccount
from tests.conftest import DEFAULT_NOW, LiveApp, running_app
from tests.flows.journeys import (
    add_booking,
    bookings_of,
    execute,
    make_user,
    new_messages,
    ready_user,
    start_booking,
    write,
)
from tests.helpers import actions, button, tap, texts
from worker.sweeps import send_reminders

THURSDAY = date(2026, 12, 3)
TOWN = TOWN_SITE["name"]


@pytest.fixture(scope="module")
def sites_app(pg_server: PostgresServer, redis_server: RedisServer) -> Iterator[LiveApp]:
    """An app of its own whose office has the demo's second site."""
    with running_app(pg_server, redis_server.url, "sites") as app:
        app.call(seed_demo_sites(app.services.sessions, app.services.office_id, DEFAULT_NOW))
        app.call(app.services.office_changed())  # as the console does after a change
        yield app


@pytest.fixture
def staff(sites_app: LiveApp) -> str:
    line_id = "Ustaffsites" + str(id(object()))
    write(sites_app, StaffAccount(office_id=sites_app.services.office_id,
                                  login=f"s{line_id[-10:]}", display_name="職員",
                                  password_hash="-", line_user_id=line_id))
    return line_id


def _site_carousel(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for message in messages:
        if message.get("type") == "flex" and "場所" in message.get("altText", ""):
            return message["contents"]["contents"]
    raise AssertionError(f"no site carousel in {texts(messages)}")


def _to_sites(live: LiveApp, user: str) -> list[dict[str, Any]]:
    purposes = start_booking(live, user)
    attendants = tap(live, user, purposes, "職業相談")
    return tap(live, user, attendants, "同席者なし")


def _pick_town(live: LiveApp, user: str, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bubbles = _site_carousel(sites)
    town = next(b for b in bubbles if TOWN in str(b))
    pick = next(item["action"] for item in town["footer"]["contents"]
                if item["action"]["type"] == "postback")
    return live.send(user, postback=pick["data"])


def test_a_newcomer_books_at_the_town_hall_and_every_message_names_the_place(
        sites_app: LiveApp, user: str, staff: str):
    live = sites_app
    sites = _to_sites(live, user)
    assert "相談ブースの場所を選んでください" in texts(sites)
    shown = texts(sites)
    assert TOWN in shown and TOWN_SITE["address"] in shown and "火・木 10:00〜15:00" in shown
    maps = [a for a in actions(sites) if a["type"] == "uri"]
    assert TOWN_SITE["map_url"] in [a["uri"] for a in maps]

    days = _pick_town(live, user, sites)
    # Only the days the town hall opens (Tue/Thu): no Wednesday, no Friday to wait for.
    assert "12月3日(木)" in texts(days) and "12月4日(金)" not in texts(days)
    assert "12月2日(水)" not in texts(days)
    thursday = next(a for a in actions(days) if f"v={THURSDAY.isoformat()}" in a.get("data", ""))
    times = live.send(user, postback=thursday["data"])
    labels = [a["label"] for a in actions(times) if a["type"] == "postback" and ":" in a["label"]]
    assert labels[0] == "10:00" and labels[-1] == "14:30" and "9:00" not in labels
    summary = live.send(user, postback=button(times, "10:00")["data"])
    assert f"場所：{TOWN}" in texts(summary)

    received = tap(live, user, summary, "確定する")
    (row,) = bookings_of(live, user)
    assert row.site_id is not None and row.booth == 2
    assert TOWN in texts(received) and TOWN_SITE["map_url"] in texts(received)

    alert = live.messages(staff)
    assert f"場所：{TOWN}" in texts(alert)
    console = [a["uri"] for a in actions(alert) if a["type"] == "uri"]
    assert console and console[-1].endswith(f"/staff/bookings/{row.id}")
    before = len(live.messages(user))
    tap(live, staff, alert, "確定する")
    confirmed = new_messages(live, user, before)
    assert "ご予約が確定しました" in texts(confirmed) and TOWN in texts(confirmed)
    assert TOWN_SITE["map_url"] in [a["uri"] for a in actions(confirmed) if a["type"] == "uri"]

    mine = live.send(user, text="予約の確認・キャンセル")
    assert TOWN in texts(mine)
    ics_link = next(a["uri"] for a in actions(mine) if "/ics/" in a.get("uri", ""))
    ics = live.http.get(ics_link.replace(live.url, ""))
    assert ics.status_code == 200
    unfolded = ics.text.replace("\r\n ", "")
    assert f"LOCATION:{TOWN}" in unfolded and TOWN_SITE["map_url"] in unfolded

    try:
        before = len(live.messages(user))
        live.clock.set(datetime.combine(THURSDAY - timedelta(days=1), time(18), tzinfo=JST))
        live.call(send_reminders(live.services))
        day_before = new_messages(live, user, before)
        assert TOWN_SITE["address"] in texts(day_before)
        assert TOWN_SITE["access_notes"] in texts(day_before)
        before = len(live.messages(user))
        live.clock.set(datetime.combine(THURSDAY, time(9, 35), tzinfo=JST))
        live.call(send_reminders(live.services))
        assert f"場所：{TOWN}" in texts(new_messages(live, user, before))
    finally:
        live.clock.set(DEFAULT_NOW)


def test_the_usual_site_is_offered_first_next_time(sites_app: LiveApp, user: str):
    live = sites_app
    sites = _to_sites(live, user)
    days = _pick_town(live, user, sites)
    thursday = next(a for a in actions(days) if f"v={THURSDAY.isoformat()}" in a.get("data", ""))
    times = live.send(user, postback=thursday["data"])
    summary = live.send(user, postback=button(times, "11:00")["data"])
    tap(live, user, summary, "確定する")
    again = live.send(user, text="予約する")
    purposes = tap(live, user, again, "この内容で進む")
    sites = tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
    first = _site_carousel(sites)[0]
    assert TOWN in str(first) and "前回ご利用の場所" in str(first)


def test_a_typed_name_that_is_no_site_is_answered_with_the_choices(sites_app: LiveApp,
                                                                    user: str):
    live = sites_app
    _to_sites(live, user)
    answer = live.send(user, text="駅前")
    assert "場所を、下のボタンから選んでください" in texts(answer) and TOWN in texts(answer)
    days = live.send(user, text="見本町役場")
    assert "日" in texts(days) and "空き" in texts(days)


def test_with_one_site_the_choice_is_skipped(live: LiveApp, user: str):
    purposes = start_booking(live, user)
    days = tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
    assert "場所を選んでください" not in texts(days) and "空き" in texts(days)



def test_immediate_use_at_the_town_hall_takes_its_booth_and_names_it(sites_app: LiveApp,
                                                                      user: str):
    live = sites_app
    execute(live, update(Office).where(Office.id == live.services.office_id)
            .values(immediate_use_enabled=True))
    live.call(live.services.office_changed())  # as the console does after a change
    try:
        # 13:00: a slot the other tests of this module leave free at the town hall.
        live.clock.set(datetime.combine(THURSDAY, time(13, 5), tzinfo=JST))
        ready_user(live, user)
        offered = live.send(user, text="今すぐ相談")
        purposes = tap(live, user, offered, "この内容で進む")
        sites = tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
        confirm = _pick_town(live, user, sites)
        assert f"場所：{TOWN}" in texts(confirm)
        done = tap(live, user, confirm, "申し込む")
        assert TOWN in texts(done)
        (row,) = bookings_of(live, user)
        assert row.immediate and row.booth == 2
    finally:
        live.clock.set(DEFAULT_NOW)
        execute(live, update(Office).where(Office.id == live.services.office_id)
                .values(immediate_use_enabled=False))
        live.call(live.services.office_changed())


def test_staff_move_options_keep_each_sites_hours_and_name_the_place(sites_app: LiveApp):
    """時間変更 from LINE offers only slots a site is open for (the town hall: Tue/Thu
    10:00–15:00), named by their site, not by a booth number."""
    live = sites_app
    own_site = next(s.name for s in live.call(live.services.office_cache.current()).sites
                    if TOWN not in s.name)
    for day, town_open in ((date(2026, 12, 2), False), (THURSDAY, True)):
        user = make_user(live, "Umove" + uuid.uuid4().hex)
        booking = add_booking(live, user.id, datetime.combine(day, time(11), tzinfo=JST),
                              booth=1)
        found = live.call(live.services.staff_port.move_options(str(booking.id),
                                                                DEFAULT_NOW, 40))
        assert found.outcome.ok and found.options
        town = [o for o in found.options if o.booth == 2]
        assert bool(town) == town_open
        assert all(time(10) <= o.starts_at.astimezone(JST).time() < time(15)
                   and o.label.endswith(TOWN) for o in town)
        assert all(o.label.endswith(own_site) for o in found.options if o.booth == 1)
