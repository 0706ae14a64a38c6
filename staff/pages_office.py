"""Office-wide pages: immediate use, settings, terms versions, usage CSV, staff, audit."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from booking import to_jst
from staff.console import Console
from staff.deps import AdminDep, StaffDep
from staff.errors import StaffError
from staff.pages_bookings import parse_day
from storage.staff_office import OfficeSettings
from storage.staff_queries import accounts, office_row, recent_audit, terms_versions

MAX_TERMS_BYTES = 200_000


def add_routes(router: APIRouter, c: Console) -> None:

    @router.post("/immediate")
    async def immediate(request: Request, staff: StaffDep,
                        enabled: Annotated[bool, Form()]) -> Response:
        await c.office_ops.set_immediate(staff.actor, enabled, now=c.now())
        await c.refresh_office()
        return c.done(request, "/staff/", "immediate_on" if enabled else "immediate_off")

    @router.get("/settings")
    async def settings_page(request: Request, staff: AdminDep) -> Response:
        async with c.services.sessions() as session:
            office = await office_row(session, c.office_id)
        return c.page(request, "settings.html", staff, row=office)

    @router.post("/settings")
    async def save_settings(
            request: Request, staff: AdminDep, name: Annotated[str, Form(max_length=100)],
            phone: Annotated[str, Form(max_length=30)], booths: Annotated[int, Form(ge=1, le=20)],
            cutoff_hour: Annotated[int, Form(ge=9, le=17)],
            no_show_limit: Annotated[int, Form(ge=1, le=99)],
            max_active_requests: Annotated[int, Form(ge=1, le=99)],
            address: Annotated[str, Form(max_length=200)] = "",
            hours: Annotated[str, Form(max_length=200)] = "") -> Response:
        await c.office_ops.update_settings(staff.actor, OfficeSettings(
            name=name, phone=phone, address=address, hours=hours, booths=booths,
            cutoff_hour=cutoff_hour, no_show_limit=no_show_limit,
            max_active_requests=max_active_requests), now=c.now())
        await c.refresh_office()
        return c.done(request, "/staff/settings", "settings")

    @router.get("/terms")
    async def terms_page(request: Request, staff: AdminDep) -> Response:
        async with c.services.sessions() as session:
            rows = await terms_versions(session, c.office_id)
        return c.page(request, "terms.html", staff, rows=rows, now=c.now())

    @router.post("/terms")
    async def publish_terms(
            request: Request, staff: AdminDep, version: Annotated[str, Form(max_length=40)],
            effective: Annotated[date, Form()], changes: Annotated[str, Form(max_length=2000)],
            summary: Annotated[str, Form(max_length=2000)] = "",
            body: Annotated[str, Form()] = "",
            file: Annotated[UploadFile | None, File()] = None) -> Response:
        text = body
        if file is not None and file.filename:
            raw = await file.read(MAX_TERMS_BYTES + 1)
            if len(raw) > MAX_TERMS_BYTES:
                raise StaffError(422, "ファイルが大きすぎます（200KBまで）。")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise StaffError(422, "ファイルはUTF-8のテキストにしてください。") from exc
        ops = c.office_ops
        told = await ops.publish_terms(
            staff.actor, version=version.strip(), effective=effective, summary=summary,
            changes=changes, body=text, now=c.now(),
            base_url=c.services.settings.public_base_url)
        await c.refresh_office()
        await c.deliver(ops.written)
        return c.done(request, "/staff/terms", "terms", count=told)

    @router.get("/usage")
    async def usage_page(request: Request, staff: StaffDep) -> Response:
        today = to_jst(c.now()).date()
        return c.page(request, "usage.html", staff, first=today.replace(day=1), last=today)

    @router.get("/usage.csv")
    async def usage_csv(request: Request, staff: StaffDep, first: str, last: str) -> Response:
        today = to_jst(c.now()).date()
        first_day, last_day = parse_day(first, today), parse_day(last, today)
        text = await c.office_ops.usage_csv(staff.actor, first_day, last_day, now=c.now())
        name = f"usage-{first_day:%Y%m%d}-{last_day:%Y%m%d}.csv"
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/accounts")
    async def accounts_page(request: Request, staff: AdminDep) -> Response:
        async with c.services.sessions() as session:
            rows = await accounts(session, c.office_id)
        return c.page(request, "accounts.html", staff, rows=rows)

    @router.post("/accounts")
    async def add_account(request: Request, staff: AdminDep,
                          login: Annotated[str, Form(max_length=60)],
                          name: Annotated[str, Form(max_length=60)],
                          role: Annotated[str, Form(max_length=20)],
                          password: Annotated[str, Form(max_length=200)]) -> Response:
        await c.office_ops.add_account(staff.actor, login=login.strip(), name=name, role=role,
                                       password=password, now=c.now())
        return c.done(request, "/staff/accounts", "account_added")

    @router.post("/accounts/{login}/disable")
    async def disable_account(request: Request, login: str, staff: AdminDep) -> Response:
        await c.office_ops.disable_account(staff.actor, login, now=c.now())
        return c.done(request, "/staff/accounts", "account_disabled")

    @router.get("/audit")
    async def audit_page(request: Request, staff: AdminDep) -> Response:
        async with c.services.sessions() as session:
            rows = await recent_audit(session, c.office_id)
        return c.page(request, "audit.html", staff, rows=rows)
