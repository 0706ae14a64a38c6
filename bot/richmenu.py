"""The rich menu: areas (nonce-less postbacks), a generated image with its labels, upload.

LINE shows one image to everybody who has the default menu, whatever language they chose in
the chat; so each area is labelled in Japanese and, under it, in English (the language most
of Hello Work's foreign users read besides their own), and a tap says both in the chat. The
answer to the tap comes in the user's own language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from dialogs.postback import Postback

WIDTH, HEIGHT = 2500, 1686
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


@dataclass(frozen=True)
class Area:
    """One tappable area of the menu."""

    label: str  # Japanese: the action's label (LINE's accessibility text) and first line
    action: str
    x: int
    y: int
    w: int
    h: int
    english: str = ""  # the second line of the image and of the text a tap shows

    @property
    def shown(self) -> str:
        """What a tap puts in the chat as the user's words: both languages (≤ 300)."""
        return f"{self.label} / {self.english}" if self.english else self.label


AREAS = (
    Area("予約する", "menu.book", 0, 0, 1250, 843, "Book"),
    Area("予約の確認・キャンセル", "menu.mine", 1250, 0, 1250, 843, "My bookings / Cancel"),
    Area("今すぐ相談", "menu.now", 0, 843, 625, 843, "Talk now"),
    Area("利用規約", "menu.terms", 625, 843, 625, 843, "Terms"),
    Area("問い合わせ", "menu.contact", 1250, 843, 625, 843, "Contact"),
    # DESIGN.md §14: named in both languages, so a user who reads no Japanese finds it.
    Area("言語 / Language", "menu.language", 1875, 843, 625, 843),
)


def rich_menu_body(name: str = "madoguchi-main") -> dict[str, Any]:
    """The Messaging API's rich menu object; rich menu postbacks carry no nonce (never expire)."""
    return {
        "size": {"width": WIDTH, "height": HEIGHT}, "selected": True, "name": name,
        "chatBarText": "メニュー",
        "areas": [{"bounds": {"x": a.x, "y": a.y, "width": a.w, "height": a.h},
                   "action": {"type": "postback", "label": a.label,
                              "data": Postback(action=a.action).encode(),
                              "displayText": a.shown}} for a in AREAS],
    }


def render_image() -> bytes:
    """A plain, high-contrast PNG with the labels (Noto Sans CJK when installed)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    for index, area in enumerate(AREAS):
        fill = "#06C755" if index == 0 else "#f2f5f3"
        ink = "#ffffff" if index == 0 else "#1a1a1a"
        draw.rectangle([area.x + 6, area.y + 6, area.x + area.w - 6, area.y + area.h - 6],
                       fill=fill, outline="#cfd8d3", width=4)
        size = 110 if len(area.label) <= 5 else 84 if len(area.label) <= 11 else 64
        lines = [(area.label, size), *([(area.english, size * 3 // 4)] if area.english else [])]
        fonts = [ImageFont.truetype(font_path, s) if font_path else ImageFont.load_default()
                 for _, s in lines]
        boxes = [draw.textbbox((0, 0), text, font=f) for (text, _), f in zip(lines, fonts,
                                                                             strict=True)]
        gap = 30
        total = sum(b[3] - b[1] for b in boxes) + gap * (len(lines) - 1)
        ty = area.y + (area.h - total) / 2
        for (text, _), font, box in zip(lines, fonts, boxes, strict=True):
            tx = area.x + (area.w - (box[2] - box[0])) / 2
            draw.text((tx, ty - box[1]), text, font=font, fill=ink)
            ty += box[3] - box[1] + gap
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


async def install(*, api_host: str, data_host: str, token: str) -> str:
    """Create the menu, upload its image and make it the default; returns the richMenuId."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30, headers=headers) as http:
        created = await http.post(f"{api_host}/v2/bot/richmenu", json=rich_menu_body())
        created.raise_for_status()
        menu_id = created.json()["richMenuId"]
        upload = await http.post(f"{data_host}/v2/bot/richmenu/{menu_id}/content",
                                 content=render_image(), headers={"Content-Type": "image/png"})
        upload.raise_for_status()
        default = await http.post(f"{api_host}/v2/bot/user/all/richmenu/{menu_id}")
        default.raise_for_status()
    return menu_id
