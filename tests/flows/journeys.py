"""Steps many journeys share: consent, the profile form, a booking up to the summary."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from storage.db import transaction
from storage.models import Booking, LineUser, Outbox, WaitlistEntry
from tests import loopback, records
from tests.builders import NAME, NUMBER, new_booking, new_user
from tests.helpers import button, tap

PHONE = "090-1234-5678"  # as typed in the form (tests.builders.PHONE is as stored)


def agree(live: Any, user: str) -> list[dict[str, Any]]:
    """Follow and agree to the terms in effect."""
    first = live.send(user, event="follow")
    return tap(live, user, first, "同意する")


def form_token(messages: list[dict[str, Any]]) -> str:
    """The token of the freshest profile form link the user was sent."""
    uri = button(messages, "入力フォームを開く")["uri"]
    return parse_qs(urlsplit(uri).query)["t"][0]


class FormBrowser:
    """A browser of its own for one form link: keeps its cookies, follows redirects."""

    def __init__(self, live: Any) -> None:
        self.http = loopback.client(base_url=live.url, timeout=15, follow_redirects=True)

    def open(self, token: str, **params: str) -> httpx.Response:
        """Open the link (GET /form/profile?t=…): the token becomes this browser's cookie."""
        return self.http.get("/form/profile", params={"t": token, **params})

    def submit(self, **fields: str | None) -> httpx.Response:
        """POST the form as the page would (fields default to a valid jobseeker)."""
        data: dict[str, str | None] = {"role": "jobseeker", "name": NAME, "number": NUMBER,
                                       "phone": PHONE}
        data.update(fields)
        return self.http.post("/form/profile",
                              data={k: v for k, v in data.items() if v is not None})

    def close(self) -> None:
        self.http.close()


# One browser per link, as a user keeps using the browser the link first opened in; the
# oldest are closed so a long run does not hold hundreds of connections.
_BROWSERS: OrderedDict[str, FormBrowser] = OrderedDict()
KEPT_BROWSERS = 32


def browser_for(live: Any, token: str) -> tuple[FormBrowser, httpx.Response | None]:
    """The browser that opened this link, opening it in a fresh one the first time."""
    if token in _BROWSERS:
        return _BROWSERS[token], None
    browser = FormBrowser(live)
    first = browser.open(token)
    _BROWSERS[token] = browser
    while len(_BROWSERS) > KEPT_BROWSERS:
        _BROWSERS.popitem(last=False)[1].close()
    return browser, first


def open_form(live: Any, messages: list[dict[str, Any]]) -> httpx.Response:
    """Tap 入力フォームを開く: the page the link shows (in the link's own browser)."""
    uri = button(messages, "入力フォームを開く")["uri"]
    query = parse_qs(urlsplit(uri).query)
    token = query["t"][0]
    if token in _BROWSERS:
        return _BROWSERS[token].open(token)
    browser = FormBrowser(live)
    page = browser.open(token, **({"u": query["u"][0]} if "u" in query else {}))
    _BROWSERS[token] = browser
    return page


def submit_form(live: Any, token: str, **fields: str | None) -> httpx.Response:
    """Open the link in its browser (the first time) and POST the form there; the page shown.

    When the link does not even open (expired, used, forged), that refusal is what the user
    sees, and nothing is posted.
    """
    browser, first = browser_for(live, token)
    if first is not None and first.status_code != 200:
        return first
    return browser.submit(**fields)


def new_messages(live: Any, user: str, before: int) -> list[dict[str, Any]]:
    return live.messages(user)[before:]


def register(live: Any, user: str, messages: list[dict[str, Any]], role: str = "jobseeker",
             **fields: str) -> list[dict[str, Any]]:
    """From the role question: pick the role, say registered, fill the form; the pushed step."""
    label = (
        "求職者（仕事を探している方）" if role == "jobseeker"
        else "求人者（事業所の採用担当の方）"
    )
    asked = tap(live, user, messages, label)
    form = tap(live, user, asked, "登録しています")
    before = len(live.messages(user))
    response = submit_form(live, form_token(form), role=role, **fields)
    assert response.status_code == 200, response.text
    return new_messages(live, user, before)


def start_booking(
    live: Any, user: str, role: str = "jobseeker", **fields: str
) -> list[dict[str, Any]]:
    """A new user: consent, 予約する, role, form; returns the purpose question."""
    agree(live, user)
    asked = live.send(user, text="予約する")
    return register(live, user, asked, role=role, **fields)


def to_day_step(live: Any, user: str, purpose: str = "職業相談",
                attendant: str = "同席者なし") -> list[dict[str, Any]]:
    """A new jobseeker up to the day carousel."""
    purposes = start_booking(live, user)
    attendants = tap(live, user, purposes, purpose)
    return tap(live, user, attendants, attendant)


def first_time_button(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The earliest time button of a time carousel."""
    for message in messages:
        if message.get("type") == "flex" and message["contents"].get("type") == "carousel":
            for bubble in message["contents"]["contents"]:
                for item in bubble.get("footer", {}).get("contents", []):
                    if re.fullmatch(r"\d{1,2}:\d{2}", item["action"]["label"]):
                        return item["action"]
    raise AssertionError("no time buttons")


def write(live: Any, *rows: Any) -> None:
    """Insert rows in one transaction on the app's loop."""
    async def run() -> None:
        async with transaction(live.services.sessions) as session:
            session.add_all(rows)
    live.call(run())


def execute(live: Any, statement: Any) -> None:
    """Run one statement in its own transaction on the app's loop."""
    async def run() -> None:
        async with transaction(live.services.sessions) as session:
            await session.execute(statement)
    live.call(run())


def query(live: Any, statement: Any) -> list[Any]:
    async def run() -> list[Any]:
        async with live.services.sessions() as session:
            return list((await session.scalars(statement)).all())
    return live.call(run())


def user_row(live: Any, user: str) -> LineUser:
    row = records.user_row(live, user)
    assert row is not None
    return row


def bookings_of(live: Any, user: str) -> list[Booking]:
    row = user_row(live, user)
    return query(live, select(Booking).where(Booking.user_id == row.id).order_by(Booking.starts_at))


def outbox_for(live: Any, booking_id: Any) -> list[Outbox]:
    return query(live, select(Outbox).where(Outbox.booking_id == booking_id))


def waitlist_of(live: Any, user: str) -> list[WaitlistEntry]:
    row = user_row(live, user)
    return query(live, select(WaitlistEntry).where(WaitlistEntry.user_id == row.id))



def make_user(live: Any, line_id: str, *, consent: bool = True, profile: bool = True,
              role: str = "jobseeker", **fields: Any) -> LineUser:
    """A user row as the chat and the form would have left it (for journeys past those steps)."""
    row = new_user(live.services.office_id, line_id, consent=consent, profile=profile,
                   consented_at=live.clock.now(), role=role, **fields)
    write(live, row)
    return row


def add_booking(live: Any, user_id: Any, starts_at: Any, **fields: Any) -> Booking:
    """A booking row written straight to the database (another user's, a staff move, ...)."""
    row = new_booking(live.services.office_id, user_id, starts_at, **fields)
    write(live, row)
    return row


def free_starts(live: Any, day: Any, need: int = 1) -> list[Any]:
    """Free starts of a day as the app sees them now (so tests never collide on a slot)."""
    return live.call(live.services.availability.free_slots("Unobody", day, live.clock.now(), need))


def set_status(live: Any, booking_ids: list[Any], status: str) -> None:
    """Change bookings' status directly (a cleanup, or what staff would have done)."""
    from sqlalchemy import update

    execute(live, update(Booking).where(Booking.id.in_(booking_ids)).values(status=status))


def typed(moment: Any) -> str:
    """How a user types a slot: "12月3日 10時半"."""
    from booking import to_jst

    local = to_jst(moment)
    return f"{local.month}月{local.day}日 {local.hour}時{'半' if local.minute else ''}"


def ready_user(live: Any, line_id: str, **fields: Any) -> LineUser:
    """A consenting user with a saved profile, chatting already (state in Redis)."""
    row = make_user(live, line_id, **fields)
    return row


def to_summary(live: Any, user: str, starts_at: Any, purpose: str = "職業相談",
               attendant: str = "同席者なし") -> list[dict[str, Any]]:
    """A ready user books by typing the slot; returns the summary step."""
    check = live.send(user, text="予約する")
    purposes = tap(live, user, check, "この内容で進む")
    attendants = tap(live, user, purposes, purpose)
    tap(live, user, attendants, attendant)
    return live.send(user, text=typed(starts_at))
