"""Domain events → pushes, through a registry keyed by event type (one wording per event)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from dialogs.events import (
    STAFF,
    ClosedByOffice,
    Confirmed,
    DeadlinePassed,
    Declined,
    Event,
    LimitLifted,
    MarkedNoShow,
    MoveAccepted,
    Moved,
    NoShow,
    Notice,
    PushFailed,
    ReminderDue,
    RequestCancelled,
    RequestCreated,
    RequestExpired,
    SlotFreed,
    TermsPublished,
)
from dialogs.flows.closure import closed_replies
from dialogs.flows.labels import span
from dialogs.flows.waitlist import offer_replies
from dialogs.i18n import SOURCE, speaking
from dialogs.notify import reminders, staff_alerts, user_notices
from dialogs.replies import Reply, dump_replies

E = TypeVar("E")
Wording = Callable[[Any], list[Notice]]
WORDINGS: dict[type, Wording] = {}


def words(
    event_type: type[E],
) -> Callable[[Callable[[E], list[Notice]]], Callable[[E], list[Notice]]]:
    """Register the wording of one event type."""
    def register(function: Callable[[E], list[Notice]]) -> Callable[[E], list[Notice]]:
        WORDINGS[event_type] = function
        return function
    return register


def notice(to: str, kind: str, replies: list[Reply], booking_id: str | None = None) -> Notice:
    return Notice(to=to, kind=kind, payload=dump_replies(replies), booking_id=booking_id)


class Notifier:
    """Words domain events as pushes; storage writes them in the transaction that caused them."""

    def notices(self, event: Event, language: str | None = None) -> list[Notice]:
        """The pushes `event` calls for (none for an event nobody needs to hear about), worded
        in the user's `language` when it is written (DESIGN.md §14); staff alerts in Japanese."""
        wording = WORDINGS.get(type(event))
        if wording is None:
            raise LookupError(f"no wording for {type(event).__name__}")
        with speaking(language if getattr(event, "to", None) else SOURCE):
            return wording(event)


# --- staff alerts ------------------------------------------------------------------------------

@words(RequestCreated)
def _created(event: RequestCreated) -> list[Notice]:
    facts = event.request
    if event.immediate:
        return [notice(STAFF, "staff.immediate", staff_alerts.immediate_alert(facts),
                       facts.booking_id)]
    return [notice(STAFF, "staff.request", staff_alerts.request_alert(facts), facts.booking_id)]


@words(RequestCancelled)
def _cancelled(event: RequestCancelled) -> list[Notice]:
    kind = "staff.move_refused" if event.refused_move else "staff.cancel"
    replies = staff_alerts.cancel_alert(event.request, refused_move=event.refused_move)
    return [notice(STAFF, kind, replies, event.request.booking_id)]


@words(MoveAccepted)
def _move_accepted(event: MoveAccepted) -> list[Notice]:
    return [notice(STAFF, "staff.move_accepted", staff_alerts.move_accepted_alert(event.request),
                   event.request.booking_id)]


@words(DeadlinePassed)
def _deadline(event: DeadlinePassed) -> list[Notice]:
    replies = reminders.staff_deadline(list(event.items), cutoff_hour=event.cutoff_hour,
                                       console_url=event.console_url)
    return [notice(STAFF, "staff.deadline", replies)]


@words(PushFailed)
def _push_failed(event: PushFailed) -> list[Notice]:
    replies = reminders.staff_push_failed(kind=event.kind, slot=event.slot,
                                          masked_name=event.masked_name,
                                          console_url=event.console_url)
    return [notice(STAFF, "staff.push_failed", replies, event.booking_id)]


# --- what users are told -----------------------------------------------------------------------

def _slot(written: str, starts_at: datetime | None) -> str:
    """The slot in the recipient's language when its time is known, else as storage wrote it."""
    return span(starts_at) if starts_at is not None else written


@words(SlotFreed)
def _offer(event: SlotFreed) -> list[Notice]:
    return [notice(event.to, "waitlist.offer",
                   offer_replies(event.entry_id, list(event.starts), event.need))]


@words(Confirmed)
def _confirmed(event: Confirmed) -> list[Notice]:
    replies = user_notices.confirmed(slot=_slot(event.slot, event.starts_at), purpose=event.purpose,
                                     attendant=event.attendant, office_phone=event.office_phone,
                                     site=event.site)
    return [notice(event.to, "notice.confirmed", replies, event.booking_id)]


@words(Declined)
def _declined(event: Declined) -> list[Notice]:
    replies = user_notices.declined(slot=_slot(event.slot, event.starts_at), reason=event.reason,
                                    office_phone=event.office_phone)
    return [notice(event.to, "notice.declined", replies, event.booking_id)]


@words(MarkedNoShow)
def _marked_no_show(event: MarkedNoShow) -> list[Notice]:
    replies = user_notices.no_show(slot=_slot(event.slot, event.starts_at),
                                   office_phone=event.office_phone)
    return [notice(event.to, "notice.no_show", replies, event.booking_id)]


@words(Moved)
def _moved(event: Moved) -> list[Notice]:
    replies = user_notices.moved(old_slot=_slot(event.old_slot, event.old_starts_at),
                                 new_slot=_slot(event.new_slot, event.new_starts_at),
                                 new_booking_id=event.booking_id,
                                 office_phone=event.office_phone, site=event.site)
    return [notice(event.to, "notice.moved", replies, event.booking_id)]


@words(ClosedByOffice)
def _closed(event: ClosedByOffice) -> list[Notice]:
    replies = closed_replies(booking_id=event.booking_id, starts_at=event.starts_at,
                             slots=event.slots, reason=event.reason, site_name=event.site_name,
                             office_phone=event.office_phone, options=list(event.options))
    return [notice(event.to, "notice.closed", replies, event.booking_id)]


@words(TermsPublished)
def _terms(event: TermsPublished) -> list[Notice]:
    replies = user_notices.terms_changed(version=event.version, effective=event.effective,
                                         changes=event.changes, url=event.url)
    return [notice(event.to, "notice.terms", replies)]


@words(LimitLifted)
def _limit_lifted(event: LimitLifted) -> list[Notice]:
    return [notice(event.to, "notice.limit_lifted",
                   user_notices.limit_lifted(office_phone=event.office_phone))]


@words(ReminderDue)
def _reminder(event: ReminderDue) -> list[Notice]:
    build = reminders.day_before if event.when == "day_before" else reminders.soon
    return [notice(event.to, f"reminder.{event.when}",
                   build(event.slot, office_phone=event.office_phone), event.slot.booking_id)]


@words(NoShow)
def _no_show(event: NoShow) -> list[Notice]:
    booking = event.slot.booking_id
    told: list[Notice] = []
    if event.to:
        told.append(notice(event.to, "booking.no_show", reminders.no_show(
            event.slot, count=event.count, refused=event.refused,
            office_phone=event.office_phone), booking))
    with speaking(SOURCE):  # staff read Japanese whatever the user's language
        told.append(notice(STAFF, "staff.no_show", reminders.staff_no_show(
            event.slot, masked_name=event.masked_name, count=event.count, limit=event.limit,
            refused=event.refused, console_url=event.console_url), booking))
    return told


@words(RequestExpired)
def _expired(event: RequestExpired) -> list[Notice]:
    return [notice(event.to, "booking.expired",
                   reminders.expired(event.slot, office_phone=event.office_phone),
                   event.slot.booking_id)]
