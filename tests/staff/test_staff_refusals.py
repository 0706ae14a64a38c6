"""Every state-changing console route refuses: no login (401), bad CSRF (403), wrong role (403),
a stale booking version (409); in Japanese, as JSON for the API."""

from __future__ import annotations

import pytest

from storage.models import BookingStatus
from tests.staff.conftest import add_booking, add_user, booking_row


@pytest.fixture
def targets(staff_app, slots) -> dict[str, str]:
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next())
    return {"booking": str(booking_id), "user": str(user_id)}


STAFF_ROUTES = (
    "/staff/bookings/{booking}/confirm", "/staff/bookings/{booking}/move",
    "/staff/bookings/{booking}/decline", "/staff/bookings/{booking}/no-show",
    "/staff/bookings/{booking}/check-in", "/staff/bookings/{booking}/note",
    "/staff/users/{user}/book", "/staff/users/{user}/reveal", "/staff/closures",
    "/staff/closures/2027-03-01/delete", "/staff/closures/{booking}/reopen", "/staff/immediate",
    "/staff/link", "/staff/link/unlink",
    "/staff/logout",
)
ADMIN_ROUTES = (
    "/staff/settings", "/staff/terms", "/staff/accounts", "/staff/accounts/someone/disable",
    "/staff/users/{user}/block", "/staff/users/{user}/unblock", "/staff/users/{user}/lift-limit",
)


def test_every_action_needs_a_login(anonymous, targets):
    for route in STAFF_ROUTES + ADMIN_ROUTES:
        response = anonymous.api(route.format(**targets), {"version": 1})
        assert response.status_code == 401, route
        assert "ログインしてください" in response.json()["detail"], route


def test_every_action_needs_the_csrf_token(console, admin, targets):
    for client, routes in ((console, STAFF_ROUTES), (admin, ADMIN_ROUTES)):
        for route in routes:
            response = client.api(route.format(**targets), {"version": 1}, csrf="not-the-token")
            assert response.status_code == 403, route
            assert "フォームの有効期限" in response.json()["detail"], route
    assert booking_row(console.app, targets["booking"]).version == 1


def test_admin_actions_refuse_the_staff_role(console, targets):
    for route in ADMIN_ROUTES:
        response = console.api(route.format(**targets), {"reason": "x"})
        assert response.status_code == 403, route
        assert response.json()["detail"] == "この操作は管理者だけが行えます。", route


def test_every_booking_action_refuses_a_stale_version(staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    requested = add_booking(staff_app, user_id, slots.next())
    confirmed = add_booking(staff_app, user_id, slots.next(), status=BookingStatus.CONFIRMED)
    free = slots.next().isoformat()
    for booking_id, action, extra in (
            (requested, "confirm", {}), (requested, "decline", {"reason": "満席のため"}),
            (requested, "move", {"starts_at": free, "booth": 1}),
            (requested, "note", {"note": "x"}),
            (confirmed, "no-show", {}), (confirmed, "check-in", {})):
        response = console.api(f"/staff/bookings/{booking_id}/{action}", {"version": 7, **extra})
        assert response.status_code == 409, action
        assert "ほかの職員が先に更新しました" in response.json()["detail"], action
    assert booking_row(staff_app, requested).version == 1
    assert booking_row(staff_app, confirmed).version == 1
