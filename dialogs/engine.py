"""The engine: lock, load, route, save. Flows are small handlers registered in a `Registry`."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs import i18n, messages
from dialogs.conversation import IDLE, Conversation, new_nonce
from dialogs.flow import Ctx, FlowSettings, Input, Invalid, Step
from dialogs.ports import Once, PortsFactory, StateStore
from dialogs.registry import Registry
from dialogs.replies import Choice, Reply, Text, dump_replies, load_replies

log = logging.getLogger(__name__)
m = i18n.messages(messages)
MAX_MESSAGES = 5  # LINE accepts at most five messages per reply
HISTORY_DEPTH = 20
# A step still running after this long (a commit waiting on a lock, a busy database) shows the
# user that we are on it (DESIGN.md §11: the loading animation). Quick steps send nothing extra.
SLOW_STEP_SECONDS = 0.5


@dataclass(frozen=True)
class Handled:
    """One input's result: what to reply, and the pushes its commits queued (to deliver after)."""

    replies: list[Reply]
    outbox_ids: list[uuid.UUID] = field(default_factory=list)


class Engine:
    """Handles one input of one user at a time: the per-user lock is taken before state is read."""

    def __init__(self, *, store: StateStore, registry: Registry, ports: PortsFactory,
                 clock: Callable[[], datetime], settings: FlowSettings | None = None,
                 on_slow: Callable[[str], Awaitable[None]] | None = None,
                 slow_after: float = SLOW_STEP_SECONDS) -> None:
        self._store = store
        self._registry = registry
        self._ports = ports
        self._clock = clock
        self._settings = settings or FlowSettings()
        self._on_slow = on_slow  # e.g. the LINE loading animation (bot/ wires it)
        self._slow_after = slow_after

    async def handle(self, user: str, inp: Input, once: Once | None = None) -> Handled:
        """Process one input: what to say back (at most five messages) and what to push.

        With `once`, an input already handled (a re-claimed event) is not applied again: its
        first replies come back instead, checked and recorded under the user's lock.
        A step that takes longer than `slow_after` calls `on_slow(user)` meanwhile, and the
        answer waits for that call, so the user never sees it after the reply.
        """
        if self._on_slow is None:
            return await self._handle(user, inp, once)
        notice: list[asyncio.Task[None]] = []
        on_slow = self._on_slow
        timer = asyncio.get_running_loop().call_later(
            self._slow_after, lambda: notice.append(asyncio.ensure_future(on_slow(user))))
        try:
            return await self._handle(user, inp, once)
        finally:
            timer.cancel()
            if notice:
                await asyncio.gather(*notice, return_exceptions=True)

    async def language_of(self, user: str) -> str:
        """The user's language, read without the lock: to word the answer to a step that could
        not run (the lock held, a failure), in the language the step would have used."""
        conv = await self._store.load(user)
        if conv.language is not None:
            return i18n.known(conv.language)
        return i18n.known(await self._ports([]).accounts.language(user))

    async def _handle(self, user: str, inp: Input, once: Once | None) -> Handled:
        outbox: list[uuid.UUID] = []
        earlier: list[dict] | None = None
        if once is None:
            token, conv = await self._store.acquire_load(user)
        else:
            token, conv, earlier = await self._store.acquire_load_once(user, once)
        saved = False
        try:
            if earlier is not None:
                return Handled(load_replies(earlier), [])
            # Built once the lock is ours: loading may have refreshed what the ports carry
            # (the office facts staff changed in another process).
            ports = self._ports(outbox)
            if inp.kind == "unfollow":
                await self._store.delete(user)
                await ports.accounts.mark_unfollowed(user)
                if once is not None:  # an empty conversation: nothing kept but the record
                    await self._store.save_release_once(user, Conversation(), token, once, [])
                    saved = True
                return Handled([], outbox)
            # A fresh conversation: the language stored on the user. Not for a follow, whose
            # entry reads it first thing (flows/language.first_language): one query, not two.
            if conv.language is None and inp.kind != "follow":
                conv.language = i18n.known(await ports.accounts.language(user))
            ctx = Ctx(user=user, conv=conv, ports=ports, now=self._clock(),
                      settings=self._settings, entries=self._registry.entries,
                      language=i18n.known(conv.language))
            with i18n.speaking(ctx.language):
                replies = await self._route(ctx, inp)
            handled = Handled(compact(replies), outbox)
            # Recorded with the state, in one round trip: the step is done once, never
            # applied a second time.
            if once is not None:
                await self._store.save_release_once(user, conv, token, once,
                                                    dump_replies(handled.replies))
            else:
                await self._store.save_release(user, conv, token)
            saved = True
            return handled
        finally:
            if not saved:
                await self._store.release(user, token)

    async def _route(self, ctx: Ctx, inp: Input) -> list[Reply]:
        shown_nonce, ctx.conv.nonce = ctx.conv.nonce, new_nonce()
        try:
            if inp.kind == "follow":
                return await self._run(ctx, self._registry.entries["follow"], inp)
            if inp.kind == "postback" and inp.postback is not None:
                return await self._postback(ctx, inp, shown_nonce)
            if inp.kind == "text":
                return await self._text(ctx, inp)
            return [Text(text=m.NOT_TEXT), *await self._prompt(ctx)]
        except Invalid as bad:
            # Reasons from booking/ (ParseError) are Japanese source texts: say them in the
            # user's language; a reason already worded by a flow is left as it is.
            return [Text(text=i18n.tr(bad.reason)), *await self._prompt(ctx)]

    async def _postback(self, ctx: Ctx, inp: Input, shown_nonce: str) -> list[Reply]:
        pb = inp.postback
        assert pb is not None
        if pb.nonce is None and pb.action in self._registry.entries:
            return await self._run(ctx, self._registry.entries[pb.action], inp)
        state = self._registry.states.get(ctx.conv.state)
        handler = state.actions.get(pb.action) if state else None
        if pb.nonce != shown_nonce or handler is None:
            return [Text(text=m.EXPIRED_BUTTON), *await self._prompt(ctx)]
        return await self._run(ctx, handler, inp)

    async def _text(self, ctx: Ctx, inp: Input) -> list[Reply]:
        text = unicodedata.normalize("NFKC", inp.text).strip()
        if len(text) > m.MAX_TEXT:
            raise Invalid(m.TOO_LONG)
        # A translated menu chip or label sends its own words: route them as their source.
        text = i18n.active().source_of(text) or text
        language = i18n.by_name(text)
        if language is not None and LANGUAGE_ENTRY in self._registry.entries:
            return await self._run(ctx, self._registry.entries[LANGUAGE_ENTRY],
                                   Input(kind="text", text=language))
        if text in m.CANCEL_WORDS:
            await self._leave(ctx)
            return self._cancel(ctx)
        if text in m.BACK_WORDS:
            return await self._back(ctx)
        if text in m.RESTART_WORDS:
            await self._leave(ctx)
            ctx.conv.data.clear()
            return [Text(text=m.RESTART),
                    *await self._run(ctx, self._registry.entries["home"], inp)]
        if text.lower() in m.HELP_WORDS:
            return [Text(text=m.HELP), *await self._prompt(ctx)]
        if text in self._registry.keywords:
            await self._leave(ctx)
            entry = self._registry.entries[self._registry.keywords[text]]
            return await self._run(ctx, entry, inp)
        command = self._registry.command_for(text)
        if command is not None:
            await self._leave(ctx)
            return await self._run(ctx, self._registry.entries[command],
                                   Input(kind="text", text=text))
        state = self._registry.states.get(ctx.conv.state)
        if state is None or state.on_text is None:
            matched = self._registry.match(text)
            if matched is not None:
                entry = self._registry.entries[matched]
                return await self._run(ctx, entry, Input(kind="text", text=text))
            raise Invalid(i18n.tr(state.text_hint) if state else m.IDLE_HINT)
        return await self._run(ctx, state.on_text, Input(kind="text", text=text))

    async def _run(self, ctx: Ctx, handler: Any, inp: Input) -> list[Reply]:
        step: Step = await handler(ctx, inp)
        self._registry.check(step.next)
        self._move(ctx, step.next)
        if step.prompt and step.next != IDLE:
            return [*step.say, *await self._prompt(ctx)]
        return step.say

    def _move(self, ctx: Ctx, next_state: str) -> None:
        conv = ctx.conv
        if next_state == IDLE:
            conv.data.clear()
            conv.history.clear()
        elif next_state != conv.state and conv.state != IDLE:
            conv.history = [*conv.history, conv.state][-HISTORY_DEPTH:]
        conv.state = next_state

    async def _leave(self, ctx: Ctx) -> None:
        """Let the current step release what it holds before the user goes elsewhere."""
        state = self._registry.states.get(ctx.conv.state)
        if state is not None and state.on_leave is not None:
            await state.on_leave(ctx)

    def _cancel(self, ctx: Ctx) -> list[Reply]:
        had_flow = ctx.conv.state != IDLE
        self._move(ctx, IDLE)
        return [Text(text=m.CANCELLED if had_flow else m.NOTHING_TO_CANCEL,
                     choices=menu_choices())]

    async def _back(self, ctx: Ctx) -> list[Reply]:
        if not ctx.conv.history:
            return [Text(text=m.NO_BACK), *await self._prompt(ctx)]
        ctx.conv.state = ctx.conv.history.pop()
        return [Text(text=m.BACK), *await self._prompt(ctx)]

    async def _prompt(self, ctx: Ctx) -> list[Reply]:
        state = self._registry.states.get(ctx.conv.state)
        if state is None:
            return [Text(text=m.IDLE_HINT, choices=menu_choices())]
        return await state.prompt(ctx)


MENU = messages.MENU
LANGUAGE_ENTRY = "language.set"  # typing a language's own name switches to it, in any step


def menu_choices() -> list[Choice]:
    """The main menu as quick-reply chips that send their label (in the user's language)."""
    return [Choice(label=label, text=label) for label in map(i18n.tr, MENU)]


def compact(replies: list[Reply]) -> list[Reply]:
    """Fit LINE's five-message limit by joining leading plain texts that have no choices."""
    out = list(replies)
    while len(out) > MAX_MESSAGES:
        first, second = out[0], out[1]
        if isinstance(first, Text) and isinstance(second, Text) and not first.choices:
            out[:2] = [Text(text=f"{first.text}\n\n{second.text}", choices=second.choices)]
        else:
            out = out[:MAX_MESSAGES - 1] + out[-1:]
    return out
