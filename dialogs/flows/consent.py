"""The consent gate: the terms in effect must be agreed to before booking or immediate use."""

from __future__ import annotations

from datetime import datetime

from booking import JST
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import consent_messages
from dialogs.i18n import SOURCE, active, messages
from dialogs.ports import TermsInfo, UserInfo
from dialogs.registry import Registry
from dialogs.replies import Card, Choice, Reply, Text

t = messages(consent_messages)

ASK = "consent:ask"


def japanese_date(moment: datetime) -> str:
    """2024年10月1日 style, in JST."""
    day = moment.astimezone(JST)
    return f"{day.year}年{day.month}月{day.day}日"


def local_date(moment: datetime) -> str:
    """A date in full in the user's language (2024年10月1日 / October 1, 2024), in JST."""
    return active().long_date(moment.astimezone(JST).date())


def terms_url(ctx: Ctx, terms: TermsInfo) -> str:
    """The full text; in another language the page adds a reference translation (参考訳)."""
    return terms.url if ctx.language == SOURCE else f"{terms.url}?lang={ctx.language}"


def terms_card(ctx: Ctx, terms: TermsInfo, *, with_answers: bool) -> Card:
    """The summary of the terms, a link to the full text, and (when asking) the two answers.

    The terms bind in Japanese (DESIGN.md §14): in another language the Japanese summary is
    shown as the binding text and the main points follow as a reference translation.
    """
    buttons = [Choice(label=t.READ_ALL, url=terms_url(ctx, terms), style="link")]
    if with_answers:
        buttons = [ctx.button(t.AGREE, "consent.agree", style="primary"),
                   ctx.button(t.REFUSE, "consent.refuse"), *buttons]
    lines = [terms.summary]
    if ctx.language != SOURCE:
        lines = [t.BINDING, terms.summary, f"【{t.REFERENCE_TITLE}】", t.REFERENCE_SUMMARY,
                 t.REFERENCE_NOTE]
    return Card(title=t.TITLE, lines=lines, buttons=buttons, alt=t.TITLE)


async def needs_consent(ctx: Ctx, *, then: str, user: UserInfo | None = None) -> Step | None:
    """A step to the consent question if the user has not agreed to the terms now in effect.

    Callers that already read the user pass it, so the gate costs one read, not two.
    """
    terms = await ctx.accounts.terms(ctx.now)
    if terms is None:
        return Step(IDLE, [Text(text=t.NO_TERMS.format(phone=ctx.office.phone))])
    user = user or await ctx.accounts.user(ctx.user)
    if user.consent_version == terms.version:
        return None
    ctx.data["after_consent"] = then
    ctx.data["changed"] = user.consent_version is not None
    return Step(ASK)


async def tap_past_consent(ctx: Ctx, inp: Input, *, action: str, key: str,
                           user: UserInfo) -> tuple[str, Step | None]:
    """The value of a tap on a pushed button (`action`), kept in `key` across the consent
    step it may need first; with that step (to show) when the user must agree before."""
    tapped = inp.postback is not None and inp.postback.action == action
    # After the consent step the input is the consent answer: the tap waited in the data.
    value = inp.postback.value if tapped and inp.postback else ctx.data.pop(key, "")
    gate = await needs_consent(ctx, then=action, user=user)
    if gate is not None:
        ctx.data[key] = value
    return value, gate


async def ask_prompt(ctx: Ctx) -> list[Reply]:
    terms = await ctx.accounts.terms(ctx.now)
    if terms is None:
        return [Text(text=t.NO_TERMS.format(phone=ctx.office.phone))]
    fmt = {"version": terms.version, "effective": local_date(terms.effective_from),
           "changes": terms.changes or t.SEE_FULL}
    intro = t.CHANGED if ctx.data.get("changed") else t.INTRO
    return [Text(text=intro.format(**fmt)), terms_card(ctx, terms, with_answers=True),
            Text(text=t.ASK, choices=[ctx.button(t.AGREE, "consent.agree"),
                                      ctx.button(t.REFUSE, "consent.refuse")])]


async def agree(ctx: Ctx, inp: Input) -> Step:
    """Record the consent with its version and moment, then continue where the user was going."""
    terms = await ctx.accounts.terms(ctx.now)
    if terms is None:
        return Step(IDLE, [Text(text=t.NO_TERMS.format(phone=ctx.office.phone))])
    await ctx.accounts.record_consent(ctx.user, terms.version, ctx.now, language=ctx.language)
    said = [Text(text=t.AGREED.format(version=terms.version))]
    then = ctx.data.pop("after_consent", "home")
    ctx.data.pop("changed", None)
    entry = ctx.entries.get(then)
    if entry is None or then == "home":
        return Step(IDLE, [*said, Text(text=t.MENU, choices=menu_choices())])
    step: Step = await entry(ctx, inp)
    return Step(step.next, [*said, *step.say], step.prompt)


async def refuse(ctx: Ctx, inp: Input) -> Step:
    """No consent, no booking; the phone remains."""
    return Step(IDLE, [Text(text=t.REFUSED.format(phone=ctx.office.phone),
                            choices=[Choice(label=t.TERMS, text=t.TERMS)])])


async def on_text(ctx: Ctx, inp: Input) -> Step:
    if inp.text in t.AGREE_WORDS:
        return await agree(ctx, inp)
    if inp.text in t.REFUSE_WORDS:
        return await refuse(ctx, inp)
    raise Invalid(t.HINT)


async def show_terms(ctx: Ctx, inp: Input) -> Step:
    """利用規約: ask for consent if needed, else show the version agreed to and the link."""
    gate = await needs_consent(ctx, then="home")
    if gate is not None:
        return gate
    terms = await ctx.accounts.terms(ctx.now)
    user = await ctx.accounts.user(ctx.user)
    assert terms is not None
    at = local_date(user.consented_at) if user.consented_at else ""
    note = t.ALREADY.format(version=terms.version, at=at)
    return Step(IDLE, [terms_card(ctx, terms, with_answers=False),
                       Text(text=note, choices=menu_choices())])


def register(registry: Registry) -> None:
    registry.state(State(ASK, ask_prompt, on_text=on_text, text_hint=t.HINT,
                         actions={"consent.agree": agree, "consent.refuse": refuse}))
    registry.entry("menu.terms", show_terms, "利用規約", "規約")
