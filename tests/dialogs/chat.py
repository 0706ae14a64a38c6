"""Reading the engine's neutral replies (dialogs/replies.py) as a user would: texts and buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.engine import Engine
from dialogs.flow import Input
from dialogs.postback import Postback
from dialogs.replies import Card, Carousel, Choice, DatePicker, Link, Reply, Text


def texts(replies: list[Reply]) -> str:
    """Every visible string: texts, card titles and lines, button labels, joined."""
    out: list[str] = []
    for reply in replies:
        match reply:
            case Text():
                out.append(reply.text)
            case Link() | DatePicker():
                out += [reply.text, reply.label]
            case Card():
                out += [reply.title, *reply.lines]
            case Carousel():
                out += [s for card in reply.cards for s in (card.title, *card.lines)]
        out += [c.label for c in choices(reply)]
    return "\n".join(out)


def choices(reply: Reply) -> list[Choice]:
    """The buttons and quick replies of one reply, in the order shown."""
    if isinstance(reply, Carousel):
        return [c for card in reply.cards for c in (*card.buttons, *card.choices)] + reply.choices
    if isinstance(reply, Card):
        return [*reply.buttons, *reply.choices]
    return list(reply.choices)


def button(replies: list[Reply], label: str) -> Choice:
    """The first button with this label (the first day, the earliest time, ...)."""
    found = [c for r in replies for c in choices(r) if c.label == label]
    assert found, f"no {label!r} in {[c.label for r in replies for c in choices(r)]}"
    return found[0]


def as_input(choice: Choice) -> Input:
    """What tapping a choice sends: its postback, or its text."""
    if choice.data:
        postback = Postback.parse(choice.data)
        assert postback is not None
        return Input(kind="postback", postback=postback)
    assert choice.text is not None, f"{choice.label!r} opens a link"
    return Input(kind="text", text=choice.text)


@dataclass
class Chat:
    """One user talking to the engine; `shown` is what the last answer showed."""

    engine: Engine
    user: str
    shown: list[Reply] = field(default_factory=list)

    async def send(self, inp: Input) -> list[Reply]:
        self.shown = (await self.engine.handle(self.user, inp)).replies
        return self.shown

    async def say(self, text: str) -> list[Reply]:
        return await self.send(Input(kind="text", text=text))

    async def follow(self) -> list[Reply]:
        return await self.send(Input(kind="follow"))

    async def tap(self, label: str, replies: list[Reply] | None = None) -> list[Reply]:
        """Tap a button from the last answer (or from `replies`, an earlier one)."""
        return await self.send(as_input(button(self.shown if replies is None else replies, label)))

    async def entry(self, action: str, **values: Any) -> list[Reply]:
        """A nonce-less postback, as the form or a push sends (e.g. "profile.saved")."""
        return await self.send(Input(kind="postback", postback=Postback(action=action, **values)))


def first_time(replies: list[Reply]) -> str:
    """The label of the earliest time button of a time carousel ("9:00")."""
    for reply in replies:
        if isinstance(reply, Carousel):
            for card in reply.cards:
                for choice in card.buttons:
                    if choice.data and "booking.slot" in choice.data:
                        return choice.label
    raise AssertionError("no time buttons")


def slot_of(choice: Choice) -> datetime:
    postback = Postback.parse(choice.data or "")
    assert postback is not None
    return datetime.fromisoformat(postback.value)
