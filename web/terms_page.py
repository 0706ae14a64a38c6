"""The full terms of use, one published version per page (GET /terms/{version})."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from booking import to_jst
from dialogs import i18n
from dialogs.flows import consent_messages
from dialogs.flows.consent import japanese_date
from storage.public_pages import terms_version
from web.deps import ServicesDep
from web.templating import page


def build_terms_router() -> APIRouter:
    router = APIRouter()

    @router.get("/terms/{version}", response_class=HTMLResponse)
    async def terms_page(request: Request, version: str, services: ServicesDep,
                         lang: str = Query("", max_length=16)) -> HTMLResponse:
        """The binding Japanese text; in another language (?lang=en) with a reference
        translation of its main points above it, marked 参考訳 (DESIGN.md §14)."""
        row = await terms_version(services.sessions, services.office_id, version)
        if row is None:
            raise HTTPException(status_code=404, detail="その版の利用規約はありません。")
        language = i18n.known(lang)
        return page(request, "terms.html", language, {
            "office": services.office, "terms": row, "reference": language != i18n.SOURCE,
            "effective": japanese_date(row.effective_from) if language == i18n.SOURCE
            else i18n.translator(language).full_day(to_jst(row.effective_from).date()),
            "reference_summary": consent_messages.REFERENCE_SUMMARY})

    return router
