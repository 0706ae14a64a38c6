"""Calendar files of confirmed requests (GET /ics/{token}): no personal data in them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from booking.sites import Site
from dialogs import i18n
from dialogs.i18n import tr
from storage.forms import ics_booking_id
from storage.models import Booking
from storage.public_pages import booking_site, confirmed_rows, user_language
from web.deps import ServicesDep
from web.templating import NO_STORE

# What the calendar entry says, in the language of the booking's user (DESIGN.md §14).
SUMMARY = "オンライン相談ブース（{office}）"
NOTE = ("録画・録音はできません。ブースにはご本人以外の方が入らないようにしてください。"
        "取り消しはLINEの「予約の確認・キャンセル」またはお電話（{phone}）で。")
MAP_LINE = "地図：{url}"
ACCESS_LINE = "行き方：{notes}"


def ics_text(rows: list[Booking], office: Any, now: datetime, site: Site | None = None) -> str:
    """One VEVENT for a confirmed request (RFC 5545, UTC times, CRLF lines, no personal data):
    LOCATION is the site's name and address, the map link goes in DESCRIPTION."""
    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def escape(text: str) -> str:
        return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
                .replace("\n", "\\n"))

    note = tr(NOTE).format(phone=office.phone)
    location = (f"{site.name} {site.address}".strip() if site
                else f"{office.name} {office.address}".strip())
    if site and site.map_url:
        note = f"{tr(MAP_LINE).format(url=site.map_url)}\n{note}"
    if site and site.access_notes:
        note = f"{tr(ACCESS_LINE).format(notes=site.access_notes)}\n{note}"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//madoguchi//booking//JA",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
             f"UID:{rows[0].id}@madoguchi", f"DTSTAMP:{stamp(now)}",
             f"DTSTART:{stamp(rows[0].starts_at)}", f"DTEND:{stamp(rows[-1].ends_at)}",
             f"SUMMARY:{escape(tr(SUMMARY).format(office=office.name))}",
             f"LOCATION:{escape(location)}",
             f"DESCRIPTION:{escape(note)}", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def build_ics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/ics/{token}")
    async def ics(token: str, services: ServicesDep) -> Response:
        booking_id = ics_booking_id(services.settings.secret_key, token)
        rows = (await confirmed_rows(services.sessions, services.office_id, booking_id)
                if booking_id else [])
        if not rows:
            raise HTTPException(status_code=404, detail="確定したご予約が見つかりません。")
        site = await booking_site(services.sessions, services.office_id, rows[0])
        language = await user_language(services.sessions, rows[0].user_id)
        with i18n.speaking(language):
            body = ics_text(rows, services.office, services.clock.now(), site)
        return Response(body, media_type="text/calendar; charset=utf-8", headers={
            **NO_STORE, "Content-Disposition": 'attachment; filename="booking.ics"'})

    return router
