"""The office's database tables. Every row carries `office_id`: one deployment, many offices."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# BookingStatus lives with the other domain codes in booking/; imported from here too.
from booking.kinds import Attendant, BookingStatus, Purpose, StaffRole, UserRole
from booking.walkup import new_site_code
from storage.types import StrEnumType, UTCDateTime


def utcnow() -> datetime:
    """Default for created_at columns; business logic uses the injected clock instead."""
    return datetime.now(UTC)


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


ACTIVE_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
_ACTIVE_SQL = "status IN ('requested', 'confirmed')"


class Office(SQLModel, table=True):
    """One Hello Work office and the settings its staff can change."""

    __tablename__ = "offices"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=100)
    phone: str = Field(max_length=30)
    address: str = Field(default="", max_length=200)
    hours: str = Field(default="", max_length=200)
    booths: int = Field(default=1)
    cutoff_hour: int = Field(default=15)
    no_show_limit: int = Field(default=2)
    max_active_requests: int = Field(default=3)
    immediate_use_enabled: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LineUser(SQLModel, table=True):
    """A LINE user of the office's account, with the profile given through the web form."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("office_id", "line_user_hash"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    line_user_id: str | None = Field(default=None, max_length=64)
    # The site the user booked at last, offered first next time (DESIGN §13). No foreign key:
    # SQLite could only add one by rebuilding `users`, which other tables reference.
    usual_site_id: uuid.UUID | None = Field(default=None)
    line_user_hash: str = Field(max_length=64, index=True)
    role: UserRole | None = Field(default=None, sa_type=StrEnumType(UserRole, 20))
    name: str | None = Field(default=None, max_length=100)
    number: str | None = Field(default=None, max_length=20)
    phone: str | None = Field(default=None, max_length=20)
    consent_version: str | None = Field(default=None, max_length=40)
    consented_at: datetime | None = _dt()
    no_show_count: int = Field(default=0)
    blocked: bool = Field(default=False)
    blocked_reason: str | None = Field(default=None, max_length=200)
    blocked_at: datetime | None = _dt()
    followed: bool = Field(default=True)
    # The language the user talks in (dialogs/i18n.py codes); None until LINE's profile or the
    # user's choice says (DESIGN.md §14).
    language: str | None = Field(default=None, max_length=16)
    profile_updated_at: datetime | None = _dt()
    last_booking_at: datetime | None = _dt()
    anonymized_at: datetime | None = _dt()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Consent(SQLModel, table=True):
    """Proof that a user agreed to one terms version at one moment (art. 5 前文, 5-2(2))."""

    __tablename__ = "consents"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    terms_version: str = Field(max_length=40)
    consented_at: datetime = Field(sa_type=UTCDateTime)
    # The language the terms were shown in; the Japanese text binds, others were a 参考訳.
    language: str = Field(default="ja", max_length=16)


class TermsVersionRow(SQLModel, table=True):
    """A published version of the terms of use with its effective date (art. 12)."""

    __tablename__ = "terms_versions"
    __table_args__ = (UniqueConstraint("office_id", "version"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    version: str = Field(max_length=40)
    effective_from: datetime = Field(sa_type=UTCDateTime)
    summary: str = Field(default="", max_length=2000)
    changes: str = Field(default="", max_length=2000)
    body: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Booking(SQLModel, table=True):
    """One 30-minute slot of one booth; the partial unique index forbids double booking."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index(
            "uq_bookings_active_slot",
            "office_id",
            "booth",
            "starts_at",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    booth: int = Field(default=1)
    # Where the user goes (DESIGN §13); None only for an office that has described no site.
    site_id: uuid.UUID | None = Field(default=None, foreign_key="sites.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    status: BookingStatus = Field(default=BookingStatus.REQUESTED,
                                  sa_type=StrEnumType(BookingStatus, 20), index=True)
    purpose: Purpose = Field(sa_type=StrEnumType(Purpose, 40))
    job_number: str | None = Field(default=None, max_length=20)
    applicants: int | None = Field(default=None)
    attendant: Attendant = Field(default=Attendant.NONE, sa_type=StrEnumType(Attendant, 20))
    # The language to interpret, when the user does not talk in Japanese (DESIGN.md §14).
    interpret_language: str | None = Field(default=None, max_length=16)
    immediate: bool = Field(default=False)
    group_id: uuid.UUID | None = Field(default=None, index=True)
    moved_from_id: uuid.UUID | None = Field(default=None)
    # The emergency closure that closed this booking (status `closed`), for its reason in the
    # usage log and its follow-up page. No foreign key: SQLite could only add one by a rebuild.
    closure_id: uuid.UUID | None = Field(default=None, index=True)
    note: str | None = Field(default=None, max_length=1000)
    decline_reason: str | None = Field(default=None, max_length=500)
    handled_by: str | None = Field(default=None, max_length=100)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime | None = _dt()
    confirmed_at: datetime | None = _dt()
    checked_in_at: datetime | None = _dt()
    reminded_day_before_at: datetime | None = _dt()
    reminded_soon_at: datetime | None = _dt()
    deadline_alerted_at: datetime | None = _dt()


class SiteRow(SQLModel, table=True):
    """A place where booths stand (a town hall's 相談室, the office's own booth): DESIGN §13."""

    __tablename__ = "sites"
    __table_args__ = (Index("uq_sites_office_id_code", "office_id", "code", unique=True),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    name: str = Field(max_length=100)
    # Printed on the site's walk-up poster (booking/walkup.py): stays when the site is renamed.
    code: str = Field(default_factory=new_site_code, max_length=12,
                      sa_column_kwargs={"server_default": ""})
    address: str = Field(default="", max_length=200)
    map_url: str = Field(default="", max_length=500)
    access_notes: str = Field(default="", max_length=1000)
    active: bool = Field(default=True)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SiteHoursRow(SQLModel, table=True):
    """The hours a site keeps on one weekday (0 = Monday), inside 9:00–17:00."""

    __tablename__ = "site_hours"
    site_id: uuid.UUID = Field(foreign_key="sites.id", primary_key=True)
    weekday: int = Field(primary_key=True)
    opens: time
    closes: time


class BoothRow(SQLModel, table=True):
    """A booth: an office-wide number (Booking.booth) standing at one site."""

    __tablename__ = "booths"
    office_id: uuid.UUID = Field(foreign_key="offices.id", primary_key=True)
    number: int = Field(primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="sites.id", index=True)


class Closure(SQLModel, table=True):
    """Staff closed a day or a time range of it, office-wide (site_id None) or at one site.

    starts/ends None: the whole day. reopened_at set: no longer in force (kept for the record).
    """

    __tablename__ = "closures"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    day: date = Field(index=True)
    starts: time | None = Field(default=None)
    ends: time | None = Field(default=None)
    site_id: uuid.UUID | None = Field(default=None, foreign_key="sites.id")
    reason: str = Field(default="", max_length=200)
    created_at: datetime | None = _dt()
    created_by: str | None = Field(default=None, max_length=100)
    reopened_at: datetime | None = _dt()
    reopened_by: str | None = Field(default=None, max_length=100)


class ClosureAnswer(StrEnum):
    """What a user told by an emergency closure did about it."""

    MOVED = "moved"
    CANCELLED = "cancelled"


class ClosureNotice(SQLModel, table=True):
    """One request closed by an emergency closure: who was told, and their answer (§13).

    Staff phone those with no answer; `moved_to_id` is the new request a tap made.
    """

    __tablename__ = "closure_notices"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    closure_id: uuid.UUID = Field(foreign_key="closures.id", index=True)
    booking_id: uuid.UUID = Field(foreign_key="bookings.id", unique=True)  # the request's head
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    told_at: datetime = Field(sa_type=UTCDateTime)
    outbox_id: uuid.UUID | None = Field(default=None)  # None: the user cannot be reached in LINE
    answer: ClosureAnswer | None = Field(default=None, sa_type=StrEnumType(ClosureAnswer, 20))
    answered_at: datetime | None = _dt()
    moved_to_id: uuid.UUID | None = Field(default=None)


class CapacityLimitRow(SQLModel, table=True):
    """Fewer sessions at once than booths for a time range, once (day) or weekly (weekday)."""

    __tablename__ = "capacity_limits"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    day: date | None = Field(default=None)
    weekday: int | None = Field(default=None)
    starts: time
    ends: time
    capacity: int
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, max_length=100)


class OutboxStatus(StrEnum):
    """Delivery state of one outgoing push."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Outbox(SQLModel, table=True):
    """An outgoing push written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    to_line_user_id: str = Field(max_length=64)
    kind: str = Field(max_length=40)
    payload: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    status: OutboxStatus = Field(default=OutboxStatus.PENDING,
                                 sa_type=StrEnumType(OutboxStatus, 20), index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = _dt(index=True)
    claimed_until: datetime | None = _dt()
    last_error: str | None = Field(default=None, max_length=500)
    booking_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = _dt()


class AuditLog(SQLModel, table=True):
    """Who did what and when; never personal data (art. 6, 7)."""

    __tablename__ = "audit_log"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=60)
    booking_id: uuid.UUID | None = Field(default=None)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StaffAccount(SQLModel, table=True):
    """A staff member of the office; may be linked to a LINE account for alerts."""

    __tablename__ = "staff_accounts"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    login: str = Field(max_length=60, unique=True)
    display_name: str = Field(max_length=60)
    password_hash: str = Field(max_length=200)
    role: StaffRole = Field(default=StaffRole.STAFF, sa_type=StrEnumType(StaffRole, 20))
    active: bool = Field(default=True)
    line_user_id: str | None = Field(default=None, max_length=64, index=True)
    link_code: str | None = Field(default=None, max_length=20)
    link_code_expires_at: datetime | None = _dt()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: datetime | None = _dt()
    # TOTP second factor (RFC 6238): the base32 secret once enrolment is confirmed, the last
    # time step accepted (a code works once), and sha256 hashes of unused recovery codes.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = _dt()
    totp_last_step: int | None = Field(default=None)
    recovery_codes: str | None = Field(default=None, max_length=1000)


class FormToken(SQLModel, table=True):
    """A single-use, short-lived link to the profile form, bound to one LINE user."""

    __tablename__ = "form_tokens"
    id: str = Field(primary_key=True, max_length=64)  # sha256 of the token, never the token
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _dt()
    failures: int = Field(default=0)
    # The link is bound to the first browser that opens it: sha256 of that browser's cookie.
    browser_key: str | None = Field(default=None, max_length=64, index=True)
    opened_at: datetime | None = _dt()
    revoked_at: datetime | None = _dt()  # a newer link was issued to the same user


class WaitlistEntry(SQLModel, table=True):
    """A user waiting to hear when a slot frees up on one day (DESIGN.md §8)."""

    __tablename__ = "waitlist"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="offices.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    day: date = Field(index=True)
    site_id: uuid.UUID | None = Field(default=None, foreign_key="sites.id")  # waits per site
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    notified_at: datetime | None = _dt()
    # What the user was booking, so the first tap on an offer can commit at once (0002).
    purpose: Purpose | None = Field(default=None, sa_type=StrEnumType(Purpose, 40))
    job_number: str | None = Field(default=None, max_length=20)
    applicants: int | None = Field(default=None)
    attendant: Attendant | None = Field(default=None, sa_type=StrEnumType(Attendant, 20))
