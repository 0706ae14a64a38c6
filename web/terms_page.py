"""The full terms of use, one published version per page (GET /terms/{version})."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from dialogs.flows.consent import japanese_date
from storage.public_pages import terms_version
from web.deps import ServicesDep
from web.templating import TEMPLATES


def build_terms_router() -> APIRouter:
    router = APIRouter()

    @router.get("/terms/{version}", response_class=HTMLResponse)
    async def terms_page(request: Request, version: str, services: ServicesDep) -> HTMLResponse:
        row = await terms_version(services.sessions, services.office_id, version)
        if row is None:
            raise HTTPException(status_code=404, detail="その版の利用規約はありません。")
        return TEMPLATES.TemplateResponse(request, "terms.html", {
            "office": services.office, "terms": row,
            "effective": japanese_date(row.effective_from)})

    return router
