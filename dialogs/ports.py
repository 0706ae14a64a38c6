"""What the flows need from the outside world, as protocols; `storage/` implements them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Protocol

from booking.availability import Calendar, DayInfo
from booking.sites import Site
from dialogs.conversation import Conversation
from dialogs.events import Event, Notice


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
    active_requests: int = 0
    max_active_requests: int = 3
    usual_site_id: str | None = None  # where they booked last, offered first (DESIGN §13)
    language: str | None = None  # dialogs/i18n.py code; None until chosen or read from LINE


@dataclass(frozen=True)
class Draft:
    """What the user asked for: purpose and extras (DESIGN.md §7), slot, attendant (art. 11(3))."""

    purpose: str
    starts_at: datetime | None = None
    slots: int = 1
    job_number: str | None = None
    applicants: int | None = None
    attendant: str = "none"
    site_id: str | None = None  # None: the office's only site (DESIGN §13)
    # The language to interpret (DESIGN.md §14): the user's, when it is not Japanese.
    interpret_language: str | None = None


@dataclass(frozen=True)
class BookingInfo:
    """One request as its owner sees it; consecutive slots of one request are one item."""

    id: str
    starts_at: datetime
    ends_at: datetime
    status: str
    purpose: str
    slots: int = 1
    immediate: bool = False
    attendant: str = "none"
    job_number: str | None = None
    applicants: int | None = None
    moved: bool = False
    awaiting_answer: bool = False
    ics_url: str | None = None
    site: Site | None = None  # where the user goes: name, address, map, access notes


class Reason(StrEnum):
    """Why a use case did not do what was asked; the flows match on it, one case each."""

    NONE = ""
    TAKEN = "taken"  # someone else was faster
    LIMIT = "limit"  # the user's cap of open requests is reached
    NOT_BOOKABLE = "not_bookable"  # past the deadline, or not a session start
    NOT_FOUND = "not_found"
    STARTED = "started"  # too late to cancel: it has begun
    ALREADY = "already"  # answered or booked before
    BUSY = "busy"  # no booth is free now
    CONSENT = "consent"  # the newest terms are not agreed yet
    REFUSED = "refused"  # blocked (art. 11(1)) or too many no-shows (art. 5(4))
    PROFILE = "profile"  # no profile saved yet
    CLOSED = "closed"  # outside the office's hours
    DISABLED = "disabled"  # staff turned immediate use off


def refusal(*, consented: bool, blocked: bool, no_shows: int, no_show_limit: int,
            has_profile: bool) -> Reason:
    """Why a user may not request now (art. 11(1), 5(4), 5 前文, 5(2)): the one rule every
    RequestsPort applies, in this order; Reason.NONE when they may."""
    if not consented:
        return Reason.CONSENT
    if blocked or no_shows >= no_show_limit:
        return Reason.REFUSED
    if not has_profile:
        return Reason.PROFILE
    return Reason.NONE


@dataclass(frozen=True)
class Outcome:
    """The result of a change: ok, or why not (taken, limit, refused, ...) and what is free."""

    ok: bool
    reason: Reason = Reason.NONE
    bookings: list[BookingInfo] = field(default_factory=list)
    alternatives: list[datetime] = field(default_factory=list)
    events: tuple[Event, ...] = ()  # what the change caused (staff alerted, slot offered)


@dataclass(frozen=True)
class NowInfo:
    """Whether immediate use (art. 5-2) is possible now, why not, and the next bookable slot."""

    available: bool
    reason: Reason = Reason.NONE
    slot: datetime | None = None
    next_slot: datetime | None = None


@dataclass(frozen=True)
class StaffMember:
    """A linked, active staff account as the flow sees it."""

    login: str
    name: str
    role: str


@dataclass(frozen=True)
class StaffOutcome:
    """The result of a staff action: ok, or a code (`handled`, `stale`, ...) with who and what."""

    ok: bool
    code: str = ""
    by: str | None = None
    status: str | None = None
    slot: str = ""


@dataclass(frozen=True)
class SlotOption:
    """A free slot a booking can be moved to."""

    starts_at: datetime
    booth: int
    label: str


@dataclass(frozen=True)
class MoveOptions:
    """The free slots of the booking's day, and the booking version they were computed for."""

    outcome: StaffOutcome
    day: str = ""
    version: int = 0
    options: tuple[SlotOption, ...] = ()


class StaffPort(Protocol):
    """Staff records and actions; each call is its own transaction."""

    async def member(self, line_user_id: str) -> StaffMember | None: ...
    async def link(self, line_user_id: str, code: str,
                   now: datetime) -> StaffMember | Literal["wrong", "limited"]: ...
    async def peek(self, booking_id: str) -> StaffOutcome: ...
    async def confirm(self, line_user_id: str, booking_id: str, now: datetime) -> StaffOutcome: ...
    async def decline(self, line_user_id: str, booking_id: str, reason: str,
                      now: datetime) -> StaffOutcome: ...
    async def move_options(self, booking_id: str, now: datetime, limit: int) -> MoveOptions: ...
    async def move(self, line_user_id: str, booking_id: str, version: int, starts_at: datetime,
                   booth: int, now: datetime) -> StaffOutcome: ...
    def console_url(self, booking_id: str) -> str: ...


class Notifier(Protocol):
    """Words a domain event as the pushes it calls for (dialogs/notify implements it)."""

    def notices(self, event: Event, language: str | None = None) -> list[Notice]: ...


class LockTimeout(Exception):
    """The per-user lock could not be taken in time (every StateStore raises this one)."""


@dataclass(frozen=True)
class Once:
    """One input's record of having been handled, read and written under the user's lock.

    A handler that dies after the step but before acknowledging the event leaves it to be
    claimed again; the record makes the second run answer with the first run's replies
    instead of applying the step twice. The store reads the record with the lock and writes
    it with the state (StateStore.acquire_load_once / save_release_once): no round trip of
    its own. `key` names the input (a webhook event id), kept `seconds`.
    """

    key: str
    seconds: int


class StateStore(Protocol):
    """Per-user conversation state with a lock taken before loading."""

    async def acquire(self, user: str) -> str: ...
    async def release(self, user: str, token: str) -> None: ...
    async def load(self, user: str) -> Conversation: ...
    async def save(self, user: str, conv: Conversation) -> None: ...
    async def delete(self, user: str) -> None: ...
    # The engine's pair, each as one round trip where the store is remote: `acquire` then
    # `load`, and `save` then `release`.
    async def acquire_load(self, user: str) -> tuple[str, Conversation]: ...
    async def save_release(self, user: str, conv: Conversation, token: str) -> None: ...
    # The same pair for an input handled at most once (`Once`): the record of an earlier run
    # (its replies as dump_replies JSON, None when there was none) comes with the lock, and
    # the record is written with the state, before the lock is released.
    async def acquire_load_once(self, user: str, once: Once
                                ) -> tuple[str, Conversation, list[dict] | None]: ...
    async def save_release_once(self, user: str, conv: Conversation, token: str, once: Once,
                                record: list[dict]) -> None: ...


class AccountsPort(Protocol):
    """Users, their consent and role, and the profile form link; each call one transaction."""

    async def user(self, line_user_id: str, at: datetime | None = None) -> UserInfo: ...
    async def terms(self, at: datetime) -> TermsInfo | None: ...
    # `language`: the language the terms were shown in (the Japanese text binds; §14).
    async def record_consent(self, line_user_id: str, version: str, at: datetime, *,
                             language: str = "ja") -> None: ...
    async def mark_unfollowed(self, line_user_id: str) -> None: ...
    # Personal data only through the web form (DESIGN.md §3): the chat sets the role alone.
    async def set_role(self, line_user_id: str, role: str, at: datetime) -> None: ...
    async def language(self, line_user_id: str) -> str | None: ...
    async def set_language(self, line_user_id: str, language: str, at: datetime) -> None: ...
    async def form_link(self, line_user_id: str, at: datetime, *,
                        unregistered: bool = False) -> str | None: ...


class AvailabilityPort(Protocol):
    """Open days and free slots from the rules and the database; holds while users confirm.
    `site_id` None: any active site (the only one, in the simple case); the sites themselves
    come with `calendar` (Calendar.active_sites)."""

    async def calendar(self, at: datetime) -> Calendar: ...
    async def open_days(self, at: datetime, count: int, need: int = 1,
                        site_id: str | None = None) -> list[DayInfo]: ...
    async def free_slots(self, line_user_id: str, day: date, at: datetime,
                         need: int = 1, site_id: str | None = None) -> list[datetime]: ...
    async def nearest_free(self, line_user_id: str, wanted: datetime, at: datetime,
                           need: int = 1, count: int = 4,
                           site_id: str | None = None) -> list[datetime]: ...
    async def hold(self, line_user_id: str, starts_at: datetime, slots: int = 1,
                   site_id: str | None = None) -> bool: ...
    async def release(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> None: ...


class RequestsPort(Protocol):
    """Requests and the user's own bookings, immediate use (art. 5-2) and the waitlist (§8);
    each change commits with the events it causes (staff alerts, waitlist offers)."""

    async def request_booking(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome: ...
    async def my_bookings(self, line_user_id: str, at: datetime) -> list[BookingInfo]: ...
    async def booking(self, line_user_id: str, booking_id: str) -> BookingInfo | None: ...
    async def cancel_booking(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome: ...
    async def accept_move(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome: ...
    async def immediate_status(self, line_user_id: str, at: datetime,
                               site_id: str | None = None) -> NowInfo: ...
    async def request_immediate(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome: ...
    async def join_waitlist(self, line_user_id: str, day: date, draft: Draft,
                            at: datetime) -> bool: ...
    async def take_offer(self, line_user_id: str, entry_id: str, starts_at: datetime,
                         at: datetime) -> Outcome: ...


class ClosuresPort(Protocol):
    """A user's answer to an emergency closure notice (DESIGN §13): request one of the offered
    starts at the same site (the same atomic commit and checks as any request) or cancel."""

    async def move_closed(self, line_user_id: str, booking_id: str, starts_at: datetime,
                          at: datetime) -> Outcome: ...
    async def cancel_closed(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome: ...


@dataclass(frozen=True)
class Ports:
    """What the flows reach the office's records through, for one event."""

    office: OfficeInfo
    accounts: AccountsPort
    availability: AvailabilityPort
    requests: RequestsPort
    staff: StaffPort | None = None
    # LINE's profile `language` of a user (None when LINE does not say): the first guess.
    profile_language: Callable[[str], Awaitable[str | None]] | None = None
    closures: ClosuresPort | None = None


class PortsFactory(Protocol):
    """Ports bound to one event: the outbox rows their commits write are added to `outbox`,
    for the caller to deliver after the reply (DESIGN.md §11: reply first, then push)."""

    def __call__(self, outbox: list[uuid.UUID]) -> Ports: ...
