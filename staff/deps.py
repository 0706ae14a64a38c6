"""Typed dependencies of the console routes: who is signed in, read from the app per request.

main.create_app puts the console (built on the app's container) on `app.state.console`;
routes declare what they need with the aliases below and reach the rest through the console.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from staff import messages as t
from staff.auth import Staff
from staff.console import BEFORE_MFA, Console
from staff.csrf import check_csrf
from staff.errors import StaffError


def app_console(request: Request) -> Console:
    """The console built with the app: sessions, sign-in, templates."""
    console: Console = request.app.state.console
    return console


ConsoleDep = Annotated[Console, Depends(app_console)]


async def signed_in(request: Request, console: ConsoleDep) -> Staff:
    """Signed in (even an admin still to enrol TOTP); CSRF on writes."""
    staff = await console.auth.staff(request)
    if request.method not in ("GET", "HEAD"):
        await check_csrf(request, staff.session)
    return staff


SignedInDep = Annotated[Staff, Depends(signed_in)]


async def enrolled(request: Request, staff: SignedInDep, console: ConsoleDep) -> Staff:
    """Signed in, TOTP enrolled where required; CSRF on writes."""
    if console.must_enrol(staff) and request.url.path not in BEFORE_MFA:
        raise StaffError(403, t.NEED_MFA, location="/staff/mfa")
    return staff


StaffDep = Annotated[Staff, Depends(enrolled)]


async def admin(staff: StaffDep) -> Staff:
    """Signed in as an admin (terms, settings, staff accounts, blocks)."""
    if not staff.actor.is_admin:
        raise StaffError(403, t.NOT_ADMIN)
    return staff


AdminDep = Annotated[Staff, Depends(admin)]
