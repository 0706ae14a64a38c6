"""What users are pushed when staff act on their booking or publish new terms (neutral replies)."""

from __future__ import annotations

import sys
from datetime import date

from booking.sites import Site
from dialogs.flows.labels import ATTENDANT_NAMES as ATTENDANTS  # noqa: F401 (read through t)
from dialogs.flows.labels import BOOTH_RULES, RULES_TITLE, short_purpose  # noqa: F401
from dialogs.flows.site_messages import MAP, place_line
from dialogs.i18n import SOURCE, active, messages, tr
from dialogs.notify.reminders import NO_SHOW_CONTACT
from dialogs.notify.reminders import NO_SHOW_TEXT as NO_SHOW_FACT
from dialogs.postback import Postback
from dialogs.replies import Card, Choice, Link, Reply, Text

# the menu keyword: the user's bookings, each with a cancel button
MY_BOOKINGS = "予約の確認・キャンセル"

CONFIRMED_TITLE = "ご予約が確定しました"
CONFIRMED_INTRO = "オンライン相談ブースのご予約を確定しました。当日はお時間までにお越しください。"
RULES = BOOTH_RULES
REMINDER_NOTE = "前日にもあらためてお知らせします。"
CANCEL_NOTE = (
    "ご都合が悪くなった場合は、下のボタンから取り消すか、"
    "お電話（{phone}）でご連絡ください。"
)
CANCEL_LABEL = "予約の確認・取消"
ATTENDANT_LINE = "同席：{who}（お知らせいただいた方のみ）"

MOVED_TITLE = "予約時間の変更のお願い"
MOVED_TEXT = (
    "申し訳ありません。窓口の都合により、ご予約の時間を次のとおり変更させていただけますでしょうか。\n"
    "変更前：{old}\n変更後：{new}\n"
    "この時間でよろしければ「この時間で受ける」を、ご都合が悪ければ「取り消す」を選んでください。"
    "ご相談はお電話（{phone}）でも承ります。"
)
ACCEPT_MOVE = "この時間で受ける"
REFUSE_MOVE = "取り消す"

DECLINED_TEXT = (
    "申し訳ありません。{slot}のご予約の申込みは、お受けすることができませんでした。\n"
    "理由：{reason}\n"
    "ご不明な点は、お電話（{phone}）でお問い合わせください。"
)
NO_SHOW_TEXT = (NO_SHOW_FACT + "\n"
                "このようなことが続くと、今後のご利用をお断りすることがあります。"
                + NO_SHOW_CONTACT)
TERMS_TEXT = (
    "利用規約を改定します（{version}版、{effective}から適用）。\n"
    "主な変更点：\n{changes}\n"
    "適用日以降に予約や「今すぐ相談」をご利用の際は、新しい規約への同意をお願いします。"
)
LIMIT_LIFTED_TEXT = (
    "ご予約のお申し込みを、再びお受けできるようになりました。「予約する」からお申し込みください。\n"
    "ご都合が悪くなった場合は、必ず事前に取り消すか、お電話（{phone}）でご連絡ください。"
)
BOOK_LABEL = "予約する"  # the main menu keyword that starts a booking
TERMS_LINK = "新しい規約を読む"
TERMS_LINK_TEXT = "改定後の利用規約の全文です。"
SEE_FULL_TEXT = "全文をご確認ください。"
PURPOSE_LINE = "内容：{purpose}"


purpose_label = short_purpose

# What users read, in their language (the notifier speaks it).
t = messages(sys.modules[__name__])


def confirmed(*, slot: str, purpose: str, attendant: str, office_phone: str,
              site: Site | None = None) -> list[Reply]:
    """The booking is confirmed: when, where (with the map), what, the art. 11(2)(3) rules,
    and a way to cancel."""
    lines = [slot, *([place_line(site)] if site else []),
             t.PURPOSE_LINE.format(purpose=purpose_label(purpose))]
    if attendant in t.ATTENDANTS:
        lines.append(t.ATTENDANT_LINE.format(who=t.ATTENDANTS[attendant]))
    buttons = [Choice(label=t.CANCEL_LABEL, text=t.MY_BOOKINGS)]
    if site and site.map_url:
        buttons.insert(0, Choice(label=tr(MAP), url=site.map_url, style="link"))
    card = Card(title=t.CONFIRMED_TITLE, lines=lines, alt=f"{t.CONFIRMED_TITLE}：{slot}",
                buttons=buttons)
    rules = "\n".join([t.RULES_TITLE, *t.RULES, t.REMINDER_NOTE,
                       t.CANCEL_NOTE.format(phone=office_phone)])
    return [Text(text=t.CONFIRMED_INTRO), card, Text(text=rules)]


def moved(*, old_slot: str, new_slot: str, new_booking_id: str, office_phone: str,
          site: Site | None = None) -> list[Reply]:
    """Staff propose another time (at `site`); the user accepts or cancels (buttons that never
    expire)."""
    accept = Postback(action="booking.accept_move", value=new_booking_id).encode()
    refuse = Postback(action="booking.refuse_move", value=new_booking_id).encode()
    text = t.MOVED_TEXT.format(old=old_slot, new=new_slot, phone=office_phone)
    lines = [text, *([place_line(site)] if site else [])]
    return [Card(title=t.MOVED_TITLE, lines=lines, alt=f"{t.MOVED_TITLE}：{new_slot}", buttons=[
        Choice(label=t.ACCEPT_MOVE, data=accept, style="primary"),
        Choice(label=t.REFUSE_MOVE, data=refuse)])]


def declined(*, slot: str, reason: str, office_phone: str) -> list[Reply]:
    """The request is declined, with the reason and the office phone."""
    return [Text(text=t.DECLINED_TEXT.format(slot=slot, reason=reason, phone=office_phone))]


def no_show(*, slot: str, office_phone: str) -> list[Reply]:
    """Deemed cancelled ten minutes after the start without contact (art. 5(4))."""
    return [Text(text=t.NO_SHOW_TEXT.format(slot=slot, phone=office_phone))]


def limit_lifted(*, office_phone: str) -> list[Reply]:
    """Staff lifted the refusal after repeated no-shows (art. 5(4)): the user may book again."""
    return [Text(text=t.LIMIT_LIFTED_TEXT.format(phone=office_phone),
                 choices=[Choice(label=t.BOOK_LABEL, text=t.BOOK_LABEL)])]


def terms_changed(*, version: str, effective: str, changes: str, url: str) -> list[Reply]:
    """New terms are announced with their effective date (art. 12); consent is asked later.
    `effective` is an ISO date, shown in the reader's language with its weekday; the link
    opens the reference translation beside the binding Japanese text."""
    words = active()
    try:
        shown = words.full_day(date.fromisoformat(effective))
    except ValueError:  # already worded (an event queued before the date was ISO)
        shown = effective
    if words.code != SOURCE:
        url = f"{url}?lang={words.code}"
    text = t.TERMS_TEXT.format(version=version, effective=shown,
                               changes=changes or t.SEE_FULL_TEXT)
    return [Text(text=text), Link(text=t.TERMS_LINK_TEXT, label=t.TERMS_LINK, url=url)]
