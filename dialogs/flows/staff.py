"""Staff in LINE: link with a one-time code, and answer alert buttons (確定 / 時間変更 / お断り).

Alert buttons (dialogs/notify/staff_alerts.py) are nonce-less postbacks (`staff.confirm` etc.,
value = booking id), so they work whenever they are tapped; every tap is checked against the
linked, active staff account, and a second tap on a handled request says who handled it. The
records are reached through a `StaffPort` (dialogs/ports.py) that storage implements.
"""

from __future__ import annotations

import re
from datetime import datetime

from dialogs import messages as engine_messages
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import staff_messages as t
from dialogs.i18n import messages
from dialogs.ports import StaffMember, StaffOutcome, StaffPort
from dialogs.registry import Registry
from dialogs.replies import Link, Reply, Text

em = messages(engine_messages)

DECLINE = "staff:decline_reason"
MOVE = "staff:move_pick"
CODE = re.compile(r"(?:連携\s*)?(\d{6})")
MAX_REASON = 200


def port(ctx: Ctx) -> StaffPort:
    """The staff port the app was started with."""
    if ctx.staff is None:
        raise LookupError("no staff port: the app was started without the staff console")
    return ctx.staff


def said(outcome: StaffOutcome, ok_text: str) -> str:
    """The staff member's answer for an outcome."""
    if outcome.ok:
        return ok_text.format(slot=outcome.slot)
    if outcome.code == "handled":
        return t.HANDLED.get(outcome.status or "", t.HANDLED_OTHER).format(
            by=outcome.by or "ほかの職員")
    return t.ERRORS.get(outcome.code, t.ERROR_OTHER)


def done(text: str) -> Step:
    return Step(IDLE, [Text(text=text)])


async def on_link(ctx: Ctx, inp: Input) -> Step:
    """A typed one-time code binds this LINE account to the staff account that showed it."""
    match = CODE.fullmatch(inp.text)
    if match is None:
        return done(t.LINK_HELP)
    result = await port(ctx).link(ctx.user, match.group(1), ctx.now)
    if isinstance(result, StaffMember):
        return done(t.LINKED.format(name=result.name, role=t.ROLES.get(result.role, result.role)))
    if not inp.text.startswith("連携"):
        # A bare six-digit number that is no live code is just text we do not understand.
        return Step(IDLE, [Text(text=em.IDLE_HINT, choices=menu_choices())])
    return done(t.LINK_LIMITED if result == "limited" else t.LINK_WRONG)


async def on_link_help(ctx: Ctx, inp: Input) -> Step:
    return done(t.LINK_HELP)


async def on_confirm(ctx: Ctx, inp: Input) -> Step:
    """確定 from an alert."""
    assert inp.postback is not None
    if await port(ctx).member(ctx.user) is None:
        return done(t.NOT_STAFF)
    outcome = await port(ctx).confirm(ctx.user, inp.postback.value, ctx.now)
    return done(said(outcome, t.CONFIRMED))


async def on_decline(ctx: Ctx, inp: Input) -> Step:
    """お断り from an alert: ask for a reason unless the request was already handled."""
    assert inp.postback is not None
    if await port(ctx).member(ctx.user) is None:
        return done(t.NOT_STAFF)
    outcome = await port(ctx).peek(inp.postback.value)
    if not outcome.ok:
        return done(said(outcome, ""))
    ctx.data["booking"] = inp.postback.value
    return Step(DECLINE)


async def decline_prompt(ctx: Ctx) -> list[Reply]:
    reasons = [ctx.button(reason[:40], "staff.decline_reason", str(i))
               for i, reason in enumerate(t.DECLINE_REASONS)]
    return [Text(text=t.DECLINE_ASK + "\n" + "\n".join(f"・{r}" for r in t.DECLINE_REASONS),
                 choices=reasons)]


async def decline_with(ctx: Ctx, reason: str) -> Step:
    if await port(ctx).member(ctx.user) is None:
        return done(t.NOT_STAFF)
    outcome = await port(ctx).decline(ctx.user, ctx.data["booking"], reason, ctx.now)
    return done(said(outcome, t.DECLINED))


async def on_decline_reason(ctx: Ctx, inp: Input) -> Step:
    """A standard reason tapped."""
    assert inp.postback is not None
    index = int(inp.postback.value) if inp.postback.value.isdigit() else -1
    if not 0 <= index < len(t.DECLINE_REASONS):
        raise Invalid(t.DECLINE_HINT)
    return await decline_with(ctx, t.DECLINE_REASONS[index])


async def on_decline_text(ctx: Ctx, inp: Input) -> Step:
    """A reason typed in the staff member's own words."""
    if len(inp.text) > MAX_REASON:
        raise Invalid(t.DECLINE_TOO_LONG)
    return await decline_with(ctx, inp.text)


async def on_move(ctx: Ctx, inp: Input) -> Step:
    """時間変更 from an alert: offer the nearest free slots of the same day."""
    assert inp.postback is not None
    if await port(ctx).member(ctx.user) is None:
        return done(t.NOT_STAFF)
    booking_id = inp.postback.value
    found = await port(ctx).move_options(booking_id, ctx.now, 8)
    if not found.outcome.ok:
        return done(said(found.outcome, ""))
    console = Link(text=t.MOVE_NONE, label=t.MOVE_CONSOLE, url=port(ctx).console_url(booking_id))
    if not found.options:
        return Step(IDLE, [console])
    ctx.data.update(booking=booking_id, version=found.version, day=found.day,
                    options=[[o.starts_at.isoformat(), o.booth, o.label] for o in found.options])
    return Step(MOVE)


async def move_prompt(ctx: Ctx) -> list[Reply]:
    options = ctx.data.get("options", [])
    choices = [ctx.button(label, "staff.move_to", str(i))
               for i, (_, _, label) in enumerate(options)]
    console = port(ctx).console_url(ctx.data.get("booking", ""))
    # LINE shows quick replies only under the last message, and they cannot open pages.
    return [Link(text=t.MOVE_OTHER_DAY, label=t.MOVE_CONSOLE, url=console),
            Text(text=t.MOVE_PICK.format(day=ctx.data.get("day", "")), choices=choices)]


async def on_move_to(ctx: Ctx, inp: Input) -> Step:
    """A free slot tapped: move the booking there (the version guards against a race)."""
    assert inp.postback is not None
    options = ctx.data.get("options", [])
    index = int(inp.postback.value) if inp.postback.value.isdigit() else -1
    if not 0 <= index < len(options):
        raise Invalid(t.MOVE_HINT)
    if await port(ctx).member(ctx.user) is None:
        return done(t.NOT_STAFF)
    starts, booth, _ = options[index]
    outcome = await port(ctx).move(ctx.user, ctx.data["booking"], int(ctx.data["version"]),
                                   datetime.fromisoformat(starts), int(booth), ctx.now)
    return done(said(outcome, t.MOVED))


def register(registry: Registry) -> None:
    """States and entries of the staff side."""
    registry.state(State(DECLINE, decline_prompt, on_text=on_decline_text,
                         actions={"staff.decline_reason": on_decline_reason},
                         text_hint=t.DECLINE_HINT))
    registry.state(State(MOVE, move_prompt, actions={"staff.move_to": on_move_to},
                         text_hint=t.MOVE_HINT))
    registry.entry("staff.link", on_link)
    registry.entry("staff.link_help", on_link_help, "連携", "職員連携", "LINE連携")
    registry.pattern(CODE.pattern, "staff.link")
    registry.entry("staff.confirm", on_confirm)
    registry.entry("staff.decline", on_decline)
    registry.entry("staff.move", on_move)
