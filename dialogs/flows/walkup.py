"""Walk-up 今すぐ相談 (art. 5-2, DESIGN §13): the message a site's poster QR code sends.

The message names the site by its code (booking/walkup.py) and is a global command: it works
in any state. An unknown or inactive site is refused with the office phone; then the usual
gates (refusals, consent to the terms in effect, which comes back here once agreed); then a
free booth at that site now, or the next free slots there as buttons that start a booking.
"""

from __future__ import annotations

from datetime import datetime

from booking import is_bookable, to_jst
from booking.availability import Calendar
from booking.sites import Site, site_open
from booking.walkup import MESSAGE_PATTERN, walkup_code
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import immediate, immediate_messages, walkup_messages
from dialogs.flows.access import admission, limit_text
from dialogs.flows.booking import PURPOSE
from dialogs.flows.profile import profile_step
from dialogs.flows.receipts import next_slot_text
from dialogs.flows.site_messages import site_hours
from dialogs.i18n import format_button_moment, messages
from dialogs.ports import NowInfo, Reason
from dialogs.registry import Registry
from dialogs.replies import Reply, Text

t = messages(walkup_messages)
now_text = messages(immediate_messages)

NEXT = "walkup:next"
SCAN, RESUME = "walkup.scan", "walkup.resume"
SLOTS_SHOWN = 4


def site_of(cal: Calendar, code: str) -> Site | None:
    """The active site whose poster carries `code`; None for an unknown or inactive one."""
    site = next((s for s in cal.places() if code and s.code == code), None)
    return site if site is not None and site.active else None


async def on_scan(ctx: Ctx, inp: Input) -> Step:
    """The poster's message: remember the site's code (the consent step may come first)."""
    ctx.data.clear()
    ctx.data["walkup"] = walkup_code(inp.text) or ""
    return await resume(ctx, inp)


async def resume(ctx: Ctx, inp: Input) -> Step:
    """The site, the gates, then a free booth now or the next free slots at that site."""
    cal = await ctx.availability.calendar(ctx.now)
    site = site_of(cal, ctx.data.get("walkup", ""))
    if site is None or site.id is None:
        office = ctx.office
        text = t.SITE_UNAVAILABLE.format(phone=office.phone, hours=office.hours)
        return Step(IDLE, [Text(text=text, choices=menu_choices())])
    user, gate = await admission(ctx, then=RESUME)
    if gate is not None:
        return gate
    status = await ctx.requests.immediate_status(ctx.user, ctx.now, site.id)
    if status.available and status.slot is not None:
        return await immediate.begin(ctx, user, status.slot, site)
    return await not_now(ctx, site, cal, status)


def why_not(ctx: Ctx, site: Site, cal: Calendar, status: NowInfo) -> str:
    """Why the booth at `site` cannot be used now."""
    match status.reason:
        case Reason.CLOSED:
            return now_text.CLOSED.format(hours=ctx.office.hours)
        case Reason.DISABLED:
            return now_text.DISABLED
        case Reason.ALREADY:
            return now_text.ALREADY
        case _ if status.slot is not None and not site_open(site, status.slot, cal.ranges):
            return t.SITE_CLOSED.format(site=site.name, hours=site_hours(site))
        case _:
            return t.BUSY_AT.format(site=site.name)


async def not_now(ctx: Ctx, site: Site, cal: Calendar, status: NowInfo) -> Step:
    """The reason, and the next free slots at the site to book instead (if any)."""
    why = why_not(ctx, site, cal, status)
    found = await ctx.availability.nearest_free(ctx.user, ctx.now, ctx.now, 1, SLOTS_SHOWN,
                                                site_id=site.id)
    ctx.data.clear()
    if not found:
        text = f"{why}\n{t.NO_NEXT_AT.format(site=site.name, phone=ctx.office.phone)}"
        return Step(IDLE, [Text(text=text, choices=menu_choices())])
    ctx.data.update(site=site.id, site_name=site.name, alts=[s.isoformat() for s in found])
    return Step(NEXT, [Text(text=f"{why}\n{next_slot_text(min(found))}")])


async def next_prompt(ctx: Ctx) -> list[Reply]:
    """The next free slots at the site, as buttons."""
    starts = [datetime.fromisoformat(s) for s in ctx.data.get("alts", [])]
    buttons = [ctx.button(format_button_moment(s),
                          "walkup.slot", s.isoformat()) for s in starts]
    return [Text(text=t.NEXT_AT.format(site=ctx.data.get("site_name", "")), choices=buttons)]


async def on_slot(ctx: Ctx, inp: Input) -> Step:
    """A next free slot: hold it at the site, then the usual questions and 確定."""
    value = inp.postback.value if inp.postback else ""
    if value not in ctx.data.get("alts", []):
        raise Invalid(t.HINT)
    starts = datetime.fromisoformat(value)
    cal = await ctx.availability.calendar(ctx.now)
    if not is_bookable(starts, ctx.now, cal.closures, cal.cutoff):
        raise Invalid(t.NOT_BOOKABLE)
    user = await ctx.accounts.user(ctx.user, ctx.now)
    if user.active_requests >= user.max_active_requests:
        return Step(IDLE, [Text(text=limit_text(ctx, user))])
    site_id, site_name = ctx.data["site"], ctx.data["site_name"]
    if not await ctx.availability.hold(ctx.user, starts, 1, site_id):
        raise Invalid(t.TAKEN)
    ctx.data.clear()
    ctx.data.update(mode="book", preset=True, walkup=True, site=site_id, site_name=site_name,
                    start=starts.isoformat(), day=to_jst(starts).date().isoformat())
    return await profile_step(ctx, after=PURPOSE, user=user)


def register(registry: Registry) -> None:
    registry.state(State(NEXT, next_prompt, text_hint=t.HINT, actions={"walkup.slot": on_slot}))
    registry.entry(SCAN, on_scan)
    registry.entry(RESUME, resume)
    registry.command(MESSAGE_PATTERN, SCAN)
