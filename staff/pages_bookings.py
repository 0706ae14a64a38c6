"""The day board, the request queue, a booking's page and its actions, booking for a user."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse

from booking import next_open_day, previous_open_day, to_jst
from dialogs.flows.labels import SHORT_PURPOSES as PURPOSES
from staff.console import Console, wants_json
from staff.deps import StaffDep
from staff.errors import StaffError
from staff.messages import BAD_DAY, DONE, NOT_FOUND
from storage.models import LineUser
from storage.staff_ops import Done, StaffOps
from storage.staff_queries import (
    booking_detail,
    day_board,
    free_slots,
    office_row,
    pushes_this_month,
    queue,
    sites_by_id,
)

Version = Annotated[int, Form(ge=1)]
Slot = Annotated[str, Form(max_length=60)]
StartsAt = Annotated[str, Form(max_length=40)]
Booth = Annotated[int, Form(ge=0, le=20)]
PICK_AGAIN = "日時とブースを選び直してください。"
BAD_SITE = "場所の指定が正しくありません。一覧から選び直してください。"
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def parse_day(value: str | None, default: date) -> date:
    """A YYYY-MM-DD query value, or `default` when absent; 400 when it is no date or out of
    the range the calendar code works in (a neighbouring day must exist)."""
    if not value:
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise StaffError(400, BAD_DAY.format(first=FIRST_DAY.year, last=LAST_DAY.year))
    return day


def parse_slot(slot: str, starts_at: str, booth: int) -> tuple[datetime, int]:
    """The chosen slot: one radio value "ISO|booth" (pages) or two fields (API)."""
    if slot:
        starts_at, _, booth_text = slot.partition("|")
        booth = int(booth_text) if booth_text.isdigit() else 0
    try:
        moment = datetime.fromisoformat(starts_at)
    except ValueError as exc:
        raise StaffError(422, PICK_AGAIN) from exc
    if moment.tzinfo is None or booth < 1:
        raise StaffError(422, PICK_AGAIN)
    return moment, booth


def add_routes(router: APIRouter, c: Console) -> None:

    async def act(request: Request, code: str,
                  run: Callable[[StaffOps], Awaitable[Done]]) -> Response:
        """Run one booking action, push the user's notice at once, answer."""
        ops = c.bookings
        done = await run(ops)
        await c.deliver(ops.written)
        if wants_json(request):
            async with c.services.sessions() as session:
                found = await booking_detail(session, c.office_id, done.booking_id)
            version = found[0].version if found else None
            return JSONResponse({"ok": True, "message": DONE[code], "version": version,
                                 "booking_id": str(done.booking_id), "slot": done.slot})
        return c.done(request, f"/staff/bookings/{done.booking_id}", code)

    def site_param(value: str | None) -> str | None:
        """A site filter from the query: a UUID, or nothing (all sites)."""
        if not value:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise StaffError(400, BAD_SITE) from None

    @router.get("/")
    async def board(request: Request, staff: StaffDep, day: str | None = None,
                    site: str | None = None) -> Response:
        today = to_jst(c.now()).date()
        shown = parse_day(day, today)
        async with c.services.sessions() as session:
            grid = await day_board(session, c.office_id, shown, site_param(site))
            office = await office_row(session, c.office_id)
            pushes = await pushes_this_month(session, c.office_id, c.now())
        if wants_json(request):
            return JSONResponse({"day": shown.isoformat(), "booths": grid.booths, "cells": [
                {"booth": b, "starts_at": s.isoformat(), "status": row.status, "id": str(row.id)}
                for (b, s), row in grid.cells.items()]})
        return c.page(request, "board.html", staff, board=grid, today=today,
                      prev_day=previous_open_day(shown),
                      next_day=next_open_day(shown + timedelta(days=1)),
                      immediate=office.immediate_use_enabled, pushes=pushes, now=c.now())

    @router.get("/queue")
    async def request_queue(request: Request, staff: StaffDep,
                            site: str | None = None) -> Response:
        chosen = site_param(site)
        async with c.services.sessions() as session:
            rows = await queue(session, c.office_id, c.now(), chosen)
            sites = await sites_by_id(session, c.office_id)
        if wants_json(request):
            return JSONResponse({"requests": [
                {"id": str(b.id), "starts_at": b.starts_at.isoformat(), "booth": b.booth,
                 "site": str(b.site_id) if b.site_id else None,
                 "deadline": d.isoformat(), "version": b.version} for b, _, d in rows]})
        return c.page(request, "queue.html", staff, rows=rows, now=c.now(), sites=sites,
                      site_id=chosen)

    @router.get("/bookings/{booking_id}")
    async def booking_page(request: Request, booking_id: uuid.UUID, staff: StaffDep,
                           day: str | None = None) -> Response:
        async with c.services.sessions() as session:
            found = await booking_detail(session, c.office_id, booking_id)
            if found is None:
                raise StaffError(404, NOT_FOUND)
            booking, user, related, trail = found
            move_day = parse_day(day, to_jst(booking.starts_at).date())
            slots = await free_slots(session, c.office_id, move_day, c.now())
            sites = await sites_by_id(session, c.office_id)
        if wants_json(request):
            return JSONResponse({"id": str(booking.id), "status": booking.status,
                                 "version": booking.version, "booth": booking.booth,
                                 "site": str(booking.site_id) if booking.site_id else None,
                                 "starts_at": booking.starts_at.isoformat(),
                                 "handled_by": booking.handled_by})
        site = sites.get(str(booking.site_id)) if booking.site_id else None
        return c.page(request, "booking.html", staff, booking=booking, user=user, related=related,
                      trail=trail, move_day=move_day, slots=slots, now=c.now(), site=site)

    @router.post("/bookings/{booking_id}/confirm")
    async def confirm(request: Request, booking_id: uuid.UUID, staff: StaffDep,
                      version: Version) -> Response:
        return await act(request, "confirmed", lambda ops: ops.confirm(
            staff.actor, booking_id, now=c.now(), version=version))

    @router.post("/bookings/{booking_id}/move")
    async def move(request: Request, booking_id: uuid.UUID, staff: StaffDep, version: Version,
                   slot: Slot = "", starts_at: StartsAt = "", booth: Booth = 0) -> Response:
        start, number = parse_slot(slot, starts_at, booth)
        return await act(request, "moved", lambda ops: ops.move(
            staff.actor, booking_id, now=c.now(), starts_at=start, booth=number, version=version))

    @router.post("/bookings/{booking_id}/decline")
    async def decline(request: Request, booking_id: uuid.UUID, staff: StaffDep, version: Version,
                      reason: Annotated[str, Form(max_length=200)]) -> Response:
        return await act(request, "declined", lambda ops: ops.decline(
            staff.actor, booking_id, now=c.now(), reason=reason, version=version))

    @router.post("/bookings/{booking_id}/no-show")
    async def no_show(request: Request, booking_id: uuid.UUID, staff: StaffDep,
                      version: Version) -> Response:
        return await act(request, "no_show", lambda ops: ops.no_show(
            staff.actor, booking_id, now=c.now(), version=version))

    @router.post("/bookings/{booking_id}/check-in")
    async def check_in(request: Request, booking_id: uuid.UUID, staff: StaffDep,
                       version: Version) -> Response:
        return await act(request, "checked_in", lambda ops: ops.check_in(
            staff.actor, booking_id, now=c.now(), version=version))

    @router.post("/bookings/{booking_id}/note")
    async def note(request: Request, booking_id: uuid.UUID, staff: StaffDep, version: Version,
                   note: Annotated[str, Form(max_length=1000)] = "") -> Response:
        return await act(request, "noted", lambda ops: ops.note(
            staff.actor, booking_id, now=c.now(), note=note, version=version))

    @router.get("/users/{user_id}/book")
    async def book_page(request: Request, user_id: uuid.UUID, staff: StaffDep,
                        day: str | None = None) -> Response:
        today = to_jst(c.now()).date()
        shown = parse_day(day, next_open_day(today + timedelta(days=1)))
        async with c.services.sessions() as session:
            user = await session.get(LineUser, user_id)
            if user is None or user.office_id != c.office_id:
                raise StaffError(404, NOT_FOUND)
            slots = await free_slots(session, c.office_id, shown, c.now())
        return c.page(request, "book.html", staff, user=user, day=shown, slots=slots,
                      purposes=PURPOSES)

    @router.post("/users/{user_id}/book")
    async def book_for(request: Request, user_id: uuid.UUID, staff: StaffDep,
                       purpose: Annotated[str, Form(max_length=40)],
                       slot: Slot = "", starts_at: StartsAt = "", booth: Booth = 0,
                       attendant: Annotated[str, Form(max_length=20)] = "none",
                       note: Annotated[str, Form(max_length=1000)] = "") -> Response:
        start, number = parse_slot(slot, starts_at, booth)
        return await act(request, "booked", lambda ops: ops.book_for(
            staff.actor, user_id, now=c.now(), starts_at=start, booth=number, purpose=purpose,
            attendant=attendant, note=note))
