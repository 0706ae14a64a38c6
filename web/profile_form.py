"""The profile form (GET/POST /form/profile).

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
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.liff import Outcome
from dialogs import i18n
from logs import log_user
from services import Services
from storage.forms import Binding, OpenForm, ProfileForms, Refusal
from web.continue_chat import continue_chat
from web.deps import ServicesDep
from web.profile_checks import saved_summary, validate
from web.profile_words import (
    ADVICE,
    AGAIN,
    GONE,
    LIFF_REFUSED,
    LIFF_UNAVAILABLE,
    NOT_SAVED,
    NOT_SENT,
    NOT_STORED,
    REOPEN,
    RETRY,
)
from web.templating import NO_STORE, form_page

log = logging.getLogger(__name__)
FORM_PATH = "/form/profile"
COOKIE = "madoguchi_form"


def refused(request: Request, services: Services, reason: Refusal) -> HTMLResponse:
    status = 403 if reason is Refusal.OTHER_BROWSER else 410
    return form_page(request, services, "profile_gone.html", status, message=GONE[reason],
                     advice=ADVICE.get(reason, AGAIN))


async def profile_page(request: Request, services: Services, opened: OpenForm,
                       status: int = 200, values: dict[str, Any] | None = None,
                       **extra: Any) -> HTMLResponse:
    saved = opened.saved
    if values is None:  # a fresh form: empty inputs, the saved profile only as a summary
        unregistered = (saved is not None and saved.number is None) or (
            request.query_params.get("u") == "1" and (saved is None or not saved.number))
        values = {"role": opened.role, "name": "", "number": "",
                  "phone": "", "unregistered": unregistered}
    language = await services.accounts.language(opened.line_user_id)
    with i18n.speaking(language):  # the summary's words, in the user's language
        summary = saved_summary(saved) if saved else None
    return form_page(request, services, "profile.html", status, language, values=values,
                     summary=summary, **extra)


def profile_forms(services: Services) -> ProfileForms:
    """The form's storage: writes in transactions, the link's read on the read engine."""
    return ProfileForms(services.sessions, services.reads)


def build_profile_router() -> APIRouter:
    """The form's routes; the app's collaborators come per request (web/deps.py)."""
    router = APIRouter()

    @router.get(FORM_PATH, response_class=HTMLResponse)
    async def form(request: Request, services: ServicesDep, t: str = "", u: str = "") -> Response:
        if services.settings.liff_id and "liff.state" in request.query_params:
            # Opened through https://liff.line.me/…: liff.init() brings the browser back with
            # the link's query (?t=…), as LINE's SDK does.
            return form_page(request, services, "profile_liff.html")
        if t:
            return await bind(request, services, t, u)
        opened = await profile_forms(services).open(request.cookies.get(COOKIE, ""),
                                                    services.clock.now())
        if isinstance(opened, Refusal):
            return refused(request, services, opened)
        return await profile_page(request, services, opened)

    @router.post(FORM_PATH, response_class=HTMLResponse)
    async def submit(request: Request, services: ServicesDep, role: str = Form(""),
                     name: str = Form(""), number: str = Form(""), unregistered: str = Form(""),
                     phone: str = Form(""), id_token: str = Form("")) -> HTMLResponse:
        forms, now = profile_forms(services), services.clock.now()
        secret = request.cookies.get(COOKIE, "")
        opened = await forms.open(secret, now)
        if isinstance(opened, Refusal):
            return refused(request, services, opened)
        if services.settings.liff_id:
            problem = await liff_problem(services, opened, id_token)
            if problem is not None:
                return form_page(request, services, "profile_gone.html", problem[0],
                                 message=problem[1], advice=REOPEN, heading=NOT_SENT)
        profile, errors = validate(role, name, number, unregistered == "1", phone, opened.saved)
        if profile is None:
            reason = await forms.fail(secret, now)
            if reason:
                return refused(request, services, reason)
            values = {"role": role, "name": name, "number": number, "phone": phone,
                      "unregistered": unregistered == "1"}
            return await profile_page(request, services, opened, 400, values=values,
                                      errors=errors)
        try:
            saved = await forms.save(secret, now, profile)
        except Exception:
            # Rolled back, the link still usable: the user sends again. The engine logs the
            # statement without its values (hide_parameters), and we log no field either.
            log.exception("profile not saved")
            return form_page(request, services, "profile_gone.html", 503, message=NOT_SAVED,
                             advice=RETRY, heading=NOT_STORED)
        if isinstance(saved, Refusal):
            return refused(request, services, saved)
        await continue_chat(services, saved, now)
        return form_page(request, services, "profile_done.html",
                         language=await services.accounts.language(saved))

    return router


async def bind(request: Request, services: Services, token: str, u: str) -> Response:
    """Swap the URL token for a cookie of this browser, then show the form without it."""
    bound = await profile_forms(services).bind(
        token, request.cookies.get(COOKIE), services.clock.now())
    if isinstance(bound, Refusal):
        return refused(request, services, bound)
    target = FORM_PATH + ("?u=1" if u == "1" else "")
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    set_cookie(response, bound, secure=services.settings.secure_cookies)
    return response


async def liff_problem(services: Services, opened: OpenForm,
                       id_token: str) -> tuple[int, str] | None:
    """Why a LIFF submission may not be saved: no verified ID token of the link's user."""
    verdict = await services.liff.verify(id_token)
    if verdict.outcome is Outcome.UNAVAILABLE:
        return 503, LIFF_UNAVAILABLE
    if verdict.outcome is not Outcome.VERIFIED or verdict.user_id != opened.line_user_id:
        log.info("LIFF submission refused", extra={"user": log_user(
            opened.line_user_id), "outcome": str(verdict.outcome)})
        return 403, LIFF_REFUSED
    return None


def set_cookie(response: Response, bound: Binding, *, secure: bool) -> None:
    """The browser's proof that it opened the link: HttpOnly, SameSite=Strict, the link's life."""
    if bound.secret is None:  # this browser holds it already
        return
    response.set_cookie(COOKIE, bound.secret, max_age=bound.seconds_left, path="/form",
                        secure=secure, httponly=True, samesite="strict")
