"""What a user is told once a request is in: when, what, the status, how the office will call."""

from __future__ import annotations

from datetime import datetime

from dialogs.engine import menu_choices
from dialogs.flow import Ctx
from dialogs.flows import common_messages
from dialogs.flows.labels import STATUSES, purpose_label, span
from dialogs.flows.site_messages import place_lines
from dialogs.i18n import messages, tr
from dialogs.ports import BookingInfo
from dialogs.replies import Reply, Text

t = messages(common_messages)


async def received_replies(ctx: Ctx, info: BookingInfo) -> list[Reply]:
    """The request received (status 申込中), the booth rules of art. 11(2)(3), the menu."""
    user = await ctx.accounts.user(ctx.user)
    office = ctx.office
    text = t.RECEIVED.format(span=span(info.starts_at, info.slots),
                             purpose=purpose_label(info.purpose),
                             status=tr(STATUSES.get(info.status, info.status)),
                             phone=user.masked_phone or "")
    if info.site is not None:  # where to go (DESIGN §13)
        text = "\n".join([text, *place_lines(info.site)])
    return [Text(text=text), Text(text=t.RULES.format(phone=office.phone), choices=menu_choices())]


def next_slot_text(slot: datetime | None) -> str:
    """The next bookable slot, offered whenever something is refused."""
    return t.NEXT_SLOT.format(span=span(slot)) if slot else t.NO_NEXT_SLOT
