"""The console against IDOR, role escalation and borrowed CSRF tokens (sign-in, rotation and
rate limits are in tests/staff/test_staff_auth.py). The route lists come from `app.routes`
(tests/app_routes.py), so a new console route is tried here without anyone adding it."""

from __future__ import annotations

import re
import socket
import uuid
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import APIRouter, FastAPI
from starlette.routing import Mount, Route

from staff.deps import admin as admin_only
from storage.db import transaction
from storage.forms import ics_token
from storage.models import Booking, BookingStatus, LineUser, Office
from tests.app_routes import route_table, routes_of
from tests.builders import new_booking
from tests.flows.journeys import add_booking, bookings_of, free_starts, make_user
from tests.helpers import button, texts
from tests.staff.conftest import Console, add_user
from tests.staff.conftest import add_booking as add_office_booking

ADMIN_POSTS = [
    ("/staff/settings", {"name": "乗っ取り", "phone": "0173-99-9999", "booths": "5",
                         "cutoff_hour": "15", "no_show_limit": "9", "max_active_requests": "9"}),
    ("/staff/accounts", {"login": "intruder", "name": "侵入者", "role": "admin",
                         "password": "long-enough-password"}),
    ("/staff/terms", {"version": "2099-01-01", "effective": "2099-01-01", "changes": "x"}),
]


# A value for each path parameter of the console's routes (a new parameter needs one here).
SAMPLES = {"booking_id": str(uuid.UUID(int=1)), "user_id": str(uuid.UUID(int=2)),
           "day": "2026-12-24", "login": "nobody-here", "site_id": str(uuid.UUID(int=3)),
           "limit_id": str(uuid.UUID(int=4)), "closure_id": str(uuid.UUID(int=5))}
# Console pages anyone may see, and what they show: a sign-in form or token, never office data.
PUBLIC_GETS = {"/staff/login": 'name="password"', "/staff/session": '"staff":null'}
# Every field a console form asks for, so a refusal can only come from the missing CSRF token.
FIELDS = {"name": "乗っ取り", "reason": "x", "login": "nobody-here", "password": "not-the-one-1",
          "code": "000000"}


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES[m.group(1)], path)


def _console_routes(app: Any, method: str) -> list[str]:
    return [path for methods, path in route_table(app)
            if method in methods and path.startswith("/staff/")]


def _dependencies(dependant: Any) -> set[Any]:
    calls: set[Any] = set()
    for sub in dependant.dependencies:
        calls |= {sub.call} | _dependencies(sub)
    return calls


def _admin_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every console route that depends on staff.deps.admin."""
    return [(method, path) for path, route in routes_of(app.routes)
            if path.startswith("/staff/") and admin_only in _dependencies(route.dependant)
            for method in sorted(route.methods)]


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
    for wrong in (str(uuid.uuid4()), "1", "%00", "' OR 1=1 --"):
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
    ours = add_office_booking(sec_app, add_user(sec_app)[0], datetime(2027, 6, 8, 1, 0, tzinfo=UTC),
                              status=BookingStatus.CONFIRMED)
    theirs = _other_office_booking(sec_app, other_office, status=BookingStatus.CONFIRMED)
    key = sec_app.settings.secret_key
    answer = sec_app.http.get(f"/ics/{ics_token(key, ours)}")  # the same link works at home
    assert answer.status_code == 200 and "BEGIN:VEVENT" in answer.text
    token = ics_token(key, theirs)  # valid and confirmed: only the office check refuses it
    for wrong in (token, token[:-2] + "xx", "x", str(theirs)):
        answer = sec_app.http.get(f"/ics/{wrong}")
        assert answer.status_code == 404 and "VEVENT" not in answer.text, wrong


def _other_office_booking(app, other_office, *, status: str) -> uuid.UUID:
    async def create() -> uuid.UUID:
        async with transaction(app.services.sessions) as session:
            row = new_booking(other_office["office"], other_office["user"],
                              datetime(2027, 6, 9, 1, 0, tzinfo=UTC), status=status)
            session.add(row)
            return row.id
    return app.call(create())


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


def test_the_route_table_walks_included_routers_and_mounts():
    inner = APIRouter()
    inner.add_api_route("/deep/{item_id}", lambda item_id: item_id, methods=["POST"])
    middle = APIRouter()
    middle.add_api_route("/page", lambda: None, methods=["GET"])
    middle.include_router(inner, prefix="/in")
    app = FastAPI(openapi_url=None)
    app.include_router(middle, prefix="/outer")
    app.router.routes.append(Mount("/mounted", routes=[Route("/leaf", lambda r: None)]))
    app.add_api_route("/top", lambda: None, methods=["GET", "DELETE"])
    assert set(route_table(app)) == {
        (frozenset({"GET"}), "/outer/page"), (frozenset({"POST"}), "/outer/in/deep/{item_id}"),
        (frozenset({"GET", "HEAD"}), "/mounted/leaf"), (frozenset({"GET", "DELETE"}), "/top")}


def test_the_apps_route_table_has_the_console_under_its_prefix(sec_app):
    table = route_table(sec_app.app)
    assert (frozenset({"POST"}), "/staff/settings") in table
    assert (frozenset({"GET"}), "/staff/bookings/{booking_id}") in table
    assert not any(path.startswith("/settings") for _, path in table)
    assert set(PUBLIC_GETS) <= set(_console_routes(sec_app.app, "GET"))
    assert {(m, p) for p, _ in ADMIN_POSTS for m in ["POST"]} <= set(_admin_routes(sec_app.app))


def test_every_console_post_without_a_csrf_token_is_refused(sec_app, admin_console):
    posts = _console_routes(sec_app.app, "POST")
    assert len(posts) >= 25
    for path in posts:
        # Without a sign-in waiting for its code, the second factor is refused before its CSRF
        # check (tests/staff/test_staff_mfa.py covers that form's token).
        expected = 401 if path == "/staff/login/mfa" else 403
        url = _concrete(path)
        page = admin_console.http.post(url, data=FIELDS)
        api = admin_console.http.post(url, data=FIELDS, headers={"Accept": "application/json"})
        assert (page.status_code, api.status_code) == (expected, expected), path
    office = _row(sec_app, Office, sec_app.services.office_id)
    assert office.name != "乗っ取り"
    assert admin_console.page("/staff/").status_code == 200  # still signed in: nothing ran


def test_every_admin_only_route_refuses_staff_with_a_valid_csrf_token(sec_app, staff_console):
    routes = _admin_routes(sec_app.app)
    assert {method for method, _ in routes} == {"GET", "POST"}
    for method, path in routes:
        url = _concrete(path)
        if method == "GET":
            answer = staff_console.page(url)
        else:
            answer = staff_console.form(url, FIELDS)
        assert answer.status_code == 403, (method, path, answer.status_code)
    assert _row(sec_app, Office, sec_app.services.office_id).name != "乗っ取り"


def test_every_console_page_sends_an_anonymous_visitor_to_sign_in(sec_app):
    gets = _console_routes(sec_app.app, "GET")
    assert len(gets) >= 15
    anonymous = Console(sec_app)
    try:
        for path in gets:
            url = _concrete(path)
            page = anonymous.page(url)
            api = anonymous.get_json(url)
            if path in PUBLIC_GETS:
                assert page.status_code == 200 and PUBLIC_GETS[path] in page.text, path
                continue
            assert _to_sign_in(page) and page.status_code == 303, (path, page.status_code)
            assert _to_sign_in(api), (path, api.status_code)
    finally:
        anonymous.close()


def _to_sign_in(answer: Any) -> bool:
    """401, or a redirect to the sign-in page."""
    return answer.status_code == 401 or (
        answer.status_code in (302, 303)
        and urlsplit(answer.headers["location"]).path == "/staff/login")


def _raw_get(app, raw_path: str, cookie: str = "") -> tuple[int, bytes]:
    """A GET with the path exactly as given: no client normalises `..` away."""
    url = urlsplit(app.url)
    request = (f"GET {raw_path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
               + (f"Cookie: {cookie}\r\n" if cookie else "") + "Connection: close\r\n\r\n")
    with socket.create_connection((url.hostname, url.port), timeout=15) as conn:
        conn.sendall(request.encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("prefix", ["/staff/bookings/", "/staff/users/", "/staff/", "/ics/",
                                    "/terms/", "/"])
def test_a_raw_dot_dot_path_answers_404_without_the_file(sec_app, staff_console, prefix):
    cookie = "; ".join(f"{name}={value}" for name, value in staff_console.http.cookies.items())
    for path in (prefix + "../../etc/passwd", prefix + "..%2F..%2Fetc%2Fpasswd"):
        status, body = _raw_get(sec_app, path, cookie)
        assert status == 404, (path, status)
        assert b"root:" not in body and b"/bin/" not in body, path
