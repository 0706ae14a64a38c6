"""The user's language (DESIGN.md §14): a picker from the rich menu, a switch by typing the
language's own name ("English", "Tiếng Việt"), and the first guess from the LINE profile.

Switching keeps the step the user is in: its question is asked again in the new language.
"""

from __future__ import annotations

from dialogs.conversation import IDLE
from dialogs.engine import LANGUAGE_ENTRY, menu_choices
from dialogs.flow import Ctx, Input, Step
from dialogs.flows import language_messages
from dialogs.i18n import LANGUAGES, from_line, known, messages
from dialogs.ports import UserInfo
from dialogs.postback import Postback
from dialogs.registry import Registry
from dialogs.replies import Choice, Text

t = messages(language_messages)
PICK_ENTRY = "menu.language"


def language_choices() -> list[Choice]:
    """One chip per language, in its own name; nonce-less, so a chip never expires."""
    return [Choice(label=lang.name, display=lang.name,
                   data=Postback(action=LANGUAGE_ENTRY, value=lang.code).encode())
            for lang in LANGUAGES.values()]


async def on_pick(ctx: Ctx, inp: Input) -> Step:
    """言語 / Language in the rich menu: the languages, each in its own name."""
    return Step(ctx.conv.state, [Text(text=t.ASK, choices=language_choices())], prompt=False)


async def on_set(ctx: Ctx, inp: Input) -> Step:
    """A chip tapped or a name typed: store it, say so in it, and ask the step's question again."""
    code = known(inp.postback.value if inp.postback else inp.text)
    await ctx.accounts.set_language(ctx.user, code, ctx.now)
    ctx.use_language(code)
    said = t.CHANGED.format(name=LANGUAGES[code].name)
    if ctx.conv.state == IDLE:
        return Step(IDLE, [Text(text=said, choices=menu_choices())])
    return Step(ctx.conv.state, [Text(text=said)])


async def first_language(ctx: Ctx) -> UserInfo:
    """On follow: the language stored on the user, else LINE's profile language (stored).

    Returns the user as read, so the greeting's consent gate needs no second read; a user
    whose language is known costs one read and no request to LINE.
    """
    user = await ctx.accounts.user(ctx.user)
    stored = user.language
    if stored is None and ctx.ports.profile_language is not None:
        stored = from_line(await ctx.ports.profile_language(ctx.user))
        await ctx.accounts.set_language(ctx.user, stored, ctx.now)
    ctx.use_language(known(stored))
    return user


def register(registry: Registry) -> None:
    """Entries of this flow (typed names are routed by the engine, in every step)."""
    registry.entry(PICK_ENTRY, on_pick, "言語", "Language", "language", "げんご")
    registry.entry(LANGUAGE_ENTRY, on_set)
