"""The installed rich menu, tapped as the emulator's chat page taps it: each area starts its flow.

`as_the_page_sends` is the chat page's `doAction` (emulator/static/chat.html) in Python; the
browser test checks it against the request the page really posts, area by area, while it reads
the bot's answers off the page.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bot.richmenu import AREAS, install
from dialogs.flows import consent_messages as consent
from dialogs.flows import immediate_messages as now
from dialogs.flows import mybookings_messages as mine
from dialogs.flows import profile_messages as profile
from tests.browser import chromium
from tests.helpers import tap, texts

WAIT_MS = 10_000
TERMS_VERSION = "2024-10-01"

# What a user who has agreed to the terms sees after tapping each area (any one will do).
ANSWERS: dict[str, tuple[str, ...]] = {
    "予約する": (profile.ASK_ROLE,),  # the booking flow's first question for a new user
    "予約の確認・キャンセル": (mine.NONE,),
    # Whether a booth is free now depends on the shared app's office; each is 今すぐ相談's answer.
    "今すぐ相談": (now.DISABLED, now.BUSY, now.CLOSED.split("（")[0], now.ALREADY,
                   now.AVAILABLE.split("（")[0]),
    "利用規約": (consent.ALREADY.split("（")[0] + f"（{TERMS_VERSION}版）には",),
    "問い合わせ": ("お問い合わせ", "0173-00-0000"),
    "言語 / Language": ("ご希望の言語を選んでください。",),
}
ALL_OF = {"問い合わせ"}  # the contact card must show both its title and the phone


def as_the_page_sends(action: dict[str, Any]) -> dict[str, Any] | None:
    """The body chat.html's doAction posts to /emulator/api/send (without user_id); None for an
    action that sends nothing (uri opens a link in the overlay)."""
    match action["type"]:
        case "message":
            return {"text": action["text"]}
        case "postback":
            shown = action.get("displayText") or action.get("text")
            return {"postback": action["data"], "display_text": shown or None}
        case "richmenuswitch":
            return {"postback": action["data"],
                    "params": {"newRichMenuAliasId": action["richMenuAliasId"]}}
        case "uri":
            return None
    raise AssertionError(f"the chat page has no rich-menu handling for {action['type']!r}")


def shown_as_expected(label: str, shown: str) -> bool:
    wanted = ANSWERS[label]
    return all(w in shown for w in wanted) if label in ALL_OF else any(w in shown for w in wanted)


def installed_menu(live: Any, user: str) -> dict[str, Any]:
    """Install the bot's menu through the Messaging API; return it as the chat page reads it."""
    host = live.services.line_host
    live.call(install(api_host=host, data_host=host,
                      token=live.settings.line_channel_access_token))
    response = live.http.get("/emulator/api/richmenu", params={"user_id": user})
    response.raise_for_status()
    menu: dict[str, Any] = response.json()["richMenu"]
    labels = [area["action"]["label"] for area in menu["areas"]]
    assert labels == [a.label for a in AREAS]
    assert set(labels) == set(ANSWERS), "every area of the menu needs an expected answer"
    return menu


def page_send(live: Any, user: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = live.http.post("/emulator/api/send", json={**body, "user_id": user})
    response.raise_for_status()
    assert response.json()["webhook_status"] == 200
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def test_each_area_as_the_page_posts_it_starts_its_flow(live, user):
    menu = installed_menu(live, user)
    by_label = {area["action"]["label"]: area["action"] for area in menu["areas"]}
    follow = live.send(user, event="follow")
    assert consent.ASK in texts(follow)

    # Before consenting, 予約する asks for it again; agreeing goes on to the booking flow.
    book = as_the_page_sends(by_label["予約する"])
    assert book is not None
    gate = page_send(live, user, book)
    assert consent.ASK in texts(gate) and consent.AGREE in texts(gate)
    agreed = tap(live, user, gate, consent.AGREE)
    assert "同意を記録しました" in texts(agreed)
    assert profile.ASK_ROLE in texts(agreed)

    # Then every area, tapped one after another mid-flow as a user would.
    for area in menu["areas"]:
        label = area["action"]["label"]
        body = as_the_page_sends(area["action"])
        assert body is not None, f"{label}: a rich-menu area that sends nothing"
        shown = texts(page_send(live, user, body))
        assert shown_as_expected(label, shown), f"{label} answered: {shown!r}"

    transcript = live.http.get("/emulator/api/transcript", params={"user_id": user}).json()
    said = [entry.get("displayText") for entry in transcript["entries"]
            if entry["from"] == "user" and entry.get("type") == "postback"]
    assert said[-len(AREAS):] == [a.shown for a in AREAS]  # the bubbles the user sees


NEW_ROWS_TEXT = """([from, kind]) => Array.from(document.querySelectorAll('#log > *'))
    .slice(from).filter(node => node.matches('.row.' + kind))
    .map(node => node.innerText).join('\\n')"""

SHOWN = """([from, wanted, all]) => {
    const rows = Array.from(document.querySelectorAll('#log > *')).slice(from);
    const text = rows.filter(n => n.matches('.row.bot')).map(n => n.innerText).join('\\n');
    return all ? wanted.every(w => text.includes(w)) : wanted.some(w => text.includes(w));
}"""


def test_tapping_each_area_on_the_chat_page_shows_its_flows_answer(live, user):
    menu = installed_menu(live, user)
    areas = menu["areas"]
    width, height = menu["size"]["width"], menu["size"]["height"]
    posted: list[dict[str, Any]] = []
    errors: list[str] = []

    def record(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/emulator/api/send"):
            posted.append(json.loads(request.post_data))

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 420, "height": 900})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", record)
        page.goto(f"{live.url}/emulator/chat?user_id={user}")
        page.locator(".rm-area").nth(len(areas) - 1).wait_for(timeout=WAIT_MS)
        assert page.locator(".rm-area").count() == len(areas)
        page.click("#follow")
        page.wait_for_selector(f".row.bot >> text={consent.ASK}", timeout=WAIT_MS)

        def tap_area(index: int) -> tuple[int, str]:
            """Click the middle of area `index` of the menu as laid out on the page."""
            area = areas[index]
            label, bounds = area["action"]["label"], area["bounds"]
            menu_box = page.locator("#richmenu")
            menu_box.scroll_into_view_if_needed()
            box = menu_box.bounding_box()
            assert box is not None, "the rich menu is not shown"
            x = box["x"] + box["width"] * (bounds["x"] + bounds["width"] / 2) / width
            y = box["y"] + box["height"] * (bounds["y"] + bounds["height"] / 2) / height
            under = page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y).getAttribute('aria-label')", [x, y])
            assert under == label, f"the middle of {label} is covered by {under!r}"
            before = page.locator("#log > *").count()
            sent = len(posted)
            page.mouse.click(x, y)
            return before, sent

        def wait_shown(before: int, wanted: list[str], every: bool, what: str) -> None:
            """Wait for the bot's rows after `before` to show `wanted`; say what they showed."""
            try:
                page.wait_for_function(SHOWN, arg=[before, wanted, every], timeout=WAIT_MS)
            except PlaywrightTimeout:
                shown = page.evaluate(NEW_ROWS_TEXT, [before, "bot"])
                raise AssertionError(f"{what}: the page showed {shown!r}, not {wanted}") from None

        def check_sent(index: int, sent: int) -> None:
            action = areas[index]["action"]
            assert posted[sent:] == [{**(as_the_page_sends(action) or {}), "user_id": user}]

        # Before consenting, 予約する asks for it (shown again); agreeing starts the booking flow.
        book = next(i for i, a in enumerate(areas) if a["action"]["label"] == "予約する")
        before, sent = tap_area(book)
        wait_shown(before, [consent.ASK], True, "予約する before consenting")
        check_sent(book, sent)
        assert "予約する" in page.evaluate(NEW_ROWS_TEXT, [before, "user"])
        before = page.locator("#log > *").count()
        page.click(f".chip >> text={consent.AGREE}", timeout=WAIT_MS)
        wait_shown(before, ["同意を記録しました", profile.ASK_ROLE], True, consent.AGREE)

        for index, area in enumerate(areas):
            label = area["action"]["label"]
            before, sent = tap_area(index)
            wait_shown(before, list(ANSWERS[label]), label in ALL_OF, label)
            check_sent(index, sent)
            # The user's own bubble says what was tapped, as in LINE.
            assert label in page.evaluate(NEW_ROWS_TEXT, [before, "user"])

    assert errors == []
