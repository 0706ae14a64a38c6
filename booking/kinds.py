"""The codes stored in the database for a booking, a user and a staff account.

Pure enums, so dialogs/ and storage/ can share them; the values are the strings stored since
the first release (StrEnum members compare equal to them), words for them live in
dialogs/flows/labels.py.
"""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    """Lifecycle of one 30-minute slot request (DESIGN.md §2, art. 5)."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    NO_SHOW = "no_show"
    MOVED = "moved"
    COMPLETED = "completed"
    CLOSED = "closed"  # the office closed the slot (snow, outage): never a no-show (§13)


class UserRole(StrEnum):
    """Who a LINE user books as."""

    JOBSEEKER = "jobseeker"
    EMPLOYER = "employer"


class StaffRole(StrEnum):
    """What a staff account may do in the console; admins also manage accounts and settings."""

    STAFF = "staff"
    ADMIN = "admin"


class Purpose(StrEnum):
    """What a booking is for; the first two are jobseekers', the last two employers'."""

    JOB_CONSULTATION = "job_consultation"
    JOB_REFERRAL = "job_referral"
    EMPLOYER_CONSULTATION = "employer_consultation"
    INTERVIEW = "interview"


class Attendant(StrEnum):
    """Who comes with the user to the booth."""

    NONE = "none"
    INTERPRETER = "interpreter"
    ASSISTANT = "assistant"
    BOTH = "both"
