"""The walk-up poster of a site (DESIGN §13): an A4 page to print and put up at the booth.

Its QR code opens the office's LINE chat with the site's message typed in
(booking/walkup.py); sending it starts 今すぐ相談 at that site (dialogs/flows/walkup.py).
"""

import segno
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from markupsafe import Markup

from booking.sites import hours_text
from booking.walkup import oa_message_url, walkup_message
from staff import messages as t
from staff.console import Console, wants_json
from staff.deps import StaffDep
from staff.errors import StaffError
from storage.sites import load_sites


def qr_svg(url: str) -> Markup:
    """`url` as an inline SVG QR code; error correction M survives a worn or creased print."""
    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=5, border=4, title="今すぐ相談のQRコード")
    return Markup(svg)  # segno's own markup, built from our URL only


def add_routes(router: APIRouter, c: Console) -> None:

    @router.get("/posters")
    async def posters_page(request: Request, staff: StaffDep) -> Response:
        async with c.services.sessions() as session:
            sites = await load_sites(session=session, office_id=c.office_id)
        if wants_json(request):
            return JSONResponse({"sites": [
                {"id": s.id, "name": s.name, "code": s.code, "active": s.active,
                 "poster": f"/staff/sites/{s.id}/poster"} for s in sites]})
        return c.page(request, "posters.html", staff, sites=sites, hours_text=hours_text,
                      account=c.services.settings.poster_account)

    @router.get("/sites/{site_id}/poster")
    async def poster_page(request: Request, site_id: str, staff: StaffDep) -> Response:
        account = c.services.settings.poster_account
        if account is None:
            raise StaffError(409, t.NO_BASIC_ID)
        async with c.services.sessions() as session:
            sites = await load_sites(session=session, office_id=c.office_id)
        site = next((s for s in sites if s.id == site_id), None)
        if site is None:
            raise StaffError(404, t.NO_SITE)
        message = walkup_message(site.name, site.code)
        url = oa_message_url(account, message)
        if wants_json(request):
            return JSONResponse({"site": site.name, "code": site.code, "active": site.active,
                                 "message": message, "url": url})
        return c.page(request, "poster.html", staff, site=site, message=message, url=url,
                      account=account, qr=qr_svg(url), hours=hours_text(site))
