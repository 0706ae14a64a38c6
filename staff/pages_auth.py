"""Sign-in, sign-out, the API's session probe, and linking a LINE account for alerts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from staff.auth import Staff
from staff.console import Console, wants_json
from staff.csrf import check_csrf
from staff.errors import StaffError
from storage.models import StaffAccount


def _safe_next(target: str) -> str:
    """Only console paths: an open redirect would help phishing."""
    return target if target.startswith("/staff/") and not target.startswith("//") else "/staff/"


def add_routes(router: APIRouter, c: Console) -> None:
    StaffDep = Annotated[Staff, Depends(c.staff)]

    @router.get("/login")
    async def login_page(request: Request, next: str = "/staff/") -> Response:
        session, fresh = await c.auth.ensure_session(request)
        if session.staff_id is not None and not fresh:
            return RedirectResponse(_safe_next(next), status_code=303)
        response = c.templates.TemplateResponse(request, "login.html", {
            "office": c.services.office, "staff": None, "csrf": session.csrf, "notice": "",
            "next": _safe_next(next), "error": ""})
        c.auth.set_cookie(response, session)
        return response

    @router.get("/session")
    async def session_probe(request: Request) -> JSONResponse:
        """For API clients: the CSRF token to send as X-CSRF-Token, and who is signed in."""
        session, _ = await c.auth.ensure_session(request)
        who = None
        if session.staff_id is not None:
            staff = await c.auth.staff(request)
            who = {"login": staff.actor.login, "role": staff.actor.role}
        response = JSONResponse({"csrf": session.csrf, "staff": who})
        c.auth.set_cookie(response, session)
        return response

    @router.post("/login")
    async def login(request: Request, login: Annotated[str, Form(max_length=60)],
                    password: Annotated[str, Form(max_length=200)],
                    next: Annotated[str, Form()] = "/staff/") -> Response:
        await check_csrf(request, await c.auth.session_of(request))
        try:
            session = await c.auth.log_in(request, login.strip(), password)
        except StaffError as exc:
            if wants_json(request):
                raise
            anon, _ = await c.auth.ensure_session(request)
            response = c.templates.TemplateResponse(request, "login.html", {
                "office": c.services.office, "staff": None, "csrf": anon.csrf, "notice": "",
                "next": _safe_next(next), "error": exc.message, "login": login},
                status_code=exc.status)
            c.auth.set_cookie(response, anon)
            return response
        if wants_json(request):
            response: Response = JSONResponse({"ok": True, "csrf": session.csrf})
        else:
            response = RedirectResponse(_safe_next(next), status_code=303)
        c.auth.set_cookie(response, session)
        return response

    @router.post("/logout")
    async def logout(request: Request, staff: StaffDep) -> Response:
        await c.auth.log_out(staff)
        response = (JSONResponse({"ok": True}) if wants_json(request)
                    else RedirectResponse("/staff/login", status_code=303))
        c.auth.clear_cookie(response)
        return response

    @router.get("/link")
    async def link_page(request: Request, staff: StaffDep) -> Response:
        async with c.services.sessions() as session:
            account = await session.get(StaffAccount, staff.actor.id)
        return c.page(request, "link.html", staff, account=account, code=None)

    @router.post("/link")
    async def link_code(request: Request, staff: StaffDep) -> Response:
        code = await c.office_ops.link_code(staff.actor, now=c.now())
        if wants_json(request):
            return JSONResponse({"code": code, "expires_in_minutes": 10})
        return c.page(request, "link.html", staff, account=None, code=code)

    @router.post("/link/unlink")
    async def unlink(request: Request, staff: StaffDep) -> Response:
        await c.office_ops.unlink(staff.actor, now=c.now())
        return c.done(request, "/staff/link", "unlinked")
