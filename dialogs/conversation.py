"""Where one user is in a flow; serialised by storage as one JSON document."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1
IDLE = "idle"


def new_nonce() -> str:
    """A short random token tying buttons to the step that showed them."""
    return secrets.token_hex(4)


@dataclass
class Conversation:
    """State id, the data the flow collected, the nonce of the visible buttons, the way back."""

    state: str = IDLE
    data: dict[str, Any] = field(default_factory=dict)
    nonce: str = field(default_factory=new_nonce)
    history: list[str] = field(default_factory=list)
    language: str | None = None  # the user's language, kept so a step need not read it

    def to_json(self) -> str:
        return json.dumps(
            {"v": SCHEMA_VERSION, "state": self.state, "data": self.data,
             "nonce": self.nonce, "history": self.history,
             **({"lang": self.language} if self.language else {})},
            ensure_ascii=False, separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Conversation:
        """Parse a stored document; an unknown schema version starts afresh."""
        doc = json.loads(raw)
        if doc.get("v") != SCHEMA_VERSION:
            return cls()
        return cls(state=doc["state"], data=doc.get("data", {}), nonce=doc["nonce"],
                   history=doc.get("history", []), language=doc.get("lang"))

    @property
    def is_empty(self) -> bool:
        return self.state == IDLE and not self.data
