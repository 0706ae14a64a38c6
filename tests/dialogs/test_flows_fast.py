"""The booking journeys on in-memory ports (tests/fakes): no HTTP, no database, no Redis.

The same flows as tests/flows, driven straight through the engine; what staff would be pushed is
read from the domain events the in-memory office recorded.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from booking import JST
from dialogs import messages as m
from dialogs.engine import Engine
from dialogs.events import RequestCancelled, RequestCreated
from dialogs.flows import build_registry
from tests.dialogs.chat import Chat, button, first_time, slot_of, texts
from tests.fakes import MemoryOffice, MemoryStateStore, memory_ports

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # a Tuesday in office hours


@pytest.fixture
def office() -> MemoryOffice:
    return MemoryOffice()


@pytest.fixture
def store() -> MemoryStateStore:
    return MemoryStateStore()


@pytest.fixture
def chat(office: MemoryOffice, store: MemoryStateStore) -> Chat:
    engine = Engine(store=store, registry=build_registry(), ports=memory_ports(office),
                    clock=lambda: NOW)
    return Chat(engine, "Ufast")


async def to_summary(chat: Chat, office: MemoryOffice) -> datetime:
    """A new user: follow, agree, 予約する, role, the form (saved in memory), purpose,
    attendant, the first day, the earliest time; returns the slot on the summary."""
    await chat.follow()
    await chat.tap("同意する")
    await chat.say("予約する")
    await chat.tap("求職者（仕事を探している方）")
    form = await chat.tap("登録しています")
    assert "入力フォームを開く" in texts(form)
    office.save_profile(chat.user)  # what submitting the web form does
    await chat.entry("profile.saved")
    await chat.tap("職業相談")
    await chat.tap("同席者なし")
    times = await chat.tap("この日を選ぶ")
    choice = button(times, first_time(times))
    summary = await chat.tap(choice.label)
    assert "お申し込み内容の確認" in texts(summary)
    return slot_of(choice)


async def test_a_new_user_books_by_buttons_and_staff_are_alerted(chat: Chat,
                                                                 office: MemoryOffice):
    greeting = await chat.follow()
    assert "同意する" in texts(greeting)
    slot = await to_summary(chat, office)
    assert slot == datetime(2026, 12, 2, 9, 0, tzinfo=JST)
    done = await chat.tap("確定する")
    assert "申込中" in texts(done) and "***-****-5678" in texts(done)
    (created,) = [e for e in office.events if isinstance(e, RequestCreated)]
    assert created.request.starts_at == slot and created.request.masked_name == "五所川原 様"
    (request,) = office.requests
    assert request.status == "requested" and request.attendant == "none"
    assert office.users[chat.user].consents == [("2024-10-01", NOW)]
    assert office.holds == {}  # the request, not the hold, keeps the slot now


async def test_a_booking_is_cancelled_from_my_bookings_and_staff_are_told(chat: Chat,
                                                                          office: MemoryOffice):
    await to_summary(chat, office)
    await chat.tap("確定する")
    mine = await chat.say("予約の確認・キャンセル")
    assert "申込中" in texts(mine)
    await chat.tap("キャンセルする")
    done = await chat.tap("取り消す")
    assert "ご予約を取り消しました" in texts(done)
    assert office.requests[0].status == "cancelled"
    (cancelled,) = [e for e in office.events if isinstance(e, RequestCancelled)]
    assert cancelled.request.booking_id == office.requests[0].id
    assert "予約はありません" in texts(await chat.say("予約の確認・キャンセル"))


async def test_a_button_from_an_earlier_step_has_expired(chat: Chat, office: MemoryOffice):
    await chat.follow()
    await chat.tap("同意する")
    await chat.say("予約する")
    roles = chat.shown
    await chat.tap("求職者（仕事を探している方）")
    stale = await chat.tap("求職者（仕事を探している方）", roles)
    assert m.EXPIRED_BUTTON in texts(stale)
    assert "登録しています" in texts(stale)  # the current step is asked again
    assert office.users[chat.user].role == "jobseeker"


async def test_quitting_at_the_summary_releases_the_held_slot(chat: Chat, office: MemoryOffice):
    slot = await to_summary(chat, office)
    assert list(office.holds) == [(slot, 1)]
    await chat.say("やめる")
    assert office.holds == {} and office.requests == []


async def test_a_slot_taken_while_the_user_looked_offers_the_nearest_ones(
        chat: Chat, office: MemoryOffice, store: MemoryStateStore):
    slot = await to_summary(chat, office)
    office.holds.clear()  # the hold lapsed (Redis would expire it) and someone else was faster
    office.add_user("Uother")
    office.add_booking("Uother", slot)
    taken = await chat.tap("確定する")
    assert "ちょうどほかの方のご予約が入りました" in texts(taken)
    assert "近い日時で空いている枠です" in texts(taken) and "12月2日(水) 9:30" in texts(taken)
    assert (await store.load(chat.user)).state == "booking:alternatives"
