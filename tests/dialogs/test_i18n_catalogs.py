"""The catalogs (DESIGN.md §14): every language translates every source text, keeps its
placeholders, and every reply the bot really sends stays inside LINE's limits in it.

The source texts are extracted afresh, as `./dev i18n` does: a message added anywhere in a
message module or a template fails here until each language has it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from booking import JST
from booking.sites import Hours, Site, office_hours
from bot.render import render
from dialogs.engine import Engine
from dialogs.events import (
    ClosedByOffice,
    Confirmed,
    Declined,
    LimitLifted,
    MarkedNoShow,
    Moved,
    NoShow,
    ReminderDue,
    RequestExpired,
    SlotFacts,
    SlotFreed,
    TermsPublished,
)
from dialogs.flow import Input
from dialogs.flows import build_registry
from dialogs.i18n import LANGUAGES, SOURCE, by_name, from_line, speaking, translator
from dialogs.notify import Notifier
from dialogs.postback import Postback
from dialogs.replies import Card, Carousel, Choice, DatePicker, Link, Reply, Text, load_replies
from emulator.validation import check_messages
from tests.dialogs.chat import Chat, as_input, choices, texts
from tests.fakes import MemoryOffice, MemoryStateStore, memory_ports

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != SOURCE]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # a Tuesday in office hours
PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)s")
LABEL_MAX, ALT_MAX, TEXT_MAX = 20, 400, 5000  # LINE's limits (Messaging API reference)
# Two sites, so the journeys meet the site carousel and every message names the place with
# its map (DESIGN §13).
OWN = Site(id="own", name="本所", booths=(1,), hours=office_hours())
TOWN = Site(id="town", name="見本町役場 2階 相談室", booths=(2,),
            hours=(Hours(1, time(10), time(15)), Hours(3, time(10), time(15))),
            address="青森県見本町本町1-1", map_url="https://maps.example/town",
            access_notes="正面玄関から入り、階段で2階へ。")


def source_texts() -> dict[str, str]:
    """msgid → where it is, extracted with babel.cfg exactly as `./dev i18n` extracts."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {message if isinstance(message, str) else message[0]: f"{path}:{line}"
            for path, line, message, _, _ in extract_from_dir(
                str(ROOT), method_map, options_map)}


def placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    found = source_texts()
    assert len(found) > 250, "the extraction found too little: is babel.cfg read?"
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_source_text_is_translated_with_the_same_placeholders(code: str, sources):
    with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for msgid, where in sources.items():
        entry = catalog.get(msgid)
        if entry is None or not entry.string:
            problems.append(f"missing {where}: {msgid[:40]!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy {where}: {msgid[:40]!r}")
        elif placeholders(entry.string) != placeholders(msgid):
            problems.append(f"placeholders differ {where}: {entry.string[:60]!r}")
        elif code != "ja_easy" and entry.string == msgid and re.search("[ぁ-んァ-ン]", msgid):
            problems.append(f"left in Japanese {where}: {msgid[:40]!r}")
    assert not problems, f"{code}: {len(problems)} problems\n" + "\n".join(problems[:30])


def test_the_language_is_found_by_its_own_name_and_from_lines_profile():
    typed = {"English": "en", "english": "en", "中文": "zh_Hans", "Tiếng Việt": "vi",
             "tieng viet": "vi", "Português": "pt_BR", "Español": "es", "Tagalog": "tl",
             "やさしいにほんご": "ja_easy", "日本語": "ja"}
    assert {text: by_name(text) for text in typed} == typed
    assert by_name("予約する") is None
    lines = {None: "ja", "ja": "ja", "en": "en", "zh-Hans": "zh_Hans", "zh-TW": "zh_Hans",
             "vi": "vi", "pt-BR": "pt_BR", "es": "es", "tl": "tl", "ko": "en"}
    assert {tag: from_line(tag) for tag in lines} == lines


def test_a_translated_label_is_read_back_as_its_source_but_commands_keep_their_meaning():
    assert translator("en").source_of("Book") == "予約する"
    assert translator("vi").source_of(translator("vi").gettext("予約する")) == "予約する"
    # やさしい日本語 says "やめる" for both 取り消す and やめる: the typed command stays a command.
    assert translator("ja_easy").source_of("やめる") is None


def test_dates_and_times_are_in_each_languages_form_in_jst_with_the_weekday():
    start = datetime(2026, 12, 3, 1, 0, tzinfo=JST) + timedelta(hours=9)  # 10:00 JST
    utc = start.astimezone(JST).replace(tzinfo=JST)
    assert translator("ja").span(utc, utc + timedelta(minutes=30)) == "12月3日(木) 10:00〜10:30"
    english = translator("en").span(utc, utc + timedelta(minutes=30))
    assert english.startswith("Thu, Dec 3 10:00") and "10:30" in english
    for code in TRANSLATED:
        shown = translator(code).day(utc.date())
        assert "3" in shown and shown != "12月3日", code


# --- LINE's limits, on the replies the bot really sends -----------------------------------------

def problems_of(replies: list[Reply], where: str) -> list[str]:
    """Labels over 20 characters, alt texts over 400, texts over 5,000 (before render's cut),
    then whatever the emulator's validator (LINE's rules) refuses once rendered."""
    found = []
    for reply in replies:
        for choice in choices(reply):
            if len(choice.label) > LABEL_MAX:
                found.append(f"{where}: label {choice.label!r} ({len(choice.label)})")
        match reply:
            case Text():
                long = len(reply.text) > TEXT_MAX
            case Card() | Carousel():
                long = len(reply.alt or getattr(reply, "title", "")) > ALT_MAX
            case Link() | DatePicker():
                long = len(reply.text) > ALT_MAX or len(reply.label) > LABEL_MAX
        if long:
            found.append(f"{where}: too long {texts([reply])[:50]!r}")
    found += [f"{where}: {p}" for p in check_messages(render(replies))]
    return found


def tap(chat: Chat, action: str, value: str | None = None) -> Input:
    """The choice of the last answer whose postback is `action` (with `value`, or the first)."""
    for reply in chat.shown:
        for choice in choices(reply):
            postback = Postback.parse(choice.data or "")
            if postback and postback.action == action and value in (None, postback.value):
                return as_input(choice)
    raise AssertionError(f"no {action} in {texts(chat.shown)[:300]}")


async def journeys(code: str) -> list[str]:
    """A jobseeker and an employer choose a site, book, look, cancel, ask for help and the
    language: every answer in `code`, checked against LINE's limits."""
    office = MemoryOffice(sites=(OWN, TOWN))
    factory = memory_ports(office)

    async def line_language(user: str) -> str:
        return code.replace("_", "-")

    engine = Engine(store=MemoryStateStore(), registry=build_registry(), clock=lambda: NOW,
                    ports=lambda outbox: replace(factory(outbox), profile_language=line_language))
    found: list[str] = []
    for user, role, purpose in (("Useeker", "jobseeker", "job_referral"),
                                ("Uemployer", "employer", "interview")):
        chat = Chat(engine, user)

        async def step(inp: Input, name: str, chat: Chat = chat) -> None:
            found.extend(problems_of(await chat.send(inp), f"{code} {name}"))

        await step(Input(kind="follow"), "follow")
        await step(tap(chat, "consent.agree"), "agreed")
        await step(Input(kind="postback", postback=Postback(action="menu.book")), "book")
        await step(tap(chat, "profile.role", role), "role")
        await step(tap(chat, "profile.registered", "yes"), "registered")
        office.save_profile(user)
        await step(Input(kind="postback", postback=Postback(action="profile.saved")), "saved")
        await step(tap(chat, "booking.purpose", purpose), "purpose")
        await step(Input(kind="text", text="02040-12345678"), "job number")
        if role == "employer":
            await step(tap(chat, "booking.applicants", "3"), "applicants")
        await step(tap(chat, "booking.attendant", "both"), "attendant")
        await step(Input(kind="text", text="市役所"), "no such site")
        await step(tap(chat, "booking.site", "town"), "site")
        await step(Input(kind="text", text="2月30日"), "no such day")
        await step(Input(kind="text", text="12月5日"), "a saturday")
        await step(tap(chat, "booking.day"), "day")
        await step(tap(chat, "booking.slot"), "time")
        await step(tap(chat, "booking.commit"), "commit")
        await step(Input(kind="postback", postback=Postback(action="menu.mine")), "mine")
        await step(tap(chat, "mine.cancel"), "cancel?")
        await step(tap(chat, "mine.cancel_yes"), "cancelled")
        for action in ("menu.now", "menu.terms", "menu.contact", "menu.language"):
            await step(Input(kind="postback", postback=Postback(action=action)), action)
        await step(Input(kind="text", text="ヘルプ"), "help")
        await step(Input(kind="other", other="sticker"), "sticker")
    return found


@pytest.mark.parametrize("code", list(LANGUAGES))
async def test_every_reply_of_the_journeys_fits_lines_limits(code: str):
    assert await journeys(code) == []


def notices_for(code: str) -> list[tuple[str, list[Reply]]]:
    """Each push a user can get, worded in `code` as the notifier writes it to the outbox."""
    start = datetime(2026, 12, 3, 10, 0, tzinfo=JST)
    slot = SlotFacts("b1", start, start + timedelta(minutes=90), "interview", "both", TOWN)
    with speaking(code):
        span = translator(code).span(start, start + timedelta(minutes=30))
    events = [
        Confirmed("U1", "b1", span, "interview", "both", "0173-00-0000", TOWN),
        Declined("U1", "b1", span, "ご希望の時間は対応できる職員がいないため", "0173-00-0000"),
        MarkedNoShow("U1", "b1", span, "0173-00-0000"),
        Moved("U1", "b2", span, span, "0173-00-0000", TOWN),
        TermsPublished("U1", "2026-12-01", "2026年12月1日", "第5条を改めました。", "http://x/t"),
        LimitLifted("U1", "0173-00-0000"),
        ReminderDue("U1", "day_before", slot, "0173-00-0000"),
        ReminderDue("U1", "soon", slot, "0173-00-0000"),
        NoShow("U1", slot, 2, 2, True, "五所川原 様", "0173-00-0000", "http://x/b"),
        RequestExpired("U1", slot, "0173-00-0000"),
        SlotFreed("U1", "e1", (start, start + timedelta(minutes=30)), 1),
        ClosedByOffice("U1", "b1", start, 3, "庁舎の設備点検", TOWN.name, "0173-00-0000",
                       tuple(start + timedelta(days=d, hours=h) for d in (6, 7) for h in (0, 1))),
    ]
    out = []
    for event in events:
        for notice in Notifier().notices(event, code):
            out.append((f"{code} {type(event).__name__} → {notice.to}",
                        load_replies(notice.payload)))
    return out


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_push_fits_lines_limits_and_staff_alerts_stay_japanese(code: str):
    found = []
    for where, replies in notices_for(code):
        found += problems_of(replies, where)
        if where.endswith("@staff"):
            assert "不参加" in texts(replies), where  # staff read Japanese, whatever the user
    assert found == []


def test_a_push_is_worded_in_the_recipients_language():
    english = dict(notices_for("en"))
    easy = dict(notices_for("ja_easy"))
    assert "Your booking is confirmed" in texts(english["en Confirmed → U1"])
    assert "予約が きまりました" in texts(easy["ja_easy Confirmed → U1"])
    closed = texts(english["en ClosedByOffice → U1"])
    assert "will be closed at the time of your booking below (庁舎の設備点検のため)" in closed
    assert "Place: 見本町役場 2階 相談室" in closed and "Wed, Dec 9 10:00" in closed
    assert "休止" not in closed and "取り消す" not in closed
    reminder = texts(english["en ReminderDue → U1"])
    assert "Thu, Dec 3" in reminder and "10:00" in reminder


def test_typed_choice_chips_are_labelled_in_each_language():
    for code in TRANSLATED:
        with speaking(code):
            from dialogs.engine import menu_choices
            labels = [c.label for c in menu_choices()]
        assert all(isinstance(c, str) and len(c) <= LABEL_MAX for c in labels), (code, labels)
        assert isinstance(menu_choices()[0], Choice)


async def english_jobseeker_choosing_attendant(office: MemoryOffice, user: str) -> Chat:
    """A new user who switched to English, registered and chose a purpose: the next tap is
    who attends."""
    engine = Engine(store=MemoryStateStore(), registry=build_registry(), clock=lambda: NOW,
                    ports=memory_ports(office))
    chat = Chat(engine, user)
    await chat.follow()
    await chat.send(tap(chat, "consent.agree"))
    await chat.say("English")
    await chat.send(Input(kind="postback", postback=Postback(action="menu.book")))
    await chat.send(tap(chat, "profile.role", "jobseeker"))
    await chat.send(tap(chat, "profile.registered", "yes"))
    office.save_profile(chat.user)
    await chat.send(Input(kind="postback", postback=Postback(action="profile.saved")))
    await chat.send(tap(chat, "booking.purpose", "job_consultation"))
    return chat


async def test_a_typed_date_that_cannot_be_read_is_explained_in_the_users_language():
    office = MemoryOffice()
    chat = await english_jobseeker_choosing_attendant(office, "Uwhen")
    await chat.send(tap(chat, "booking.attendant", "none"))
    refused = texts(await chat.say("sometime soon"))
    assert "Sorry, we could not read the date and time." in refused
    read = texts(await chat.say("Dec 3 10am"))
    assert "Please check your request" in read and "Thu, Dec 3" in read


async def test_the_site_choice_and_the_place_are_worded_in_the_users_language():
    office = MemoryOffice(sites=(OWN, TOWN))
    chat = await english_jobseeker_choosing_attendant(office, "Usite")
    carousel = texts(await chat.send(tap(chat, "booking.attendant", "none")))
    assert "Please choose where you would like to use the consultation booth." in carousel
    assert "Address: 青森県見本町本町1-1" in carousel
    assert "Tue/Thu 10:00" in carousel and "Book here" in carousel and "View map" in carousel
    assert "住所" not in carousel and "受付" not in carousel
    hint = texts(await chat.say("市役所"))
    assert "with the buttons below (本所、見本町役場 2階 相談室)" in hint
    await chat.send(tap(chat, "booking.site", "town"))
    await chat.send(tap(chat, "booking.day"))
    summary = texts(await chat.send(tap(chat, "booking.slot")))
    assert "Place: 見本町役場 2階 相談室 (青森県見本町本町1-1)" in summary
    received = texts(await chat.send(tap(chat, "booking.commit")))
    assert "Map: https://maps.example/town" in received and "場所" not in received
    reminders = "\n".join(texts(replies) for where, replies in notices_for("en")
                          if where == "en ReminderDue → U1")  # the day before, then soon
    assert "How to get there: 正面玄関から入り、階段で2階へ。" in reminders
    assert "Place: 見本町役場 2階 相談室 (青森県見本町本町1-1)" in reminders
