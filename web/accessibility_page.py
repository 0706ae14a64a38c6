"""The accessibility statement (GET /accessibility), linked from the form and the terms page.

Public bodies publish one for JIS X 8341-3 (DESIGN.md §14): the target, how it is checked, the
known limits, and whom to call; in the reader's language. The phone is the office row's, re-read as
services.refresh_office allows (staff may change it).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.deps import ServicesDep
from web.reader_language import reader_language
from web.templating import page

ACCESSIBILITY_PATH = "/accessibility"


def build_accessibility_router() -> APIRouter:
    router = APIRouter()

    @router.get(ACCESSIBILITY_PATH, response_class=HTMLResponse)
    async def accessibility_page(request: Request, services: ServicesDep) -> HTMLResponse:
        """In the reader's language (?lang= from the form's footer, else the browser's)."""
        office = await services.refresh_office()
        return page(request, "accessibility.html", reader_language(request), {"office": office},
                    headers={"Vary": "Accept-Language"})

    return router
