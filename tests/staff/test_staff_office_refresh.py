"""Office facts staff change in the console reach the other web processes without a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from clock import SettableClock
from services import OFFICE_REFRESH
from storage.models import Office
from tests.conftest import DEFAULT_NOW, LiveApp, app_settings
from tests.helpers import texts
from tests.staff.conftest import rows

NEW_PHONE = "0173-22-3333"


@pytest.fixture
def second_app(staff_app: LiveApp, redis_server) -> Iterator[LiveApp]:
    """Another process of the same deployment: same database and Redis.

    Its key prefix is its own: each test app has its own emulator (its own LINE), and with
    one prefix the two apps' handlers would share one event stream, so a chat sent through
    this app could be handled by the other and answered to the other's emulator.
    """
    settings = app_settings(staff_app.settings.database_url, redis_server.url,
                            admin_mfa_required=False)
    app = LiveApp(settings, SettableClock(DEFAULT_NOW)).start()
    yield app
    app.stop()


def test_another_process_shows_the_new_phone_within_the_refresh_interval(
        staff_app, second_app, admin, user):
    (before,) = rows(staff_app, select(Office))
    form = {"name": before.name, "phone": NEW_PHONE, "booths": before.booths,
            "cutoff_hour": before.cutoff_hour, "no_show_limit": before.no_show_limit,
            "max_active_requests": before.max_active_requests, "address": before.address,
            "hours": before.hours}
    assert before.phone != NEW_PHONE
    assert before.phone in texts(second_app.send(user, text="問い合わせ"))
    try:
        assert admin.form("/staff/settings", form).status_code == 303
        # Read at most once per interval: until it passes, the other process keeps its copy.
        half = OFFICE_REFRESH.total_seconds() / 2
        second_app.clock.advance(seconds=half)
        assert NEW_PHONE not in texts(second_app.send(user, text="問い合わせ"))
        second_app.clock.advance(seconds=half)
        assert NEW_PHONE in texts(second_app.send(user, text="問い合わせ"))
        assert NEW_PHONE in second_app.http.get("/form/profile", params={"t": "stale"}).text
    finally:
        assert admin.form("/staff/settings", {**form, "phone": before.phone}).status_code == 303
