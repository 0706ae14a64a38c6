"""One's own account: changing the password, enrolling a TOTP second factor."""

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse

from staff import messages as t
from staff.auth import Staff
from staff.console import Console, wants_json
from staff.deps import SignedInDep, StaffDep
from staff.errors import StaffError
from staff.passwords import MIN_LENGTH
from storage.db import transaction
from storage.staff_accounts import active_account
from storage.staff_mfa import enable_totp, new_secret, provisioning_uri, recovery_codes_left
from storage.staff_ops import audit

Password = Annotated[str, Form(max_length=200)]


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (the console's CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def add_routes(router: APIRouter, c: Console) -> None:

    @router.get("/password")
    async def password_page(request: Request, staff: StaffDep) -> Response:
        return c.page(request, "password.html", staff, min_length=MIN_LENGTH, error="")

    @router.post("/password")
    async def change_password(request: Request, staff: StaffDep, current: Password,
                              new: Password, confirm: Password) -> Response:
        try:
            session = await c.signin.change_password(request, staff, current=current, new=new,
                                                     confirm=confirm)
        except StaffError as exc:
            if wants_json(request) or exc.status not in (422, 429):
                raise
            return c.page(request, "password.html", staff, status=exc.status,
                          min_length=MIN_LENGTH, error=exc.message)
        if wants_json(request):
            response: Response = JSONResponse({"ok": True, "csrf": session.csrf,
                                               "message": t.DONE["password_changed"]})
        else:
            response = c.done(request, "/staff/password", "password_changed")
        c.auth.set_cookie(response, session)
        return response

    @router.get("/mfa")
    async def mfa_page(request: Request, staff: SignedInDep) -> Response:
        if staff.actor.mfa:
            async with c.services.sessions() as db:
                account = await active_account(db, c.office_id, staff.actor.id)
            left = recovery_codes_left(account) if account else 0
            return c.page(request, "mfa.html", staff, enrolled=True, codes_left=left)
        secret = staff.session.enrol_secret
        if secret is None:
            secret = new_secret()
            await c.auth.sessions.keep_enrolment(staff.session, secret)
        return enrol_page(request, staff, secret)

    def enrol_page(request: Request, staff: Staff, secret: str, *, status: int = 200,
                   error: str = "") -> Response:
        """The QR code and the secret as text, kept in the session until confirmed."""
        issuer = f"madoguchi {c.services.office.name}"
        uri = provisioning_uri(secret, staff.actor.login, issuer)
        if wants_json(request):
            return JSONResponse({"enrolled": False, "secret": secret, "uri": uri})
        grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        return c.page(request, "mfa.html", staff, status=status, enrolled=False,
                      qr=qr_data_uri(uri), secret=grouped, must=c.must_enrol(staff), error=error)

    @router.post("/mfa")
    async def enrol(request: Request, staff: SignedInDep,
                    code: Annotated[str, Form(max_length=20)]) -> Response:
        if staff.actor.mfa:
            raise StaffError(409, t.MFA_ALREADY)
        secret = staff.session.enrol_secret
        if secret is None:
            raise StaffError(409, t.MFA_EXPIRED)
        async with transaction(c.services.sessions) as db:
            account = await active_account(db, c.office_id, staff.actor.id)
            if account is None:
                raise StaffError(401, t.NOT_LOGGED_IN)
            codes = await enable_totp(session=db, account=account, secret=secret, code=code,
                                      now=c.now())
            if codes is not None:
                audit(db, office_id=c.office_id, actor=staff.actor.login,
                      action="staff.mfa_enable", now=c.now())
        if codes is None:
            if wants_json(request):
                raise StaffError(422, t.MFA_WRONG)
            return enrol_page(request, staff, secret, status=422, error=t.MFA_WRONG)
        await c.auth.sessions.keep_enrolment(staff.session, None)
        if wants_json(request):
            return JSONResponse({"ok": True, "recovery_codes": codes})
        return c.page(request, "mfa_codes.html", staff, codes=codes)
