"""The vocabulary of a flow: inputs, steps, states, and the context handlers receive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from dialogs import i18n
from dialogs.conversation import Conversation
from dialogs.ports import (
    AccountsPort,
    AvailabilityPort,
    ClosuresPort,
    OfficeInfo,
    Ports,
    RequestsPort,
    StaffPort,
)
from dialogs.postback import Postback
from dialogs.replies import Choice, Reply


@dataclass(frozen=True)
class Input:
    """One thing the user did, already stripped of channel details."""

    kind: Literal["text", "postback", "follow", "unfollow", "other"]
    text: str = ""
    postback: Postback | None = None
    params: dict[str, str] = field(default_factory=dict)
    other: str = ""  # sticker, image, ... for a friendly "please type or tap" answer


@dataclass
class Step:
    """A handler's answer: the next state, what to say first, whether to show its prompt."""

    next: str
    say: list[Reply] = field(default_factory=list)
    prompt: bool = True


class Invalid(Exception):
    """The input does not fit this step: stay, say why, and ask again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FlowSettings:
    """The few settings flows show users."""

    form_minutes: int = 15  # how long a profile form link lasts


@dataclass
class Ctx:
    """What a handler may use: the user, their conversation, the ports and the time."""

    user: str
    conv: Conversation
    ports: Ports
    now: datetime
    settings: FlowSettings = field(default_factory=FlowSettings)
    entries: dict[str, Any] = field(default_factory=dict)  # global entry points, by action
    language: str = i18n.SOURCE  # what the user reads; the engine speaks it for the step

    def use_language(self, code: str) -> None:
        """Talk in `code` from here on: the rest of this step and the next ones."""
        self.language = self.conv.language = i18n.known(code)
        i18n.switch(self.language)

    @property
    def data(self) -> dict[str, Any]:
        return self.conv.data

    @property
    def office(self) -> OfficeInfo:
        """Office facts shown to users."""
        return self.ports.office

    @property
    def accounts(self) -> AccountsPort:
        return self.ports.accounts

    @property
    def availability(self) -> AvailabilityPort:
        return self.ports.availability

    @property
    def requests(self) -> RequestsPort:
        return self.ports.requests

    @property
    def closures(self) -> ClosuresPort | None:
        """Answers to emergency closure notices."""
        return self.ports.closures

    @property
    def staff(self) -> StaffPort | None:
        """Staff records, for linked staff's actions in LINE."""
        return self.ports.staff

    def button(self, label: str, action: str, value: str = "", *, display: str | None = None,
               style: Literal["primary", "secondary", "link"] = "secondary") -> Choice:
        """A choice whose postback carries this step's nonce, so it expires with the step."""
        data = Postback(action=action, value=value, nonce=self.conv.nonce).encode()
        return Choice(label=label, data=data, display=display or label, style=style)


Handler = Callable[[Ctx, Input], Awaitable[Step]]
Prompt = Callable[[Ctx], Awaitable[list[Reply]]]


@dataclass
class State:
    """One step of a flow: how to ask, what typed text means, what each button means."""

    id: str
    prompt: Prompt
    on_text: Handler | None = None
    actions: dict[str, Handler] = field(default_factory=dict)
    text_hint: str = "下のボタンから選んでください。"
    # Called when the user leaves the flow from this step (やめる, 最初から, another menu entry),
    # to let go of what the step holds (a slot held while confirming).
    on_leave: Callable[[Ctx], Awaitable[None]] | None = None
