"""The pages users open from the chat, measured in Chromium (DESIGN.md §14, issue 16 item 6):
axe-core finds no WCAG 2.1 A/AA violation on the profile form (empty, with errors, with a
saved profile, saved, a link that no longer opens), the terms page and the accessibility
statement; the form is completed by keyboard alone with the focus visible and its errors
announced; at 200 % zoom on a 390-px phone nothing scrolls sideways."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.a11y.axe import report, violations
from tests.a11y.conftest import (
    LANGUAGES,
    PHONE_VIEWPORT,
    ZOOMED_VIEWPORT,
    change_link,
    form_link,
    html_lang,
    no_horizontal_scroll,
    spilling,
)
from tests.browser import WAIT
from tests.evidence import saw_line_id
from tests.flows.journeys import user_row

TERMS = "/terms/2024-10-01"
STATEMENT = "/accessibility"
TAB_LIMIT = 40  # more Tab presses than the form has stops: a field never reached is a failure


def _new_user() -> str:
    return saw_line_id("U" + uuid.uuid4().hex)


def _page(browser: Any, lang: str, viewport: dict[str, int] = PHONE_VIEWPORT) -> Any:
    context = browser.new_context(viewport=viewport, locale=lang, extra_http_headers={
        "Accept-Language": lang})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    return page


def _errors_shown(page: Any) -> None:
    page.locator("[aria-invalid=true]").first.wait_for()


def _states(app: Any, lang: str) -> list[tuple[str, str, Any]]:
    """(name, URL to open, what to do there) for every state of every public page, for a user
    of `lang` (the chat's links to the terms and the statement name the language)."""
    query = "" if lang == "ja" else f"?lang={lang}"
    def submit_empty(page: Any) -> None:
        page.locator("#name").fill("")
        page.locator("#submit").click()
        _errors_shown(page)

    def save(page: Any) -> None:
        page.locator("#name").fill("見本 花子")
        page.locator("#number").fill("02040-00001234")
        page.locator("#phone").fill("090-1111-2222")
        page.locator("#submit").click()
        page.locator("[role=status]").wait_for()

    return [
        ("form, empty", form_link(app, _new_user(), lang), None),
        ("form, with errors", form_link(app, _new_user(), lang), submit_empty),
        ("form, saved profile shown masked", change_link(app, _new_user(), lang), None),
        ("form, saved", form_link(app, _new_user(), lang), save),
        ("form, a link that no longer opens", app.url + "/form/profile?t=not-a-link", None),
        ("terms", app.url + TERMS + query, None),
        ("accessibility statement", app.url + STATEMENT + query, None),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_pages_have_no_wcag_21_aa_violations_on_a_phone_and_at_200_percent_zoom(
        a11y_app, browser, axe_source, lang):
    """Each state is opened once and checked at both sizes: on a 390-px phone, then laid out
    again at 200 % zoom (195 CSS px), where nothing may scroll sideways either."""
    failures: list[str] = []
    for name, url, step in _states(a11y_app, lang):
        page = _page(browser, lang)
        try:
            page.goto(url)
            if step is not None:
                step(page)
            assert html_lang(page).startswith(lang), (name, html_lang(page))
            found = violations(page, axe_source)
            if found:
                failures.append(report(f"{name} ({lang})", found))
            page.set_viewport_size(ZOOMED_VIEWPORT)
            scroll, client = no_horizontal_scroll(page)
            if scroll > client:
                failures.append(f"{name} ({lang}, 200 % zoom): {scroll} px wide in a "
                                f"{client}-px window: {spilling(page)}")
            found = violations(page, axe_source)
            if found:
                failures.append(report(f"{name} ({lang}, 200 % zoom)", found))
        finally:
            page.context.close()
    assert not failures, "\n".join(failures)


def _tab_to(page: Any, element_id: str) -> None:
    """Press Tab until `element_id` has the focus, as a keyboard user moves through the page."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def _focus_ring(page: Any) -> tuple[str, float]:
    """The focused element's outline (style, width in px) as the browser draws it."""
    style, width = page.evaluate("""() => {
      const s = getComputedStyle(document.activeElement);
      return [s.outlineStyle, parseFloat(s.outlineWidth)];
    }""")
    return str(style), float(width)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_form_is_filled_and_sent_by_keyboard_alone_with_the_focus_always_visible(
        a11y_app, browser, lang):
    user = _new_user()
    page = _page(browser, lang)
    try:
        page.goto(form_link(a11y_app, user, lang))
        for field, typed in (("name", "見本 花子"), ("number", "02040-00001234"),
                             ("phone", "090-1111-2222")):
            _tab_to(page, field)
            style, width = _focus_ring(page)
            assert style != "none" and width >= 2, (field, style, width)
            page.keyboard.type(typed)
        page.keyboard.press("Enter")
        page.locator("[role=status]").wait_for()
        assert "/form/profile" in page.url and page.locator("h1").count() == 1
    finally:
        page.context.close()
    saved = user_row(a11y_app, user)
    assert saved.name == "見本 花子" and saved.phone == "+819011112222"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_errors_are_announced_and_tied_to_their_fields(a11y_app, browser, lang):
    page = _page(browser, lang)
    try:
        page.goto(form_link(a11y_app, _new_user(), lang))
        _tab_to(page, "phone")
        page.keyboard.type("12")
        page.keyboard.press("Enter")
        _errors_shown(page)
        announced = page.locator("[role=alert], [aria-live=assertive], [aria-live=polite]")
        assert announced.count() >= 1
        spoken = " ".join(announced.all_inner_texts())
        # The focus goes to the summary, so a screen reader reads it out at once.
        assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
        invalid = page.locator("input[aria-invalid=true]")
        assert invalid.count() >= 2  # the name and the number were left empty; the phone is bad
        for field in invalid.all():
            described = (field.get_attribute("aria-describedby") or "").split()
            messages = [page.locator(f"#{ref}").inner_text() for ref in described
                        if ref.endswith("-error")]
            assert messages and all(m and m in spoken for m in messages), (
                field.get_attribute("id"), described, spoken)
        phone = page.locator("#phone")
        assert phone.get_attribute("aria-invalid") == "true"
    finally:
        page.context.close()


def test_the_statement_names_the_standard_the_checks_and_the_offices_phone(a11y_app):
    page = a11y_app.http.get(STATEMENT)
    assert page.status_code == 200
    for words in ("JIS X 8341-3:2016", "WCAG 2.1", "axe-core", "キーボード",
                  a11y_app.services.office.phone):
        assert words in page.text, words
    assert "Content-Security-Policy" in page.headers
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_the_form_and_the_terms_page_link_to_the_statement(a11y_app, browser):
    page = _page(browser, "ja")
    try:
        for url in (form_link(a11y_app, _new_user()), a11y_app.url + TERMS):
            page.goto(url)
            page.locator(f"footer a[href='{STATEMENT}']").click()
            page.wait_for_url(f"**{STATEMENT}")
            assert page.locator("h1").count() == 1
    finally:
        page.context.close()
