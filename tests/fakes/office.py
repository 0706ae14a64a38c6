"""One office's records in plain Python: users, requests, waitlist, holds and the events recorded.

The in-memory ports (accounts, availability, requests) share one `MemoryOffice`; tests seed it
through its methods (`add_user`, `save_profile`, `add_booking`, `close`, ...) the way the web
form, staff and the database would have left it. No transactions: each port method changes the
records without awaiting in between, so on one event loop every change is atomic.
"""

from __future__ import annotations

import typing
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from booking import SLOT_LENGTH, mask_name, to_jst
from booking.availability import bookable_starts, free_booths
from booking.calendar import JST
from booking.capacity import CapacityLimit
from booking.sites import ClosureRange, Site
from dialogs.events import Event, RequestFacts
from dialogs.ports import Calendar, OfficeInfo, TermsInfo

if typing.TYPE_CHECKING:
    from tests.fakes.staff import MemoryStaff

SEED_TERMS = "2024-10-01"  # the version storage/seed.py publishes on first start
ACTIVE = ("requested", "confirmed")
INTERVIEW = "interview"
USER_FAILURES = 10  # failed form submissions before no new link is issued (storage/forms.py)


@dataclass
class MemoryUser:
    """A LINE user as the chat, the form and staff leave them."""

    line_user_id: str
    role: str | None = None
    name: str | None = None
    number: str | None = None
    phone: str | None = None
    consent_version: str | None = None
    consented_at: datetime | None = None
    consents: list[tuple[str, datetime]] = field(default_factory=list)
    consent_languages: list[str] = field(default_factory=list)
    no_show_count: int = 0
    blocked: bool = False
    followed: bool = True
    language: str | None = None
    form_failures: int = 0
    links_issued: int = 0
    usual_site_id: str | None = None


@dataclass
class MemoryRequest:
    """One request: consecutive starts, a booth for each, one status."""

    user: str
    starts: list[datetime]
    booths: list[int]
    purpose: str
    status: str = "requested"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    job_number: str | None = None
    applicants: int | None = None
    attendant: str = "none"
    immediate: bool = False
    moved: bool = False  # the office moved it; the user has not answered yet unless accepted
    move_accepted: bool = False
    created_at: datetime | None = None
    version: int = 1  # bumped by every change, as Booking.version (staff move checks it)
    handled_by: str | None = None  # the staff member who confirmed, declined or moved it
    decline_reason: str | None = None
    site_id: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def ends_at(self) -> datetime:
        return self.starts[-1] + SLOT_LENGTH


@dataclass
class MemoryEntry:
    """A user waiting for a free slot on `day`, with the request they wait with."""

    user: str
    day: date
    created_at: datetime
    purpose: str = "job_consultation"
    job_number: str | None = None
    applicants: int | None = None
    attendant: str = "none"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    active: bool = True
    notified_at: datetime | None = None
    site_id: str | None = None

    @property
    def need(self) -> int:
        """Slots the waiting request needs: one per applicant for interviews, else one."""
        return max(self.applicants or 1, 1) if self.purpose == INTERVIEW else 1


@dataclass
class MemoryOffice:
    """The office's settings and records; `events` is the outbox, as domain events."""

    info: OfficeInfo = field(default_factory=lambda: OfficeInfo(
        name="ハローワーク五所川原", phone="0173-00-0000", hours="平日 9:00〜17:00",
        address="", base_url="http://memory.test"))
    booths: int = 1
    cutoff_hour: int = 15
    no_show_limit: int = 2
    max_active_requests: int = 3
    immediate_use_enabled: bool = False
    closures: set[date] = field(default_factory=set)
    sites: tuple[Site, ...] = ()  # none: the booths stand in one place (booking.sites)
    ranges: list[ClosureRange] = field(default_factory=list)
    limits: list[CapacityLimit] = field(default_factory=list)
    terms: list[TermsInfo] = field(default_factory=list)
    users: dict[str, MemoryUser] = field(default_factory=dict)
    requests: list[MemoryRequest] = field(default_factory=list)
    waitlist: list[MemoryEntry] = field(default_factory=list)
    holds: dict[tuple[datetime, int], str] = field(default_factory=dict)
    staff: list[MemoryStaff] = field(default_factory=list)  # tests/fakes/staff.py
    events: list[Event] = field(default_factory=list)
    # Requests an emergency closure closed, and the user's answer (None: not yet).
    closed: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.terms:
            self.publish_terms(
                SEED_TERMS, datetime(2024, 10, 1, tzinfo=JST), summary="利用規約の概要"
            )

    # --- seeding, as the form, staff and the database would have left things ---------------

    def publish_terms(self, version: str, effective_from: datetime, *, summary: str = "",
                      changes: str = "") -> None:
        """A terms version taking effect at `effective_from`."""
        self.terms.append(TermsInfo(version=version, effective_from=effective_from,
                                    summary=summary, changes=changes,
                                    url=f"{self.info.base_url}/terms/{version}"))

    def add_user(self, line_user_id: str, **fields: Any) -> MemoryUser:
        """A user row with these fields (role, name, phone, consent_version, blocked, ...)."""
        user = MemoryUser(line_user_id=line_user_id, **fields)
        self.users[line_user_id] = user
        return user

    def save_profile(self, line_user_id: str, *, name: str = "五所川原 太郎",
                     phone: str = "+819012345678", number: str | None = "02040-12345678",
                     role: str | None = None) -> MemoryUser:
        """What submitting the web form does: the profile, and the role chosen there."""
        user = self.user_or_new(line_user_id)
        user.name, user.phone, user.number = name, phone, number
        user.role = role or user.role or "jobseeker"
        return user

    def add_booking(self, line_user_id: str, starts_at: datetime, **fields: Any) -> MemoryRequest:
        """A request written straight to the records (another user's, a staff move, ...)."""
        slots = fields.pop("slots", 1)
        booths = fields.pop("booths", [fields.pop("booth", 1)] * slots)
        request = MemoryRequest(
            user=line_user_id, purpose=fields.pop("purpose", "job_consultation"),
            starts=[starts_at + SLOT_LENGTH * k for k in range(slots)],
            booths=booths, **fields,
        )
        self.requests.append(request)
        return request

    def close(self, day: date) -> None:
        """Staff close the office on `day`."""
        self.closures.add(day)
        self.ranges.append(ClosureRange(day=day))

    def close_request(self, request: MemoryRequest) -> None:
        """An emergency closure closed this request and told its user (storage/closures.py)."""
        request.status = "closed"
        self.closed[request.id] = None

    def close_range(self, closure: ClosureRange) -> None:
        """Staff close part of a day, or one site."""
        self.ranges.append(closure)
        if closure.office_wide and closure.whole_day:
            self.closures.add(closure.day)

    # --- reading the records ------------------------------------------------------------------

    def user_or_new(self, line_user_id: str) -> MemoryUser:
        """The user, created on first need."""
        return self.users.get(line_user_id) or self.add_user(line_user_id)

    def current_terms(self, at: datetime) -> TermsInfo | None:
        """The newest terms version already in effect at `at`."""
        due = [t for t in self.terms if t.effective_from <= at]
        return max(due, key=lambda t: t.effective_from, default=None)

    def calendar(self) -> Calendar:
        booths = sum(len(site.booths) for site in self.sites) if self.sites else self.booths
        return Calendar(closures=frozenset(self.closures), cutoff=time(self.cutoff_hour),
                        booths=booths, sites=self.sites, ranges=tuple(self.ranges),
                        limits=tuple(self.limits))

    def site(self, site_id: str | None) -> Site | None:
        """Where a request with this site stands (None: the office's only place)."""
        cal = self.calendar()
        return next((s for s in cal.places() if s.id == site_id), None) if site_id else (
            cal.places()[0] if len(cal.places()) == 1 else None)

    def used_booths(self, starts_at: datetime) -> set[int]:
        """Booths of active requests at `starts_at`."""
        return {booth for r in self.requests if r.active
                for start, booth in zip(r.starts, r.booths, strict=True) if start == starts_at}

    def occupancy(self) -> dict[datetime, set[int]]:
        """Booths of active requests per start."""
        used: dict[datetime, set[int]] = {}
        for request in self.requests:
            if request.active:
                for start, booth in zip(request.starts, request.booths, strict=True):
                    used.setdefault(start, set()).add(booth)
        return used

    def free_booths(self, starts_at: datetime, site_id: str | None = None) -> list[int]:
        return free_booths(self.calendar(), self.occupancy(), starts_at, site_id)

    def bookable_starts(self, day: date, now: datetime, need: int = 1,
                        site_id: str | None = None) -> list[datetime]:
        """Free starts of `day` that may still be requested, with `need` free slots in a row."""
        return bookable_starts(day, self.calendar(), self.occupancy(), now, need, site_id)

    def active_requests(self, line_user_id: str, now: datetime) -> int:
        """Requests not yet over: the per-user cap."""
        return sum(1 for r in self.requests
                   if r.user == line_user_id and r.active and r.ends_at > now)

    def request_of(self, line_user_id: str, request_id: str) -> MemoryRequest | None:
        return next((r for r in self.requests
                     if r.id == request_id and r.user == line_user_id), None)

    def facts(self, request: MemoryRequest) -> RequestFacts:
        """The staff alert's view of a request: masked name only."""
        user = self.users.get(request.user)
        name = user.name if user else None
        return RequestFacts(
            booking_id=request.id, starts_at=request.starts[0], purpose=request.purpose,
            masked_name=mask_name(name) if name else "お名前未登録", slots=len(request.starts),
            role=user.role if user else None, attendant=request.attendant,
            job_number=request.job_number, applicants=request.applicants)

    def day_of(self, moment: datetime) -> date:
        return to_jst(moment).date()
