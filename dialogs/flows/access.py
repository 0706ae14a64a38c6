"""Who may use the flows now: not blocked users (art. 11(1)) nor repeated no-shows (art. 5(4))."""

from __future__ import annotations

from dialogs.conversation import IDLE
from dialogs.flow import Ctx, Step
from dialogs.flows import common_messages
from dialogs.i18n import messages
from dialogs.ports import UserInfo
from dialogs.replies import Text

t = messages(common_messages)


def refusal_text(ctx: Ctx) -> str:
    """The polite refusal with the office phone and hours, and nothing else."""
    office = ctx.office
    return t.REFUSED.format(phone=office.phone, hours=office.hours)


def refused(ctx: Ctx, user: UserInfo) -> Step | None:
    """A closing step for users the office no longer serves in chat, else None."""
    if user.blocked or user.refused_for_no_shows:
        return Step(IDLE, [Text(text=refusal_text(ctx))])
    return None


async def admission(ctx: Ctx, *, then: str) -> tuple[UserInfo, Step | None]:
    """The gates every booking-like entry passes first: refusals, then the terms in effect."""
    from dialogs.flows.consent import needs_consent

    user = await ctx.accounts.user(ctx.user, ctx.now)
    closing = refused(ctx, user)
    if closing is not None:
        return user, closing
    return user, await needs_consent(ctx, then=then, user=user)


def limit_text(ctx: Ctx, user: UserInfo) -> str:
    """The per-user cap on requests at once (DESIGN.md §11)."""
    return t.LIMIT.format(limit=user.max_active_requests, phone=ctx.office.phone)
