"""Greeting on follow, the main menu, and the office's contact card."""

from __future__ import annotations

from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Step
from dialogs.flows import home_messages, language_messages
from dialogs.flows.consent import needs_consent
from dialogs.flows.language import first_language
from dialogs.i18n import messages
from dialogs.registry import Registry
from dialogs.replies import Card, Choice, Text

t = messages(home_messages)
lt = messages(language_messages)


async def on_follow(ctx: Ctx, inp: Input) -> Step:
    """Greet in the user's language, then show the terms unless the user already agreed."""
    user = await first_language(ctx)
    greeting = Text(text=t.GREETING.format(office=ctx.office.name) + "\n" + lt.HOW_TO_CHANGE)
    gate = await needs_consent(ctx, then="home", user=user)
    if gate is not None:
        return Step(gate.next, [greeting, *gate.say])
    return Step(IDLE, [greeting, Text(text=t.MENU, choices=menu_choices())])


async def on_home(ctx: Ctx, inp: Input) -> Step:
    """The main menu."""
    return Step(IDLE, [Text(text=t.MENU, choices=menu_choices())])


def contact_card(ctx: Ctx) -> Card:
    """Office phone, hours and address as a card with a call button."""
    office = ctx.office
    lines = [line.format(office=office.name, phone=office.phone, hours=office.hours,
                         address=office.address) for line in t.CONTACT_LINES]
    tel = "tel:" + office.phone.replace("-", "")
    return Card(title=t.CONTACT_TITLE, lines=[*lines, t.CONTACT_NOTE], alt=t.CONTACT_TITLE,
                buttons=[Choice(label=t.CALL, url=tel)], choices=menu_choices())


async def on_contact(ctx: Ctx, inp: Input) -> Step:
    """問い合わせ: the office's phone and hours."""
    return Step(IDLE, [contact_card(ctx)])


def register(registry: Registry) -> None:
    """Entries of this flow."""
    registry.entry("follow", on_follow)
    registry.entry("home", on_home)
    registry.entry("menu.contact", on_contact, "問い合わせ", "問合せ", "お問い合わせ", "電話番号")
