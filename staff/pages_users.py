"""Users: masked by default; showing the full profile is an audited action; block / unblock;
lifting the refusal after repeated no-shows."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse

from staff.auth import Staff
from staff.console import Console, wants_json
from staff.deps import AdminDep, StaffDep
from staff.errors import StaffError
from staff.messages import NOT_FOUND
from storage.models import LineUser
from storage.staff_queries import office_row, user_bookings, user_list

Reason = Annotated[str, Form(max_length=200)]


def add_routes(router: APIRouter, c: Console) -> None:

    async def user_page(request: Request, staff: Staff, user_id: uuid.UUID,
                        revealed: LineUser | None = None) -> Response:
        async with c.services.sessions() as session:
            user = await session.get(LineUser, user_id)
            if user is None or user.office_id != c.office_id:
                raise StaffError(404, NOT_FOUND)
            bookings = await user_bookings(session, user_id)
            office = await office_row(session, c.office_id)
        return c.page(request, "user.html", staff, user=user, bookings=bookings,
                      revealed=revealed, no_show_limit=office.no_show_limit)

    @router.get("/users")
    async def users(request: Request, staff: StaffDep, blocked: bool = False) -> Response:
        async with c.services.sessions() as session:
            rows = await user_list(session, c.office_id, blocked_only=blocked)
        if wants_json(request):
            return JSONResponse({"users": [
                {"id": str(u.id), "blocked": u.blocked, "no_show_count": u.no_show_count,
                 "bookings": n} for u, n in rows]})
        return c.page(request, "users.html", staff, rows=rows, blocked_only=blocked)

    @router.get("/users/{user_id}")
    async def user(request: Request, user_id: uuid.UUID, staff: StaffDep) -> Response:
        return await user_page(request, staff, user_id)

    @router.post("/users/{user_id}/reveal")
    async def reveal(request: Request, user_id: uuid.UUID, staff: StaffDep) -> Response:
        shown = await c.office_ops.reveal(staff.actor, user_id, now=c.now())
        if wants_json(request):
            return JSONResponse({"name": shown.name, "number": shown.number, "phone": shown.phone})
        return await user_page(request, staff, user_id, revealed=shown)

    @router.post("/users/{user_id}/block")
    async def block(request: Request, user_id: uuid.UUID, staff: AdminDep,
                    reason: Reason) -> Response:
        await c.office_ops.set_blocked(staff.actor, user_id, True, reason, now=c.now())
        return c.done(request, f"/staff/users/{user_id}", "blocked")

    @router.post("/users/{user_id}/lift-limit")
    async def lift_limit(request: Request, user_id: uuid.UUID, staff: AdminDep) -> Response:
        ops = c.office_ops
        await ops.lift_no_show_limit(staff.actor, user_id, now=c.now())
        await c.deliver(ops.written)
        return c.done(request, f"/staff/users/{user_id}", "limit_lifted")

    @router.post("/users/{user_id}/unblock")
    async def unblock(request: Request, user_id: uuid.UUID, staff: AdminDep,
                      reason: Reason) -> Response:
        await c.office_ops.set_blocked(staff.actor, user_id, False, reason, now=c.now())
        return c.done(request, f"/staff/users/{user_id}", "unblocked")
