"""What the flows need from the outside world, as protocols; `storage/` implements them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogs.conversation import Conversation


@dataclass(frozen=True)
class OfficeInfo:
    """Office facts shown to users (settings, never hard-coded)."""

    name: str
    phone: str
    hours: str
    address: str
    base_url: str


@dataclass(frozen=True)
class TermsInfo:
    """The terms version in effect, as users see it."""

    version: str
    effective_from: datetime
    summary: str
    changes: str
    url: str


@dataclass(frozen=True)
class UserInfo:
    """What the flows may know about a user: flags and masked data only."""

    known: bool
    consent_version: str | None = None
    consented_at: datetime | None = None
    role: str | None = None
    blocked: bool = False
    refused_for_no_shows: bool = False
    has_profile: bool = False
    masked_name: str | None = None
    masked_phone: str | None = None
    masked_number: str | None = None


class StateStore(Protocol):
    """Per-user conversation state with a lock taken before loading."""

    async def acquire(self, user: str) -> str: ...
    async def release(self, user: str, token: str) -> None: ...
    async def load(self, user: str) -> Conversation: ...
    async def save(self, user: str, conv: Conversation) -> None: ...
    async def delete(self, user: str) -> None: ...


class OfficePort(Protocol):
    """The office's records as the flows use them; each call is its own transaction."""

    office: OfficeInfo

    async def user(self, line_user_id: str) -> UserInfo: ...
    async def terms(self, at: datetime) -> TermsInfo | None: ...
    async def record_consent(self, line_user_id: str, version: str, at: datetime) -> None: ...
    async def mark_unfollowed(self, line_user_id: str) -> None: ...
