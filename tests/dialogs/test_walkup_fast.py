"""Walk-up 今すぐ相談 on in-memory ports: the poster's message starts immediate use at its site,
from any step; the booth taken there offers that site's slots; a closed site is refused."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from booking import JST
from booking.sites import Hours, Site, office_hours
from booking.walkup import walkup_message
from dialogs.engine import Engine
from dialogs.events import RequestCreated
from dialogs.flows import build_registry
from tests.dialogs.chat import Chat, texts
from tests.fakes import MemoryOffice, MemoryStateStore, memory_ports
from tests.fakes.office import SEED_TERMS

NOW = datetime(2026, 12, 3, 11, 5, tzinfo=JST)  # a Thursday: the town hall is open 10–15
OWN = Site(id="own", name="五所川原 相談ブース", booths=(1,), hours=office_hours(), code="OWN234")
TOWN = Site(id="town", name="見本町役場 2階 相談室", booths=(2,),
            hours=(Hours(1, time(10), time(15)), Hours(3, time(10), time(15))), code="TWN567")
SHUT = Site(id="shut", name="旧公民館", booths=(3,), hours=office_hours(), active=False,
            code="SHT892")


@pytest.fixture
def office() -> MemoryOffice:
    office = MemoryOffice(sites=(OWN, TOWN, SHUT), immediate_use_enabled=True)
    office.add_user("Uwalk", consent_version=SEED_TERMS)
    office.save_profile("Uwalk")
    return office


@pytest.fixture
def chat(office: MemoryOffice) -> Chat:
    engine = Engine(store=MemoryStateStore(), registry=build_registry(),
                    ports=memory_ports(office), clock=lambda: NOW)
    return Chat(engine, "Uwalk")


async def test_the_posters_message_books_the_free_booth_at_its_site_from_any_step(chat, office):
    await chat.say("予約する")
    offered = await chat.say(walkup_message(TOWN.name, TOWN.code))
    assert f"「{TOWN.name}」の相談ブースがただいま空いています" in texts(offered)
    await chat.tap("この内容で進む")
    await chat.tap("職業相談")
    card = await chat.tap("同席者なし")
    assert f"場所：{TOWN.name}" in texts(card)
    await chat.tap("申し込む")
    (request,) = office.requests
    assert request.immediate and request.site_id == "town" and request.booths == [2]
    assert any(isinstance(e, RequestCreated) and e.immediate for e in office.events)


async def test_a_taken_booth_offers_that_sites_next_slots_and_a_closed_site_is_refused(
        chat, office):
    office.add_booking("Uother", datetime(2026, 12, 3, 11, 0, tzinfo=JST), booth=2,
                       site_id="town", status="confirmed")
    busy = texts(await chat.say(walkup_message(TOWN.name, TOWN.code)))
    assert f"ただいま「{TOWN.name}」の相談ブースは使用中です。" in busy
    assert "12月8日(火) 10:00" in busy  # the town hall's next open day, not the office's
    refused = texts(await chat.say(walkup_message(SHUT.name, SHUT.code)))
    assert "この相談ブースは現在ご利用いただけません" in refused
    assert len(office.requests) == 1
