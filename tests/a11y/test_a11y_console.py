"""Every console page a signed-in admin opens, measured in Chromium (DESIGN.md §14, issue 16
item 6): no WCAG 2.1 A/AA violation found by axe-core, and at 200 % zoom on a 390-px phone the
page itself never scrolls sideways (wide tables scroll inside their own box, as WCAG 1.4.10
allows for data tables).

The pages are the console's GET routes read from `app.routes` (tests/app_routes.py), so a page
added later is measured without anyone listing it: it only needs its path parameters in
`PARAMS` (the test says so when one is missing) or a reason in `NOT_PAGES`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import pyotp
import pytest

from booking import to_jst
from storage.closures import ClosureOps, ClosureRequest
from storage.models import BookingStatus
from storage.sites import site_rows
from storage.staff_accounts import Actor
from tests.a11y.axe import report, violations
from tests.a11y.conftest import (
    STAFF_LANGUAGES,
    ZOOMED_VIEWPORT,
    html_lang,
    no_horizontal_scroll,
    spilling,
)
from tests.app_routes import route_table
from tests.browser import WAIT
from tests.conftest import JST
from tests.staff.conftest import PASSWORD, add_booking, add_staff, add_user

DESKTOP = {"width": 1100, "height": 900}
# GET routes that are no page: what they answer instead.
NOT_PAGES = {"/staff/session": "JSON for the console's own calls",
             "/staff/usage.csv": "a CSV download"}
# Pages of the way in, measured by test_signing_in_with_totp_... (signed in, they redirect).
SIGN_IN = ("/staff/login", "/staff/login/mfa")
# Query strings that show a page with content rather than an empty default.
QUERIES = {"/staff/": "?day={day}", "/staff/users/{user_id}/book": "?day={day}"}
SLOTS = (datetime(2026, 12, 3, 10, 0, tzinfo=JST), datetime(2026, 12, 3, 11, 0, tzinfo=JST),
         datetime(2026, 12, 4, 10, 0, tzinfo=JST))
SECRET = re.compile(r"[A-Z2-7 ]{16,}")


def _params(app: Any) -> dict[str, str]:
    """A value for every path parameter of a console page: real rows of this app's office."""
    user_id, _ = add_user(app, name="山田 太郎")
    booking_id = add_booking(app, user_id, SLOTS[0])
    add_booking(app, user_id, SLOTS[1], status=BookingStatus.CONFIRMED)
    closed = add_booking(app, user_id, SLOTS[2], status=BookingStatus.CONFIRMED)
    return {"booking_id": str(booking_id), "user_id": str(user_id),
            "day": to_jst(SLOTS[0]).date().isoformat(), "closure_id": _closure(app, closed),
            "site_id": _first_site(app)}


def _first_site(app: Any) -> str:
    async def first() -> str:
        async with app.services.sessions() as session:
            rows = await site_rows(session=session, office_id=app.services.office_id)
        return str(rows[0].id)
    return app.call(first())


def _closure(app: Any, booking_id: uuid.UUID) -> str:
    """An emergency closure of the day of `booking_id`, so its page lists one user told."""
    actor = Actor(id=uuid.uuid4(), login="a11y-admin", name="管理 花子", role="admin")
    ops = ClosureOps(app.services.uow, app.services.office_id)
    wanted = ClosureRequest(day=to_jst(SLOTS[2]).date(), reason="大雪のため")
    done = app.call(ops.close(actor, wanted, now=app.clock.now()))
    assert done.closed == 1, booking_id
    return str(done.closure_id)


def _console_pages(app: Any, params: dict[str, str]) -> list[str]:
    """The URL of every console GET page a signed-in admin sees, from the app's routes."""
    urls = []
    for methods, path in route_table(app.app):
        if "GET" not in methods or not path.startswith("/staff/"):
            continue
        if path in NOT_PAGES or path in SIGN_IN:
            continue
        missing = set(re.findall(r"\{(\w+)", path)) - params.keys()
        assert not missing, f"{path}: add a value for {missing} to _params()"
        urls.append((path + QUERIES.get(path, "")).format(**params))
    return urls


def _context(browser: Any, lang: str) -> Any:
    context = browser.new_context(viewport=DESKTOP, locale=lang,
                                  extra_http_headers={"Accept-Language": lang})
    context.set_default_timeout(WAIT)
    return context


def _check(page: Any, axe_source: str, lang: str, where: str, failures: list[str]) -> None:
    """axe at desktop width, then axe and the reflow check at 195 CSS px (a 390-px phone at
    200 %); what is wrong is added to `failures`."""
    if not html_lang(page).startswith(lang):
        failures.append(f"{where}: <html lang={html_lang(page)!r}>")
    found = violations(page, axe_source)
    if found:
        failures.append(report(f"{where} ({lang})", found))
    page.set_viewport_size(ZOOMED_VIEWPORT)
    found = violations(page, axe_source)
    if found:  # what only a narrow window shows: a table scrolling in its box, say
        failures.append(report(f"{where} ({lang}, 200 % zoom)", found))
    scroll, client = no_horizontal_scroll(page)
    if scroll > client:
        failures.append(f"{where}: {scroll} px wide in a {client}-px window at 200 % zoom: "
                        f"{spilling(page)}")
    page.set_viewport_size(DESKTOP)


def _sign_in(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/staff/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def _enrol(app: Any, page: Any) -> str:
    """On the enrolment page: type the current code of the secret shown; the TOTP secret."""
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).at(app.clock.now()))
    page.click("button[type=submit]")
    return secret


def _refused(page: Any, field: str, wrong: str) -> None:
    """Send the form with a wrong value: the page comes back with its error announced."""
    page.fill(field, wrong)
    page.click("button[type=submit]")
    page.locator("[role=alert]").last.wait_for()


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_signing_in_with_totp_has_no_wcag_violations(a11y_app, browser, axe_source, lang):
    """Login, the enrolment an admin must do first, the recovery codes shown once, and the
    code step of the next sign-in."""
    failures: list[str] = []
    login = add_staff(a11y_app, "admin", name="管理 太郎")
    first = _context(browser, lang)
    try:
        page = first.new_page()
        page.goto(f"{a11y_app.url}/staff/login")
        _check(page, axe_source, lang, "login", failures)
        page.fill("#login", login)
        _refused(page, "#password", "not-the-password-1")
        _check(page, axe_source, lang, "login, wrong password", failures)
        _sign_in(page, a11y_app.url, login)
        page.wait_for_url("**/staff/mfa")
        _check(page, axe_source, lang, "TOTP enrolment", failures)
        _refused(page, "#code", "000000")
        _check(page, axe_source, lang, "TOTP enrolment, wrong code", failures)
        _enrol(a11y_app, page)
        page.locator("li", has_text="-").first.wait_for()
        codes = [text for text in page.locator("li").all_inner_texts()
                 if re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", text)]
        _check(page, axe_source, lang, "recovery codes", failures)
    finally:
        first.close()
    again = _context(browser, lang)
    try:
        page = again.new_page()
        _sign_in(page, a11y_app.url, login)
        page.wait_for_url("**/staff/login/mfa**")
        _check(page, axe_source, lang, "code step of the sign-in", failures)
        _refused(page, "#code", "000000")
        _check(page, axe_source, lang, "code step, wrong code", failures)
        page.fill("#code", codes[0])
        page.click("button[type=submit]")
        page.wait_for_url(f"{a11y_app.url}/staff/")
    finally:
        again.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_every_console_page_has_no_wcag_violations_and_reflows(a11y_app, browser, axe_source,
                                                               lang):
    params = _params(a11y_app)
    pages = _console_pages(a11y_app, params)
    failures: list[str] = []
    context = _context(browser, lang)
    try:
        page = context.new_page()
        _sign_in(page, a11y_app.url, add_staff(a11y_app, "admin", name="管理 花子"))
        page.wait_for_url("**/staff/mfa")
        _enrol(a11y_app, page)
        page.locator("li", has_text="-").first.wait_for()
        for url in [*pages, f"/staff/bookings/{uuid.UUID(int=7)}"]:  # and the 404 page
            answer = page.goto(a11y_app.url + url)
            assert answer is not None and answer.status in (200, 404), (url, answer)
            assert "/staff/login" not in page.url and page.url.endswith(url), (url, page.url)
            _check(page, axe_source, lang, url, failures)
        page.goto(f"{a11y_app.url}/staff/password")
        page.fill("#new", "a-new-long-password-2")
        page.fill("#confirm", "a-new-long-password-2")
        _refused(page, "#current", "not-the-password-1")
        _check(page, axe_source, lang, "password change, wrong password", failures)
    finally:
        context.close()
    assert len(pages) >= 15, pages
    assert not failures, "\n".join(failures)
