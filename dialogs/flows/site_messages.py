"""Wording of the site choice and of the place named in every message about a booking."""

from __future__ import annotations

from booking.sites import Site, hours_text

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


def site_hint(sites: list[Site]) -> str:
    """Re-asked after typing that names no site: the reason and the choices."""
    names = "、".join(site.name for site in sites)
    return f"相談ブースの場所を、下のボタンから選んでください（{names}）。"


def site_card_lines(site: Site, usual: bool) -> list[str]:
    """A site in the carousel: address, hours, and whether the user went there last time."""
    lines = [f"住所：{site.address}"] if site.address else []
    lines.append(f"受付：{hours_text(site)}")
    if usual:
        lines.append(USUAL)
    return lines


def place_line(site: Site) -> str:
    """The place in one line, for summaries and notices: 場所：〇〇町役場 2階 相談室（住所）."""
    return f"場所：{site.name}（{site.address}）" if site.address else f"場所：{site.name}"


def place_lines(site: Site, *, notes: bool = False) -> list[str]:
    """The place with its map link (and, the day before, how to get there)."""
    lines = [place_line(site)]
    if site.map_url:
        lines.append(f"地図：{site.map_url}")
    if notes and site.access_notes:
        lines.append(f"行き方：{site.access_notes}")
    return lines
