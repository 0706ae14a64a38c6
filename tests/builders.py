"""The one place tests build user and booking rows; each harness writes them its own way.

`new_user` and `new_booking` only construct SQLModel rows (nothing is written); the live app's
helpers (tests/flows/journeys.py, tests/staff/conftest.py), the worker's (tests/worker/conftest.py)
and the contract suite's storage backend (tests/contracts) add them in their own transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from booking import SLOT_LENGTH
from logs import hash_line_user
from storage.models import Booking, BookingStatus, LineUser

TERMS = "2024-10-01"  # the seed terms version (storage/seed.py)
NAME = "五所川原 太郎"
NUMBER = "02040-12345678"
PHONE = "+819012345678"  # as the form stores it


def new_user(office_id: uuid.UUID, line_user_id: str, *, consent: bool = True,
             profile: bool = True, consented_at: datetime | None = None,
             **fields: Any) -> LineUser:
    """A user row as the chat and the form leave it: role, consent to TERMS, a profile.

    `consent=False` or `profile=False` leave those out; `fields` override any column.
    """
    values: dict[str, Any] = {
        "role": "jobseeker", "consent_version": TERMS if consent else None,
        "consented_at": consented_at if consent else None,
        "name": NAME if profile else None, "number": NUMBER if profile else None,
        "phone": PHONE if profile else None}
    values.update(fields)
    return LineUser(office_id=office_id, line_user_id=line_user_id,
                    line_user_hash=hash_line_user(line_user_id), **values)


def new_booking(office_id: uuid.UUID, user_id: uuid.UUID, starts_at: datetime, *,
                status: str = BookingStatus.REQUESTED, booth: int = 1,
                purpose: str = "job_consultation", **fields: Any) -> Booking:
    """One 30-minute booking row of one booth."""
    return Booking(office_id=office_id, user_id=user_id, booth=booth, starts_at=starts_at,
                   ends_at=starts_at + SLOT_LENGTH, status=status, purpose=purpose, **fields)
