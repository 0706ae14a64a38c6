"""What every console route shares: rendering, answers, error mapping (dependencies: deps.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from phonenumbers import NumberParseException

from booking import (
    format_date_ja,
    format_slot,
    format_time,
    mask_name,
    mask_number,
    mask_phone,
    to_jst,
)
from booking.phones import format_phone_national
from dialogs.flows.labels import ATTENDANT_NAMES as ATTENDANTS
from dialogs.flows.labels import interpreting
from dialogs.flows.labels import short_purpose as purpose_label
from staff import messages as t
from staff.auth import HSTS, Auth, Staff
from staff.errors import StaffError
from staff.signin import SignIn
from storage.staff_office import OfficeOps
from storage.staff_ops import OpError, StaffOps

if TYPE_CHECKING:
    from services import Services

TEMPLATES = Path(__file__).resolve().parent / "templates"
DELIVER_CHUNK = 200
# Pages show personal data: never cached, never framed, no scripts at all (they need none).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
}
COUNT = re.compile(r"[0-9]{1,9}")
# Where an admin who still has to enrol TOTP may go (admin_mfa_required).
BEFORE_MFA = ("/staff/mfa", "/staff/logout")
FIELD_NAMES = {"version": "版", "starts_at": "日時", "booth": "ブース", "reason": "理由",
               "day": "日付", "note": "メモ", "login": "ログインID", "password": "パスワード"}


def wants_json(request: Request) -> bool:
    """API callers ask for JSON; browsers get pages."""
    return "application/json" in request.headers.get("accept", "")


def _jst(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = to_jst(moment)
    return f"{format_date_ja(local.date())} {format_time(local.time())}"


def _phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_phone_national(value)
    except NumberParseException:
        return value


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters.update(jst=_jst, slot=format_slot, hm=lambda d: format_time(to_jst(d).time()),
                       status=lambda s: t.STATUSES.get(s, s), purpose=purpose_label,
                       mask_name=lambda v: mask_name(v) if v else "（未登録）",
                       mask_phone=lambda v: mask_phone(v) if v else "", phone=_phone,
                       mask_number=lambda v: mask_number(v) if v else "",
                       attendant=lambda v: ATTENDANTS.get(v, "なし"), interpreting=interpreting,
                       role=lambda r: t.ROLES.get(r, r),
                       user_role=lambda r: t.USER_ROLES.get(r or "", "未選択"),
                       action=lambda a: t.ACTIONS.get(a, a), day=format_date_ja)
    return templates


class Console:
    """Built once per app; reads the app's collaborators at request time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.auth = Auth(services)
        self.signin = SignIn(services, self.auth)
        self.templates = build_templates()

    def now(self) -> datetime:
        return self.services.clock.now()

    @property
    def office_id(self) -> uuid.UUID:
        return self.services.office_id

    @property
    def bookings(self) -> StaffOps:
        return StaffOps(self.services.uow, self.services.office_id)

    @property
    def office_ops(self) -> OfficeOps:
        return OfficeOps(self.services.uow, self.services.office_id)

    def must_enrol(self, staff: Staff) -> bool:
        """An admin without TOTP while the office requires it for admins."""
        return (staff.actor.is_admin and not staff.actor.mfa
                and self.services.settings.admin_mfa_required)

    async def deliver(self, ids: list[uuid.UUID]) -> None:
        """Push the notices an action wrote at once; the worker retries what fails."""
        for start in range(0, len(ids), DELIVER_CHUNK):
            await self.services.sender.deliver(ids[start:start + DELIVER_CHUNK],
                                               limit=DELIVER_CHUNK)

    async def refresh_office(self) -> None:
        """Office facts or terms changed: this process shows the new ones at once, the others
        from their next step or page (services.Services.office_changed)."""
        await self.services.office_changed()

    def page(self, request: Request, template: str, staff: Staff | None, *, status: int = 200,
             **context: Any) -> HTMLResponse:
        wording = t.DONE.get(request.query_params.get("msg") or "", "")
        count = request.query_params.get("n", "")
        # Only digits are ever shown back: anyone can craft the link; a note without its
        # number is left out.
        if not COUNT.fullmatch(count):
            count = ""
        notice = "" if "{count}" in wording and not count else wording.format(count=count)
        return self.templates.TemplateResponse(request, template, {
            "office": self.services.office, "staff": staff.actor if staff else None,
            "csrf": staff.session.csrf if staff else "", "notice": notice, **context},
            status_code=status)

    def done(self, request: Request, url: str, code: str, **facts: Any) -> Response:
        """After an action: JSON for the API, a redirect with a note for pages (POST→GET)."""
        if wants_json(request):
            return JSONResponse({"ok": True, "message": t.DONE[code].format(**facts),
                                 **{k: str(v) for k, v in facts.items()}})
        query = {"msg": code, **({"n": facts["count"]} if "count" in facts else {})}
        sep = "&" if "?" in url else "?"
        return RedirectResponse(f"{url}{sep}{urlencode(query)}", status_code=303)

    def error(self, request: Request, status: int, message: str, *,
              headers: dict[str, str] | None = None, location: str | None = None) -> Response:
        """A refusal in the caller's language: JSON {"detail"} or a page with the sentence
        (or, for pages, a redirect to where the problem is solved)."""
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status, headers=headers)
        if location is not None:
            return RedirectResponse(location, status_code=303, headers=headers)
        if status == 401 and request.method in ("GET", "HEAD"):
            target = quote(request.url.path
                           + (f"?{request.url.query}" if request.url.query else ""))
            return RedirectResponse(f"/staff/login?next={target}", status_code=303)
        return self.templates.TemplateResponse(request, "error.html", {
            "office": self.services.office, "staff": None, "csrf": "", "notice": "",
            "message": message, "status": status}, status_code=status, headers=headers)


async def fields_with_control_bytes(request: Request) -> set[str]:
    """Form fields holding NUL or other control characters no text field needs."""
    content_type = request.headers.get("content-type", "")
    if request.method != "POST" or not content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        return set()
    form = await request.form()  # parsed once: the route reads the same form
    return {name for name, value in form.multi_items() if isinstance(value, str)
            and any(ord(c) < 32 and c not in "\t\r\n" for c in value)}


def route_class(console: Console) -> type[APIRoute]:
    """Routes whose refusals (StaffError, OpError, bad input) become Japanese answers."""

    class ConsoleRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def route(request: Request) -> Response:
                response = await answer(request)
                response.headers.update(SECURITY_HEADERS)
                if console.auth.secure:
                    response.headers["Strict-Transport-Security"] = HSTS
                return response

            async def answer(request: Request) -> Response:
                bad = await fields_with_control_bytes(request)
                if bad:  # e.g. NUL, which PostgreSQL refuses in text: say which field, not 500
                    fields = "、".join(sorted(FIELD_NAMES.get(n, n) for n in bad))
                    return console.error(request, 422, t.BAD_INPUT.format(fields=fields))
                try:
                    return await handler(request)
                except StaffError as exc:
                    return console.error(request, exc.status, exc.message, headers=exc.headers,
                                         location=exc.location)
                except OpError as exc:
                    return console.error(request, exc.http, t.error_text(exc.code, exc.facts))
                except RequestValidationError as exc:
                    names = {str(e["loc"][-1]) for e in exc.errors() if e.get("loc")}
                    fields = "、".join(sorted(FIELD_NAMES.get(n, n) for n in names))
                    return console.error(request, 422, t.BAD_INPUT.format(fields=fields))

            return route

    return ConsoleRoute
