"""Booking, second half: the day (carousel, calendar or typed), the time, the summary, 確定.

Typed dates go through `parse_when` and are always read back. The chosen slot is held in Redis
while the user looks at the summary; the database's unique index decides at 確定, and a lost
race is answered with the nearest free slots.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from booking import (
    JST,
    SLOT_TIMES,
    ParseError,
    is_bookable,
    is_open_day,
    is_year_end_break,
    parse_when,
    request_deadline,
    to_jst,
)
from booking.sites import Site
from dialogs.conversation import IDLE
from dialogs.engine import menu_choices
from dialogs.flow import Ctx, Input, Invalid, State, Step
from dialogs.flows import booking_messages, site_messages, waitlist
from dialogs.flows.access import limit_text, refusal_text
from dialogs.flows.booking import DAY, draft_of, need
from dialogs.flows.consent import needs_consent
from dialogs.flows.labels import ATTENDANTS, purpose_label, span
from dialogs.flows.profile import profile_lines, profile_step
from dialogs.flows.receipts import received_replies
from dialogs.flows.sites import chosen_site
from dialogs.i18n import format_clock, format_day, holiday_name, messages, tr
from dialogs.ports import Calendar, Outcome, Reason
from dialogs.postback import Postback
from dialogs.registry import Registry
from dialogs.replies import Card, Carousel, Choice, DatePicker, Reply, Text

t = messages(booking_messages)
st = messages(site_messages)

TIME, ALTERNATIVES, SUMMARY = "booking:time", "booking:alternatives", "booking:summary"
DAYS_SHOWN = 10  # a Flex carousel takes at most 12 bubbles
TIMES_PER_CARD = 4
HORIZON_DAYS = 60  # how far ahead a date may be typed or picked


def day_problem(day: date, cal: Calendar, now: datetime) -> str | None:
    """Why `day` cannot be booked (art. 5(1)): past, today, too far, closed, or too late."""
    today = to_jst(now).date()
    label = format_day(day)
    if day < today:
        return t.DAY_PAST
    if day == today:
        return t.DAY_TODAY
    if day > today + timedelta(days=HORIZON_DAYS):
        return t.DAY_TOO_FAR.format(limit=HORIZON_DAYS)
    if not is_open_day(day, cal.closures):
        reason = (t.DAY_YEAR_END if is_year_end_break(day) else holiday_name(day)
                  or (t.DAY_WEEKEND if day.weekday() >= 5 else t.DAY_OFFICE_CLOSED))
        return t.DAY_CLOSED.format(day=label, reason=reason)
    deadline = request_deadline(day, cal.closures, cal.cutoff)
    if now >= deadline:
        when = f"{format_day(deadline.date())} {format_clock(deadline.time())}"
        return t.DAY_DEADLINE.format(day=label, deadline=when)
    return None


def day_card(ctx: Ctx, day: date, free: int) -> Card:
    """One day of the carousel: pick it, or wait for a free slot when it is full."""
    if free:
        return Card(title=format_day(day), lines=[t.DAY_FREE.format(n=free)],
                    buttons=[ctx.button(t.PICK_DAY, "booking.day", day.isoformat(),
                                        style="primary")])
    return Card(title=format_day(day), lines=[t.DAY_FULL],
                buttons=[ctx.button(t.WAITLIST, "waitlist.join", day.isoformat())])


async def day_prompt(ctx: Ctx) -> list[Reply]:
    days = await ctx.availability.open_days(ctx.now, DAYS_SHOWN, need(ctx), chosen_site(ctx))
    today = to_jst(ctx.now).date()
    first = days[0].day.isoformat() if days else (today + timedelta(days=1)).isoformat()
    picker = DatePicker(text=t.OTHER_DAY_TEXT, label=t.OTHER_DAY_LABEL, mode="date",
                        data=Postback(action="booking.date", nonce=ctx.conv.nonce).encode(),
                        initial=first, min=first,
                        max=(today + timedelta(days=HORIZON_DAYS)).isoformat())
    # A day the chosen site does not open (its weekly hours, a closure) is left out; a full
    # day stays, with the waitlist button.
    cards = [day_card(ctx, d.day, d.free) for d in days if d.open]
    if not cards:
        return [Text(text=st.NO_DAYS_AT_SITE.format(phone=ctx.office.phone)), picker]
    return [Text(text=t.ASK_DAY), Carousel(cards=cards, alt=t.DAY_ALT), picker]


async def on_day(ctx: Ctx, inp: Input) -> Step:
    """A day from the carousel or the calendar picker (its value comes as params["date"])."""
    raw = inp.params.get("date") or (inp.postback.value if inp.postback else "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(t.DAY_HINT) from None
    return await choose(ctx, day, None, None)


async def on_day_text(ctx: Ctx, inp: Input) -> Step:
    try:
        day, clock = parse_when(inp.text, ctx.now)
    except ParseError as bad:
        raise Invalid(bad.message) from None
    return await choose(ctx, day, clock, inp.text)


async def choose(ctx: Ctx, day: date, clock: time | None, typed: str | None) -> Step:
    """Check the day; with a time, hold that slot and read it back; without, list the times."""
    problem = day_problem(day, await ctx.availability.calendar(ctx.now), ctx.now)
    if problem:
        raise Invalid(problem)
    ctx.data["day"] = day.isoformat()
    if clock is None:
        return Step(TIME)
    starts = datetime.combine(day, clock, tzinfo=JST)
    run = [starts + timedelta(minutes=30 * k) for k in range(need(ctx))]
    if any(t_.date() != day or t_.timetz().replace(tzinfo=None) not in SLOT_TIMES for t_ in run):
        return Step(TIME, [Text(text=t.NOT_SLOT_START)])
    return await take(ctx, starts, typed)


async def take(ctx: Ctx, starts: datetime, typed: str | None = None) -> Step:
    """Hold the slot for this user and show the summary, or say it is taken and offer others."""
    if await ctx.availability.hold(ctx.user, starts, need(ctx), chosen_site(ctx)):
        await release(ctx, keep=starts)
        ctx.data["start"] = starts.isoformat()
        said: list[Reply] = []
        if typed:
            said.append(Text(text=t.READ_AS.format(typed=typed, span=span(starts, need(ctx)))))
        return Step(SUMMARY, said)
    await offer_alternatives(ctx, starts)
    return Step(ALTERNATIVES, [Text(text=t.TAKEN_ALREADY.format(span=span(starts, need(ctx))))])


async def release(ctx: Ctx, keep: datetime | None = None) -> None:
    """Let go of the slot held earlier in this conversation (unless it is the one kept)."""
    held = ctx.data.pop("start", None)
    if held and (keep is None or datetime.fromisoformat(held) != keep):
        await ctx.availability.release(ctx.user, datetime.fromisoformat(held), need(ctx))


async def offer_alternatives(ctx: Ctx, wanted: datetime,
                             found: list[datetime] | None = None) -> None:
    """Remember the nearest free slots to show in the alternatives step."""
    if found is None:
        found = await ctx.availability.nearest_free(ctx.user, wanted, ctx.now, need(ctx),
                                                    site_id=chosen_site(ctx))
    ctx.data["alts"] = [a.isoformat() for a in found]
    ctx.data["day"] = to_jst(wanted).date().isoformat()


def time_cards(ctx: Ctx, starts: list[datetime]) -> list[Card]:
    """Free start times, four to a card, morning first."""
    chunks = [starts[i:i + TIMES_PER_CARD] for i in range(0, len(starts), TIMES_PER_CARD)]
    return [Card(title=t.TIME_CARD.format(first=format_clock(to_jst(chunk[0]).time())),
                 buttons=[ctx.button(format_clock(to_jst(s).time()), "booking.slot", s.isoformat())
                          for s in chunk], alt=t.TIME_ALT) for chunk in chunks]


async def time_prompt(ctx: Ctx) -> list[Reply]:
    day = date.fromisoformat(ctx.data["day"])
    starts = await ctx.availability.free_slots(ctx.user, day, ctx.now, need(ctx),
                                               chosen_site(ctx))
    other = ctx.button(t.OTHER_DAY, "booking.other_day")
    if not starts:
        return [Text(text=t.DAY_NO_FREE.format(day=format_day(day)), choices=[
            ctx.button(t.WAITLIST, "waitlist.join", day.isoformat()), other])]
    n = need(ctx)
    ask = (t.ASK_TIME_MANY.format(day=format_day(day), n=n, minutes=30 * n) if n > 1
           else t.ASK_TIME.format(day=format_day(day)))
    return [Text(text=ask), Carousel(cards=time_cards(ctx, starts)[:12], alt=t.TIME_ALT,
                                     choices=[other])]


async def on_slot(ctx: Ctx, inp: Input) -> Step:
    """A start time from the buttons (times or alternatives)."""
    try:
        starts = datetime.fromisoformat(inp.postback.value if inp.postback else "")
    except ValueError:
        raise Invalid(t.TIME_HINT) from None
    cal = await ctx.availability.calendar(ctx.now)
    if starts.tzinfo is None or not is_bookable(starts, ctx.now, cal.closures, cal.cutoff):
        raise Invalid(t.NOT_BOOKABLE)
    ctx.data["day"] = to_jst(starts).date().isoformat()
    return await take(ctx, starts)


async def on_time_text(ctx: Ctx, inp: Input) -> Step:
    """A typed time ("10時半") means the chosen day; a typed date and time means that day."""
    try:
        day, clock = parse_when(inp.text, ctx.now)
    except ParseError as bad:
        raise Invalid(bad.message) from None
    if day == to_jst(ctx.now).date() and "day" in ctx.data:
        day = date.fromisoformat(ctx.data["day"])
    return await choose(ctx, day, clock, inp.text)


async def on_other_day(ctx: Ctx, inp: Input) -> Step:
    await release(ctx)
    return Step(DAY)


async def alternatives_prompt(ctx: Ctx) -> list[Reply]:
    alts = [datetime.fromisoformat(a) for a in ctx.data.get("alts", [])]
    other = ctx.button(t.OTHER_DAY, "booking.other_day")
    day = ctx.data.get("day", "")
    wait = [ctx.button(t.WAITLIST, "waitlist.join", day)] if day else []
    if not alts:
        return [Text(text=t.NO_ALTERNATIVES, choices=[*wait, other])]
    choices: list[Choice] = [
        ctx.button(f"{format_day(to_jst(a).date())} {format_clock(to_jst(a).time())}",
                   "booking.slot", a.isoformat())
        for a in alts]
    return [Text(text=t.ALTERNATIVES, choices=[*choices, other, *wait])]


def summary_lines(ctx: Ctx, site: Site | None = None) -> list[str]:
    """The request as it will be sent (no personal data beyond the masked profile)."""
    draft = draft_of(ctx)
    assert draft.starts_at is not None
    lines = [t.LINE_SPAN.format(span=span(draft.starts_at, draft.slots))]
    if site is not None:
        lines.append(st.place_line(site))
    lines.append(t.LINE_PURPOSE.format(purpose=purpose_label(draft.purpose)))
    if draft.job_number:
        lines.append(t.LINE_JOB_NUMBER.format(number=draft.job_number))
    if draft.applicants:
        lines.append(t.LINE_APPLICANTS.format(n=draft.applicants))
    lines.append(t.LINE_ATTENDANT.format(attendant=tr(ATTENDANTS.get(draft.attendant, ""))))
    return lines


async def summary_prompt(ctx: Ctx) -> list[Reply]:
    if "start" not in ctx.data:
        return await day_prompt(ctx)
    user = await ctx.accounts.user(ctx.user)
    site = (await ctx.availability.calendar(ctx.now)).site(chosen_site(ctx))
    card = Card(title=t.SUMMARY_TITLE, alt=t.SUMMARY_TITLE,
                lines=[*summary_lines(ctx, site), *profile_lines(user), t.LINE_NOTE],
                buttons=[ctx.button(t.COMMIT, "booking.commit", style="primary"),
                         ctx.button(t.RESLOT, "booking.other_day"),
                         ctx.button(t.QUIT, "booking.quit")])
    return [Text(text=t.SUMMARY_INTRO), card]


async def on_commit(ctx: Ctx, inp: Input) -> Step:
    """確定: one transaction writes the request and the staff alert, or says why not."""
    if "start" not in ctx.data:
        return Step(DAY)
    outcome = await ctx.requests.request_booking(ctx.user, draft_of(ctx), ctx.now)
    if outcome.ok:
        ctx.data.pop("start", None)
        return Step(IDLE, await received_replies(ctx, outcome.bookings[0]))
    return await commit_failed(ctx, outcome)


async def commit_failed(ctx: Ctx, outcome: Outcome) -> Step:
    """Taken, over the cap, refused, consent or profile missing, or past the deadline."""
    draft = draft_of(ctx)
    assert draft.starts_at is not None
    match outcome.reason:
        case Reason.TAKEN:
            await offer_alternatives(ctx, draft.starts_at, outcome.alternatives)
            ctx.data.pop("start", None)
            taken = t.TAKEN.format(span=span(draft.starts_at, draft.slots))
            return Step(ALTERNATIVES, [Text(text=taken)])
        case Reason.LIMIT:
            return Step(IDLE, [Text(text=limit_text(ctx, await ctx.accounts.user(ctx.user)))])
        case Reason.REFUSED:
            return Step(IDLE, [Text(text=refusal_text(ctx))])
        case Reason.CONSENT:
            return await needs_consent(ctx, then="menu.book") or Step(DAY)
        case Reason.PROFILE:
            return await profile_step(ctx, after=SUMMARY)
        case _:  # not bookable any more: the deadline passed while the user looked
            await release(ctx)
            return Step(DAY, [Text(text=t.NOT_BOOKABLE)])


async def on_summary_text(ctx: Ctx, inp: Input) -> Step:
    if inp.text in t.COMMIT_WORDS:
        return await on_commit(ctx, inp)
    if inp.text in (t.RESLOT, "選び直す", "日時を変える"):
        return await on_other_day(ctx, inp)
    raise Invalid(t.SUMMARY_HINT)


async def on_quit(ctx: Ctx, inp: Input) -> Step:
    await release(ctx)
    return Step(IDLE, [Text(text=t.QUIT_DONE, choices=menu_choices())])


def register(registry: Registry) -> None:
    other = {"booking.other_day": on_other_day}
    registry.state(State(DAY, day_prompt, on_text=on_day_text, text_hint=t.DAY_HINT, actions={
        "booking.day": on_day, "booking.date": on_day, "waitlist.join": waitlist.on_join},
        on_leave=release))
    registry.state(State(TIME, time_prompt, on_text=on_time_text, text_hint=t.TIME_HINT, actions={
        "booking.slot": on_slot, "waitlist.join": waitlist.on_join, **other}, on_leave=release))
    registry.state(State(ALTERNATIVES, alternatives_prompt, on_text=on_time_text,
                         text_hint=t.ALT_HINT, actions={
                             "booking.slot": on_slot, "waitlist.join": waitlist.on_join, **other},
                         on_leave=release))
    registry.state(State(SUMMARY, summary_prompt, on_text=on_summary_text,
                         text_hint=t.SUMMARY_HINT, actions={
                             "booking.commit": on_commit, "booking.quit": on_quit, **other},
                         on_leave=release))

