"""An emergency closure notice (DESIGN §13) answered through the engine on in-memory ports:
the notice the notifier words, a tap on an offered time requests it, 取り消す is one tap, a
second tap is told it was answered, and a tap on the notice after new terms asks consent first."""

from __future__ import annotations

from datetime import datetime

from booking import JST
from dialogs.engine import Engine
from dialogs.events import ClosedByOffice, RequestCreated
from dialogs.flows import build_registry
from dialogs.notify import Notifier
from dialogs.replies import Reply, load_replies
from tests.dialogs.chat import Chat, texts
from tests.fakes import MemoryOffice, MemoryStateStore, memory_ports

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
CLOSED = datetime(2026, 12, 3, 10, 0, tzinfo=JST)
OPTIONS = (datetime(2026, 12, 3, 13, 0, tzinfo=JST), datetime(2026, 12, 4, 9, 0, tzinfo=JST))


def setup(user: str = "Uclosed") -> tuple[MemoryOffice, Chat, str]:
    office = MemoryOffice()
    office.add_user(user, consent_version="2024-10-01", consented_at=NOW)
    office.save_profile(user)
    request = office.add_booking(user, CLOSED, status="confirmed")
    office.close_request(request)
    engine = Engine(store=MemoryStateStore(), registry=build_registry(),
                    ports=memory_ports(office), clock=lambda: NOW)
    return office, Chat(engine, user), request.id


def notice(booking_id: str, options: tuple[datetime, ...] = OPTIONS,
           reason: str = "大雪のため") -> list[Reply]:
    (pushed,) = Notifier().notices(ClosedByOffice(
        to="Uclosed", booking_id=booking_id, starts_at=CLOSED, slots=1, reason=reason,
        site_name="見本町役場 2階 相談室", office_phone="0173-00-0000", options=options))
    return load_replies(pushed.payload)


async def test_the_notice_says_why_when_where_and_whom_to_call_and_a_tap_moves():
    office, chat, booking_id = setup()
    shown = notice(booking_id)
    said = texts(shown)
    assert "大雪のため" in said and "12月3日(木) 10:00〜10:30" in said
    assert "見本町役場 2階 相談室" in said and "0173-00-0000" in said
    assert "12月3日(木) 13:00からに変更" in said and "取り消す" in said
    moved = await chat.tap("12月3日(木) 13:00からに変更", shown)
    assert "お申し込みを受け付けました" in texts(moved)
    assert [e for e in office.events if isinstance(e, RequestCreated)]
    assert office.closed[booking_id] == "moved"
    again = await chat.tap("12月4日(金) 9:00からに変更", shown)
    assert "すでにお返事をいただいています" in texts(again)


async def test_cancel_is_one_tap_and_a_notice_without_free_times_says_to_call():
    office, chat, booking_id = setup()
    shown = notice(booking_id, options=(), reason="庁舎の停電")
    assert "お電話でご相談ください" in texts(shown)
    assert "申し訳ありません。庁舎の停電のため、次のご予約" in texts(shown)
    assert "ハローワークの都合により、" in texts(notice(booking_id, reason=""))
    done = await chat.tap("取り消す", shown)
    assert "12月3日(木) 10:00〜10:30のご予約を取り消しました" in texts(done)
    assert office.closed[booking_id] == "cancelled"


async def test_a_tap_after_new_terms_asks_consent_then_requests_the_time():
    office, chat, booking_id = setup()
    office.publish_terms("2026-11-30", datetime(2026, 11, 30, tzinfo=JST), changes="改定")
    gate = await chat.tap("12月3日(木) 13:00からに変更", notice(booking_id))
    assert "利用規約が改定されました" in texts(gate) and office.closed[booking_id] is None
    booked = await chat.tap("同意する")
    assert "お申し込みを受け付けました" in texts(booked)
    assert office.closed[booking_id] == "moved"
