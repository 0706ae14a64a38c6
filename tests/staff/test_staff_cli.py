"""`python main.py staff add|list|disable` against the real database."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from staff.cli import run
from storage.models import StaffAccount
from tests.staff.conftest import Console, rows


def test_add_list_disable_and_log_in(staff_app, monkeypatch, capsys):
    login = f"cli-{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv("MADOGUCHI_STAFF_PASSWORD", "cli-password-long")
    assert run(staff_app.settings, ["add", login, "--role", "admin", "--name", "係長 四郎"]) == 0
    assert f"added {login} (admin)" in capsys.readouterr().out
    (account,) = rows(staff_app, select(StaffAccount).where(StaffAccount.login == login))
    assert account.password_hash.startswith("$argon2id$") and account.role == "admin"
    assert "cli-password-long" not in account.password_hash

    client = Console(staff_app)
    assert client.login(login, "cli-password-long").status_code == 303
    assert client.page("/staff/settings").status_code == 200

    assert run(staff_app.settings, ["list"]) == 0
    listed = capsys.readouterr().out
    assert f"{login}\tadmin\tactive\tnot-linked\t係長 四郎" in listed
    assert "cli-password-long" not in listed

    assert run(staff_app.settings, ["disable", login]) == 0
    assert client.page("/staff/").status_code == 303  # signed out at once
    client.close()


def test_refusals_exit_non_zero_with_a_reason(staff_app, monkeypatch, capsys):
    monkeypatch.setenv("MADOGUCHI_STAFF_PASSWORD", "short")
    assert run(staff_app.settings, ["add", "x-short", "--name", "短い"]) == 1
    assert "10文字以上" in capsys.readouterr().err
    assert run(staff_app.settings, ["disable", "nobody-here"]) == 1
    assert run(staff_app.settings, ["add"]) == 2
    assert run(staff_app.settings, ["add", "x", "--role", "boss", "--name", "x"]) == 2
