"""Terms versions (art. 12) and whose consent still covers them (art. 5 前文, 5-2(2))."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from booking import JST, TermsVersion, booth_numbers, consent_covers, current_terms, upcoming_terms

FIRST = TermsVersion("2024-10-01", datetime(2024, 10, 1, tzinfo=JST), "令和6年10月1日版")
SECOND = TermsVersion("2026-04-01", datetime(2026, 4, 1, tzinfo=JST), "第11条を改正")
# Deliberately out of order: the rules must not depend on how rows come back.
VERSIONS = [SECOND, FIRST]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2024, 9, 30, 23, 59, tzinfo=JST), None),
        (datetime(2024, 10, 1, tzinfo=JST), FIRST),
        (datetime(2025, 6, 1, tzinfo=JST), FIRST),
        (datetime(2026, 3, 31, 23, 59, 59, tzinfo=JST), FIRST),
        (datetime(2026, 4, 1, tzinfo=JST), SECOND),  # in effect from its first instant
        (datetime(2026, 3, 31, 15, tzinfo=UTC), SECOND),  # the same instant given in UTC
        (datetime(2030, 1, 1, tzinfo=JST), SECOND),
    ],
)
def test_the_current_terms_are_the_newest_version_already_in_effect(
    at: datetime, expected: TermsVersion | None
) -> None:
    assert current_terms(VERSIONS, at) == expected


def test_consent_to_the_version_in_effect_covers_the_user() -> None:
    assert consent_covers("2024-10-01", VERSIONS, datetime(2025, 6, 1, tzinfo=JST))
    assert consent_covers("2026-04-01", VERSIONS, datetime(2026, 5, 1, tzinfo=JST))


def test_consent_to_an_older_version_does_not_cover_once_new_terms_take_effect() -> None:
    assert not consent_covers("2024-10-01", VERSIONS, datetime(2026, 4, 1, tzinfo=JST))


def test_consent_to_announced_terms_does_not_count_before_they_take_effect() -> None:
    assert not consent_covers("2026-04-01", VERSIONS, datetime(2026, 3, 1, tzinfo=JST))


@pytest.mark.parametrize("consented", [None, "", "unknown"])
def test_no_or_unknown_consent_never_covers(consented: str | None) -> None:
    assert not consent_covers(consented, VERSIONS, datetime(2025, 6, 1, tzinfo=JST))


def test_with_no_terms_in_effect_nobody_is_covered() -> None:
    assert not consent_covers("2024-10-01", [], datetime(2025, 6, 1, tzinfo=JST))
    assert not consent_covers(None, VERSIONS, datetime(2020, 1, 1, tzinfo=JST))


def test_upcoming_terms_are_the_next_announced_version_not_yet_in_effect() -> None:
    assert upcoming_terms(VERSIONS, datetime(2026, 3, 1, tzinfo=JST)) == SECOND
    assert upcoming_terms(VERSIONS, datetime(2026, 4, 1, tzinfo=JST)) is None


def test_terms_versions_are_immutable_and_need_an_aware_effective_date() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        FIRST.version = "changed"  # type: ignore[misc]
    with pytest.raises(ValueError):
        TermsVersion("naive", datetime(2024, 10, 1))


def test_booths_are_numbered_from_one() -> None:
    assert booth_numbers(1) == [1]
    assert booth_numbers(3) == [1, 2, 3]
    with pytest.raises(ValueError):
        booth_numbers(0)
