"""The waitlist (DESIGN.md §8): wait for a full day; when a slot frees, everyone waiting is
pushed an offer whose buttons book at once, so the first tap wins (the same atomic commit)."""

from __future__ import annotations

from datetime import date, datetime

from booking import JST, to_jst
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, Step
from dialogs.flows import booking_messages, waitlist_messages
from dialogs.flows.access import limit_text, refused
from dialogs.flows.booking import draft_of
from dialogs.flows.consent import tap_past_consent
from dialogs.flows.receipts import received_replies
from dialogs.i18n import format_clock, format_day, messages
from dialogs.ports import Reason, UserInfo
from dialogs.postback import Postback
from dialogs.registry import Registry
from dialogs.replies import Card, Choice, Reply, Text

bt = messages(booking_messages)
t = messages(waitlist_messages)

OFFERS_SHOWN = 3
STAMP = "%Y%m%d%H%M"


def offer_value(entry_id: str, starts_at: datetime) -> str:
    """Postback value naming the waitlist entry and the offered start."""
    return f"{entry_id}/{to_jst(starts_at).strftime(STAMP)}"


def offer_replies(entry_id: str, starts: list[datetime], slots: int = 1) -> list[Reply]:
    """The pushed offer: buttons that never expire (no nonce), each books one start."""
    day = format_day(to_jst(starts[0]).date())
    buttons = [Choice(label=t.OFFER_BUTTON.format(time=format_clock(to_jst(s).time())),
                      data=Postback(action="waitlist.take",
                                    value=offer_value(entry_id, s)).encode(),
                      style="primary" if i == 0 else "secondary")
               for i, s in enumerate(starts[:OFFERS_SHOWN])]
    return [Card(title=t.OFFER_TITLE, lines=[t.OFFER_TEXT.format(day=day)], buttons=buttons,
                 alt=f"{t.OFFER_TITLE}：{day}")]


async def on_join(ctx: Ctx, inp: Input) -> Step:
    """空きが出たら知らせる: remember the request for that day and stay on the day step."""
    try:
        day = date.fromisoformat(inp.postback.value if inp.postback else "")
    except ValueError:
        raise Invalid(bt.DAY_HINT) from None
    await ctx.requests.join_waitlist(ctx.user, day, draft_of(ctx), ctx.now)
    return Step("booking:day", [Text(text=t.JOINED.format(day=format_day(day)))])


def parse_offer(value: str) -> tuple[str, datetime] | None:
    """The entry id and start a waitlist button carries, or None when it is not one."""
    entry_id, _, stamp = value.partition("/")
    try:
        return entry_id, datetime.strptime(stamp, STAMP).replace(tzinfo=JST)
    except ValueError:
        return None


async def on_take(ctx: Ctx, inp: Input) -> Step:
    """The first tap wins: book with the request the user waited with, or say it went."""
    user = await ctx.accounts.user(ctx.user, ctx.now)
    closing = refused(ctx, user)
    if closing is not None:
        return closing
    value, gate = await tap_past_consent(ctx, inp, action="waitlist.take", key="offer",
                                         user=user)
    if gate is not None:
        return gate
    offer = parse_offer(value)
    if offer is None:
        return Step(IDLE, [Text(text=t.GONE, choices=menu_choices())])
    outcome = await ctx.requests.take_offer(ctx.user, offer[0], offer[1], ctx.now)
    if outcome.ok:
        return Step(IDLE, await received_replies(ctx, outcome.bookings[0]))
    if outcome.reason == Reason.TAKEN:
        return Step(IDLE, taken_replies(offer[0], outcome.alternatives))
    return Step(IDLE, [Text(text=failure_text(ctx, outcome.reason, user), choices=menu_choices())])


def taken_replies(entry_id: str, others: list[datetime]) -> list[Reply]:
    """Someone was faster: say so, and offer what is still free that day."""
    if not others:
        return [Text(text=t.TAKEN, choices=menu_choices())]
    return [Text(text=t.TAKEN), *offer_replies(entry_id, others)]


def failure_text(ctx: Ctx, reason: Reason, user: UserInfo) -> str:
    """Why an offer could not be taken, besides a faster user."""
    match reason:
        case Reason.LIMIT:
            return limit_text(ctx, user)
        case Reason.PROFILE:
            return t.PROFILE_NEEDED
        case _:
            return t.GONE


def register(registry: Registry) -> None:
    registry.entry("waitlist.take", on_take)
