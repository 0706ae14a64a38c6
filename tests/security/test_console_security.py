"""The console against IDOR, role escalation and borrowed CSRF tokens (sign-in, rotation and
rate limits are in tests/staff/test_staff_auth.py)."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import parse_qs

import pytest

from storage.forms import ics_token
from storage.models import Booking, LineUser, Office
from tests.flows.journeys import add_booking, bookings_of, free_starts, make_user
from tests.helpers import button, texts

ADMIN_POSTS = [
    ("/staff/settings", {"name": "乗っ取り", "phone": "0173-99-9999", "booths": "5",
                         "cutoff_hour": "15", "no_show_limit": "9", "max_active_requests": "9"}),
    ("/staff/accounts", {"login": "intruder", "name": "侵入者", "role": "admin",
                         "password": "long-enough-password"}),
    ("/staff/terms", {"version": "2099-01-01", "effective": "2099-01-01", "changes": "x"}),
]


def _row(app, model, row_id):
    async def get():
        async with app.services.sessions() as session:
            return await session.get(model, row_id)
    return app.call(get())


def test_another_offices_booking_is_not_found_and_cannot_be_acted_on(sec_app, staff_console,
                                                                     other_office):
    booking_id = other_office["booking"]
    assert staff_console.page(f"/staff/bookings/{booking_id}").status_code == 404
    for action in ("confirm", "decline", "no-show", "check-in", "note"):
        answer = staff_console.form(f"/staff/bookings/{booking_id}/{action}",
                                    {"version": "1", "reason": "x", "note": "x"})
        assert answer.status_code in (403, 404), (action, answer.status_code)
    row = _row(sec_app, Booking, booking_id)
    assert row.status == "requested" and row.version == 1 and not row.note


def test_another_offices_user_is_not_found_nor_revealed_nor_blocked(sec_app, admin_console,
                                                                    other_office):
    user_id = other_office["user"]
    for path in (f"/staff/users/{user_id}", f"/staff/users/{user_id}/book"):
        assert admin_console.page(path).status_code == 404
    for action in ("reveal", "block", "unblock"):
        answer = admin_console.form(f"/staff/users/{user_id}/{action}", {"reason": "x"})
        assert answer.status_code in (403, 404), (action, answer.status_code)
        assert "秘密" not in answer.text and "87654321" not in answer.text
    assert _row(sec_app, LineUser, user_id).blocked is False


@pytest.mark.parametrize("path", ["/staff/bookings/{}", "/staff/users/{}"])
def test_unknown_or_malformed_ids_answer_404_or_422_never_500(staff_console, path):
    for wrong in (str(uuid.uuid4()), "1", "../../etc/passwd", "%00", "' OR 1=1 --"):
        assert staff_console.page(path.format(wrong)).status_code in (404, 422)


@pytest.mark.parametrize(("path", "data"), ADMIN_POSTS, ids=["settings", "accounts", "terms"])
def test_staff_cannot_use_admin_actions_even_with_a_valid_csrf_token(sec_app, staff_console,
                                                                     path, data):
    assert staff_console.form(path, data).status_code == 403
    office = _row(sec_app, Office, sec_app.services.office_id)
    assert office.name != "乗っ取り" and office.booths != 5


def test_a_csrf_token_from_another_session_is_refused(sec_app, staff_console, admin_console):
    borrowed = staff_console.csrf
    answer = admin_console.form("/staff/settings", ADMIN_POSTS[0][1], csrf=borrowed)
    assert answer.status_code == 403
    assert _row(sec_app, Office, sec_app.services.office_id).name != "乗っ取り"


def test_a_calendar_link_needs_a_valid_token_for_this_offices_confirmed_booking(sec_app,
                                                                              other_office):
    token = ics_token(sec_app.settings.secret_key, other_office["booking"])
    for wrong in (token, token[:-2] + "xx", "x", str(other_office["booking"])):
        assert sec_app.http.get(f"/ics/{wrong}").status_code == 404


def test_a_user_cannot_cancel_someone_elses_booking_with_a_crafted_button(live, user):
    victim = "U" + uuid.uuid4().hex
    day = free_starts(live, date(2026, 12, 4))
    theirs = add_booking(live, make_user(live, victim).id, day[0])
    add_booking(live, make_user(live, user).id, day[1])
    listing = live.send(user, text="予約の確認・キャンセル")
    own = button(listing, "キャンセルする")["data"]  # carries the user's nonce and own id
    crafted = own.replace(parse_qs(own)["v"][0], str(theirs.id))
    answer = live.send(user, postback=crafted)
    assert "見つからないか" in texts(answer)
    live.send(user, text="取り消す")  # and saying yes anyway changes nothing
    (kept,) = bookings_of(live, victim)
    assert kept.status == "requested"
