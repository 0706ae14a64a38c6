"""The profile form (GET/POST /form/profile) and calendar files (GET /ics/{token}).

Personal data enters here, never through the chat (DESIGN.md §3): a server-rendered form that
works without JavaScript, opened by a single-use link bound to one LINE user. The first GET
with the link's token swaps it for a cookie bound to that browser and redirects to a URL
without the token; the form is then found by the cookie. A saved profile is shown masked and
never sent back in full: a blank field keeps the saved value. Opened as a LIFF app (when
`liff_id` is set), the page also sends LINE's ID token, verified by LINE (bot/liff.py), and
the link's user must be the token's `sub`. After a good submission the conversation continues
by itself: the engine takes a "profile.saved" input and its answer is pushed through the outbox.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from booking import (
    ParseError,
    mask_name,
    mask_number,
    mask_phone,
    parse_employer_number,
    parse_jobseeker_number,
    parse_phone,
)
from bot.liff import Outcome
from bot.pages import TEMPLATES
from dialogs.flow import Input
from dialogs.flows.labels import EMPLOYER, JOBSEEKER
from dialogs.postback import Postback
from dialogs.replies import dump_replies
from logs import log_user
from storage.db import transaction
from storage.forms import (
    Binding,
    OpenForm,
    Profile,
    ProfileForms,
    Refusal,
    SavedProfile,
    ics_booking_id,
)
from storage.models import Booking, BookingStatus
from storage.outbox import add_push

log = logging.getLogger(__name__)
MAX_NAME = 60
FORM_PATH = "/form/profile"
COOKIE = "madoguchi_form"
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex", "X-Content-Type-Options": "nosniff"}
# Where LINE's own SDK talks to when it runs the page as a LIFF app.
LINE_ORIGINS = ("https://api.line.me", "https://access.line.me", "https://liffsdk.line-scdn.net")

ERRORS = {
    "role": "ご利用になる方（求職者・求人者）を選んでください。",
    "name_missing": "氏名（求人者の方は事業所名）を入力してください。",
    "name_long": f"氏名・事業所名は{MAX_NAME}文字以内で入力してください。",
    "name_bad": "氏名・事業所名には文字を入力してください（数字や記号だけでは登録できません）。",
    "number_missing": "番号を入力するか、「まだ登録していません」にチェックを入れてください。",
    "number_both": "番号を入力した場合は、「まだ登録していません」のチェックを外してください。",
    "phone_missing": "電話番号を入力してください。",
}
AGAIN = "お手数ですが、LINEのトークで「予約する」から、もう一度お試しください。"
REOPEN = ("お手数ですが、LINEのトークからフォームを開き直してください（少し時間をおくと"
          "つながることがあります）。")
GONE = {
    Refusal.EXPIRED: "このリンクの有効期限が切れました。",
    Refusal.USED: "このリンクはすでに使用されました。",
    Refusal.LOCKED: "入力の誤りが続いたため、このリンクは使えなくなりました。",
    Refusal.UNKNOWN: "このリンクは正しくありません。",
    Refusal.REVOKED: "新しいリンクをお送りしたため、このリンクは使えなくなりました。",
    Refusal.OTHER_BROWSER: "このリンクはすでに別のブラウザで開かれています。",
}
ADVICE = {
    Refusal.REVOKED: "お手数ですが、LINEのトークに届いている最新のリンクから開いてください。",
    Refusal.OTHER_BROWSER: "最初に開いたブラウザでお使いいただくか、お手数ですが、LINEのトークで"
                           "「予約する」から新しいリンクを受け取って開き直してください。",
}
LIFF_REFUSED = "LINEでご本人の確認ができなかったため、送信された内容は保存していません。"
LIFF_UNAVAILABLE = "ただいまLINEでご本人の確認ができないため、送信された内容は保存していません。"
NOT_SAVED = "ただいまシステムの都合で保存できませんでした。入力内容は保存していません。"
RETRY = "お手数ですが、少し時間をおいてから、このページでもう一度送信してください。"


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


def validate(role: str, name: str, number: str, unregistered: bool, phone: str,
             saved: SavedProfile | None = None) -> tuple[Profile | None, dict[str, str]]:
    """Check each field and say what is wrong next to it, in Japanese.

    With a saved profile of the same role, a blank field keeps the saved value: the form never
    shows saved data in full, so the user types only what changes.
    """
    keep = saved if saved is not None and saved.role == role else None
    problems: dict[str, str | None] = {
        "role": None if role in (JOBSEEKER, EMPLOYER) else ERRORS["role"]}
    if keep is not None and not clean_name(name):
        clean: str = keep.name
    else:
        clean, problems["name"] = check_name(name)
    if keep is not None and keep.number and not unregistered and not number.strip():
        parsed_number: str | None = keep.number
    else:
        parsed_number, problems["number"] = check_number(role, number, unregistered)
    if keep is not None and not phone.strip():
        parsed_phone = keep.phone
    else:
        parsed_phone, problems["phone"] = check_phone(phone)
    errors = {field: message for field, message in problems.items() if message}
    if errors:
        return None, errors
    return Profile(role=role, name=clean, number=parsed_number, phone=parsed_phone), {}


def saved_summary(saved: SavedProfile) -> str:
    """The saved profile, masked: "五所川原 様、求職番号 02040-****5678、電話 ***-****-5678"."""
    label = "事業所番号" if saved.role == EMPLOYER else "求職番号"
    number = mask_number(saved.number) if saved.number else "未登録（これから登録）"
    return f"{mask_name(saved.name)}、{label} {number}、電話 {mask_phone(saved.phone)}"


def content_policy(nonce: str, sdk_url: str | None) -> str:
    """CSP of the form pages: our own nonce'd scripts, plus LINE's LIFF SDK when in use."""
    scripts, connect = [f"'nonce-{nonce}'"], ["'self'"]
    if sdk_url:
        parts = urlsplit(sdk_url)
        sdk = f"{parts.scheme}://{parts.netloc}"
        scripts.append(sdk)
        connect += [sdk, *LINE_ORIGINS]
    return ("default-src 'self'; script-src " + " ".join(scripts) + "; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src " + " ".join(connect) + "; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


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
    settings = services.settings
    liff_id = settings.liff_id

    def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        values.setdefault("errors", {})
        headers = {**NO_STORE, "Content-Security-Policy": content_policy(
            nonce, settings.liff_sdk_url if liff_id else None)}
        return TEMPLATES.TemplateResponse(
            request, name, {"office": services.office, "minutes": settings.form_token_minutes,
                            "csp_nonce": nonce, "liff_id": liff_id,
                            "liff_sdk_url": settings.liff_sdk_url, **values},
            status_code=status, headers=headers)

    def refused(request: Request, reason: Refusal) -> HTMLResponse:
        status = 403 if reason is Refusal.OTHER_BROWSER else 410
        return page(request, "profile_gone.html", status, message=GONE[reason],
                    advice=ADVICE.get(reason, AGAIN))

    def form_page(request: Request, opened: OpenForm, status: int = 200,
                  values: dict[str, Any] | None = None, **extra: Any) -> HTMLResponse:
        saved = opened.saved
        if values is None:  # a fresh form: empty inputs, the saved profile only as a summary
            unregistered = (saved is not None and saved.number is None) or (
                request.query_params.get("u") == "1" and (saved is None or not saved.number))
            values = {"role": opened.role, "name": "", "number": "",
                      "phone": "", "unregistered": unregistered}
        return page(request, "profile.html", status, values=values,
                    summary=saved_summary(saved) if saved else None, **extra)

    @router.get(FORM_PATH, response_class=HTMLResponse)
    async def form(request: Request, t: str = "", u: str = "") -> Response:
        if liff_id and "liff.state" in request.query_params:
            # Opened through https://liff.line.me/…: liff.init() brings the browser back with
            # the link's query (?t=…), as LINE's SDK does.
            return page(request, "profile_liff.html")
        if t:
            return await bind(request, t, u)
        opened = await ProfileForms(services.sessions).open(request.cookies.get(COOKIE, ""),
                                                            services.clock.now())
        if isinstance(opened, Refusal):
            return refused(request, opened)
        return form_page(request, opened)

    async def bind(request: Request, token: str, u: str) -> Response:
        """Swap the URL token for a cookie of this browser, then show the form without it."""
        bound = await ProfileForms(services.sessions).bind(
            token, request.cookies.get(COOKIE), services.clock.now())
        if isinstance(bound, Refusal):
            return refused(request, bound)
        target = FORM_PATH + ("?u=1" if u == "1" else "")
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        set_cookie(response, bound, secure=settings.secure_cookies)
        return response

    @router.post(FORM_PATH, response_class=HTMLResponse)
    async def submit(request: Request, role: str = Form(""), name: str = Form(""),
                     number: str = Form(""), unregistered: str = Form(""),
                     phone: str = Form(""), id_token: str = Form("")) -> HTMLResponse:
        desk, now = ProfileForms(services.sessions), services.clock.now()
        secret = request.cookies.get(COOKIE, "")
        opened = await desk.open(secret, now)
        if isinstance(opened, Refusal):
            return refused(request, opened)
        if liff_id:
            problem = await liff_problem(opened, id_token)
            if problem is not None:
                return page(request, "profile_gone.html", problem[0], message=problem[1],
                            advice=REOPEN, heading="送信できませんでした")
        profile, errors = validate(role, name, number, unregistered == "1", phone, opened.saved)
        if profile is None:
            reason = await desk.fail(secret, now)
            if reason:
                return refused(request, reason)
            values = {"role": role, "name": name, "number": number, "phone": phone,
                      "unregistered": unregistered == "1"}
            return form_page(request, opened, 400, values=values, errors=errors)
        try:
            saved = await desk.save(secret, now, profile)
        except Exception:
            # Rolled back, the link still usable: the user sends again. The engine logs the
            # statement without its values (hide_parameters), and we log no field either.
            log.exception("profile not saved")
            return page(request, "profile_gone.html", 503, message=NOT_SAVED, advice=RETRY,
                        heading="保存できませんでした")
        if isinstance(saved, Refusal):
            return refused(request, saved)
        await continue_chat(services, saved, now)
        return page(request, "profile_done.html")

    async def liff_problem(opened: OpenForm, id_token: str) -> tuple[int, str] | None:
        """Why a LIFF submission may not be saved: no verified ID token of the link's user."""
        verdict = await services.liff.verify(id_token)
        if verdict.outcome is Outcome.UNAVAILABLE:
            return 503, LIFF_UNAVAILABLE
        if verdict.outcome is not Outcome.VERIFIED or verdict.user_id != opened.line_user_id:
            log.info("LIFF submission refused", extra={"user": log_user(
                opened.line_user_id), "outcome": str(verdict.outcome)})
            return 403, LIFF_REFUSED
        return None

    @router.get("/ics/{token}")
    async def ics(token: str) -> Response:
        booking_id = ics_booking_id(settings.secret_key, token)
        rows = await confirmed_rows(services, booking_id) if booking_id else []
        if not rows:
            raise HTTPException(status_code=404, detail="確定したご予約が見つかりません。")
        body = ics_text(rows, services.office, services.clock.now())
        return Response(body, media_type="text/calendar; charset=utf-8", headers={
            **NO_STORE, "Content-Disposition": 'attachment; filename="booking.ics"'})

    return router


def set_cookie(response: Response, bound: Binding, *, secure: bool) -> None:
    """The browser's proof that it opened the link: HttpOnly, SameSite=Strict, the link's life."""
    if bound.secret is None:  # this browser holds it already
        return
    response.set_cookie(COOKIE, bound.secret, max_age=bound.seconds_left, path="/form",
                        secure=secure, httponly=True, samesite="strict")


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
        handled = await services.engine.handle(line_user_id, saved)
        written = list(handled.outbox_ids)
        if handled.replies:
            async with transaction(services.sessions) as session:
                row = add_push(session=session, office_id=services.office_id, to=line_user_id,
                               kind="profile.continue", payload=dump_replies(handled.replies),
                               now=now)
            written.insert(0, row.id)
        if written:
            await services.sender.deliver(written)
    except Exception:
        # The profile is saved either way; the user can carry on by typing in the chat.
        log.exception("chat did not continue after the form",
                      extra={"user": log_user(line_user_id)})
