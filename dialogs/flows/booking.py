"""Booking, first half: who may book, then the purpose and its extras (DESIGN.md §7) and the
interpreter / assistant question (art. 11(3)). Then the site, when there are several (`sites`);
picking and confirming the slot is in `slots`.

The same questions serve "今すぐ相談" (`mode` = "now"), which then goes to its own summary.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from booking import ParseError, parse_job_number
from dialogs.conversation import IDLE
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import booking_messages
from dialogs.flows.access import admission, limit_text
from dialogs.flows.labels import (
    INTERVIEW,
    JOBSEEKER,
    MAX_APPLICANTS,
    PURPOSES_BY_ROLE,
    REFERRAL,
    SHORT_PURPOSES,
)
from dialogs.flows.profile import profile_step
from dialogs.flows.sites import site_step
from dialogs.i18n import SOURCE, messages, tr
from dialogs.ports import Draft
from dialogs.registry import Registry
from dialogs.replies import Reply, Text

t = messages(booking_messages)

PURPOSE, JOB_NUMBER, APPLICANTS, ATTENDANT = (
    "booking:purpose", "booking:job_number", "booking:applicants", "booking:attendant")
DAY = "booking:day"  # in `slots`
SUMMARY = "booking:summary"  # in `slots`
NOW_CONFIRM = "now:confirm"  # in `immediate`


def need(ctx: Ctx) -> int:
    """Consecutive slots this request needs: one per applicant for interviews."""
    return int(ctx.data.get("applicants") or 1) if ctx.data.get("purpose") == INTERVIEW else 1


def draft_of(ctx: Ctx) -> Draft:
    """The request collected so far, as the port takes it."""
    start = ctx.data.get("start")
    return Draft(purpose=ctx.data.get("purpose", ""),
                 starts_at=datetime.fromisoformat(start) if start else None, slots=need(ctx),
                 job_number=ctx.data.get("job_number"), applicants=ctx.data.get("applicants"),
                 attendant=ctx.data.get("attendant", "none"), site_id=ctx.data.get("site"),
                 interpret_language=None if ctx.language == SOURCE else ctx.language)


async def start(ctx: Ctx, inp: Input) -> Step:
    """予約する: refusals first, then consent to the terms in effect, the cap, the profile."""
    user, gate = await admission(ctx, then="menu.book")
    if gate is not None:
        return gate
    if user.active_requests >= user.max_active_requests:
        return Step(IDLE, [Text(text=limit_text(ctx, user))])
    ctx.data.clear()
    ctx.data["mode"] = "book"
    return await profile_step(ctx, after=PURPOSE, user=user)


async def purpose_prompt(ctx: Ctx) -> list[Reply]:
    user = await ctx.accounts.user(ctx.user)
    codes = PURPOSES_BY_ROLE.get(user.role or JOBSEEKER, PURPOSES_BY_ROLE[JOBSEEKER])
    return [Text(text=t.ASK_PURPOSE,
                 choices=[ctx.button(tr(SHORT_PURPOSES[c]), "booking.purpose", c) for c in codes])]


async def on_purpose(ctx: Ctx, inp: Input) -> Step:
    user = await ctx.accounts.user(ctx.user)
    codes = PURPOSES_BY_ROLE.get(user.role or JOBSEEKER, PURPOSES_BY_ROLE[JOBSEEKER])
    code = inp.postback.value if inp.postback else next(
        (c for c in codes if inp.text in (SHORT_PURPOSES[c], c)), "")
    if code not in codes:
        raise Invalid(t.PURPOSE_HINT)
    ctx.data["purpose"] = code
    for key in ("job_number", "applicants"):
        ctx.data.pop(key, None)
    return Step(JOB_NUMBER if code in (REFERRAL, INTERVIEW) else ATTENDANT)


async def job_number_prompt(ctx: Ctx) -> list[Reply]:
    if ctx.data.get("purpose") == INTERVIEW:
        return [Text(text=t.ASK_JOB_NUMBER_INTERVIEW)]
    return [Text(text=t.ASK_JOB_NUMBER_REFERRAL,
                 choices=[ctx.button(t.NO_JOB_NUMBER, "booking.no_job_number")])]


async def on_job_number(ctx: Ctx, inp: Input) -> Step:
    """求人番号: optional for 職業紹介, required for an interview (not personal data)."""
    optional = ctx.data.get("purpose") == REFERRAL
    if optional and inp.text in t.NO_JOB_NUMBER_WORDS:
        return await on_no_job_number(ctx, inp)
    try:
        ctx.data["job_number"] = parse_job_number(inp.text)
    except ParseError as bad:
        raise Invalid(bad.message) from None
    return Step(APPLICANTS if ctx.data.get("purpose") == INTERVIEW and
                ctx.data.get("mode") == "book" else ATTENDANT)


async def on_no_job_number(ctx: Ctx, inp: Input) -> Step:
    ctx.data["job_number"] = None
    return Step(ATTENDANT)


async def applicants_prompt(ctx: Ctx) -> list[Reply]:
    return [Text(text=t.ASK_APPLICANTS, choices=[
        ctx.button(t.APPLICANT_LABEL.format(n=n), "booking.applicants", str(n))
        for n in range(1, MAX_APPLICANTS + 1)])]


async def on_applicants(ctx: Ctx, inp: Input) -> Step:
    raw = inp.postback.value if inp.postback else unicodedata.normalize("NFKC", inp.text)
    digits = raw.strip().rstrip("名人").strip()
    if not digits.isascii() or not digits.isdigit() or not 1 <= int(digits) <= MAX_APPLICANTS:
        raise Invalid(t.APPLICANTS_HINT.format(phone=ctx.office.phone))
    ctx.data["applicants"] = int(digits)
    return Step(ATTENDANT)


async def attendant_prompt(ctx: Ctx) -> list[Reply]:
    return [Text(text=t.ASK_ATTENDANT, choices=[
        ctx.button(label, "booking.attendant", code) for code, label in t.ATTENDANT_CHOICES])]


async def on_attendant(ctx: Ctx, inp: Input) -> Step:
    code = inp.postback.value if inp.postback else next(
        (c for c, words in t.ATTENDANT_WORDS.items() if inp.text in words), "")
    if code not in t.ATTENDANT_WORDS:
        raise Invalid(t.ATTENDANT_HINT)
    ctx.data["attendant"] = code
    if ctx.data.get("walkup"):  # the poster's site is chosen (and a walk-up's next slot)
        return Step(NOW_CONFIRM if ctx.data.get("mode") == "now" else SUMMARY)
    return await site_step(ctx, after=NOW_CONFIRM if ctx.data.get("mode") == "now" else DAY)


def register(registry: Registry) -> None:
    registry.state(State(PURPOSE, purpose_prompt, on_text=on_purpose, text_hint=t.PURPOSE_HINT,
                         actions={"booking.purpose": on_purpose}))
    registry.state(State(JOB_NUMBER, job_number_prompt, on_text=on_job_number,
                         actions={"booking.no_job_number": on_no_job_number}))
    registry.state(State(APPLICANTS, applicants_prompt, on_text=on_applicants,
                         actions={"booking.applicants": on_applicants}))
    registry.state(State(ATTENDANT, attendant_prompt, on_text=on_attendant,
                         text_hint=t.ATTENDANT_HINT, actions={"booking.attendant": on_attendant}))
    registry.entry("menu.book", start, "予約する", "予約したい", "予約をする")
