"""Answering an emergency closure notice (DESIGN §13): a tap on one of the nearest free starts
requests the move (the same atomic commit and checks as any request); 取り消す cancels.

The notice's buttons never expire (no nonce): the user may answer hours later, in any state.
"""

from __future__ import annotations

from datetime import datetime

from booking import JST, to_jst
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Step
from dialogs.flows import closure_messages
from dialogs.flows.access import limit_text, refused
from dialogs.flows.consent import tap_past_consent
from dialogs.flows.labels import span
from dialogs.flows.receipts import received_replies
from dialogs.i18n import format_button_moment, format_clock, format_day, messages
from dialogs.ports import Outcome, Reason, UserInfo
from dialogs.postback import Postback
from dialogs.registry import Registry
from dialogs.replies import Card, Choice, Reply, Text

t = messages(closure_messages)

OPTIONS_SHOWN = 3
LABEL_MAX = 20  # LINE's limit for a button label
STAMP = "%Y%m%d%H%M"


def option_value(booking_id: str, starts_at: datetime) -> str:
    """Postback value naming the closed request and the start offered instead."""
    return f"{booking_id}/{to_jst(starts_at).strftime(STAMP)}"


def parse_option(value: str) -> tuple[str, datetime] | None:
    """The request id and start a notice button carries, or None when it is not one."""
    booking_id, _, stamp = value.partition("/")
    try:
        return booking_id, datetime.strptime(stamp, STAMP).replace(tzinfo=JST)
    except ValueError:
        return None


def _option_label(starts_at: datetime) -> str:
    """「12月3日(木) 10:00からに変更」, or the start alone where that is over 20 characters."""
    local = to_jst(starts_at)
    label = t.OPTION_BUTTON.format(day=format_day(local.date()), time=format_clock(local.time()))
    return label if len(label) <= LABEL_MAX else format_button_moment(starts_at)


def option_buttons(booking_id: str, options: list[datetime]) -> list[Choice]:
    """One button per offered start; the first stands out."""
    return [Choice(label=_option_label(s),
                   data=Postback(action="closure.move", value=option_value(booking_id, s)).encode(),
                   style="primary" if i == 0 else "secondary")
            for i, s in enumerate(options[:OPTIONS_SHOWN])]


def closed_replies(*, booking_id: str, starts_at: datetime, slots: int, reason: str,
                   site_name: str, office_phone: str, options: list[datetime]) -> list[Reply]:
    """The pushed notice: why, when, where, the phone, the nearest free starts and cancel."""
    cause = reason.strip().rstrip("。")  # staff type it in Japanese
    if cause and not cause.endswith(closure_messages.CAUSE_WORDS):  # "庁舎点検" → "庁舎点検のため"
        cause += "のため"
    cause = cause or t.DEFAULT_REASON
    lines = [t.CLOSED_TEXT.format(reason=cause, span=span(starts_at, slots),
                                  place=t.PLACE.format(site=site_name) if site_name else ""),
             t.CHOOSE if options else t.NO_OPTIONS, t.CALL.format(phone=office_phone)]
    cancel = Choice(label=t.CANCEL_BUTTON,
                    data=Postback(action="closure.cancel", value=booking_id).encode())
    return [Card(title=t.CLOSED_TITLE, lines=lines, alt=f"{t.CLOSED_TITLE}：{span(starts_at)}",
                 buttons=[*option_buttons(booking_id, options), cancel])]


async def on_move(ctx: Ctx, inp: Input) -> Step:
    """A tap on an offered start: request it for the closed request, or say why not."""
    user = await ctx.accounts.user(ctx.user, ctx.now)
    closing = refused(ctx, user)
    if closing is not None:
        return closing
    value, gate = await tap_past_consent(ctx, inp, action="closure.move", key="closure_move",
                                         user=user)
    if gate is not None:
        return gate
    option = parse_option(value)
    if option is None or ctx.closures is None:
        return Step(IDLE, [Text(text=t.GONE.format(phone=ctx.office.phone),
                                choices=menu_choices())])
    outcome = await ctx.closures.move_closed(ctx.user, option[0], option[1], ctx.now)
    if outcome.ok:
        return Step(IDLE, await received_replies(ctx, outcome.bookings[0]))
    return Step(IDLE, refusal_replies(ctx, option[0], outcome, user))


def refusal_replies(ctx: Ctx, booking_id: str, outcome: Outcome, user: UserInfo) -> list[Reply]:
    """Why the move was not requested, with what is still free when someone was faster."""
    match outcome.reason:
        case Reason.TAKEN if outcome.alternatives:
            return [Text(text=t.TAKEN),
                    Card(title=t.TAKEN_OTHERS, alt=t.TAKEN_OTHERS,
                         buttons=option_buttons(booking_id, outcome.alternatives))]
        case Reason.TAKEN:
            return [Text(text=t.TAKEN), Text(text=t.TAKEN_NONE.format(phone=ctx.office.phone),
                                             choices=menu_choices())]
        case Reason.ALREADY:
            return [Text(text=t.ALREADY, choices=menu_choices())]
        case Reason.LIMIT:
            return [Text(text=limit_text(ctx, user), choices=menu_choices())]
        case Reason.PROFILE:
            return [Text(text=t.PROFILE_NEEDED, choices=menu_choices())]
        case _:
            return [Text(text=t.GONE.format(phone=ctx.office.phone), choices=menu_choices())]


async def on_cancel(ctx: Ctx, inp: Input) -> Step:
    """取り消す: the closed request stays closed, and staff see the answer (no call needed)."""
    booking_id = inp.postback.value if inp.postback else ""
    if ctx.closures is None:
        return Step(IDLE, [Text(text=t.GONE.format(phone=ctx.office.phone))])
    outcome = await ctx.closures.cancel_closed(ctx.user, booking_id, ctx.now)
    if outcome.ok:
        info = outcome.bookings[0]
        return Step(IDLE, [Text(text=t.CANCELLED.format(span=span(info.starts_at, info.slots)),
                                choices=menu_choices())])
    if outcome.reason == Reason.ALREADY:
        return Step(IDLE, [Text(text=t.ALREADY, choices=menu_choices())])
    return Step(IDLE, [Text(text=t.GONE.format(phone=ctx.office.phone), choices=menu_choices())])


def register(registry: Registry) -> None:
    registry.entry("closure.move", on_move)
    registry.entry("closure.cancel", on_cancel)
