"""Role and eligibility in chat; name, number and phone only through the web form (DESIGN.md §3).

The flow that needs a profile calls `profile_step(ctx, after=...)`; when the profile is ready
the conversation moves to `after`. The form's submission comes back as the nonce-less entry
"profile.saved", so the chat continues by itself (web/profile_form.py pushes the next step).
"""

from __future__ import annotations

import re

from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import profile_messages
from dialogs.flows.labels import EMPLOYER, JOBSEEKER, ROLE_UNSET, ROLES
from dialogs.i18n import messages, tr
from dialogs.ports import UserInfo
from dialogs.registry import Registry
from dialogs.replies import Card, Link, Reply, Text

t = messages(profile_messages)

ROLE, REGISTERED, FORM, CHECK = (
    "profile:role", "profile:registered", "profile:form", "profile:check"
)
# Seven digits in a row (phones, numbers) or an @: personal data typed where it must not be.
PERSONAL = re.compile(r"\d[\d\-\s]{6,}|@")


async def profile_step(ctx: Ctx, *, after: str, user: UserInfo | None = None) -> Step:
    """Reuse a saved profile (after a check), else ask role and registration, then the form."""
    user = user or await ctx.accounts.user(ctx.user)
    ctx.data["after_profile"] = after
    return Step(CHECK if user.has_profile else ROLE)


def done(ctx: Ctx, say: list[Reply]) -> Step:
    """Continue where the flow that asked for the profile wanted to go (the menu by default)."""
    after = ctx.data.pop("after_profile", IDLE)
    if after == IDLE:
        return Step(IDLE, [*say, Text(text=t.MENU, choices=menu_choices())])
    return Step(after, say)


async def role_prompt(ctx: Ctx) -> list[Reply]:
    return [Text(text=t.ASK_ROLE, choices=[ctx.button(t.JOBSEEKER, "profile.role", JOBSEEKER),
                                           ctx.button(t.EMPLOYER, "profile.role", EMPLOYER)])]


async def on_role(ctx: Ctx, inp: Input) -> Step:
    role = inp.postback.value if inp.postback else next(
        (code for code, words in t.ROLE_WORDS.items() if inp.text in words), "")
    if role not in ROLES:
        raise Invalid(t.ROLE_HINT)
    await ctx.accounts.set_role(ctx.user, role, ctx.now)
    ctx.data["role"] = role
    return Step(REGISTERED)


async def registered_prompt(ctx: Ctx) -> list[Reply]:
    question = t.ASK_REGISTERED.get(ctx.data.get("role", JOBSEEKER), t.ASK_REGISTERED[JOBSEEKER])
    return [Text(text=question, choices=[ctx.button(t.REGISTERED, "profile.registered", "yes"),
                                         ctx.button(t.NOT_YET, "profile.registered", "no"),
                                         ctx.button(t.NO_PLAN, "profile.registered", "never")])]


async def on_registered(ctx: Ctx, inp: Input) -> Step:
    """Art. 2: registered, or about to register; anyone else is told where to ask."""
    answer = inp.postback.value if inp.postback else (
        "yes" if inp.text in t.REGISTERED_WORDS else "no" if inp.text in t.NOT_YET_WORDS else "")
    if answer == "never":
        return Step(IDLE, [Text(text=t.NOT_ELIGIBLE.format(phone=ctx.office.phone),
                                choices=menu_choices())])
    if answer not in ("yes", "no"):
        raise Invalid(t.REGISTERED_HINT)
    ctx.data["unregistered"] = answer == "no"
    return Step(FORM)


async def form_prompt(ctx: Ctx) -> list[Reply]:
    """A fresh single-use link each time the step is shown."""
    url = await ctx.accounts.form_link(ctx.user, ctx.now,
                                   unregistered=bool(ctx.data.get("unregistered")))
    if url is None:
        return [Text(text=t.FORM_LOCKED.format(phone=ctx.office.phone))]
    text = t.FORM_TEXT.format(minutes=ctx.settings.form_minutes)
    return [Link(text=text, label=t.FORM_LABEL, url=url), Text(text=t.FORM_HINT)]


async def on_form_text(ctx: Ctx, inp: Input) -> Step:
    """Nothing typed here is kept; personal data gets a pointed reminder."""
    raise Invalid(t.NO_PERSONAL_IN_CHAT if PERSONAL.search(inp.text) else t.FORM_HINT)


def profile_lines(user: UserInfo) -> list[str]:
    """The saved profile, masked (電話 ***-****-5678, 山田 様)."""
    number = (t.NUMBER_LINE.format(number=user.masked_number) if user.masked_number
              else t.NUMBER_UNREGISTERED)
    return [t.ROLE_LINE.format(role=tr(ROLES.get(user.role or "", ROLE_UNSET))),
            t.NAME_LINE.format(name=user.masked_name or ""),
            t.PHONE_LINE.format(phone=user.masked_phone or ""), number]


async def check_prompt(ctx: Ctx) -> list[Reply]:
    user = await ctx.accounts.user(ctx.user)
    card = Card(title=t.CHECK_TITLE, lines=profile_lines(user), alt=t.CHECK_TITLE,
                buttons=[ctx.button(t.CHECK_OK, "profile.ok", style="primary"),
                         ctx.button(t.CHECK_CHANGE, "profile.change")])
    return [Text(text=t.CHECK_INTRO), card]


async def on_check_ok(ctx: Ctx, inp: Input) -> Step:
    return done(ctx, [])


async def on_check_change(ctx: Ctx, inp: Input) -> Step:
    user = await ctx.accounts.user(ctx.user)
    ctx.data["role"] = user.role or JOBSEEKER
    ctx.data["unregistered"] = user.masked_number is None
    return Step(FORM)


async def on_check_text(ctx: Ctx, inp: Input) -> Step:
    if inp.text in t.OK_WORDS:
        return await on_check_ok(ctx, inp)
    if inp.text in t.CHANGE_WORDS:
        return await on_check_change(ctx, inp)
    raise Invalid(t.CHECK_HINT)


async def on_saved(ctx: Ctx, inp: Input) -> Step:
    """The form was submitted: go on with the flow that was waiting, or just say it is saved."""
    user = await ctx.accounts.user(ctx.user)
    if not user.has_profile:
        return Step(ctx.conv.state, prompt=ctx.conv.state != IDLE)
    fmt = {"name": user.masked_name, "phone": user.masked_phone}
    if ctx.conv.state in (FORM, CHECK) and "after_profile" in ctx.data:
        return done(ctx, [Text(text=t.SAVED.format(**fmt))])
    if ctx.conv.state != IDLE:
        return Step(ctx.conv.state, [Text(text=t.SAVED.format(**fmt))])
    return Step(IDLE, [Text(text=t.SAVED_IDLE.format(**fmt), choices=menu_choices())])


async def on_change_entry(ctx: Ctx, inp: Input) -> Step:
    """「登録内容の変更」from the menu: the same check step, then back to the menu."""
    ctx.data.clear()
    return await profile_step(ctx, after=IDLE)


def register(registry: Registry) -> None:
    registry.state(State(ROLE, role_prompt, on_text=on_role, text_hint=t.ROLE_HINT,
                         actions={"profile.role": on_role}))
    registry.state(State(REGISTERED, registered_prompt, on_text=on_registered,
                         text_hint=t.REGISTERED_HINT,
                         actions={"profile.registered": on_registered}))
    registry.state(State(FORM, form_prompt, on_text=on_form_text, text_hint=t.FORM_HINT))
    registry.state(State(CHECK, check_prompt, on_text=on_check_text, text_hint=t.CHECK_HINT,
                         actions={"profile.ok": on_check_ok, "profile.change": on_check_change}))
    registry.entry("profile.saved", on_saved)
    registry.entry("menu.profile", on_change_entry, "登録内容の変更", "登録内容", "登録情報の変更")

