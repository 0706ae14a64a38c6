"""今すぐ相談 (art. 5-2): offered only when a booth is free now, staff accept immediate use and
consent to the newest terms is on record; otherwise a clear reason and the next bookable slot."""

from __future__ import annotations

from datetime import datetime

from booking.sites import Site
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import common_messages, immediate_messages
from dialogs.flows.access import admission, limit_text, refusal_text
from dialogs.flows.booking import PURPOSE, draft_of
from dialogs.flows.consent import needs_consent
from dialogs.flows.labels import span
from dialogs.flows.profile import profile_lines, profile_step
from dialogs.flows.receipts import next_slot_text
from dialogs.flows.site_messages import place_line
from dialogs.flows.sites import chosen_site
from dialogs.flows.slots import summary_lines
from dialogs.i18n import messages
from dialogs.ports import NowInfo, Outcome, Reason, UserInfo
from dialogs.registry import Registry
from dialogs.replies import Card, Reply, Text

ct = messages(common_messages)
t = messages(immediate_messages)

CONFIRM = "now:confirm"


def unavailable(ctx: Ctx, reason: Reason, next_slot: datetime | None) -> Step:
    """Why not now, and when a reserved booking is possible instead."""
    match reason:
        case Reason.CLOSED:
            why = t.CLOSED.format(hours=ctx.office.hours)
        case Reason.DISABLED:
            why = t.DISABLED
        case Reason.ALREADY:
            why = t.ALREADY
        case _:
            why = t.BUSY
    text = f"{why}\n{next_slot_text(next_slot)}\n{t.OFFER_BOOK}"
    return Step(IDLE, [Text(text=text, choices=menu_choices())])


async def start(ctx: Ctx, inp: Input) -> Step:
    """今すぐ相談: refusals, consent to the newest terms (re-asked if changed), a free booth now."""
    user, gate = await admission(ctx, then="menu.now")
    if gate is not None:
        return gate
    status: NowInfo = await ctx.requests.immediate_status(ctx.user, ctx.now)
    if not status.available or status.slot is None:
        return unavailable(ctx, status.reason, status.next_slot)
    return await begin(ctx, user, status.slot)


async def begin(ctx: Ctx, user: UserInfo, slot: datetime, site: Site | None = None) -> Step:
    """A booth is free now (at `site`, for a walk-up): the cap, then the profile and purpose."""
    if user.active_requests >= user.max_active_requests:
        return Step(IDLE, [Text(text=limit_text(ctx, user))])
    ctx.data.clear()
    ctx.data.update(mode="now", start=slot.isoformat())
    if site is not None and site.id is not None:
        ctx.data.update(site=site.id, site_name=site.name, walkup=True)
    step = await profile_step(ctx, after=PURPOSE, user=user)
    text = (t.AVAILABLE_AT.format(site=site.name, span=span(slot)) if site is not None
            else t.AVAILABLE.format(span=span(slot)))
    return Step(step.next, [Text(text=text)])


async def confirm_prompt(ctx: Ctx) -> list[Reply]:
    """The request as it will be sent, for the slot that is current now (time may have passed
    while the profile form was filled in)."""
    status = await ctx.requests.immediate_status(ctx.user, ctx.now, chosen_site(ctx))
    if not status.available or status.slot is None:
        return unavailable(ctx, status.reason, status.next_slot).say
    ctx.data["start"] = status.slot.isoformat()
    user = await ctx.accounts.user(ctx.user)
    site = (await ctx.availability.calendar(ctx.now)).site(chosen_site(ctx))
    lines = summary_lines(ctx, site)[1:]  # all but the time, which is the current slot
    start = status.slot
    card = Card(title=t.SUMMARY_TITLE, alt=t.SUMMARY_TITLE,
                lines=[t.LINE_SPAN.format(span=span(start)), *lines, *profile_lines(user)],
                buttons=[ctx.button(t.APPLY, "now.apply", style="primary"),
                         ctx.button(t.QUIT, "now.quit")])
    return [card]


async def on_apply(ctx: Ctx, inp: Input) -> Step:
    """申し込む: the booth is checked again and taken in one commit with the staff alert."""
    outcome: Outcome = await ctx.requests.request_immediate(ctx.user, draft_of(ctx), ctx.now)
    if outcome.ok:
        user = await ctx.accounts.user(ctx.user)
        info = outcome.bookings[0]
        text = t.RECEIVED.format(span=span(info.starts_at), phone=user.masked_phone or "")
        if info.site is not None:
            text = f"{text}\n{place_line(info.site)}"
        rules = ct.RULES.format(phone=ctx.office.phone)
        return Step(IDLE, [Text(text=text), Text(text=rules, choices=menu_choices())])
    match outcome.reason:
        case Reason.REFUSED:
            return Step(IDLE, [Text(text=refusal_text(ctx))])
        case Reason.CONSENT:
            return await needs_consent(ctx, then="menu.now") or Step(IDLE)
        case Reason.LIMIT:
            return Step(IDLE, [Text(text=limit_text(ctx, await ctx.accounts.user(ctx.user)))])
        case _:  # closed, disabled, busy, already booked now
            return unavailable(ctx, outcome.reason, min(outcome.alternatives, default=None))


async def on_quit(ctx: Ctx, inp: Input) -> Step:
    return Step(IDLE, [Text(text=t.QUIT_DONE, choices=menu_choices())])


async def on_text(ctx: Ctx, inp: Input) -> Step:
    if inp.text in t.APPLY_WORDS:
        return await on_apply(ctx, inp)
    raise Invalid(t.HINT)


def register(registry: Registry) -> None:
    registry.state(State(CONFIRM, confirm_prompt, on_text=on_text, text_hint=t.HINT,
                         actions={"now.apply": on_apply, "now.quit": on_quit}))
    registry.entry("menu.now", start, "今すぐ相談", "今すぐ", "すぐに相談したい", "今から相談")
