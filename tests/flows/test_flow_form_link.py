"""The form link bound to one browser, one live link per user, and a saved profile that is only
ever shown masked (DESIGN.md §3): the URL token becomes a cookie on first open, another browser
gets a polite page, a newer link retires the older, and blank fields keep what was saved."""

from __future__ import annotations

import re

import httpx
from starlette.responses import Response

from storage.forms import Binding
from tests import loopback
from tests.flows.journeys import (
    NAME,
    NUMBER,
    FormBrowser,
    agree,
    form_token,
    make_user,
    open_form,
    submit_form,
    user_row,
)
from tests.helpers import tap
from web.profile_form import set_cookie

OTHER_BROWSER = "このリンクはすでに別のブラウザで開かれています。"
# A profile none of the page's examples happen to contain.
SAVED = {"name": "津軽 花子", "number": "02040-87654321", "phone": "+818022223333"}


def _to_form(live, user):
    agree(live, user)
    asked = live.send(user, text="予約する")
    return tap(live, user, tap(live, user, asked, "求職者（仕事を探している方）"), "登録しています")


def _change_form(live, user):
    """A user with SAVED on file asks to change it: the message with the form link."""
    make_user(live, user, **SAVED)
    check = live.send(user, text="予約する")
    return tap(live, user, check, "登録内容を変更する")


def _browser(live) -> httpx.Client:
    """A browser that shows each redirect instead of following it."""
    return loopback.client(base_url=live.url, timeout=15)


def test_the_first_open_swaps_the_token_for_a_strict_cookie_and_a_url_without_it(live, user):
    token = form_token(_to_form(live, user))
    with _browser(live) as browser:
        first = browser.get("/form/profile", params={"t": token, "u": "1"})
        assert first.status_code == 303 and first.headers["location"] == "/form/profile?u=1"
        cookie = first.headers["set-cookie"]
        for flag in ("HttpOnly", "SameSite=strict", "Path=/form", "Max-Age=900"):
            assert flag.lower() in cookie.lower(), cookie
        assert "secure" not in cookie.lower()  # plain-http test app; Secure in production
        assert token not in cookie
        page = browser.get(first.headers["location"])
        assert page.status_code == 200 and token not in page.text
        assert 'name="unregistered" value="1" checked' in page.text


def test_the_cookie_is_secure_when_the_app_says_so():
    response = Response()
    set_cookie(response, Binding(secret="s", seconds_left=60), secure=True)
    assert "secure" in response.headers["set-cookie"].lower()


def test_the_same_link_in_another_browser_gets_a_polite_page_and_saves_nothing(live, user):
    token = form_token(_to_form(live, user))
    mine = FormBrowser(live)
    assert mine.open(token).status_code == 200
    theirs = FormBrowser(live)
    try:
        refused = theirs.open(token)
        assert refused.status_code == 403 and OTHER_BROWSER in refused.text
        assert "LINEのトーク" in refused.text and "お電話" in refused.text
        assert "set-cookie" not in refused.headers and not theirs.http.cookies
        assert theirs.submit().status_code == 410
        assert user_row(live, user).phone is None
        # The browser that opened it first still can.
        assert mine.submit().status_code == 200
    finally:
        mine.close()
        theirs.close()


def test_the_same_browser_can_open_the_link_again_and_reload(live, user):
    token = form_token(_to_form(live, user))
    with _browser(live) as browser:
        browser.get("/form/profile", params={"t": token})
        again = browser.get("/form/profile", params={"t": token})
        assert again.status_code == 303 and "set-cookie" not in again.headers
        for _ in range(2):
            assert browser.get("/form/profile").status_code == 200


def test_a_newer_link_retires_the_older_one(live, user):
    older = form_token(_to_form(live, user))
    opened = FormBrowser(live)
    unopened = FormBrowser(live)
    try:
        assert opened.open(older).status_code == 200
        newer = live.call(live.services.accounts.form_link(user, live.clock.now()))
        for page in (opened.http.get("/form/profile"), unopened.open(older), opened.submit()):
            assert page.status_code == 410 and "新しいリンクをお送りしたため" in page.text
            assert "最新のリンク" in page.text
        assert user_row(live, user).phone is None
        assert submit_form(live, newer.split("t=")[1]).status_code == 200
    finally:
        opened.close()
        unopened.close()


def test_a_saved_profile_is_shown_masked_and_never_in_full(live, user):
    page = open_form(live, _change_form(live, user))
    assert page.status_code == 200
    assert "ご登録内容：津軽 様、求職番号 02040-****4321、電話 ***-****-3333" in page.text
    for secret in ("津軽 花子", "津軽花子", "花子", "87654321", "080-2222-3333", "08022223333",
                   "+818022223333", "8022223333"):
        assert secret not in page.text
    typed = re.findall(r'<input type="(?:text|tel)"[^>]*value="([^"]*)"', page.text)
    assert typed == ["", "", ""]
    assert "空欄のままで結構です" in page.text


def test_blank_fields_keep_the_saved_profile(live, user):
    form = _change_form(live, user)
    answer = submit_form(live, form_token(form), name="", number="", phone="")
    assert answer.status_code == 200, answer.text
    row = user_row(live, user)
    assert (row.name, row.number, row.phone) == (SAVED["name"], SAVED["number"], SAVED["phone"])


def test_changing_only_the_phone_keeps_the_name_and_number(live, user):
    form = _change_form(live, user)
    answer = submit_form(live, form_token(form), name="", number="", phone="0173-00-1234")
    assert answer.status_code == 200
    row = user_row(live, user)
    assert (row.name, row.number, row.phone) == (SAVED["name"], SAVED["number"], "+81173001234")


def test_a_new_role_needs_every_field_again(live, user):
    form = _change_form(live, user)
    answer = submit_form(live, form_token(form), role="employer", name="", number="", phone="")
    assert answer.status_code == 400 and "入力内容に誤りがあります（3件）" in answer.text
    assert user_row(live, user).role == "jobseeker"


def test_a_first_time_user_must_fill_every_field(live, user):
    answer = submit_form(live, form_token(_to_form(live, user)), name="", number="", phone="")
    assert answer.status_code == 400 and "入力内容に誤りがあります（3件）" in answer.text
    assert "ご登録内容：" not in answer.text
    assert submit_form(live, form_token(live.messages(user)), name=NAME,
                       number=NUMBER).status_code == 200
