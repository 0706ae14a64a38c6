"""Wording of the site choice and of the place named in every message about a booking.

The constants are catalog sources (DESIGN.md §14): the helpers below word them in the language
active for the step or push. A site's name, address and access notes are the office's own
words and stay as staff typed them.
"""

from __future__ import annotations

from datetime import time

from babel.dates import get_day_names

from booking.sites import Site, hours_text
from dialogs.i18n import _, active, format_clock

ASK_SITE = "ご利用になる相談ブースの場所を選んでください。"
SITE_ALT = "相談ブースの場所の一覧"
PICK_SITE = "この場所で予約"
MAP = "地図を見る"
USUAL = "前回ご利用の場所"
NO_DAYS_AT_SITE = (
    "この場所で近日中にご予約いただける日はありません。"
    "別の日をカレンダーから選ぶか、「戻る」で場所を選び直してください。"
    "ご不明な点はお電話（{phone}）でお問い合わせください。"
)
SITE_GONE = "選ばれた場所は現在ご利用いただけません。もう一度、場所を選んでください。"
SITE_HINT = "相談ブースの場所を、下のボタンから選んでください（{names}）。"
ADDRESS_LINE = "住所：{address}"
HOURS_LINE = "受付：{hours}"
NO_HOURS = "開所日なし"
PLACE_LINE = "場所：{name}（{address}）"
PLACE_NAME_LINE = "場所：{name}"
MAP_LINE = "地図：{url}"
ACCESS_LINE = "行き方：{notes}"


def site_hint(sites: list[Site]) -> str:
    """Re-asked after typing that names no site: the reason and the choices."""
    return _(SITE_HINT).format(names="、".join(site.name for site in sites))


def site_hours(site: Site) -> str:
    """The weekly hours in the active language, days of equal hours grouped: 火・木 10:00〜15:00
    / Tue/Thu 10:00 AM – 3:00 PM."""
    words = active()
    if words.language.locale == "ja":
        return hours_text(site)
    if not site.hours:
        return _(NO_HOURS)
    days = get_day_names("abbreviated", locale=words.language.locale)
    groups: dict[tuple[time, time], list[int]] = {}
    for hours in sorted(site.hours, key=lambda h: h.weekday):
        groups.setdefault((hours.opens, hours.closes), []).append(hours.weekday)
    return ", ".join(f"{'/'.join(days[d] for d in group)} {format_clock(opens)} – "
                     f"{format_clock(closes)}" for (opens, closes), group in groups.items())


def site_card_lines(site: Site, usual: bool) -> list[str]:
    """A site in the carousel: address, hours, and whether the user went there last time."""
    lines = [_(ADDRESS_LINE).format(address=site.address)] if site.address else []
    lines.append(_(HOURS_LINE).format(hours=site_hours(site)))
    if usual:
        lines.append(_(USUAL))
    return lines


def place_line(site: Site) -> str:
    """The place in one line, for summaries and notices: 場所：〇〇町役場 2階 相談室（住所）."""
    if site.address:
        return _(PLACE_LINE).format(name=site.name, address=site.address)
    return _(PLACE_NAME_LINE).format(name=site.name)


def place_lines(site: Site, *, notes: bool = False) -> list[str]:
    """The place with its map link (and, the day before, how to get there)."""
    lines = [place_line(site)]
    if site.map_url:
        lines.append(_(MAP_LINE).format(url=site.map_url))
    if notes and site.access_notes:
        lines.append(_(ACCESS_LINE).format(notes=site.access_notes))
    return lines
