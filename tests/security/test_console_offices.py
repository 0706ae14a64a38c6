"""Staff accounts belong to their office: another office's account in the same database
cannot sign in here, its session is refused, and the CLI does not find it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import Response
from sqlalchemy import select

from staff.auth import Auth
from staff.cli import run as staff_cli
from storage.db import transaction
from storage.models import StaffAccount
from storage.staff_accounts import create_account
from tests.staff.conftest import PASSWORD, Console, audits, rows
from tests.staff.test_staff_throttle import try_login


@pytest.fixture
def other_staff(sec_app, other_office: dict[str, Any]) -> StaffAccount:
    """An admin account of the other office, with the usual test password."""
    login = f"other-{uuid.uuid4().hex[:8]}"

    async def create() -> StaffAccount:
        async with transaction(sec_app.services.sessions) as session:
            return await create_account(session=session, office_id=other_office["office"],
                                        login=login, name="他所 職員", role="admin",
                                        password=PASSWORD, now=sec_app.clock.now())
    return sec_app.call(create())


def test_another_offices_account_cannot_sign_in_here(sec_app, other_staff):
    def failed_as(actor: str) -> int:
        return len([a for a in audits(sec_app, "staff.login_failed") if a.actor == actor])
    unknown = failed_as("（不明）")
    answer = try_login(sec_app, other_staff.login, PASSWORD)
    assert answer.status_code == 401 and "正しくありません" in answer.text
    # Not an account of this office: its login is not written to this office's audit log.
    assert failed_as("（不明）") == unknown + 1 and failed_as(other_staff.login) == 0


def test_a_session_of_another_offices_account_is_refused(sec_app, other_staff):
    auth = Auth(sec_app.services)

    async def forge() -> str:
        """A genuine, signed session for the other office's account, as if it had signed in."""
        session = await auth.sessions.create(other_staff.id, now=sec_app.clock.now())
        response = Response()
        auth.set_cookie(response, session)
        return response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client = Console(sec_app)
    client.http.cookies.set("madoguchi_staff", sec_app.call(forge()), path="/staff")
    assert client.page("/staff/").status_code == 303
    assert client.get_json("/staff/queue").status_code == 401
    client.close()


def test_the_cli_does_not_find_another_offices_account(sec_app, other_staff, capsys):
    assert staff_cli(sec_app.settings, ["disable", other_staff.login]) == 1
    assert "ありません" in capsys.readouterr().err
    assert staff_cli(sec_app.settings, ["reset-mfa", other_staff.login]) == 1
    assert staff_cli(sec_app.settings, ["list"]) == 0
    assert other_staff.login not in capsys.readouterr().out
    (row,) = rows(sec_app, select(StaffAccount).where(StaffAccount.login == other_staff.login))
    assert row.active is True


def test_an_admin_cannot_disable_another_offices_account_from_the_console(sec_app, other_staff,
                                                                         admin_console):
    answer = admin_console.form(f"/staff/accounts/{other_staff.login}/disable")
    assert answer.status_code == 404
    (row,) = rows(sec_app, select(StaffAccount).where(StaffAccount.login == other_staff.login))
    assert row.active is True
