"""Console sign-in: cookies, session rotation, CSRF, rate limiting, roles, logout, audit."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from config import Settings
from staff.auth import Auth
from storage.models import StaffAccount
from storage.staff_sessions import ConsoleSession
from tests.staff.conftest import PASSWORD, Console, add_staff, audits, rows


def test_pages_redirect_to_login_and_the_api_answers_401_in_japanese(anonymous):
    page = anonymous.page("/staff/queue")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/staff/login?next=/staff/queue")
    api = anonymous.get_json("/staff/queue")
    assert api.status_code == 401
    assert "ログインしてください" in api.json()["detail"]
    form = anonymous.http.post("/staff/immediate", data={"enabled": "true"})
    assert form.status_code == 401
    assert "ログインしてください" in form.text and 'lang="ja"' in form.text


def test_login_sets_a_browser_session_cookie_only_at_sign_in(staff_app, anonymous):
    login = add_staff(staff_app)
    anonymous.page("/staff/login")
    assert anonymous.http.cookies.get("madoguchi_staff") is None  # nothing to fixate on
    response = anonymous.login(login)
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    (cookie,) = [c for c in response.headers.get_list("set-cookie")
                 if c.startswith("madoguchi_staff=")]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie  # plain http in tests; https turns it on
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()  # ends with the browser
    first = anonymous.http.cookies.get("madoguchi_staff")
    other = Console(staff_app)
    other.login(login)
    assert other.http.cookies.get("madoguchi_staff") not in (None, first)  # a new id each time
    other.close()
    board = anonymous.page("/staff/")
    assert board.status_code == 200 and "日別ボード" in board.text
    assert [a.actor for a in audits(staff_app, "staff.login")].count(login) == 2


def test_wrong_password_is_refused_and_audited(staff_app, anonymous):
    login = add_staff(staff_app)
    response = anonymous.login(login, "wrong-password-123")
    assert response.status_code == 401
    assert "ログインIDまたはパスワードが正しくありません" in response.text
    assert any(a.actor == login for a in audits(staff_app, "staff.login_failed"))
    assert anonymous.page("/staff/").status_code == 303


def test_login_is_rate_limited_per_login(staff_app, anonymous, sclock):
    login = add_staff(staff_app)
    for _ in range(5):
        assert anonymous.login(login, "nope-nope-nope").status_code == 401
    limited = anonymous.login(login)  # even the right password waits now
    assert limited.status_code == 429
    assert "しばらくログインできません" in limited.text
    sclock.advance(minutes=31)  # two windows later the counter is gone
    assert anonymous.login(login).status_code == 303


def test_login_form_without_the_csrf_token_is_refused(staff_app, anonymous):
    login = add_staff(staff_app)
    anonymous.page("/staff/login")
    response = anonymous.http.post("/staff/login", data={"login": login, "password": PASSWORD})
    assert response.status_code == 403
    assert "フォームの有効期限が切れました" in response.text


def test_every_post_needs_the_session_csrf_token(console):
    bad = console.form("/staff/immediate", {"enabled": "true"}, csrf="forged")
    assert bad.status_code == 403 and "フォームの有効期限が切れました" in bad.text
    missing = console.http.post("/staff/immediate", data={"enabled": "true"})
    assert missing.status_code == 403
    api = console.api("/staff/immediate", {"enabled": "false"}, csrf="")
    assert api.status_code == 403 and "detail" in api.json()


def test_logout_ends_the_session_on_the_server(staff_app, console):
    old_cookie = console.http.cookies.get("madoguchi_staff")
    response = console.form("/staff/logout")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    replay = Console(staff_app)
    replay.http.cookies.set("madoguchi_staff", old_cookie, path="/staff")
    assert replay.page("/staff/").status_code == 303
    replay.close()


def test_a_disabled_account_is_signed_out_and_cannot_sign_in(staff_app, console, admin):
    me = console.get_json("/staff/session").json()["staff"]["login"]
    assert admin.form(f"/staff/accounts/{me}/disable").status_code == 303
    assert console.page("/staff/").status_code == 303
    fresh = Console(staff_app)
    assert fresh.login(me).status_code == 401
    fresh.close()
    assert audits(staff_app, "staff.disable")[-1].detail == {"login": me}


def test_admin_pages_refuse_staff_with_403(console):
    for path in ("/staff/settings", "/staff/terms", "/staff/accounts", "/staff/audit"):
        page = console.page(path)
        assert page.status_code == 403, path
        assert "管理者だけが行えます" in page.text
    api = console.api("/staff/accounts", {"login": "x", "name": "x", "role": "staff",
                                          "password": "0123456789"})
    assert api.status_code == 403 and api.json()["detail"] == "この操作は管理者だけが行えます。"


def test_admin_adds_a_staff_account_with_an_argon2_hash(staff_app, admin):
    response = admin.form("/staff/accounts", {"login": "new-person", "name": "新人 一郎",
                                              "role": "staff", "password": "long-enough-pw"})
    assert response.status_code == 303
    (account,) = rows(staff_app, select(StaffAccount).where(StaffAccount.login == "new-person"))
    assert account.password_hash.startswith("$argon2id$")
    weak = admin.api("/staff/accounts", {"login": "weak", "name": "x", "role": "staff",
                                         "password": "short"})
    assert weak.status_code == 422 and "10文字以上" in weak.json()["detail"]
    again = admin.api("/staff/accounts", {"login": "new-person", "name": "x", "role": "staff",
                                          "password": "long-enough-pw"})
    assert again.status_code == 422 and "すでに使われています" in again.json()["detail"]


def test_login_redirects_only_inside_the_console(staff_app, anonymous):
    login = add_staff(staff_app)
    page = anonymous.http.get("/staff/login", params={"next": "https://evil.example/"})
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    response = anonymous.http.post("/staff/login", data={
        "csrf": token, "login": login, "password": PASSWORD, "next": "//evil.example/"})
    assert response.headers["location"] == "/staff/"


def test_login_is_rate_limited_per_client_address(staff_app, anonymous, sclock):
    sclock.advance(days=3)  # a window of its own, so other tests' failures do not count
    login = add_staff(staff_app)
    for n in range(20):
        assert anonymous.login(f"nobody-{n}", "nope-nope-nope").status_code == 401
    assert anonymous.login(login).status_code == 429


def test_the_cookie_is_secure_when_the_console_is_served_over_https(staff_app):
    settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                        public_base_url="https://madoguchi.example.jp", secret_key="k" * 32)
    response = Response()
    Auth(SimpleNamespace(settings=settings)).set_cookie(response, ConsoleSession(id="s", csrf="c"))
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    value = cookie.split("=", 1)[1].split(";")[0]
    # The id travels signed: only the app's secret key reads it back; another key cannot.
    salt = "madoguchi-staff-session"
    assert URLSafeSerializer("k" * 32, salt=salt).loads(value) == "s"
    with pytest.raises(BadSignature):
        URLSafeSerializer("x" * 32, salt=salt).loads(value)


def test_console_pages_are_never_cached_or_framed(console):
    page = console.page("/staff/users")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "no-store" in console.page("/staff/usage.csv", first="2027-01-01",
                                      last="2027-01-31").headers["cache-control"]
