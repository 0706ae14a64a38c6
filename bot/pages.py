"""Pages users open from the chat: the full terms (and the profile form, in its own module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from dialogs.flows.consent import japanese_date
from storage.models import TermsVersionRow

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def build_pages_router(services: Any) -> APIRouter:
    """Public pages; `services` is the app's container built in the lifespan."""
    router = APIRouter()

    @router.get("/terms/{version}", response_class=HTMLResponse)
    async def terms_page(request: Request, version: str) -> HTMLResponse:
        async with services.sessions() as session:
            row = (await session.scalars(select(TermsVersionRow).where(
                TermsVersionRow.office_id == services.office_id,
                TermsVersionRow.version == version))).first()
        if row is None:
            raise HTTPException(status_code=404, detail="その版の利用規約はありません。")
        return TEMPLATES.TemplateResponse(request, "terms.html", {
            "office": services.office, "terms": row,
            "effective": japanese_date(row.effective_from)})

    return router
