"""The profile form (GET/POST /form/profile?t=TOKEN) and calendar files (GET /ics/{token}).

Personal data enters here, never through the chat (DESIGN.md §3): a server-rendered form that
works without JavaScript, opened by a single-use link bound to one LINE user. After a good
submission the conversation continues by itself: the engine takes a "profile.saved" input and
its answer is pushed through the outbox.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from booking import ParseError, parse_employer_number, parse_jobseeker_number, parse_phone
from bot.pages import TEMPLATES
from dialogs.flow import Input
from dialogs.flows.labels import EMPLOYER, JOBSEEKER
from dialogs.postback import Postback
from dialogs.replies import dump_replies
from logs import log_user
from storage.db import transaction
from storage.forms import FormView, Profile, ProfileForms, ics_booking_id
from storage.models import Booking, BookingStatus
from storage.outbox import add_push

log = logging.getLogger(__name__)
MAX_NAME = 60
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex"}

ERRORS = {
    "role": "ご利用になる方（求職者・求人者）を選んでください。",
    "name_missing": "氏名（求人者の方は事業所名）を入力してください。",
    "name_long": f"氏名・事業所名は{MAX_NAME}文字以内で入力してください。",
    "name_bad": "氏名・事業所名には文字を入力してください（数字や記号だけでは登録できません）。",
    "number_missing": "番号を入力するか、「まだ登録していません」にチェックを入れてください。",
    "number_both": "番号を入力した場合は、「まだ登録していません」のチェックを外してください。",
    "phone_missing": "電話番号を入力してください。",
}
GONE = {
    "expired": "このリンクの有効期限が切れました。",
    "used": "このリンクはすでに使用されました。",
    "locked": "入力の誤りが続いたため、このリンクは使えなくなりました。",
    "unknown": "このリンクは正しくありません。",
}


def clean_name(raw: str) -> str:
    """NFKC, control characters dropped, runs of spaces made one."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())


def check_name(raw: str) -> tuple[str, str | None]:
    """The cleaned name or company, and what is wrong with it."""
    name = clean_name(raw)
    if not name:
        return name, ERRORS["name_missing"]
    if len(name) > MAX_NAME:
        return name, ERRORS["name_long"]
    if not any(c.isalpha() for c in name):
        return name, ERRORS["name_bad"]
    return name, None


def check_number(role: str, raw: str, unregistered: bool) -> tuple[str | None, str | None]:
    """求職番号 or 事業所番号 by role; none at all for those about to register (art. 2)."""
    if unregistered:
        return None, ERRORS["number_both"] if raw.strip() else None
    if not raw.strip():
        return None, ERRORS["number_missing"]
    reader = parse_employer_number if role == EMPLOYER else parse_jobseeker_number
    try:
        return reader(raw), None
    except ParseError as bad:
        return None, bad.message


def check_phone(raw: str) -> tuple[str, str | None]:
    """The registered phone as E.164."""
    if not raw.strip():
        return "", ERRORS["phone_missing"]
    try:
        return parse_phone(raw), None
    except ParseError as bad:
        return "", bad.message


def validate(role: str, name: str, number: str, unregistered: bool,
             phone: str) -> tuple[Profile | None, dict[str, str]]:
    """Check each field and say what is wrong next to it, in Japanese."""
    problems: dict[str, str | None] = {
        "role": None if role in (JOBSEEKER, EMPLOYER) else ERRORS["role"]}
    clean, problems["name"] = check_name(name)
    parsed_number, problems["number"] = check_number(role, number, unregistered)
    parsed_phone, problems["phone"] = check_phone(phone)
    errors = {field: message for field, message in problems.items() if message}
    if errors:
        return None, errors
    return Profile(role=role, name=clean, number=parsed_number, phone=parsed_phone), {}


def ics_text(rows: list[Booking], office: Any, now: datetime) -> str:
    """One VEVENT for a confirmed request (RFC 5545, UTC times, CRLF lines, no personal data)."""
    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    note = ("録画・録音はできません。ブースにはご本人以外の方が入らないようにしてください。"
            f"取り消しはLINEの「予約の確認・キャンセル」またはお電話（{office.phone}）で。")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//madoguchi//booking//JA",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
             f"UID:{rows[0].id}@madoguchi", f"DTSTAMP:{stamp(now)}",
             f"DTSTART:{stamp(rows[0].starts_at)}", f"DTEND:{stamp(rows[-1].ends_at)}",
             f"SUMMARY:{escape('オンライン相談ブース（' + office.name + '）')}",
             f"LOCATION:{escape(office.name + ' ' + office.address)}",
             f"DESCRIPTION:{escape(note)}", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def build_forms_router(services: Any) -> APIRouter:
    """The form and .ics routes; `services` is the app's container (filled in at start-up)."""
    router = APIRouter()

    def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("errors", {})
        return TEMPLATES.TemplateResponse(
            request, name, {"office": services.office, "minutes":
                            services.settings.form_token_minutes, **values},
            status_code=status, headers=NO_STORE)

    def gone(request: Request, reason: str) -> HTMLResponse:
        return page(request, "profile_gone.html", 410, message=GONE.get(reason, GONE["unknown"]))

    @router.get("/form/profile", response_class=HTMLResponse)
    async def form(request: Request, t: str = "", u: str = "") -> HTMLResponse:
        view = await ProfileForms(services.sessions).open(t, services.clock.now())
        if isinstance(view, str):
            return gone(request, view)
        if u == "1" and not view.number:
            view = FormView(role=view.role, name=view.name, number="", phone=view.phone,
                            unregistered=True)
        return page(request, "profile.html", token=t, values=view.__dict__)

    @router.post("/form/profile", response_class=HTMLResponse)
    async def submit(request: Request, t: str = Form(""), role: str = Form(""),
                     name: str = Form(""), number: str = Form(""),
                     unregistered: str = Form(""), phone: str = Form("")) -> HTMLResponse:
        desk, now = ProfileForms(services.sessions), services.clock.now()
        profile, errors = validate(role, name, number, unregistered == "1", phone)
        if profile is None:
            reason = await desk.fail(t, now)
            if reason:
                return gone(request, reason)
            values = {"role": role, "name": name, "number": number, "phone": phone,
                      "unregistered": unregistered == "1"}
            return page(request, "profile.html", 400, token=t, values=values, errors=errors)
        line_user_id, reason = await desk.save(t, now, profile)
        if line_user_id is None:
            return gone(request, reason)
        await continue_chat(services, line_user_id, now)
        return page(request, "profile_done.html")

    @router.get("/ics/{token}")
    async def ics(token: str) -> Response:
        booking_id = ics_booking_id(services.settings.secret_key, token)
        rows = await confirmed_rows(services, booking_id) if booking_id else []
        if not rows:
            raise HTTPException(status_code=404, detail="確定したご予約が見つかりません。")
        body = ics_text(rows, services.office, services.clock.now())
        return Response(body, media_type="text/calendar; charset=utf-8", headers={
            **NO_STORE, "Content-Disposition": 'attachment; filename="booking.ics"'})

    return router


async def confirmed_rows(services: Any, booking_id: Any) -> list[Booking]:
    """The rows of a confirmed request of this office, earliest first."""
    async with services.sessions() as session:
        head = await session.get(Booking, booking_id)
        if head is None or head.office_id != services.office_id \
                or head.status != BookingStatus.CONFIRMED:
            return []
        if head.group_id is None:
            return [head]
        return list((await session.scalars(select(Booking).where(
            Booking.group_id == head.group_id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Booking.starts_at))).all())


async def continue_chat(services: Any, line_user_id: str, now: datetime) -> None:
    """Move the conversation on and push what it says (the reply token is long gone)."""
    saved = Input(kind="postback", postback=Postback(action="profile.saved"))
    try:
        replies = await services.engine.handle(line_user_id, saved)
        if not replies:
            return
        async with transaction(services.sessions) as session:
            row = add_push(session=session, office_id=services.office_id, to=line_user_id,
                           kind="profile.continue", payload=dump_replies(replies), now=now)
        await services.sender.deliver([row.id])
    except Exception:
        # The profile is saved either way; the user can carry on by typing in the chat.
        log.exception("chat did not continue after the form",
                      extra={"user": log_user(line_user_id)})
