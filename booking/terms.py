"""Versions of the terms of use and whose consent covers them: art. 5 前文, 5-2(2) and 12."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from booking.slots import to_jst


@dataclass(frozen=True)
class TermsVersion:
    """One published version of the terms; it governs from `effective_from` on (art. 12)."""

    version: str
    effective_from: datetime
    summary: str = ""

    def __post_init__(self) -> None:
        # Comparing naive and aware datetimes fails late and far away; refuse it here.
        to_jst(self.effective_from)


def current_terms(versions: Iterable[TermsVersion], at: datetime) -> TermsVersion | None:
    """The version in effect at `at`: the newest one already effective; None before the first."""
    moment = to_jst(at)
    in_effect = [v for v in versions if v.effective_from <= moment]
    return max(in_effect, key=lambda v: v.effective_from, default=None)


def upcoming_terms(versions: Iterable[TermsVersion], at: datetime) -> TermsVersion | None:
    """The next announced version not yet in effect at `at`, so users can be told in advance."""
    moment = to_jst(at)
    pending = [v for v in versions if v.effective_from > moment]
    return min(pending, key=lambda v: v.effective_from, default=None)


def consent_covers(
    consented_version: str | None, versions: Iterable[TermsVersion], at: datetime
) -> bool:
    """Whether consent to `consented_version` still suffices at `at` (it is the version in effect).

    With no version in effect there is nothing valid to consent to, so nobody is covered.
    """
    current = current_terms(versions, at)
    return current is not None and consented_version == current.version
