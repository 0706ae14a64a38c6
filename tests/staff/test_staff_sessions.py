"""Sessions and one's own account (ASVS L2): absolute limit, browser-session cookie, HSTS,
stateless login CSRF, password change, audited failures without the typed text, bad query
values refused politely."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import APIRouter, FastAPI, Response
from fastapi.testclient import TestClient
from sqlalchemy import select

from config import Settings
from staff.console import Console as ConsoleApp
from staff.console import route_class
from storage.models import AuditLog, StaffAccount
from tests import loopback
from tests.staff.conftest import (
    PASSWORD,
    Console,
    add_booking,
    add_staff,
    add_user,
    audits,
    rows,
)
from tests.staff.test_staff_throttle import LOGIN_CSRF, login_token, try_login

NEW_PASSWORD = "a-long-new-passphrase-2027"


def account_row(app, login: str) -> StaffAccount:  # type: ignore[no-untyped-def]
    (row,) = rows(app, select(StaffAccount).where(StaffAccount.login == login))
    return row


def redis_keys(app) -> int:  # type: ignore[no-untyped-def]
    async def count() -> int:
        prefix = app.settings.redis_prefix
        return len([k async for k in app.services.redis.scan_iter(match=f"{prefix}:*")])
    return app.call(count())


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(console, sclock):
    sclock.advance(hours=6)
    assert console.page("/staff/").status_code == 200
    sclock.advance(hours=5, minutes=59)
    assert console.page("/staff/queue").status_code == 200
    sclock.advance(minutes=2)  # 12 h 01 min after sign-in
    page = console.page("/staff/")
    assert page.status_code == 303 and page.headers["location"].startswith("/staff/login")
    assert console.get_json("/staff/queue").status_code == 401
    assert console.sign_in_again().status_code == 303  # a new session starts a new 12 hours
    assert console.page("/staff/").status_code == 200


def https_console(**values: object) -> TestClient:
    """One console route under https settings, as the route class answers it."""
    settings = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    console = ConsoleApp(SimpleNamespace(settings=settings))
    router = APIRouter(route_class=route_class(console))

    @router.get("/staff/probe")
    async def probe() -> Response:
        response = Response("ok")
        console.auth.set_cookie(response, SimpleNamespace(id="s"))  # type: ignore[arg-type]
        return response

    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def test_https_consoles_send_hsts_and_secure_browser_session_cookies(staff_app):
    for values in ({"environment": "test", "public_base_url": "https://madoguchi.example.jp",
                    "secret_key": "k" * 32},
                   {"environment": "production", "public_base_url": "https://madoguchi.example.jp",
                    "secret_key": "f3a9c1e07b2d48e6a5c3b1f09d8e7a6c",
                    "line_channel_secret": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                    "line_channel_access_token": "T" * 20 + "u" * 20}):
        answer = https_console(**values).get("/staff/probe")
        assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        cookie = answer.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "Max-Age" not in cookie
    plain = staff_app.http.get("/staff/login")
    assert "strict-transport-security" not in plain.headers  # http in tests: no HSTS


def test_fifty_anonymous_login_pages_store_nothing_and_sign_in_still_works(staff_app):
    login_token(staff_app)
    before = redis_keys(staff_app)
    for _ in range(50):
        assert staff_app.http.get("/staff/login").status_code == 200
    assert redis_keys(staff_app) == before
    client = Console(staff_app)
    assert client.login(add_staff(staff_app)).status_code == 303
    assert client.page("/staff/").status_code == 200
    client.close()


def test_a_login_without_or_with_a_wrong_csrf_token_is_refused(staff_app, sclock):
    login = add_staff(staff_app)
    token = login_token(staff_app)
    url = f"{staff_app.url}/staff/login"
    form = {"login": login, "password": PASSWORD}
    missing = loopback.post(url, data=form, cookies={LOGIN_CSRF: token})
    assert missing.status_code == 403 and "フォームの有効期限が切れました" in missing.text
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for sent, cookie in ((forged, forged), (token, ""), (token, login_token(staff_app)),
                         ("x", "x")):
        answer = loopback.post(url, data={**form, "csrf": sent}, cookies={LOGIN_CSRF: cookie})
        assert answer.status_code == 403, (sent, cookie)
    sclock.advance(minutes=31)  # the form was left open too long
    assert try_login(staff_app, login, PASSWORD, token=token).status_code == 403
    assert try_login(staff_app, login, PASSWORD).status_code == 303
    assert not [a for a in audits(staff_app, "staff.login_failed") if a.actor == login]


def test_the_api_still_gets_its_token_from_the_session_probe(staff_app):
    client = Console(staff_app)
    login = add_staff(staff_app)
    probe = client.get_json("/staff/session").json()
    assert probe["staff"] is None and probe["csrf"]
    signed = client.http.post("/staff/login", data={"login": login, "password": PASSWORD},
                              headers={"Accept": "application/json", "X-CSRF-Token": probe["csrf"]})
    assert signed.status_code == 200 and signed.json()["ok"] is True
    assert client.get_json("/staff/session").json()["staff"]["login"] == login
    client.close()


def test_a_failed_login_is_audited_without_the_typed_text(staff_app):
    login = add_staff(staff_app)
    typed = "mistyped-secret-Passw0rd"

    def failed_as(actor: str) -> int:
        return len([a for a in audits(staff_app, "staff.login_failed") if a.actor == actor])
    unknown = failed_as("（不明）")
    assert try_login(staff_app, typed, PASSWORD).status_code == 401
    assert try_login(staff_app, login, "wrong-password-1").status_code == 401
    assert failed_as("（不明）") == unknown + 1 and failed_as(login) == 1
    everything = rows(staff_app, select(AuditLog))
    assert not [a for a in everything if typed in a.actor or typed in str(a.detail)]


def test_staff_change_their_password_and_other_sessions_end(staff_app, console, sclock):
    login = console.who
    elsewhere = Console(staff_app)
    elsewhere.login(login)
    page = console.page("/staff/password")
    assert page.status_code == 200 and "パスワード変更" in page.text
    sclock.advance(minutes=5)
    refusals = [
        ({"current": "not-my-password", "new": NEW_PASSWORD}, "現在のパスワードが正しくありません"),
        ({"new": "short-pw-11"}, "12文字以上"),
        ({"new": "password1234"}, "よく使われている"),
        ({"new": login}, "ログインID"),
        ({"new": PASSWORD}, "現在のものと別に"),
        ({"confirm": "something-else-entirely"}, "一致しません"),
    ]
    for change, why in refusals:
        form = {"current": PASSWORD, "new": NEW_PASSWORD, **change}
        form.setdefault("confirm", form["new"])
        answer = console.form("/staff/password", form)
        assert answer.status_code == 422 and why in answer.text, (change, answer.text[:300])
    assert console.form("/staff/password", {"current": "x", "new": "y", "confirm": "y"},
                        csrf="forged").status_code == 403
    done = console.form("/staff/password", {"current": PASSWORD, "new": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and "msg=password_changed" in done.headers["location"]
    assert "パスワードを変更しました" in console.page(done.headers["location"]).text
    assert elsewhere.page("/staff/").status_code == 303  # the other browser is signed out
    elsewhere.close()
    row = account_row(staff_app, login)
    assert row.password_changed_at == sclock.now() and row.password_hash.startswith("$argon2id$")
    assert login in [a.actor for a in audits(staff_app, "staff.password")]
    assert try_login(staff_app, login, PASSWORD).status_code == 401
    assert try_login(staff_app, login, NEW_PASSWORD).status_code == 303


BAD_DAYS = ["2026-13-45", "99999-01-01", "9999-12-31", "0001-01-01", "2026-02-30", "<b>x</b>"]


def test_out_of_range_dates_in_query_strings_answer_400_in_japanese(staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    for bad in BAD_DAYS:
        for path, params in (("/staff/", {"day": bad}),
                             (f"/staff/bookings/{booking_id}", {"day": bad}),
                             (f"/staff/users/{user_id}/book", {"day": bad}),
                             ("/staff/usage.csv", {"first": bad, "last": "2027-01-31"}),
                             ("/staff/usage.csv", {"first": "2027-01-01", "last": bad})):
            page = console.page(path, **params)
            assert page.status_code == 400 and "YYYY-MM-DD" in page.text, (path, bad)
            assert "<b>x</b>" not in page.text
            api = console.get_json(path, **params)
            assert api.status_code == 400 and "日付" in api.json()["detail"]
    for month in ("9999-12", "2026-13", "0001-01", "99999-01"):
        assert console.page("/staff/closures", month=month).status_code == 400, month


def test_the_notice_count_is_digits_only_and_never_echoed(admin):
    shown = admin.page("/staff/terms", msg="terms", n="12")
    assert "12人の利用者にお知らせしました" in shown.text
    for crafted in ("<script>alert(1)</script>", "12<b>", "１２", "-47", "7e7", "9" * 20):
        page = admin.page("/staff/terms", msg="terms", n=crafted)
        assert page.status_code == 200
        assert "利用者にお知らせしました" not in page.text and crafted not in page.text
