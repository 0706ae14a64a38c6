"""The form as a LIFF app (DESIGN.md §3, §11): LINE opens it with `liff.state`, the LIFF SDK
brings it to the link's URL, and the ID token goes with the form; LINE verifies it and the
server takes the user from its `sub`. Anything else is refused, politely, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browser import chromium
from tests.flows.conftest import LIFF_ID
from tests.flows.journeys import NAME, FormBrowser, agree, user_row
from tests.helpers import button, tap, texts

CHANNEL = LIFF_ID.split("-")[0]
WAIT = 30_000  # generous: the whole suite loads two cores
REOPEN = "LINEのトークからフォームを開き直してください"


def _to_form(app, user) -> list[dict]:
    agree(app, user)
    asked = app.send(user, text="予約する")
    return tap(app, user, tap(app, user, asked, "求職者（仕事を探している方）"), "登録しています")


def _id_token(app, user: str, **claims) -> str:
    answer = app.http.post("/emulator/api/liff/id_token", json={"user_id": user, **claims})
    answer.raise_for_status()
    return answer.json()["id_token"]


@pytest.fixture
def opened(liff_app, user) -> Iterator[tuple[FormBrowser, httpx.Response]]:
    """The user's LIFF link opened as LINE opens it, and the form liff.init leads to."""
    uri = button(_to_form(liff_app, user), "入力フォームを開く")["uri"]
    assert uri.startswith(f"https://liff.line.me/{LIFF_ID}?t=")
    browser = FormBrowser(liff_app)
    landing = browser.http.get("/emulator/liff/open", params={"user_id": user, "url": uri})
    assert landing.url.path == "/form/profile" and landing.status_code == 200
    state = parse_qs(urlsplit(str(landing.url)).query)["liff.state"][0]
    assert state == "?" + urlsplit(uri).query
    assert f'<script src="{liff_app.settings.liff_sdk_url}">' in landing.text
    # What liff.init() does on the endpoint URL: go to the secondary URL, the link's query.
    form = browser.http.get("/form/profile" + state)
    yield browser, form
    browser.close()


def test_the_liff_form_loads_the_sdk_and_saves_with_a_verified_id_token(liff_app, user, opened):
    browser, form = opened
    assert form.status_code == 200 and form.url.path == "/form/profile"
    assert 'name="id_token"' in form.text and f'"{LIFF_ID}"' in form.text
    policy = form.headers["content-security-policy"]
    assert liff_app.url in policy.split("script-src", 1)[1].split(";")[0]
    before = len(liff_app.messages(user))
    saved = browser.submit(id_token=_id_token(liff_app, user))
    assert saved.status_code == 200 and "保存しました" in saved.text
    assert user_row(liff_app, user).name == NAME
    assert "ご用件を選んでください" in texts(liff_app.messages(user)[before:])


@pytest.mark.parametrize("claims", [
    pytest.param({"user_id": "U" + "0" * 32}, id="another-users-sub"),
    pytest.param({"expires_in": -60}, id="expired"),
    pytest.param({"aud": "9999999999"}, id="another-channel"),
])
def test_an_id_token_that_is_not_the_links_user_is_refused_and_nothing_saved(
        liff_app, user, opened, claims):
    browser, _ = opened
    claims = dict(claims)
    token = _id_token(liff_app, claims.pop("user_id", user), **claims)
    refused = browser.submit(id_token=token)
    assert refused.status_code == 403 and REOPEN in refused.text
    assert "ご本人の確認ができなかった" in refused.text and "保存していません" in refused.text
    assert user_row(liff_app, user).phone is None
    # The link itself is still good: the genuine token from the same browser goes through.
    assert browser.submit(id_token=_id_token(liff_app, user)).status_code == 200


@pytest.mark.parametrize("token", ["", "not.a.token", "x" * 5000])
def test_without_a_verified_id_token_a_liff_form_saves_nothing(liff_app, user, opened, token):
    browser, _ = opened
    refused = browser.submit(id_token=token)
    assert refused.status_code == 403 and REOPEN in refused.text
    assert user_row(liff_app, user).phone is None


def test_a_forged_signature_is_refused_by_the_verify_endpoint(liff_app, user):
    head, body, _ = _id_token(liff_app, user).split(".")
    answer = liff_app.http.post("/emulator/line/oauth2/v2.1/verify",
                                data={"id_token": f"{head}.{body}.AAAA", "client_id": CHANNEL})
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request",
                             "error_description": "Invalid IdToken Signature."}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module, found by tests/browser.py (fails, never skips)."""
    with chromium() as launched:
        yield launched


def test_in_chromium_the_liff_link_opens_the_form_and_the_chat_goes_on(liff_app, user, browser):
    page = browser.new_page(viewport={"width": 420, "height": 860}, locale="ja-JP")  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    try:
        page.goto(f"{liff_app.url}/emulator/chat?user_id={user}")
        page.click("#follow")
        page.get_by_role("button", name="同意する", exact=True).last.click(timeout=WAIT)
        page.locator(".log").get_by_text("同意を記録しました").last.wait_for(timeout=WAIT)
        page.fill("#text", "予約する")
        page.press("#text", "Enter")
        for label in ("求職者（仕事を探している方）", "登録しています", "入力フォームを開く"):
            page.get_by_role("button", name=label, exact=True).last.click(timeout=WAIT)

        form = page.frame_locator("#overlay-frame")
        form.locator("input[name=name]").fill("見本 花子", timeout=WAIT)
        form.locator("input[name=number]").fill("02040-00001234")
        form.locator("input[name=phone]").fill("090-1111-2222")
        # Enabled once liff.init is done.
        form.locator("button[type=submit]:enabled").click(timeout=WAIT)
        form.get_by_text("保存しました").first.wait_for(timeout=WAIT)
        form.get_by_role("button", name="トークに戻る").click(timeout=WAIT)  # liff.closeWindow()
        page.locator("#overlay").wait_for(state="hidden", timeout=WAIT)
        page.locator(".log").get_by_text("ご用件を選んでください").last.wait_for(timeout=WAIT)
    finally:
        page.close()

    assert errors == []
    assert any("liff.state=" in url for url in visited)  # the LIFF round trip happened
    row = user_row(liff_app, user)
    assert (row.name, row.phone) == ("見本 花子", "+819011112222")
