"""Closures (DESIGN §13): the month's calendar, closing a range in one action (even today, even
with bookings), re-opening it, and one follow-up page per closure."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse

from booking import is_open_day, national_holiday_name, to_jst
from staff import messages as t
from staff.console import Console, wants_json
from staff.deps import StaffDep
from staff.errors import StaffError
from staff.pages_bookings import parse_day
from storage.closures import ClosureOps, ClosureRequest, closure_report, month_closures
from storage.sites import site_rows
from storage.staff_queries import closure_days, pushes_this_month


def month_weeks(first: date) -> list[list[date | None]]:
    """The month as weeks of seven days (Monday first), blanks outside the month."""
    weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
    return [[d if d.month == first.month else None for d in week] for week in weeks]


def parse_time(value: str, field: str) -> time | None:
    """An HH:MM form value, or None when left empty (the whole day)."""
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise StaffError(422, t.BAD_INPUT.format(fields=field)) from None


def parse_site(value: str) -> uuid.UUID | None:
    """The site chosen, or None for the whole office."""
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise StaffError(422, t.BAD_INPUT.format(fields="場所")) from None


def add_routes(router: APIRouter, c: Console) -> None:

    def ops() -> ClosureOps:
        return ClosureOps(c.services.uow, c.office_id)

    @router.get("/closures")
    async def closures_page(request: Request, staff: StaffDep,
                            month: str | None = None) -> Response:
        today = to_jst(c.now()).date()
        first = parse_day(f"{month}-01" if month else None, today.replace(day=1))
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        async with c.services.sessions() as session:
            closed = await closure_days(session, c.office_id, first, last)
            listed = await month_closures(session, c.office_id, first, last)
            sites = [s for s in await site_rows(session=session, office_id=c.office_id)
                     if s.active]
        if wants_json(request):
            return JSONResponse({"closures": [{"day": d.isoformat(), "reason": r}
                                              for d, r in closed.items()]})
        return c.page(request, "closures.html", staff, first=first, weeks=month_weeks(first),
                      closed=closed, listed=listed, sites=sites, today=today,
                      is_open_day=is_open_day, holiday=national_holiday_name,
                      prev_month=(first - timedelta(days=1)).strftime("%Y-%m"),
                      next_month=(last + timedelta(days=1)).strftime("%Y-%m"))

    @router.post("/closures")
    async def add_closure(request: Request, staff: StaffDep, day: Annotated[date, Form()],
                          reason: Annotated[str, Form(max_length=200)] = "",
                          starts: Annotated[str, Form(max_length=5)] = "",
                          ends: Annotated[str, Form(max_length=5)] = "",
                          site: Annotated[str, Form(max_length=36)] = "") -> Response:
        closing = ops()
        done = await closing.close(staff.actor, ClosureRequest(
            day=day, reason=reason, starts=parse_time(starts, "開始時刻"),
            ends=parse_time(ends, "終了時刻"), site_id=parse_site(site)), now=c.now())
        await c.refresh_office()  # closed days are cached in each process (office facts)
        await c.deliver(closing.written)  # told at once; the worker retries what fails
        if not done.closed:
            return c.done(request, f"/staff/closures?month={day:%Y-%m}", "closure_added")
        return c.done(request, f"/staff/closures/{done.closure_id}", "closure_told",
                      count=done.told, closure_id=done.closure_id)

    @router.post("/closures/{day}/delete")
    async def remove_closure(request: Request, day: date, staff: StaffDep) -> Response:
        await c.office_ops.remove_closure(staff.actor, day, now=c.now())
        await c.refresh_office()
        return c.done(request, f"/staff/closures?month={day:%Y-%m}", "closure_removed")

    @router.get("/closures/{closure_id}")
    async def closure_page(request: Request, closure_id: uuid.UUID,
                           staff: StaffDep) -> Response:
        async with c.services.sessions() as session:
            report = await closure_report(session, c.office_id, closure_id)
            pushes = await pushes_this_month(session, c.office_id, c.now())
        if report is None:
            raise StaffError(404, t.NOT_FOUND)
        if wants_json(request):
            return JSONResponse({"closure": str(report.closure.id), "users": [
                {"booking": str(r.booking.id), "answer": r.notice.answer or "",
                 "told_at": r.notice.told_at.isoformat(),
                 "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                 "moved_to": r.moved_to.starts_at.isoformat() if r.moved_to else None}
                for r in report.rows]})
        return c.page(request, "closure.html", staff, report=report, pushes=pushes)

    @router.post("/closures/{closure_id}/reopen")
    async def reopen_closure(request: Request, closure_id: uuid.UUID,
                             staff: StaffDep) -> Response:
        await ops().reopen(staff.actor, closure_id, now=c.now())
        await c.refresh_office()
        return c.done(request, f"/staff/closures/{closure_id}", "closure_reopened")
