"""A whole booking, its reminder and its cancellation in English and in やさしい日本語, through
the emulator (DESIGN.md §14): the language comes from the LINE profile or from typing its own
name, is kept on the user, and the form, the terms page, the pushes and the reminder use it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from booking import JST, to_jst
from dialogs.flows import booking_messages as booking_words
from dialogs.flows import common_messages as common
from dialogs.flows import consent_messages as consent
from dialogs.flows import mybookings_messages as mine
from dialogs.i18n import translator
from storage.models import Booking, BookingStatus, Consent, LineUser
from tests.flows.journeys import execute, first_time_button, query, submit_form
from tests.helpers import button, tap, texts
from worker import sweeps


def say(code: str, source: str) -> str:
    """What the bot shows for `source` in the language `code`."""
    return translator(code).gettext(source)


def set_line_language(live: Any, user: str, language: str) -> None:
    """The emulated user's LINE app language (what the chat page's header switch sets)."""
    response = live.http.post("/emulator/api/language",
                              json={"user_id": user, "language": language})
    assert response.status_code == 200, response.text


def stored(live: Any, user: str) -> LineUser:
    (row,) = query(live, select(LineUser).where(LineUser.line_user_id == user))
    return row


def book(live: Any, user: str, code: str, first: list[dict[str, Any]]) -> Booking:
    """From the greeting: agree, book as a jobseeker through the form, confirm the summary."""
    agreed = tap(live, user, first, say(code, "同意する"))
    assert say(code, consent.AGREED).format(version="2024-10-01") in texts(agreed)
    asked = live.send(user, text=say(code, "予約する"))  # the menu chip, in the user's words
    roles = texts(asked)
    assert say(code, "ご利用になる方を選んでください。") in roles
    form = tap(live, user, tap(live, user, asked, say(code, "求職者（仕事を探している方）")),
               say(code, "登録しています"))
    assert say(code, "入力フォームを開く") in texts(form)
    before = len(live.messages(user))
    page = submit_form(live, form_token_in(form, code))
    assert page.status_code == 200 and say(code, "ご登録内容を保存しました") in page.text
    pushed = live.messages(user)[before:]
    purposes = tap(live, user, pushed, say(code, "職業相談"))
    days = tap(live, user, purposes, say(code, "通訳者が同席"))
    assert say(code, booking_words.ASK_DAY) in texts(days)
    times = tap(live, user, days, say(code, "この日を選ぶ"))
    slot = first_time_button(times) if code == "ja_easy" else english_time_button(times)
    summary = live.send(user, postback=slot["data"], params={})
    assert say(code, "お申し込み内容の確認") in texts(summary)
    done = tap(live, user, summary, say(code, "確定する"))
    assert say(code, common.RECEIVED).split("\n")[0] in texts(done)
    (row,) = query(live, select(Booking).where(Booking.user_id == stored(live, user).id))
    return row


def form_token_in(messages: list[dict[str, Any]], code: str) -> str:
    """The form link's token, found by its translated button label."""
    uri = button(messages, say(code, "入力フォームを開く"))["uri"]
    return parse_qs(urlsplit(uri).query)["t"][0]


def english_time_button(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The earliest time button of the English time carousel ("9:00 AM")."""
    for message in messages:
        if message.get("type") == "flex" and message["contents"].get("type") == "carousel":
            for bubble in message["contents"]["contents"]:
                for item in bubble.get("footer", {}).get("contents", []):
                    if item["action"]["label"].endswith(("AM", "PM")):
                        return item["action"]
    raise AssertionError("no time buttons")


def remind_then_cancel(live: Any, user: str, code: str, booking: Booking) -> str:
    """Staff confirm; the evening before, the reminder comes in the user's language; its
    cancel button cancels. Returns what the reminder said."""
    execute(live, update(Booking).where(Booking.id == booking.id)
            .values(status=BookingStatus.CONFIRMED))
    day_before = to_jst(booking.starts_at).date() - timedelta(days=1)
    live.clock.set(datetime.combine(day_before, datetime.min.time(), JST) + timedelta(hours=17))
    before = len(live.messages(user))
    assert booking.id in live.call(sweeps.send_reminders(live.services,
                                                         live.services.office_id))
    reminder = live.messages(user)[before:]
    asked = tap(live, user, reminder, say(code, "予約を取り消す"))
    assert say(code, mine.ASK_CANCEL).split("\n")[0] in texts(asked)
    cancelled = tap(live, user, asked, say(code, "取り消す"))
    assert say(code, mine.CANCELLED)[:8] in texts(cancelled)
    (row,) = query(live, select(Booking).where(Booking.id == booking.id))
    assert row.status == BookingStatus.CANCELLED
    return texts(reminder)


def test_an_english_speaking_user_books_is_reminded_and_cancels_in_english(live, user, clock,
                                                                          staff_line):
    set_line_language(live, user, "en")
    first = live.send(user, event="follow")
    shown = texts(first)
    assert "Thank you for adding us as a friend." in shown
    assert "Do you agree to the terms of use?" in shown
    # The terms bind in Japanese: their Japanese summary, then a reference translation.
    assert "[Binding text (Japanese)]" in shown and "Reference translation" in shown
    terms_link = button(first, "Read the full text")["uri"]
    assert terms_link.endswith("?lang=en")

    booking = book(live, user, "en", first)
    user_row = stored(live, user)
    assert user_row.language == "en"
    (consent,) = query(live, select(Consent).where(Consent.user_id == user_row.id))
    assert consent.language == "en"
    # Staff arrange the interpretation in advance; their alert stays Japanese.
    assert booking.interpret_language == "en"
    alert = texts(live.messages(staff_line))
    assert "通訳：英語" in alert and "【新しい予約申込み】" in alert

    reminder = remind_then_cancel(live, user, "en", booking)
    assert "Your booking is tomorrow" in reminder
    weekday = to_jst(booking.starts_at).strftime("%a")  # English weekday, JST
    assert f"{weekday}, " in reminder and "AM" in reminder
    assert "No video or audio recording." in reminder


def test_the_terms_page_in_english_keeps_the_japanese_text_binding(live, user):
    set_line_language(live, user, "en")
    first = live.send(user, event="follow")
    link = urlsplit(button(first, "Read the full text")["uri"])
    page = live.http.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Reference translation (main points)" in page.text
    assert '<pre lang="ja">' in page.text and "利用規約" in page.text
    assert "Tue, Oct 1, 2024" in page.text  # the effective date as an English reader reads it


def test_a_user_switches_to_easy_japanese_by_typing_its_name_and_books_in_it(live, user, clock):
    first = live.send(user, event="follow")
    assert "同意する" in texts(first)  # LINE says Japanese: the usual Japanese
    switched = live.send(user, text="やさしいにほんご")
    shown = texts(switched)
    assert "これから やさしいにほんごで 話します。" in shown
    assert "きまりに 同意しますか。" in shown  # the step asked again, in its new words
    assert stored(live, user).language == "ja_easy"

    booking = book(live, user, "ja_easy", switched)
    reminder = remind_then_cancel(live, user, "ja_easy", booking)
    assert "あしたは 予約の 日です" in reminder
    assert "・ブースには 本人だけが 入ります。" in reminder


@pytest.mark.parametrize("typed", ["English", "Tiếng Việt", "日本語"])
def test_typing_a_languages_own_name_switches_at_any_step(live, user, typed):
    live.send(user, event="follow")
    switched = live.send(user, text=typed)
    code = {"English": "en", "Tiếng Việt": "vi", "日本語": "ja"}[typed]
    assert stored(live, user).language == code
    assert say(code, "利用規約に同意しますか？") in texts(switched)
