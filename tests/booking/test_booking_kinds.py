"""The stored codes (booking.kinds) and the words shown for them name the same members."""

from __future__ import annotations

from booking.kinds import Attendant, BookingStatus, Purpose, StaffRole, UserRole
from dialogs.flows import labels
from dialogs.flows.staff_messages import ROLES as STAFF_ROLE_WORDS
from staff import messages as console_words
from storage import models


def test_every_stored_code_has_words_and_every_word_a_code() -> None:
    assert set(labels.STATUSES) == set(BookingStatus)
    assert set(labels.ROLES) == set(UserRole) == set(console_words.USER_ROLES)
    assert set(labels.PURPOSES) == set(labels.SHORT_PURPOSES) == set(Purpose)
    assert set(labels.ATTENDANTS) == set(Attendant)
    assert set(STAFF_ROLE_WORDS) == set(console_words.ROLES) == set(StaffRole)


def test_codes_compare_equal_to_the_strings_stored_before_they_were_enums() -> None:
    assert BookingStatus.NO_SHOW == "no_show" and f"{BookingStatus.NO_SHOW}" == "no_show"
    assert labels.PURPOSES[Purpose.JOB_REFERRAL] == labels.PURPOSES["job_referral"]
    assert models.BookingStatus is BookingStatus  # still importable from storage.models
