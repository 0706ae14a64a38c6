"""What a user who chose English sees in the replies nobody plans for (DESIGN.md §14, issue 16):
a refusal that names the date typed, the answer to a step that failed, a push announcing new
terms, a form link that no longer opens, the accessibility statement and the rich menu.
Everything through the emulator and the app's own pages, as the user meets it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from bot.richmenu import install
from dialogs import messages as bot_words
from dialogs.events import TermsPublished
from dialogs.flows import booking_messages as booking_words
from dialogs.i18n import translator
from dialogs.notify import user_notices
from logs import hash_line_user
from storage.unit_of_work import publish
from tests.flows.journeys import make_user
from tests.helpers import button, tap, texts


def say(code: str, source: str) -> str:
    """What the bot shows for `source` in the language `code`."""
    return translator(code).gettext(source)


def english_user(live: Any, user: str) -> list[dict[str, Any]]:
    """A registered jobseeker who types "English", as a user would; returns the answer."""
    make_user(live, user)
    switched = live.send(user, text="English")
    assert "English" in texts(switched)
    return switched


def test_a_date_that_does_not_exist_is_refused_in_english_naming_it_in_english(live, user):
    english_user(live, user)
    asked = live.send(user, text=say("en", "予約する"))
    purposes = tap(live, user, asked, say("en", "この内容で進む"))  # the saved profile
    attendants = tap(live, user, purposes, say("en", "職業相談"))
    days = tap(live, user, attendants, say("en", "同席者なし"))
    assert say("en", booking_words.ASK_DAY) in texts(days)

    refused = texts(live.send(user, text="2/30"))
    assert "There is no such date as Feb 30. Please check the date and type it again." in refused
    assert "2月30日" not in refused
    assert say("en", booking_words.ASK_DAY) in refused  # and the question again, in English


def test_a_step_that_fails_is_answered_in_the_users_language(live, user):
    english_user(live, user)
    # A real failure for this user alone: the database refuses any change of their row.
    name = "refuse_" + uuid.uuid4().hex[:12]
    install = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'forced failure for the language test'; END $$",
        f"CREATE TRIGGER {name} BEFORE UPDATE ON users FOR EACH ROW "
        f"WHEN (NEW.line_user_hash = '{hash_line_user(user)}') EXECUTE FUNCTION {name}()",
    ]
    run_sql(live, install)
    try:
        answered = texts(live.send(user, text="日本語"))  # switching writes the user's row
    finally:
        run_sql(live, [f"DROP TRIGGER {name} ON users", f"DROP FUNCTION {name}()"])
    assert say("en", bot_words.ERROR) in answered
    assert "Sorry" in answered and bot_words.ERROR not in answered


def run_sql(live: Any, statements: list[str]) -> None:
    async def run() -> None:
        async with live.services.db.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    live.call(run())


def test_new_terms_are_announced_in_english_with_an_english_date_and_weekday(live, user):
    english_user(live, user)
    before = len(live.messages(user))
    written: list[uuid.UUID] = []

    async def announce() -> None:  # what publishing a version does for each consenting user
        async with live.services.uow.begin(written) as work:
            await publish(work.session, TermsPublished(
                to=user, version="2099-12-01", effective="2099-12-01", changes="第5条",
                url=f"{live.url}/terms/2099-12-01"), office_id=live.services.office_id,
                now=live.clock.now())
        await live.services.sender.deliver(written)
    live.call(announce())

    pushed = live.messages(user)[before:]
    shown = texts(pushed)
    assert "Tue, Dec 1, 2099" in shown and "2099年" not in shown
    assert "The terms of use will change (version 2099-12-01, from Tue, Dec 1, 2099)." in shown
    assert button(pushed, say("en", user_notices.TERMS_LINK))["uri"].endswith("?lang=en")


def test_a_link_that_no_longer_opens_says_so_in_the_browsers_language(live):
    page = live.http.get("/form/profile?t=not-a-link", headers={"Accept-Language": "en-US,en"})
    assert page.status_code == 410
    assert '<html lang="en">' in page.text
    assert "This link cannot be used" in page.text
    assert say("en", "このリンクは正しくありません。") in page.text
    assert "このリンク" not in page.text
    japanese = live.http.get("/form/profile?t=not-a-link")
    assert '<html lang="ja">' in japanese.text and "このリンクは使えません" in japanese.text


def test_the_accessibility_statement_is_in_the_readers_language(live):
    page = live.http.get("/accessibility?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    for words in ("About web accessibility", "JIS X 8341-3:2016", "WCAG 2.1", "axe-core",
                  "keyboard", live.services.office.phone):
        assert words in page.text, words
    assert "キーボード" not in page.text
    by_browser = live.http.get("/accessibility", headers={"Accept-Language": "vi,en;q=0.8"})
    assert '<html lang="vi">' in by_browser.text


def test_the_rich_menu_an_english_user_gets_reads_in_english_and_answers_in_english(live, user):
    english_user(live, user)
    host = live.services.line_host
    live.call(install(api_host=host, data_host=host,
                      token=live.settings.line_channel_access_token))
    menu = live.services.emulator.richmenu_for(user)
    assert menu is not None
    shown = {area["action"]["displayText"]: area["action"] for area in menu["areas"]}
    assert {"予約する / Book", "予約の確認・キャンセル / My bookings / Cancel",
            "今すぐ相談 / Talk now", "利用規約 / Terms", "問い合わせ / Contact",
            "言語 / Language"} == set(shown)
    contact = live.send(user, postback=shown["問い合わせ / Contact"]["data"],
                        display_text="問い合わせ / Contact")
    assert "0173-00-0000" in texts(contact)
    assert say("en", "お問い合わせ") in texts(contact) and "お問い合わせ" not in texts(contact)
