"""Walk-up 今すぐ相談 (art. 5-2, DESIGN §13): the message a site's poster QR code sends starts
immediate use at that site — a free booth there now, else the next free slots there; an
inactive or unknown site is refused with the office phone; consent comes first.

These journeys run on an app of their own: its office has three sites (the office's own booth,
the town hall's, a closed one), which the shared app's single-site tests must never see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from booking import JST
from booking.sites import Hours
from booking.walkup import oa_message_url, walkup_message
from clock import SettableClock
from config import DEMO_BASIC_ID
from storage.db import transaction
from storage.models import Booking, Office, Outbox, SiteRow, StaffAccount
from storage.sites import add_site, site_rows
from tests.browser import WAIT as BROWSER_WAIT
from tests.browser import chromium
from tests.conftest import DEFAULT_NOW, LiveApp, running_app
from tests.flows.journeys import add_booking, bookings_of, make_user, query, set_status, write
from tests.helpers import button, tap, texts

TOWN = "見本町役場 2階 相談室"
THURSDAY_10_10 = datetime(2026, 12, 3, 10, 10, tzinfo=JST)  # the town hall opens Tue/Thu 10–15
WEDNESDAY_10_10 = datetime(2026, 12, 2, 10, 10, tzinfo=JST)


@pytest.fixture(scope="module")
def app(redis_server, pg_server) -> Iterator[LiveApp]:
    """An office with its own booth (1), the town hall's (2) and a closed site (3), staff
    accepting immediate use, and a linked staff member."""
    with running_app(pg_server, redis_server.url, "walkup") as live:
        office_id = live.services.office_id

        async def setup() -> None:
            async with transaction(live.services.sessions) as session:
                await add_site(session, office_id=office_id, name=TOWN, booths=[2],
                               hours=(Hours(1, time(10), time(15)), Hours(3, time(10), time(15))),
                               address="青森県見本郡見本町1-1（架空）", position=1)
                await add_site(session, office_id=office_id, name="旧公民館 相談室",
                               booths=[3], hours=(Hours(0, time(9), time(17)),), position=2,
                               active=False)
                office = await session.get(Office, office_id)
                assert office is not None
                office.booths, office.immediate_use_enabled = 3, True
        live.call(setup())
        live.call(live.services.office_changed())  # as the console does after a change
        yield live


@pytest.fixture
def wclock(app: LiveApp) -> Iterator[SettableClock]:
    yield app.clock
    app.clock.set(DEFAULT_NOW)


@pytest.fixture
def staff(app: LiveApp) -> str:
    """A linked staff member's LINE user id (gets the alerts)."""
    line_id = "Ustaff" + uuid.uuid4().hex
    write(app, StaffAccount(office_id=app.services.office_id, login=f"s{uuid.uuid4().hex[:10]}",
                            display_name="職員", password_hash="-", line_user_id=line_id))
    return line_id


def site(app: LiveApp, name: str) -> SiteRow:
    async def read() -> SiteRow:
        async with app.services.sessions() as session:
            rows = await site_rows(session=session, office_id=app.services.office_id)
            return next(row for row in rows if row.name == name)
    return app.call(read())


def scan(app: LiveApp, user: str, name: str) -> list[dict[str, Any]]:
    """What the poster's QR code makes the user send: the message naming the site."""
    row = site(app, name)
    return app.send(user, text=walkup_message(row.name, row.code))


def test_walk_up_at_an_open_site_with_a_free_booth_requests_it_there_and_alerts_staff(
        app, user, wclock, staff):
    wclock.set(THURSDAY_10_10)
    make_user(app, user)
    town = site(app, TOWN)
    app.send(user, text="予約する")  # mid-way through something else: the QR still works
    offered = scan(app, user, TOWN)
    assert (f"「{TOWN}」の相談ブースがただいま空いています（12月3日(木) 10:00〜10:30の枠）"
            in texts(offered))
    purposes = tap(app, user, offered, "この内容で進む")
    card = tap(app, user, tap(app, user, purposes, "職業相談"), "同席者なし")
    assert f"場所：{TOWN}" in texts(card) and "今すぐ相談のお申し込み" in texts(card)
    done = tap(app, user, card, "申し込む")
    assert "すぐにご連絡します" in texts(done) and f"場所：{TOWN}" in texts(done)
    (row,) = bookings_of(app, user)
    assert row.immediate and row.status == "requested" and row.site_id == town.id
    assert row.booth == 2 and row.starts_at == datetime(2026, 12, 3, 10, 0, tzinfo=JST)
    (alert,) = query(app, select(Outbox).where(Outbox.booking_id == row.id))
    assert alert.kind == "staff.immediate" and alert.to_line_user_id == staff
    assert "今すぐ相談の申込み" in texts(app.messages(staff))
    set_status(app, [row.id], "completed")


def test_walk_up_at_a_busy_site_offers_its_next_free_slots_and_books_one(app, user, wclock):
    wclock.set(THURSDAY_10_10)
    other = make_user(app, "Uo" + user)
    taken = add_booking(app, other.id, datetime(2026, 12, 3, 10, 0, tzinfo=JST), booth=2,
                        site_id=site(app, TOWN).id, status="confirmed")
    make_user(app, user)
    answer = scan(app, user, TOWN)
    assert f"ただいま「{TOWN}」の相談ブースは使用中です。" in texts(answer)
    # The next bookable slot at the town hall (open Tue/Thu only): Tuesday 12/8 at 10:00.
    assert "次にご予約いただける枠：12月8日(火) 10:00〜10:30" in texts(answer)
    first = button(answer, "12月8日(火) 10:00")
    assert first["type"] == "postback"
    check = tap(app, user, answer, "12月8日(火) 10:00")
    purposes = tap(app, user, check, "この内容で進む")
    summary = tap(app, user, tap(app, user, purposes, "職業相談"), "同席者なし")
    assert "12月8日(火) 10:00〜10:30" in texts(summary)
    done = tap(app, user, summary, "確定する")
    assert "お申し込みを受け付けました" in texts(done)
    (row,) = bookings_of(app, user)
    assert not row.immediate and row.site_id == site(app, TOWN).id and row.booth == 2
    assert row.starts_at == datetime(2026, 12, 8, 10, 0, tzinfo=JST)
    set_status(app, [taken.id, row.id], "cancelled")


def test_walk_up_when_the_site_is_closed_now_says_its_hours(app, user, wclock):
    wclock.set(WEDNESDAY_10_10)
    make_user(app, user)
    answer = texts(scan(app, user, TOWN))
    assert f"ただいま「{TOWN}」の相談ブースは利用時間外です（火・木 10:00〜15:00）。" in answer
    assert "次にご予約いただける枠：12月3日(木) 10:00〜10:30" in answer
    assert bookings_of(app, user) == []


def test_walk_up_at_an_inactive_or_unknown_site_is_refused_with_the_office_phone(
        app, user, wclock):
    wclock.set(THURSDAY_10_10)
    make_user(app, user)
    for sent in (scan(app, user, "旧公民館 相談室"),
                 app.send(user, text="今すぐ相談：どこかの相談室（ZZZZ99）")):
        answer = texts(sent)
        assert "この相談ブースは現在ご利用いただけません" in answer
        assert "0173-00-0000" in answer
    assert bookings_of(app, user) == []


def test_walk_up_without_consent_asks_for_it_first_then_continues_at_that_site(
        app, user, wclock):
    wclock.set(THURSDAY_10_10)
    make_user(app, user, consent=False)
    asked = scan(app, user, TOWN)
    assert "同意する" in texts(asked)
    agreed = tap(app, user, asked, "同意する")
    assert f"「{TOWN}」の相談ブースがただいま空いています" in texts(agreed)
    assert bookings_of(app, user) == []


def test_a_blocked_user_walking_up_is_refused_politely(app, user, wclock):
    wclock.set(THURSDAY_10_10)
    make_user(app, user, blocked=True)
    answer = texts(scan(app, user, TOWN))
    assert "お受けできません" in answer and "0173-00-0000" in answer
    assert query(app, select(Booking).where(Booking.starts_at == datetime(
        2026, 12, 3, 10, 0, tzinfo=JST), Booking.status == "requested")) == []


def test_the_demo_chat_page_scans_a_poster_and_the_bot_offers_the_booth(app, user, wclock):
    """What a newcomer does in the demo: paste the poster's URL into 「QRを読み取る」."""
    wclock.set(THURSDAY_10_10)
    make_user(app, user)
    town = site(app, TOWN)
    url = oa_message_url(DEMO_BASIC_ID, walkup_message(town.name, town.code))
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 400, "height": 800}, locale="ja-JP")
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{app.url}/emulator/chat?user_id={user}")
        page.click("#scan")
        page.fill("#scan-input", url)
        page.click("#scan-form button.ok")
        page.wait_for_selector(f".row.user .bubble >> text=今すぐ相談：{TOWN}",
                               timeout=BROWSER_WAIT)
        page.wait_for_selector(f".row.bot >> text=「{TOWN}」の相談ブースがただいま空いています",
                               timeout=BROWSER_WAIT)
    assert errors == []
