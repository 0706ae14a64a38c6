"""TOTP for the console (RFC 6238): admins must enrol before anything else, staff may; the
login asks for a code after the password; codes and recovery codes work once; reset-mfa."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from staff.cli import run as staff_cli
from storage.models import StaffAccount
from tests.conftest import DEFAULT_NOW, LiveApp, running_app
from tests.staff.conftest import PASSWORD, Console, add_staff, audits, rows

SECRET = re.compile(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<')
QR = re.compile(r'<img src="(data:image/svg\+xml[^"]+)"')
CODES = re.compile(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>")


@pytest.fixture(scope="module")
def mfa_app(redis_server, pg_server) -> Iterator[LiveApp]:
    """An app with the production default: admins must use TOTP."""
    with running_app(pg_server, redis_server.url, "mfa", admin_mfa_required=True) as app:
        yield app


@pytest.fixture
def mclock(mfa_app: LiveApp) -> Iterator[LiveApp]:
    yield mfa_app.clock
    mfa_app.clock.set(DEFAULT_NOW)


def account(app: LiveApp, login: str) -> StaffAccount:
    (row,) = rows(app, select(StaffAccount).where(StaffAccount.login == login))
    return row


def enrol(app: LiveApp, client: Console) -> tuple[pyotp.TOTP, list[str]]:
    """Read the secret off the enrolment page, confirm with a current code, keep the codes."""
    page = client.page("/staff/mfa")
    assert page.status_code == 200
    secret = SECRET.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    totp = pyotp.TOTP(secret)
    done = client.form("/staff/mfa", {"code": totp.at(app.clock.now())})
    assert done.status_code == 200, done.text
    return totp, CODES.findall(done.text)


def password_step(app: LiveApp, login: str, client: Console) -> None:
    """The first step of a TOTP account's login: the password, then the code page."""
    answer = client.login(login)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login/mfa")
    page = client.page(answer.headers["location"])
    assert page.status_code == 200 and "確認コード" in page.text
    client.csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_an_admin_without_totp_is_sent_to_enrol_and_nothing_else_opens(mfa_app):
    client = Console(mfa_app)
    client.login(add_staff(mfa_app, "admin"))
    for path in ("/staff/", "/staff/settings", "/staff/accounts", "/staff/password",
                 "/staff/link"):
        page = client.page(path)
        assert page.status_code == 303 and page.headers["location"] == "/staff/mfa", path
    api = client.get_json("/staff/queue")
    assert api.status_code == 403 and "二段階認証の設定が必要です" in api.json()["detail"]
    posted = client.api("/staff/immediate", {"enabled": "true"})
    assert posted.status_code == 403 and "二段階認証" in posted.json()["detail"]
    assert client.get_json("/staff/session").json()["mfa_required"] is True
    page = client.page("/staff/mfa")
    assert page.status_code == 200 and "管理者は二段階認証の設定が必要です" in page.text
    client.close()


def test_enrolment_shows_a_qr_code_and_the_secret_then_ten_recovery_codes_once(mfa_app):
    login = add_staff(mfa_app, "admin")
    client = Console(mfa_app)
    client.login(login)
    page = client.page("/staff/mfa")
    secret = SECRET.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    svg = unquote(QR.search(page.text).group(1))  # type: ignore[union-attr]
    assert "<svg" in svg or base64.b64decode(svg.split(",", 1)[1]).startswith(b"<")
    uri = client.get_json("/staff/mfa").json()["uri"]
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parse_qs(parts.query)["secret"] == [secret]
    assert parse_qs(parts.query)["issuer"] == [f"madoguchi {mfa_app.services.office.name}"]
    assert account(mfa_app, login).totp_secret is None  # nothing stored before confirming
    wrong = client.form("/staff/mfa", {"code": "000000"})
    assert wrong.status_code == 422 and "確認コードが正しくありません" in wrong.text
    done = client.form("/staff/mfa", {"code": pyotp.TOTP(secret).at(mfa_app.clock.now())})
    codes = CODES.findall(done.text)
    assert len(set(codes)) == 10 and "この画面でしか表示されません" in done.text
    row = account(mfa_app, login)
    assert row.totp_secret == secret and row.totp_enabled_at is not None
    assert not any(c.replace("-", "") in (row.recovery_codes or "") for c in codes)
    assert len((row.recovery_codes or "").split(",")) == 10
    assert client.page("/staff/settings").status_code == 200  # enrolled: the console opens
    shown = client.page("/staff/mfa").text
    assert "有効" in shown and not CODES.search(shown)  # the codes are never shown again
    assert login in [a.actor for a in audits(mfa_app, "staff.mfa_enable")]
    client.close()


def test_login_asks_for_the_code_after_the_password_and_a_code_works_once(mfa_app, mclock):
    login = add_staff(mfa_app, "admin")
    first = Console(mfa_app)
    first.login(login)
    totp, _ = enrol(mfa_app, first)
    first.close()
    mclock.advance(minutes=1)  # a step after the one used to enrol

    client = Console(mfa_app)
    password_step(mfa_app, login, client)
    assert client.page("/staff/").status_code == 303  # not signed in yet
    wrong = client.form("/staff/login/mfa", {"code": "123456"})
    assert wrong.status_code == 401 and "確認コードが正しくありません" in wrong.text
    code = totp.at(mclock.now())
    done = client.form("/staff/login/mfa", {"code": code})
    assert done.status_code == 303 and done.headers["location"] == "/staff/"
    assert client.page("/staff/settings").status_code == 200
    assert login in [a.actor for a in audits(mfa_app, "staff.login")]

    replay = Console(mfa_app)  # the same code again, in the same 30 s: refused
    password_step(mfa_app, login, replay)
    assert replay.form("/staff/login/mfa", {"code": code}).status_code == 401
    mclock.advance(seconds=30)
    assert replay.form("/staff/login/mfa",
                       {"code": totp.at(mclock.now())}).status_code == 303
    client.close()
    replay.close()


def test_a_recovery_code_signs_in_once(mfa_app, mclock):
    login = add_staff(mfa_app, "staff")  # staff may enrol too
    first = Console(mfa_app)
    first.login(login)
    _, codes = enrol(mfa_app, first)
    first.close()
    client = Console(mfa_app)
    password_step(mfa_app, login, client)
    assert client.form("/staff/login/mfa", {"code": codes[3].upper()}).status_code == 303
    again = Console(mfa_app)
    password_step(mfa_app, login, again)
    assert again.form("/staff/login/mfa", {"code": codes[3]}).status_code == 401
    assert len((account(mfa_app, login).recovery_codes or "").split(",")) == 9
    client.close()
    again.close()


def test_the_second_step_is_throttled_and_the_password_is_not_sent_again(mfa_app, mclock):
    login = add_staff(mfa_app, "admin")
    first = Console(mfa_app)
    first.login(login)
    totp, _ = enrol(mfa_app, first)
    first.close()
    mclock.advance(minutes=1)
    client = Console(mfa_app)
    password_step(mfa_app, login, client)
    for n in range(5):
        assert client.form("/staff/login/mfa", {"code": f"00000{n}"}).status_code == 401
    limited = client.form("/staff/login/mfa", {"code": totp.at(mclock.now())})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert len([a for a in audits(mfa_app, "staff.mfa_failed") if a.actor == login]) == 5
    mclock.advance(seconds=1)
    assert client.form("/staff/login/mfa", {"code": totp.at(mclock.now())}).status_code == 303
    # A password alone (the step still owing its code) opens nothing.
    late = Console(mfa_app)
    password_step(mfa_app, login, late)
    assert late.get_json("/staff/queue").status_code == 401
    client.close()
    late.close()


def test_reset_mfa_from_the_command_line_sends_the_admin_to_enrol_again(mfa_app, capsys):
    login = add_staff(mfa_app, "admin")
    first = Console(mfa_app)
    first.login(login)
    enrol(mfa_app, first)
    first.close()
    assert staff_cli(mfa_app.settings, ["reset-mfa", login]) == 0
    assert f"reset two-factor sign-in of {login}" in capsys.readouterr().out
    row = account(mfa_app, login)
    assert row.totp_secret is None and row.totp_enabled_at is None and row.recovery_codes is None
    assert {"login": login} in [a.detail for a in audits(mfa_app, "staff.mfa_reset")]
    client = Console(mfa_app)
    assert client.login(login).status_code == 303  # the password alone again …
    assert client.page("/staff/").headers["location"] == "/staff/mfa"  # … and enrol at once
    client.close()
    assert staff_cli(mfa_app.settings, ["reset-mfa", "nobody-at-all"]) == 1
    assert PASSWORD not in capsys.readouterr().out
