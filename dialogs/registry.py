"""The table of states, entry points and keywords the engine routes by."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from dialogs.flow import Handler, State

log = logging.getLogger(__name__)


@dataclass
class Registry:
    """States by stable id; entries by action (rich menu, keywords, follow); keywords by text."""

    states: dict[str, State] = field(default_factory=dict)
    entries: dict[str, Handler] = field(default_factory=dict)
    keywords: dict[str, str] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    commands: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def state(self, state: State) -> State:
        """Register a state; ids are namespaced strings like "booking:pick_day"."""
        if state.id in self.states:
            raise ValueError(f"state {state.id!r} registered twice")
        self.states[state.id] = state
        return state

    def entry(self, action: str, handler: Handler, *keywords: str) -> None:
        """Register a global entry point and the exact texts that start it."""
        self.entries[action] = handler
        for word in keywords:
            self.keywords[word] = action

    def pattern(self, regex: str, action: str) -> None:
        """Typed text of a shape (e.g. a one-time code) that starts an entry when no step asks."""
        self.patterns.append((re.compile(regex), action))

    def command(self, regex: str, action: str) -> None:
        """Typed text of a shape that starts an entry in every state, like a keyword (the
        message a walk-up poster's QR code sends: the user may be mid-way through anything)."""
        self.commands.append((re.compile(regex), action))

    def match(self, text: str) -> str | None:
        """The entry action whose pattern matches all of `text`, if any."""
        return next((action for regex, action in self.patterns if regex.fullmatch(text)), None)

    def command_for(self, text: str) -> str | None:
        """The entry action of the global command that `text` is, if any."""
        return next((action for regex, action in self.commands if regex.fullmatch(text)), None)

    def check(self, next_state: str) -> None:
        """Warn when a handler returns a state nobody registered (a typo, not a user error)."""
        if next_state != "idle" and next_state not in self.states:
            log.warning("handler returned unregistered state %s", next_state)
            raise KeyError(next_state)
