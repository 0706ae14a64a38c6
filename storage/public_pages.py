"""Reads behind the public pages (web/): a published terms version, a confirmed request's rows.

Read-only: each opens its own session and commits nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from booking.sites import Site
from storage.models import Booking, BookingStatus, LineUser, TermsVersionRow
from storage.sessions import Sessions
from storage.sites import load_sites, place_of


async def terms_version(sessions: Sessions, office_id: uuid.UUID,
                        version: str) -> TermsVersionRow | None:
    """One published version of this office's terms, if there is such a version."""
    async with sessions() as session:
        return (await session.scalars(select(TermsVersionRow).where(
            TermsVersionRow.office_id == office_id,
            TermsVersionRow.version == version))).first()


async def confirmed_rows(sessions: Sessions, office_id: uuid.UUID,
                         booking_id: uuid.UUID) -> list[Booking]:
    """The rows of a confirmed request of this office, earliest first."""
    async with sessions() as session:
        head = await session.get(Booking, booking_id)
        if head is None or head.office_id != office_id \
                or head.status != BookingStatus.CONFIRMED:
            return []
        if head.group_id is None:
            return [head]
        return list((await session.scalars(select(Booking).where(
            Booking.group_id == head.group_id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Booking.starts_at))).all())


async def booking_site(sessions: Sessions, office_id: uuid.UUID,
                       booking: Booking) -> Site | None:
    """Where a booking stands (name, address, map link), for the .ics LOCATION."""
    async with sessions() as session:
        sites = await load_sites(session=session, office_id=office_id)
    return place_of(sites, str(booking.site_id) if booking.site_id else None)


async def user_language(sessions: Sessions, user_id: uuid.UUID) -> str | None:
    """The language of a booking's user, for the pages and files made for them."""
    async with sessions() as session:
        user = await session.get(LineUser, user_id)
    return user.language if user is not None else None
