"""Sign-in (password, then the second factor where enrolled), sign-out, the API's session
probe, and linking a LINE account for alerts."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from staff import messages as t
from staff.console import Console, wants_json
from staff.csrf import LOGIN_COOKIE, check_csrf
from staff.deps import SignedInDep, StaffDep
from staff.errors import StaffError
from staff.signin import SignIn
from storage.models import StaffAccount
from storage.staff_sessions import ConsoleSession

Next = Annotated[str, Form(max_length=500)]


def _safe_next(target: str) -> str:
    """Only console paths: an open redirect would help phishing."""
    return target if target.startswith("/staff/") and not target.startswith("//") else "/staff/"


def add_routes(router: APIRouter, c: Console) -> None:

    def login_form(request: Request, next: str, *, status: int = 200, error: str = "",
                   login: str = "", headers: dict[str, str] | None = None) -> Response:
        """The login page with a fresh stateless CSRF token (no session is created)."""
        token = c.auth.login_token()
        response = c.templates.TemplateResponse(request, "login.html", {
            "office": c.services.office, "staff": None, "csrf": token, "notice": "",
            "next": _safe_next(next), "error": error, "login": login},
            status_code=status, headers=headers)
        c.auth.set_login_cookie(response, token)
        return response

    def mfa_form(request: Request, pending: ConsoleSession, next: str, *, status: int = 200,
                 error: str = "", headers: dict[str, str] | None = None) -> Response:
        return c.templates.TemplateResponse(request, "login_mfa.html", {
            "office": c.services.office, "staff": None, "csrf": pending.csrf, "notice": "",
            "next": _safe_next(next), "error": error}, status_code=status, headers=headers)

    def signed_in(request: Request, session: ConsoleSession, next: str,
                  **facts: Any) -> Response:
        if wants_json(request):
            response: Response = JSONResponse({"ok": True, "csrf": session.csrf, **facts})
        else:
            response = RedirectResponse(_safe_next(next), status_code=303)
        c.auth.set_cookie(response, session)
        response.delete_cookie(LOGIN_COOKIE, path="/staff")
        return response

    @router.get("/login")
    async def login_page(request: Request, next: str = "/staff/") -> Response:
        session = await c.auth.session_of(request)
        if session is not None and session.staff_id is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        return login_form(request, next)

    @router.get("/session")
    async def session_probe(request: Request) -> JSONResponse:
        """For API clients: the CSRF token to send as X-CSRF-Token, and who is signed in."""
        session = await c.auth.session_of(request)
        if session is None:
            token = c.auth.login_token()
            response = JSONResponse({"csrf": token, "staff": None})
            c.auth.set_login_cookie(response, token)
            return response
        if session.staff_id is None:
            return JSONResponse({"csrf": session.csrf, "staff": None,
                                 "second_factor": session.pending is not None})
        staff = await c.auth.staff(request)
        return JSONResponse({"csrf": session.csrf, "mfa_required": c.must_enrol(staff),
                             "staff": {"login": staff.actor.login, "role": staff.actor.role}})

    @router.post("/login")
    async def login(request: Request, login: Annotated[str, Form(max_length=60)],
                    password: Annotated[str, Form(max_length=200)],
                    next: Next = "/staff/") -> Response:
        await c.auth.login_tokens.check(request, c.now())
        try:
            session = await c.signin.password(request, login.strip(), password)
        except StaffError as exc:
            if wants_json(request):
                raise
            return login_form(request, next, status=exc.status, error=exc.message,
                              login=login, headers=exc.headers)
        if session.pending is None:
            return signed_in(request, session, next)
        if wants_json(request):
            response: Response = JSONResponse({"ok": True, "csrf": session.csrf,
                                               "second_factor": True})
        else:
            query = urlencode({"next": _safe_next(next)})
            response = RedirectResponse(f"/staff/login/mfa?{query}", status_code=303)
        c.auth.set_cookie(response, session)
        return response

    @router.get("/login/mfa")
    async def second_factor_page(request: Request, next: str = "/staff/") -> Response:
        pending = await c.auth.session_of(request)
        if pending is None or SignIn.pending_account(pending) is None:
            return RedirectResponse("/staff/login", status_code=303)
        return mfa_form(request, pending, next)

    @router.post("/login/mfa")
    async def second_factor(request: Request, code: Annotated[str, Form(max_length=20)],
                            next: Next = "/staff/") -> Response:
        pending = await c.auth.session_of(request)
        if pending is None or SignIn.pending_account(pending) is None:
            raise StaffError(401, t.MFA_EXPIRED)
        await check_csrf(request, pending)
        try:
            session = await c.signin.second_factor(request, pending, code)
        except StaffError as exc:
            if wants_json(request):
                raise
            return mfa_form(request, pending, next, status=exc.status, error=exc.message,
                            headers=exc.headers)
        return signed_in(request, session, next)

    @router.post("/logout")
    async def logout(request: Request, staff: SignedInDep) -> Response:
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
