"""Cache invalidation across two processes: each process keeps the office row and its terms
versions in memory, and what staff change through one process reaches the other's next step.

The two apps are two web processes of one deployment (same database, same Redis and key
prefix), each with its own in-process copy; they run on an office of their own, since a
published terms version changes what every user sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from booking import JST
from clock import SettableClock
from storage.models import Office
from tests.conftest import DEFAULT_NOW, LiveApp, app_settings, running_app
from tests.flows.journeys import to_day_step
from tests.helpers import tap, texts
from tests.staff.conftest import Console, add_staff, rows

NEW_PHONE = "0173-22-3333"
TERMS = {"version": "2027-04-01", "effective": "2027-04-01",
         "changes": "・予約の締切時刻を変更しました", "summary": "新しい規約の要約です。"}


@pytest.fixture(scope="module")
def apps(redis_server, pg_server) -> Iterator[tuple[LiveApp, LiveApp]]:
    """The process staff use, and another process of the same deployment."""
    # The first runs no handler: with one key prefix, the two share the event stream, and only
    # the second's handler answers through the emulator these tests read (the second's).
    with running_app(pg_server, redis_server.url, "cache", admin_mfa_required=False,
                     handlers_in_process=False) as first:
        settings = app_settings(first.settings.database_url, redis_server.url,
                                redis_prefix=first.settings.redis_prefix,
                                admin_mfa_required=False)
        second = LiveApp(settings, SettableClock(DEFAULT_NOW)).start()
        try:
            yield first, second
        finally:
            second.stop()


@pytest.fixture
def admin(apps) -> Iterator[Console]:
    first, second = apps
    client = Console(first)
    client.login(add_staff(first, "admin", name="管理 太郎"))
    yield client
    client.close()
    first.clock.set(DEFAULT_NOW)
    second.clock.set(DEFAULT_NOW)


def test_settings_saved_in_one_process_reach_the_others_next_step(apps, admin, user):
    first, second = apps
    (before,) = rows(first, select(Office))
    form = {"name": before.name, "phone": NEW_PHONE, "booths": before.booths,
            "cutoff_hour": before.cutoff_hour, "no_show_limit": before.no_show_limit,
            "max_active_requests": before.max_active_requests, "address": before.address,
            "hours": before.hours}
    assert before.phone != NEW_PHONE
    assert before.phone in texts(second.send(user, text="問い合わせ"))  # its copy is made
    assert admin.form("/staff/settings", form).status_code == 303
    # No waiting and no clock moved: the very next step of the other process has the new facts.
    assert NEW_PHONE in texts(second.send(user, text="問い合わせ"))
    # Its pages check the change counter at most once a second.
    second.clock.advance(seconds=1)
    assert NEW_PHONE in second.http.get("/form/profile", params={"t": "stale"}).text


def test_terms_published_in_one_process_are_asked_for_by_the_others_next_step(
        apps, admin, user):
    first, second = apps
    asked = second.send(user, event="follow")
    assert "同意を記録しました" in texts(tap(second, user, asked, "同意する"))
    assert "2027-04-01" not in texts(second.send(user, text="利用規約"))
    response = admin.http.post("/staff/terms", data={"csrf": admin.csrf, **TERMS},
                               files={"file": ("terms.txt", "第1条 新しい規約\n".encode(),
                                               "text/plain")})
    assert response.status_code == 303
    second.clock.set(datetime(2027, 4, 1, 10, tzinfo=JST))  # the new version is in effect
    again = texts(second.send(user, text="利用規約"))
    assert "利用規約に同意しますか" in again and "2027-04-01" in again


def test_a_capacity_limit_added_in_one_process_reaches_the_others_next_step(
        apps, admin, user):
    """The booking calendar (sites, hours, closures, limits) is kept in each process too."""
    first, second = apps
    assert "12月2日(水)\n空き 16枠" in texts(to_day_step(second, user))  # its copy is made
    assert admin.form("/staff/capacity", {
        "day": "2026-12-02", "starts": "09:00", "ends": "12:00", "capacity": "0",
        "reason": "研修"}).status_code == 303
    again = tap(second, user, second.send(user, text="予約する"), "この内容で進む")
    days = texts(tap(second, user, tap(second, user, again, "職業相談"), "同席者なし"))
    assert "12月2日(水)\n空き 10枠" in days  # 9:00–11:30 gone, with no wait and no restart
