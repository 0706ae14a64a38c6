"""Which site the user goes to (DESIGN §13): chosen before the day when several are active,
the usual one (where they booked last) first; skipped when there is only one."""

from __future__ import annotations

from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import site_messages
from dialogs.i18n import messages
from dialogs.registry import Registry
from dialogs.replies import Card, Carousel, Choice, Reply, Text

t = messages(site_messages)

SITE = "booking:site"
MAX_CARDS = 12  # a Flex carousel takes at most 12 bubbles


def chosen_site(ctx: Ctx) -> str | None:
    """The site picked in this conversation (None: the office's only site)."""
    return ctx.data.get("site")


async def site_step(ctx: Ctx, after: str) -> Step:
    """Ask for the site when several are active, else take the only one and go on."""
    sites = (await ctx.availability.calendar(ctx.now)).active_sites()
    if len(sites) <= 1:
        ctx.data["site"] = sites[0].id if sites else None
        return Step(after)
    ctx.data["site_then"] = after
    return Step(SITE)


async def site_prompt(ctx: Ctx) -> list[Reply]:
    sites = (await ctx.availability.calendar(ctx.now)).active_sites()
    usual = (await ctx.accounts.user(ctx.user)).usual_site_id
    ordered = sorted(sites, key=lambda site: site.id != usual)[:MAX_CARDS]
    cards = []
    for site in ordered:
        buttons = [ctx.button(t.PICK_SITE, "booking.site", site.id or "", style="primary",
                              display=site.name[:40])]
        if site.map_url:
            buttons.append(Choice(label=t.MAP, url=site.map_url, style="link"))
        cards.append(Card(title=site.name, lines=t.site_card_lines(site, site.id == usual),
                          buttons=buttons, alt=site.name))
    return [Text(text=t.ASK_SITE), Carousel(cards=cards, alt=t.SITE_ALT)]


async def pick(ctx: Ctx, site_id: str) -> Step:
    """Take the site if it is still active, then the step the site was asked for."""
    sites = (await ctx.availability.calendar(ctx.now)).active_sites()
    if not any(site.id == site_id for site in sites):
        raise Invalid(t.SITE_GONE)
    ctx.data["site"] = site_id
    return Step(ctx.data.pop("site_then", "booking:day"))


async def on_site(ctx: Ctx, inp: Input) -> Step:
    return await pick(ctx, inp.postback.value if inp.postback else "")


async def on_site_text(ctx: Ctx, inp: Input) -> Step:
    """A typed name (or part of it) that names exactly one site."""
    sites = (await ctx.availability.calendar(ctx.now)).active_sites()
    typed = inp.text.strip()
    found = [site for site in sites if typed and (typed in site.name or site.name in typed)]
    if len(found) != 1 or found[0].id is None:
        raise Invalid(t.site_hint(sites))
    return await pick(ctx, found[0].id)


def register(registry: Registry) -> None:
    registry.state(State(SITE, site_prompt, on_text=on_site_text,
                         actions={"booking.site": on_site}))
