"""予約の確認・キャンセル: upcoming requests with their status, cancel with a confirmation step,
accept or refuse a time the office moved a booking to (art. 5(5)), .ics for confirmed ones."""

from __future__ import annotations

from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import mybookings_messages
from dialogs.flows.access import refused
from dialogs.flows.labels import ATTENDANTS, STATUSES, purpose_label, span
from dialogs.flows.site_messages import MAP, place_line
from dialogs.i18n import messages, tr
from dialogs.ports import BookingInfo, Reason
from dialogs.postback import Postback
from dialogs.registry import Registry
from dialogs.replies import Card, Carousel, Choice, Reply, Text

t = messages(mybookings_messages)

LIST, CONFIRM = "mine:list", "mine:confirm_cancel"
MAX_CARDS = 10


async def start(ctx: Ctx, inp: Input) -> Step:
    """予約の確認・キャンセル."""
    closing = refused(ctx, await ctx.accounts.user(ctx.user))
    if closing is not None:
        return closing
    ctx.data.clear()
    if not await ctx.requests.my_bookings(ctx.user, ctx.now):
        return Step(IDLE, [Text(text=t.NONE, choices=menu_choices())])
    return Step(LIST)


def booking_card(ctx: Ctx, info: BookingInfo) -> Card:
    """One request: when, status, purpose; cancel, accept a move, add to a calendar."""
    lines = [t.LINE_STATUS.format(status=tr(STATUSES.get(info.status, info.status))),
             *([place_line(info.site)] if info.site else []),
             t.LINE_PURPOSE.format(purpose=purpose_label(info.purpose)),
             t.LINE_ATTENDANT.format(attendant=tr(ATTENDANTS.get(info.attendant, "")))]
    if info.immediate:
        lines.insert(0, t.LINE_NOW)
    buttons: list[Choice] = []
    if info.awaiting_answer:
        lines += [t.LINE_MOVED, t.LINE_MOVED_ASK]
        accept = Postback(action="booking.accept_move", value=info.id).encode()
        buttons.append(Choice(label=t.ACCEPT, data=accept, style="primary"))
    elif info.moved:
        lines.append(t.LINE_MOVED)
    if info.ics_url:
        buttons.append(Choice(label=t.ICS, url=info.ics_url, style="link"))
    if info.site and info.site.map_url:
        buttons.append(Choice(label=tr(MAP), url=info.site.map_url, style="link"))
    buttons.append(ctx.button(t.CANCEL, "mine.cancel", info.id))
    return Card(title=span(info.starts_at, info.slots), lines=lines, buttons=buttons,
                alt=span(info.starts_at, info.slots))


async def list_prompt(ctx: Ctx) -> list[Reply]:
    found = await ctx.requests.my_bookings(ctx.user, ctx.now)
    if not found:
        return [Text(text=t.NONE, choices=menu_choices())]
    cards = [booking_card(ctx, info) for info in found[:MAX_CARDS]]
    return [Text(text=t.LIST_INTRO.format(n=len(found))), Carousel(cards=cards, alt=t.LIST_ALT),
            Text(text=t.LIST_NOTE.format(phone=ctx.office.phone), choices=menu_choices())]


async def on_cancel(ctx: Ctx, inp: Input) -> Step:
    """キャンセルする on a card: ask once more, showing the office phone."""
    info = await ctx.requests.booking(ctx.user, inp.postback.value if inp.postback else "")
    if info is None or info.status not in ("requested", "confirmed"):
        raise Invalid(t.NOT_FOUND)
    ctx.data.update(cancel_id=info.id, refuse=False)
    return Step(CONFIRM)


async def confirm_prompt(ctx: Ctx) -> list[Reply]:
    info = await ctx.requests.booking(ctx.user, ctx.data.get("cancel_id", ""))
    if info is None:
        return [Text(text=t.NOT_FOUND, choices=menu_choices())]
    template = t.ASK_REFUSE if ctx.data.get("refuse") else t.ASK_CANCEL
    text = template.format(span=span(info.starts_at, info.slots), phone=ctx.office.phone,
                           purpose=purpose_label(info.purpose))
    if info.site is not None:
        text = f"{text}\n{place_line(info.site)}"
    return [Text(text=text, choices=[ctx.button(t.YES, "mine.cancel_yes"),
                                     ctx.button(t.NO, "mine.cancel_no")])]


async def on_yes(ctx: Ctx, inp: Input) -> Step:
    """Cancel: the status, the staff alert and any waitlist offers are one commit."""
    phone = ctx.office.phone
    outcome = await ctx.requests.cancel_booking(ctx.user, ctx.data.get("cancel_id", ""), ctx.now)
    if outcome.ok:
        info = outcome.bookings[0]
        text = t.CANCELLED.format(span=span(info.starts_at, info.slots), phone=phone)
        if info.site is not None:
            text = f"{text}\n{place_line(info.site)}"
    else:
        text = t.STARTED.format(phone=phone) if outcome.reason == Reason.STARTED else t.NOT_FOUND
    return Step(IDLE, [Text(text=text, choices=menu_choices())])


async def on_no(ctx: Ctx, inp: Input) -> Step:
    return Step(IDLE, [Text(text=t.KEPT, choices=menu_choices())])


async def on_confirm_text(ctx: Ctx, inp: Input) -> Step:
    if inp.text in t.YES_WORDS:
        return await on_yes(ctx, inp)
    if inp.text in t.NO_WORDS:
        return await on_no(ctx, inp)
    raise Invalid(t.CONFIRM_HINT)


async def on_accept_move(ctx: Ctx, inp: Input) -> Step:
    """この日時で承諾 (pushed by the office's move): only the owner, only while it is pending."""
    outcome = await ctx.requests.accept_move(ctx.user, inp.postback.value if inp.postback else "",
                                         ctx.now)
    if outcome.ok or outcome.reason == Reason.ALREADY:
        info = outcome.bookings[0]
        template = t.ACCEPTED if outcome.ok else t.ALREADY
        said: list[Reply] = [Text(text=template.format(span=span(info.starts_at, info.slots)),
                                  choices=menu_choices())]
        if info.ics_url:
            said.insert(0, Card(title=span(info.starts_at, info.slots), alt=t.ICS,
                                buttons=[Choice(label=t.ICS, url=info.ics_url, style="link")]))
        return Step(IDLE, said)
    return Step(IDLE, [Text(text=t.NOT_MOVABLE.format(phone=ctx.office.phone),
                            choices=menu_choices())])


async def on_refuse_move(ctx: Ctx, inp: Input) -> Step:
    """キャンセルする on a moved booking: the same confirmation step as any cancel."""
    info = await ctx.requests.booking(ctx.user, inp.postback.value if inp.postback else "")
    if info is None or not info.awaiting_answer:
        return Step(IDLE, [Text(text=t.NOT_MOVABLE.format(phone=ctx.office.phone),
                                choices=menu_choices())])
    ctx.data.clear()
    ctx.data.update(cancel_id=info.id, refuse=True)
    return Step(CONFIRM)


async def on_cancel_from_notice(ctx: Ctx, inp: Input) -> Step:
    """キャンセルする on a pushed confirmation or reminder: the same confirmation step."""
    info = await ctx.requests.booking(ctx.user, inp.postback.value if inp.postback else "")
    if info is None or info.status not in ("requested", "confirmed"):
        return Step(IDLE, [Text(text=t.NOT_FOUND, choices=menu_choices())])
    ctx.data.clear()
    ctx.data.update(cancel_id=info.id, refuse=False)
    return Step(CONFIRM)


def register(registry: Registry) -> None:
    registry.state(State(LIST, list_prompt, actions={"mine.cancel": on_cancel}))
    registry.state(State(CONFIRM, confirm_prompt, on_text=on_confirm_text, text_hint=t.CONFIRM_HINT,
                         actions={"mine.cancel_yes": on_yes, "mine.cancel_no": on_no}))
    registry.entry("menu.mine", start, "予約の確認・キャンセル", "予約の確認", "予約確認",
                   "キャンセルしたい", "予約の取消", "予約の取り消し")
    registry.entry("booking.accept_move", on_accept_move)
    registry.entry("booking.cancel", on_cancel_from_notice)
    registry.entry("booking.refuse_move", on_refuse_move)
