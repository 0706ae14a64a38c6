"""Where booths stand and how many counsellors there are (DESIGN §13): the sites page and the
staff capacity page, for admins. Bad input is answered in Japanese with the reason."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse

from booking import to_jst
from booking.sites import WEEKDAYS_JA, hours_text
from staff.console import Console, wants_json
from staff.deps import AdminDep, StaffDep
from staff.errors import StaffError
from storage.sites import load_sites, site_rows
from storage.staff_sites import SiteForm, SiteOps, limit_rows

WEEKDAYS = range(5)  # the office opens Monday to Friday (art. 5(1))
BAD_TIME = "時刻は 10:00 のように「時:分」で入力してください。"
BAD_BOOTHS = "ブース番号は 1,2 のように数字をカンマ区切りで入力してください。"


def clock(text: str) -> time | None:
    """"10:00" → 10:00; empty → None (closed that day)."""
    text = text.strip().replace("：", ":")
    if not text:
        return None
    try:
        hour, minute = (int(part) for part in text.split(":", 1))
        return time(hour, minute)
    except ValueError:
        raise StaffError(422, BAD_TIME) from None


def booth_list(text: str) -> tuple[int, ...]:
    """"1, 2" → (1, 2)."""
    parts = [p for p in text.replace("、", ",").replace(" ", "").split(",") if p]
    if not parts or not all(p.isascii() and p.isdigit() for p in parts):
        raise StaffError(422, BAD_BOOTHS)
    return tuple(int(p) for p in parts)


async def site_form(request: Request) -> SiteForm:
    """The posted form: text fields, booths, and each weekday's opening and closing times."""
    form = await request.form()

    def field(name: str, limit: int) -> str:
        value = str(form.get(name) or "")
        if len(value) > limit:
            raise StaffError(422, f"入力が長すぎます（{limit}文字まで）。")
        return value.strip()

    hours: dict[int, tuple[time, time]] = {}
    for day in WEEKDAYS:
        opens, closes = clock(field(f"open_{day}", 5)), clock(field(f"close_{day}", 5))
        if (opens is None) != (closes is None):
            raise StaffError(422, f"{WEEKDAYS_JA[day]}曜日の開始と終了の両方を入力してください"
                                  "（休みの日はどちらも空欄）。")
        if opens is not None and closes is not None:
            hours[day] = (opens, closes)
    position = field("position", 3) or "0"
    return SiteForm(name=field("name", 100), address=field("address", 200),
                    map_url=field("map_url", 500), access_notes=field("access_notes", 1000),
                    booths=booth_list(field("booths", 60)), hours=hours,
                    active=form.get("active") == "on",
                    position=int(position) if position.isdigit() else 0)


def add_routes(router: APIRouter, c: Console) -> None:

    def ops() -> SiteOps:
        return SiteOps(c.services.sessions, c.office_id)

    @router.get("/sites")
    async def sites_page(request: Request, staff: AdminDep) -> Response:
        async with c.services.sessions() as session:
            rows = await site_rows(session=session, office_id=c.office_id)
            sites = {site.id: site for site in await load_sites(session=session,
                                                                office_id=c.office_id)}
        if wants_json(request):
            return JSONResponse({"sites": [
                {"id": str(r.id), "name": r.name, "address": r.address, "map_url": r.map_url,
                 "active": r.active, "booths": list(sites[str(r.id)].booths),
                 "hours": hours_text(sites[str(r.id)])} for r in rows]})
        return c.page(request, "sites.html", staff, rows=rows, sites=sites,
                      weekdays=[(d, WEEKDAYS_JA[d]) for d in WEEKDAYS], hours_text=hours_text)

    @router.post("/sites")
    async def create_site(request: Request, staff: AdminDep) -> Response:
        await ops().save_site(staff.actor, None, await site_form(request), now=c.now())
        await c.refresh_office()  # sites are in each process's calendar (office facts)
        return c.done(request, "/staff/sites", "site_saved")

    @router.post("/sites/{site_id}")
    async def update_site(request: Request, site_id: uuid.UUID, staff: AdminDep) -> Response:
        await ops().save_site(staff.actor, site_id, await site_form(request), now=c.now())
        await c.refresh_office()
        return c.done(request, "/staff/sites", "site_saved")

    @router.get("/capacity")
    async def capacity_page(request: Request, staff: StaffDep) -> Response:
        today = to_jst(c.now()).date()
        async with c.services.sessions() as session:
            rows = await limit_rows(session, c.office_id, today)
        if wants_json(request):
            return JSONResponse({"limits": [
                {"id": str(r.id), "day": r.day.isoformat() if r.day else None,
                 "weekday": r.weekday, "starts": f"{r.starts:%H:%M}", "ends": f"{r.ends:%H:%M}",
                 "capacity": r.capacity, "reason": r.reason} for r in rows]})
        return c.page(request, "capacity.html", staff, rows=rows, today=today,
                      weekdays=[(d, WEEKDAYS_JA[d]) for d in WEEKDAYS], names=WEEKDAYS_JA)

    @router.post("/capacity")
    async def add_limit(request: Request, staff: AdminDep,
                        starts: Annotated[str, Form(max_length=5)],
                        ends: Annotated[str, Form(max_length=5)],
                        capacity: Annotated[int, Form(ge=0, le=20)],
                        day: Annotated[str, Form(max_length=10)] = "",
                        weekday: Annotated[str, Form(max_length=1)] = "",
                        reason: Annotated[str, Form(max_length=200)] = "") -> Response:
        try:
            one_day = date.fromisoformat(day) if day else None
        except ValueError:
            raise StaffError(422, "日付は YYYY-MM-DD の形で入力してください。") from None
        opens, closes = clock(starts), clock(ends)
        if opens is None or closes is None:
            raise StaffError(422, "時間帯の開始と終了を入力してください。")
        await ops().add_limit(staff.actor, starts=opens, ends=closes, capacity=capacity,
                              day=one_day, weekday=int(weekday) if weekday.isdigit() else None,
                              reason=reason, now=c.now())
        await c.refresh_office()  # so are the capacity limits
        return c.done(request, "/staff/capacity", "limit_added")

    @router.post("/capacity/{limit_id}/delete")
    async def remove_limit(request: Request, limit_id: uuid.UUID, staff: AdminDep) -> Response:
        await ops().remove_limit(staff.actor, limit_id, now=c.now())
        await c.refresh_office()
        return c.done(request, "/staff/capacity", "limit_removed")
