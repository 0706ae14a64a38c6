"""Hypothesis against every form: whatever is typed, the answer is a page or a refusal, never
a 500, and the app keeps serving (the public profile form and the console's forms)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import LineUser
from tests import loopback
from tests.flows.journeys import FormBrowser, agree, form_token
from tests.helpers import tap
from tests.staff.conftest import add_booking, add_user, rows

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
ANY_TEXT = st.one_of(st.text(max_size=80), st.sampled_from([
    "", " ", "0", "-1", "99999999999", "2026-12-03", "2026-13-45", "10:00", "<script>", "' OR 1=1",
    "090-1234-5678", "02040-12345678", "0204-123456-7", "jobseeker", "employer", "admin", "1",
    "ａｂｃ", "🙂", "x" * 5000]))


@pytest.fixture(scope="module")
def real_link(live) -> Iterator[tuple[str, FormBrowser]]:
    """A genuine profile form link and the browser that opened it (its cookie gets submissions
    past the link), and a browser that never opened it."""
    user = "U" + uuid.uuid4().hex
    agree(live, user)
    asked = live.send(user, text="予約する")
    chosen = tap(live, user, asked, "求職者（仕事を探している方）")
    token = form_token(tap(live, user, chosen, "登録しています"))
    opener = FormBrowser(live)
    assert opener.open(token).status_code == 200
    yield token, opener
    opener.close()


@FUZZ
@given(data=st.data())
def test_the_profile_form_never_fails_with_a_500(live, real_link, data):
    token, opener = real_link
    fields = {name: data.draw(ANY_TEXT, label=name)
              for name in ("role", "name", "number", "phone", "unregistered", "id_token", "t")}
    poster = opener.http if data.draw(st.booleans(), label="with the cookie") else live.http
    answer = poster.post("/form/profile", data=fields)
    assert answer.status_code in (200, 400, 403, 404, 410, 413, 422, 429), answer.text[:300]
    link = data.draw(st.one_of(st.just(token), ANY_TEXT), label="t")
    with loopback.client(base_url=live.url, timeout=15) as stranger:
        opened = stranger.get("/form/profile", params={"t": link, "u": fields["role"]})
    assert opened.status_code in (200, 303, 400, 403, 404, 410, 413, 422)
    assert "set-cookie" not in opened.headers or opened.status_code == 303


@pytest.fixture(scope="module")
def console_forms(sec_app) -> list[tuple[str, tuple[str, ...]]]:
    """Every console form (path, fields), aimed at a real booking and user of this office."""
    user_id, _ = add_user(sec_app)
    booking = add_booking(sec_app, user_id,
                          datetime(2027, 2, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
    b, u = f"/staff/bookings/{booking}", f"/staff/users/{user_id}"
    return [
        (f"{b}/confirm", ("version",)), (f"{b}/decline", ("version", "reason")),
        (f"{b}/move", ("version", "slot", "starts_at", "booth")),
        (f"{b}/no-show", ("version",)), (f"{b}/check-in", ("version",)),
        (f"{b}/note", ("version", "note")),
        (f"{u}/book", ("purpose", "slot", "starts_at", "booth", "attendant", "note")),
        (f"{u}/block", ("reason",)), (f"{u}/unblock", ("reason",)), (f"{u}/reveal", ("reason",)),
        ("/staff/closures", ("day", "reason")), ("/staff/immediate", ("enabled",)),
        ("/staff/settings", ("name", "phone", "booths", "cutoff_hour", "no_show_limit",
                             "max_active_requests", "address", "hours")),
        ("/staff/terms", ("version", "effective", "changes", "summary", "body")),
        ("/staff/accounts", ("login", "name", "role", "password")),
        ("/staff/link", ()),
    ]


@FUZZ
@given(data=st.data())
def test_no_console_form_fails_with_a_500(sec_app, admin_console, console_forms, data):
    path, names = data.draw(st.sampled_from(console_forms), label="form")
    fields = {name: data.draw(ANY_TEXT, label=name) for name in names}
    answer = admin_console.form(path, fields)
    assert answer.status_code < 500, (path, fields, answer.status_code, answer.text[:300])


def test_the_apps_still_serve_after_the_fuzzing(live, sec_app, admin_console):
    assert live.http.get("/healthz").status_code == 200
    assert admin_console.page("/staff/").status_code == 200


@pytest.mark.parametrize("reason", ["大雪\x00のため", "\x00", "理由\x1b[31m"])
def test_a_control_character_in_a_console_field_is_a_clear_422(sec_app, admin_console, reason):
    user_id, _ = add_user(sec_app)
    answer = admin_console.form(f"/staff/users/{user_id}/block", {"reason": reason})
    assert answer.status_code == 422 and "理由" in answer.text
    (row,) = rows(sec_app, select(LineUser).where(LineUser.id == user_id))
    assert not row.blocked
