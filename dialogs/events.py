"""Domain events: what a change in the office's records caused, as facts without wording.

Storage records them in the transaction that made the change; the notifier (dialogs/notify)
words them as outbox pushes in that same transaction. Who may receive a push (followed, not
anonymised) is a fact storage decides; what the push says is the notifier's alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from booking.sites import Site

# The audience of a staff alert: every linked, active staff account of the office.
STAFF = "@staff"


@dataclass(frozen=True)
class RequestFacts:
    """What staff need to act: when, what for, who (masked), extras; never full personal data."""

    booking_id: str
    starts_at: datetime
    purpose: str
    masked_name: str
    slots: int = 1
    role: str | None = None
    attendant: str = "none"
    job_number: str | None = None
    applicants: int | None = None
    site: Site | None = None  # where the user goes (DESIGN §13)
    console_url: str = ""  # the booking's console page, where staff see the rest after login
    interpret_language: str | None = None  # staff arrange the interpreter (DESIGN.md §14)


@dataclass(frozen=True)
class SlotFacts:
    """One booking (or a group of consecutive ones) as the messages need it."""

    booking_id: str
    starts_at: datetime
    ends_at: datetime
    purpose: str
    attendant: str = "none"
    site: Site | None = None


# --- a user's request and its answers ----------------------------------------------------------

@dataclass(frozen=True)
class RequestCreated:
    """A user requested a slot (or immediate use): staff are alerted."""

    request: RequestFacts
    immediate: bool = False


@dataclass(frozen=True)
class RequestCancelled:
    """A user cancelled, or refused the time the office moved their request to."""

    request: RequestFacts
    refused_move: bool = False


@dataclass(frozen=True)
class MoveAccepted:
    """A user accepted the time the office moved their request to."""

    request: RequestFacts


@dataclass(frozen=True)
class SlotFreed:
    """A waiting user can now have one of `starts` (the first tap wins)."""

    to: str
    entry_id: str
    starts: tuple[datetime, ...]
    need: int = 1


# --- staff decisions told to the user ----------------------------------------------------------

@dataclass(frozen=True)
class Confirmed:
    """Staff confirmed a request (or booked one for the user)."""

    to: str
    booking_id: str
    slot: str
    purpose: str
    attendant: str
    office_phone: str
    site: Site | None = None
    starts_at: datetime | None = None  # to show `slot` in the user's language


@dataclass(frozen=True)
class Declined:
    """Staff declined a request, with their reason."""

    to: str
    booking_id: str
    slot: str
    reason: str
    office_phone: str
    starts_at: datetime | None = None  # to show `slot` in the user's language


@dataclass(frozen=True)
class MarkedNoShow:
    """Staff recorded that the user did not come."""

    to: str
    booking_id: str
    slot: str
    office_phone: str
    starts_at: datetime | None = None  # to show `slot` in the user's language


@dataclass(frozen=True)
class Moved:
    """Staff moved a request to another time; the user accepts or cancels (art. 5(5))."""

    to: str
    booking_id: str
    old_slot: str
    new_slot: str
    office_phone: str
    site: Site | None = None  # where the new time is held
    old_starts_at: datetime | None = None  # to show the slots in the user's language
    new_starts_at: datetime | None = None


@dataclass(frozen=True)
class ClosedByOffice:
    """An emergency closure closed the user's request: they are told why, with the nearest free
    starts at the same site (a tap requests the move) and a way to cancel (DESIGN §13)."""

    to: str
    booking_id: str
    starts_at: datetime
    slots: int
    reason: str
    site_name: str
    office_phone: str
    options: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class TermsPublished:
    """A new terms version: each following user is told and asked to agree again (art. 12)."""

    to: str
    version: str
    effective: str  # ISO date (2026-12-01), worded in each reader's language
    changes: str
    url: str


@dataclass(frozen=True)
class LimitLifted:
    """An admin lifted the refusal after repeated no-shows (art. 5(4))."""

    to: str
    office_phone: str


# --- what the worker finds ------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderDue:
    """A confirmed booking is tomorrow, or starts within 30 minutes."""

    to: str
    when: Literal["day_before", "soon"]
    slot: SlotFacts
    office_phone: str


@dataclass(frozen=True)
class NoShow:
    """Nobody came 10 minutes after the start: the user is told and counted, staff alerted."""

    to: str | None  # None when the user can no longer be reached in LINE
    slot: SlotFacts
    count: int
    limit: int
    refused: bool
    masked_name: str | None
    office_phone: str
    console_url: str


@dataclass(frozen=True)
class DeadlinePassed:
    """Requests still unconfirmed at the cut-off, for staff."""

    items: tuple[tuple[SlotFacts, str | None], ...]
    cutoff_hour: int
    console_url: str


@dataclass(frozen=True)
class RequestExpired:
    """A request nobody confirmed in time is void; the user may book again."""

    to: str
    slot: SlotFacts
    office_phone: str


@dataclass(frozen=True)
class PushFailed:
    """A push to a user failed for good: staff should phone them."""

    kind: str
    slot: SlotFacts | None
    masked_name: str | None
    console_url: str
    booking_id: str | None = None


Event = (RequestCreated | RequestCancelled | MoveAccepted | SlotFreed | Confirmed | Declined
         | MarkedNoShow | Moved | ClosedByOffice | TermsPublished | LimitLifted | ReminderDue
         | NoShow | DeadlinePassed | RequestExpired | PushFailed)


@dataclass(frozen=True)
class Notice:
    """One push the notifier wants written: to a LINE user or to STAFF, already rendered."""

    to: str
    kind: str
    payload: list[dict[str, Any]]
    booking_id: str | None = None
