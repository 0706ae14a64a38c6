"""What the worker pushes: reminders, no-show and expiry notices, and the staff alerts it raises.

Neutral replies only; the worker's sweeps decide when, this module says what (polite, short).
Buttons here never expire: they are pushed long after any conversation step, so they carry no
nonce and route to registry entries ("booking.cancel" is the user flows' cancel entry).
"""

from __future__ import annotations

import sys
from datetime import datetime

from booking import to_jst
from dialogs.events import SlotFacts
from dialogs.flows.labels import (
    ATTENDANTS,  # noqa: F401 (read through t)
    BOOTH_RULES,
    RULES_TITLE,
    short_purpose,
)
from dialogs.flows.site_messages import MAP, place_line, place_lines
from dialogs.i18n import format_clock, format_span, messages, tr
from dialogs.postback import Postback
from dialogs.replies import Card, Choice, Reply, Text

CANCEL_ACTION = "booking.cancel"  # the user flows' entry: cancel the booking whose id is the value
REBOOK_TEXT = "予約する"  # the main menu keyword that starts a new booking

# --- to users -------------------------------------------------------------------------------
DAY_BEFORE_TITLE = "明日はご予約の日です"
DAY_BEFORE_ALT = "明日のご予約のお知らせ：{slot}"
SOON_TITLE = "まもなくご予約の時間です"
SOON_ALT = "まもなくご予約の時間です：{slot}"
SOON_INTRO = "{start}からオンライン相談ブースをご予約いただいています。お時間までにお越しください。"
SLOT_LINE = "日時：{slot}"
PURPOSE_LINE = "内容：{purpose}"
ATTENDANT_LINE = "{who}（お申込みのときにお知らせいただいたとおり）"
# Terms art. 11(2)(3), repeated in every reminder.
RULES = (RULES_TITLE, *BOOTH_RULES)
LATE_RULE = "開始時刻から10分を過ぎてもご連絡がない場合は、キャンセル扱いとなります。"
CANCEL_NOTE = (
    "ご都合が悪くなった場合は、下のボタンから取り消すか、"
    "お電話（{phone}）でご連絡ください。"
)
CANCEL_LABEL = "予約を取り消す"

NO_SHOW_TEXT = (
    "{slot}のご予約は、開始時刻から10分を過ぎてもご連絡がなかったため、"
    "キャンセル扱いとなりました（利用規約第5条第4項）。"
)
NO_SHOW_WARNING = "このようなことが続くと、今後のご予約をお断りすることがあります。"
NO_SHOW_REFUSED = (
    "連絡のないキャンセルが{count}回となったため、今後のご予約はお受けできなくなりました。"
    "ご利用の再開については、お電話でご相談ください。"
)
NO_SHOW_CONTACT = "ご事情がある場合は、お電話（{phone}）でご連絡ください。"

EXPIRED_TITLE = "お申込みを確定できませんでした"
EXPIRED_TEXT = (
    "{slot}のご予約の申込みは、前日の受付時間内に確定できなかったため、取り消しとなりました。"
    "申し訳ありません。"
)
EXPIRED_AGAIN = "別の日時でよろしければ、あらためてお申し込みください。"
EXPIRED_CONTACT = "お急ぎの場合は、お電話（{phone}）でもご相談いただけます。"
REBOOK_LABEL = "予約する"

# --- to staff -------------------------------------------------------------------------------
CONSOLE_LABEL = "管理画面を開く"
STAFF_NO_SHOW_TITLE = "【連絡のないキャンセル（不参加）】"
STAFF_NO_SHOW_LINES = (
    "{slot}",
    "利用者：{name}（{purpose}）",
    "開始10分後までに受付がなかったため、不参加として記録し、利用者に通知しました。",
    "この利用者の不参加：{count}回（上限{limit}回）",
)
STAFF_NO_SHOW_REFUSED = (
    "上限に達したため、今後の予約はお断りする状態です。"
    "解除は管理画面から行えます。"
)

STAFF_DEADLINE_TITLE = "【未確定の申込み】"
STAFF_DEADLINE_INTRO = "受付締切（{cutoff}）を過ぎても未確定の申込みが{count}件あります。"
STAFF_DEADLINE_LINE = "・{slot} {name}（{purpose}）"
STAFF_DEADLINE_MORE = "ほか{count}件"
STAFF_DEADLINE_NOTE = (
    "本日の受付時間終了（17:00）までに"
    "確定されない申込みは取り消され、利用者に通知されます。"
)
DEADLINE_LINES_MAX = 8

STAFF_FAILED_TITLE = "【LINEでの通知を送れませんでした】"
STAFF_FAILED_LINES = (
    "種類：{kind}",
    "{booking}",
    "LINEでは届かないため、お電話など別の方法でご連絡ください。",
)
STAFF_FAILED_BOOKING = "対象の予約：{slot} {name}"
STAFF_FAILED_NO_BOOKING = "対象の予約：なし"
KIND_LABELS = {
    "reminder.day_before": "前日のお知らせ",
    "reminder.soon": "開始前のお知らせ",
    "booking.no_show": "不参加の通知",
    "booking.expired": "申込み取り消しの通知",
    "booking.confirmed": "予約確定の通知",
    "booking.declined": "お断りの通知",
    "booking.moved": "時間変更のお願い",
    "booking.cancelled": "取り消しの通知",
    "terms.changed": "利用規約改定のお知らせ",
}
KIND_OTHER = "お知らせ"
NAME_UNKNOWN = "（氏名未登録）"


purpose_label = short_purpose
# What users read, in their language (the notifier speaks it); staff alerts stay Japanese.
t = messages(sys.modules[__name__])


def slot_text(starts_at: datetime, ends_at: datetime) -> str:
    """"12月3日(木) 10:00〜10:30", stretched to the end of a group of consecutive slots."""
    return format_span(starts_at, ends_at)


def _cancel_button(booking_id: str) -> Choice:
    data = Postback(action=CANCEL_ACTION, value=booking_id).encode()
    return Choice(label=t.CANCEL_LABEL, data=data, display=t.CANCEL_LABEL)


def _slot_lines(slot: SlotFacts, *, directions: bool = False) -> list[str]:
    """When, where (the day before: with the map link and how to get there), what."""
    lines = [t.SLOT_LINE.format(slot=slot_text(slot.starts_at, slot.ends_at))]
    if slot.site is not None:
        lines += (place_lines(slot.site, notes=True) if directions
                  else [place_line(slot.site)])
    lines.append(t.PURPOSE_LINE.format(purpose=purpose_label(slot.purpose)))
    if slot.attendant != "none" and slot.attendant in t.ATTENDANTS:
        lines.append(t.ATTENDANT_LINE.format(who=t.ATTENDANTS[slot.attendant]))
    return lines


def _rules(office_phone: str) -> Text:
    return Text(text="\n".join([*t.RULES, t.LATE_RULE, t.CANCEL_NOTE.format(phone=office_phone)]))


def day_before(slot: SlotFacts, *, office_phone: str) -> list[Reply]:
    """The evening before: when, what, the art. 11(2)(3) rules and a cancel button."""
    text = slot_text(slot.starts_at, slot.ends_at)
    buttons = [_cancel_button(slot.booking_id)]
    if slot.site is not None and slot.site.map_url:
        buttons.insert(0, Choice(label=tr(MAP), url=slot.site.map_url, style="link"))
    card = Card(title=t.DAY_BEFORE_TITLE, lines=_slot_lines(slot, directions=True),
                alt=t.DAY_BEFORE_ALT.format(slot=text), buttons=buttons)
    return [card, _rules(office_phone)]


def soon(slot: SlotFacts, *, office_phone: str) -> list[Reply]:
    """Half an hour before: the same facts, shorter, with the rules and a cancel button."""
    text = slot_text(slot.starts_at, slot.ends_at)
    intro = t.SOON_INTRO.format(start=format_clock(to_jst(slot.starts_at).time()))
    card = Card(title=t.SOON_TITLE, lines=[intro, *_slot_lines(slot)],
                alt=t.SOON_ALT.format(slot=text), buttons=[_cancel_button(slot.booking_id)])
    return [card, _rules(office_phone)]


def no_show(slot: SlotFacts, *, count: int, refused: bool, office_phone: str) -> list[Reply]:
    """Deemed cancelled at start + 10 minutes (art. 5(4)); says so if bookings are now refused."""
    parts = [t.NO_SHOW_TEXT.format(slot=slot_text(slot.starts_at, slot.ends_at)),
             t.NO_SHOW_REFUSED.format(count=count) if refused else t.NO_SHOW_WARNING,
             t.NO_SHOW_CONTACT.format(phone=office_phone)]
    return [Text(text="\n".join(parts))]


def expired(slot: SlotFacts, *, office_phone: str) -> list[Reply]:
    """A request nobody could confirm in time: say so kindly and offer to book again."""
    text = slot_text(slot.starts_at, slot.ends_at)
    lines = [t.EXPIRED_TEXT.format(slot=text), t.EXPIRED_AGAIN,
             t.EXPIRED_CONTACT.format(phone=office_phone)]
    return [Card(title=t.EXPIRED_TITLE, lines=lines, alt=f"{t.EXPIRED_TITLE}：{text}",
                 buttons=[Choice(label=t.REBOOK_LABEL, text=t.REBOOK_TEXT, style="primary")])]


def _console(url: str) -> list[Choice]:
    return [Choice(label=CONSOLE_LABEL, url=url)] if url else []


def staff_no_show(slot: SlotFacts, *, masked_name: str | None, count: int, limit: int,
                  refused: bool, console_url: str) -> list[Reply]:
    """Tell staff a session was deemed cancelled, and whether the user is now refused."""
    values = {"slot": slot_text(slot.starts_at, slot.ends_at), "name": masked_name or NAME_UNKNOWN,
              "purpose": purpose_label(slot.purpose), "count": count, "limit": limit}
    lines = [line.format(**values) for line in STAFF_NO_SHOW_LINES]
    if refused:
        lines.append(STAFF_NO_SHOW_REFUSED)
    return [Card(title=STAFF_NO_SHOW_TITLE, lines=lines,
                 alt=f"{STAFF_NO_SHOW_TITLE}{values['slot']}",
                 buttons=_console(console_url))]


def staff_deadline(items: list[tuple[SlotFacts, str | None]], *, cutoff_hour: int,
                   console_url: str) -> list[Reply]:
    """One alert listing the requests still unconfirmed at the cut-off (masked names)."""
    lines = [STAFF_DEADLINE_INTRO.format(cutoff=f"{cutoff_hour}:00", count=len(items))]
    for slot, name in items[:DEADLINE_LINES_MAX]:
        lines.append(STAFF_DEADLINE_LINE.format(slot=slot_text(slot.starts_at, slot.ends_at),
                                                name=name or NAME_UNKNOWN,
                                                purpose=purpose_label(slot.purpose)))
    if len(items) > DEADLINE_LINES_MAX:
        lines.append(STAFF_DEADLINE_MORE.format(count=len(items) - DEADLINE_LINES_MAX))
    lines.append(STAFF_DEADLINE_NOTE)
    return [Card(title=STAFF_DEADLINE_TITLE, lines=lines, alt=lines[0],
                 buttons=_console(console_url))]


def staff_push_failed(*, kind: str, slot: SlotFacts | None, masked_name: str | None,
                      console_url: str) -> list[Reply]:
    """A push LINE refused for good: staff must reach the user another way."""
    booking = STAFF_FAILED_NO_BOOKING if slot is None else STAFF_FAILED_BOOKING.format(
        slot=slot_text(slot.starts_at, slot.ends_at), name=masked_name or NAME_UNKNOWN)
    lines = [line.format(kind=KIND_LABELS.get(kind, KIND_OTHER), booking=booking)
             for line in STAFF_FAILED_LINES]
    return [Card(title=STAFF_FAILED_TITLE, lines=lines, alt=STAFF_FAILED_TITLE,
                 buttons=_console(console_url))]
