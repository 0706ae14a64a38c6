"""The accessibility tests' app (its own database: staff, users and bookings made here stay
here), one Chromium, axe-core, and the ways to a page: a form link, a signed-in console."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devservices import PostgresServer, RedisServer
from dialogs.i18n import LANGUAGES as LANGUAGE_NAMES
from dialogs.i18n import translator
from tests.a11y.axe import installed_axe
from tests.browser import chromium
from tests.conftest import LiveApp, running_app
from tests.flows.journeys import agree, make_user
from tests.helpers import button, tap, texts

# Languages every public page is checked in (issue 16 item 6: Japanese and one other); the test
# also asserts <html lang> names it. Users of another language set it in the chat first.
LANGUAGES = ("ja", "en")
# The console is staff-facing and stays Japanese (issue 16 item 4): checked in Japanese only.
STAFF_LANGUAGES = ("ja",)
PHONE_VIEWPORT = {"width": 390, "height": 844}
# 390 CSS px at 200 % zoom lays a page out in 195 CSS px (WCAG 1.4.10 reflow).
ZOOMED_VIEWPORT = {"width": 195, "height": 422}


@pytest.fixture(scope="session")
def a11y_app(redis_server: RedisServer, pg_server: PostgresServer) -> Iterator[LiveApp]:
    """An app with the production default: admins sign in with TOTP."""
    with running_app(pg_server, redis_server.url, "a11y", admin_mfa_required=True) as app:
        yield app


@pytest.fixture(scope="session")
def axe_source() -> str:
    return installed_axe()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module, found by tests/browser.py (fails, never skips).

    Not per session: Playwright's sync API runs an event loop in the main thread while it is
    open, which the asyncio tests of later modules would find already running."""
    with chromium() as launched:
        yield launched


def say(lang: str, source: str) -> str:
    """A label as the bot shows it in `lang`."""
    return translator(lang).gettext(source)


def choose_language(app: LiveApp, user: str, lang: str) -> None:
    """As a user would: type the language's own name in the chat ("English")."""
    if lang != "ja":
        switched = app.send(user, text=LANGUAGE_NAMES[lang].name)
        assert LANGUAGE_NAMES[lang].name in texts(switched)


def form_link(app: LiveApp, user: str, lang: str = "ja") -> str:
    """A new jobseeker's way to the empty form: consent, the language, 予約する, role, the link."""
    agree(app, user)
    choose_language(app, user, lang)
    asked = app.send(user, text=say(lang, "予約する"))
    form = tap(app, user, tap(app, user, asked, say(lang, "求職者（仕事を探している方）")),
               say(lang, "登録しています"))
    return str(button(form, say(lang, "入力フォームを開く"))["uri"])


def change_link(app: LiveApp, user: str, lang: str = "ja") -> str:
    """A user with a saved profile asks to change it: the form showing the masked summary."""
    make_user(app, user, name="津軽 花子", number="02040-87654321", phone="+818022223333")
    choose_language(app, user, lang)
    check = app.send(user, text=say(lang, "予約する"))
    return str(button(tap(app, user, check, say(lang, "登録内容を変更する")),
                      say(lang, "入力フォームを開く"))["uri"])


def html_lang(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def no_horizontal_scroll(page: Any) -> tuple[int, int]:
    """(scrollWidth, clientWidth) of the document: equal when nothing spills sideways."""
    found = page.evaluate("[document.scrollingElement.scrollWidth,"
                          " document.scrollingElement.clientWidth]")
    return int(found[0]), int(found[1])


SPILLING = """() => {
  const width = document.scrollingElement.clientWidth;
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.classList.length ? "." + [...e.classList].join(".") : "");
  return [...document.body.querySelectorAll("*")]
    .filter(e => e.getBoundingClientRect().right > width + 0.5
                 && ![...e.children].some(c => c.getBoundingClientRect().right > width + 0.5))
    .slice(0, 5).map(e => name(e) + " (right edge " + Math.round(e.getBoundingClientRect().right)
                             + " px)");
}"""


def spilling(page: Any) -> list[str]:
    """The innermost elements reaching past the window's right edge (to say what to fix)."""
    return [str(found) for found in page.evaluate(SPILLING)]
