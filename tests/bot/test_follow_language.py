"""The follow step (DESIGN.md §14): LINE's profile is asked for the language only when the user
has none stored; a stored language (chosen by the user) wins over the profile's, and a follow
costs no request to LINE beyond its reply."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from booking import JST
from dialogs.engine import Engine
from dialogs.flow import Input
from dialogs.flows import build_registry
from dialogs.flows import home_messages as home
from dialogs.i18n import translator
from tests.dialogs.chat import texts
from tests.fakes import MemoryOffice, MemoryStateStore, memory_ports
from tests.helpers import texts as line_texts
from tests.records import user_row

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)


async def test_the_profile_is_asked_only_while_no_language_is_stored():
    office = MemoryOffice()
    factory = memory_ports(office)
    asked: list[str] = []

    async def profile_language(user: str) -> str:
        asked.append(user)
        return "en"

    engine = Engine(store=MemoryStateStore(), registry=build_registry(), clock=lambda: NOW,
                    ports=lambda outbox: replace(factory(outbox),
                                                 profile_language=profile_language))
    first = (await engine.handle("Unew", Input(kind="follow"))).replies
    assert asked == ["Unew"] and office.users["Unew"].language == "en"
    assert translator("en").gettext(home.GREETING).split("\n")[0] in texts(first)
    await engine.handle("Unew", Input(kind="text", text="日本語"))
    assert office.users["Unew"].language == "ja"
    again = (await engine.handle("Unew", Input(kind="follow"))).replies
    assert asked == ["Unew"]  # known: no second request
    assert "友だち追加ありがとうございます" in texts(again)


def test_a_refollow_greets_in_the_chosen_language_not_the_profile_one(live: Any, user: str):
    live.send(user, event="follow")  # the emulator's LINE app says "ja"
    assert user_row(live, user).language == "ja"
    live.send(user, text="English")
    assert user_row(live, user).language == "en"
    live.send(user, event="unfollow")
    again = line_texts(live.send(user, event="follow"))
    greeting = translator("en").gettext(home.GREETING).split("\n")[0]
    assert greeting in again and "友だち追加" not in again
    assert user_row(live, user).language == "en"
