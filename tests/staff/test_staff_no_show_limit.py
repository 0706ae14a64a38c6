"""Repeated no-shows refuse bookings "until staff lift it" (art. 5(4)): an admin-only console
action clears the count, keeps the old count in the audit log and tells the user in LINE."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from storage.db import transaction
from storage.models import LineUser, Office
from tests.conftest import LiveApp
from tests.helpers import texts
from tests.staff.conftest import add_user, audits, rows, run, user_row

REFUSAL = "現在、このトークからのご予約・ご利用はお受けできません"


def limit_of(app: LiveApp) -> int:
    (office,) = rows(app, select(Office))
    return office.no_show_limit


def refused_user(app: LiveApp, extra: int = 0) -> tuple[uuid.UUID, str]:
    """A user whose no-shows reached the office's limit (plus `extra`)."""
    user_id, line_id = add_user(app)
    count = limit_of(app) + extra

    async def set_count() -> None:
        async with transaction(app.services.sessions) as session:
            await session.execute(update(LineUser).where(LineUser.id == user_id)
                                  .values(no_show_count=count))
    run(app, set_count())
    return user_id, line_id


def test_lifting_the_limit_lets_the_user_book_again(staff_app, admin, console):
    user_id, line_id = refused_user(staff_app, extra=1)
    assert REFUSAL in texts(staff_app.send(line_id, text="予約する"))
    assert "利用制限を解除" not in console.page(f"/staff/users/{user_id}").text
    page = admin.page(f"/staff/users/{user_id}")
    assert "上限に達しています" in page.text and "利用制限を解除" in page.text

    lifted = admin.form(f"/staff/users/{user_id}/lift-limit")
    assert lifted.status_code == 303
    assert "利用制限を解除しました" in admin.page(lifted.headers["location"]).text
    assert user_row(staff_app, user_id).no_show_count == 0
    (entry,) = [a for a in audits(staff_app, "user.lift_limit")
                if a.detail["user"] == str(user_id)]
    assert entry.detail["previous_count"] == limit_of(staff_app) + 1
    assert entry.actor.startswith("admin-")
    notice = texts(staff_app.messages(line_id)[-1:])
    assert "再びお受けできるようになりました" in notice

    again = staff_app.send(line_id, text="予約する")
    assert REFUSAL not in texts(again) and "この内容で進む" in texts(again)
    twice = admin.api(f"/staff/users/{user_id}/lift-limit")
    assert twice.status_code == 409 and "利用制限を受けていません" in twice.json()["detail"]


def test_lifting_is_refused_without_login_admin_role_or_csrf(staff_app, anonymous, console, admin):
    user_id, line_id = refused_user(staff_app)
    route = f"/staff/users/{user_id}/lift-limit"
    nobody = anonymous.api(route)
    assert nobody.status_code == 401 and "ログインしてください" in nobody.json()["detail"]
    staff_role = console.api(route)
    assert staff_role.status_code == 403
    assert staff_role.json()["detail"] == "この操作は管理者だけが行えます。"
    forged = admin.api(route, csrf="not-the-token")
    assert forged.status_code == 403 and "フォームの有効期限" in forged.json()["detail"]
    assert admin.form(route, csrf="").status_code == 403
    assert user_row(staff_app, user_id).no_show_count == limit_of(staff_app)
    assert not [a for a in audits(staff_app, "user.lift_limit")
                if a.detail["user"] == str(user_id)]
    assert staff_app.messages(line_id) == []
    unknown = admin.api(f"/staff/users/{uuid.uuid4()}/lift-limit")
    assert unknown.status_code == 404
