"""A database error while the form saves: the user is asked to send again, nothing half-saved,
and the log carries neither the typed values nor the LINE id (DESIGN.md §3, hide_parameters)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devservices import PostgresServer, RedisServer
from tests.conftest import RUN_LOG, LiveApp, refusing_app
from tests.flows.journeys import FormBrowser, agree, form_token
from tests.helpers import tap
from tests.records import user_row

# Values no other test types, so finding them in the log can only come from this test.
NAME, PHONE, NUMBER = "弘前 菜々子", "080-2468-1357", "02040-97531"
FAILURE = "forced failure for the privacy test"


@pytest.fixture(scope="module")
def broken_app(pg_server: PostgresServer, redis_server: RedisServer) -> Iterator[LiveApp]:
    """An app whose database refuses every change of a user's phone."""
    with refusing_app(pg_server, redis_server.url, "broken", table="users", event="UPDATE",
                      when="NEW.phone IS DISTINCT FROM OLD.phone", message=FAILURE) as app:
        yield app


def test_a_failed_save_logs_no_personal_data_and_asks_to_send_again(broken_app, user):
    agree(broken_app, user)
    asked = broken_app.send(user, text="予約する")
    form = tap(broken_app, user, tap(broken_app, user, asked, "求職者（仕事を探している方）"),
               "登録しています")
    browser = FormBrowser(broken_app)
    try:
        assert browser.open(form_token(form)).status_code == 200
        before = RUN_LOG.stat().st_size
        answer = browser.submit(name=NAME, phone=PHONE, number=NUMBER)
    finally:
        browser.close()

    assert answer.status_code == 503 and "もう一度送信してください" in answer.text
    row = user_row(broken_app, user)
    assert row is not None and row.name is None and row.phone is None
    logged = RUN_LOG.read_bytes()[before:].decode("utf-8", errors="replace")
    assert FAILURE in logged  # the error and its statement were logged…
    assert "SQL parameters hidden" in logged  # …without the values bound to it
    for value in (NAME, PHONE, PHONE.replace("-", ""), "+818024681357", "02040-00097531",
                  user):
        assert value not in logged
