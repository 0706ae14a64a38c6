"""Personal data only through the web form (DESIGN.md §3): a single-use link bound to the LINE
user, the purpose of collection shown, errors in Japanese next to the fields, the chat going on
by itself, a saved profile reused and changeable, and nothing but masked data in the chat."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from storage.accounts import AccountsService
from storage.models import FormToken
from tests.flows.journeys import (
    NAME,
    agree,
    form_token,
    new_messages,
    open_form,
    query,
    ready_user,
    start_booking,
    submit_form,
    user_row,
)
from tests.helpers import tap, texts


def _to_form(live, user):
    agree(live, user)
    asked = live.send(user, text="予約する")
    return tap(live, user, tap(live, user, asked, "求職者（仕事を探している方）"), "登録しています")


def test_the_link_opens_a_plain_form_that_states_why_the_data_is_collected(live, user):
    form = _to_form(live, user)
    assert "トークではなく専用の入力フォーム" in texts(form)
    page = open_form(live, form)
    assert page.status_code == 200 and '<html lang="ja">' in page.text
    assert "職業安定法第5条の5" in page.text
    assert '<form method="post" action="/form/profile"' in page.text
    for field in ("name", "number", "phone"):
        assert f'<label for="{field}">' in page.text and f'name="{field}"' in page.text
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "http" not in policy  # no LIFF SDK here
    assert "sdk.js" not in page.text and 'name="t"' not in page.text


def test_only_the_sha256_of_the_token_is_stored_and_it_lasts_fifteen_minutes(live, user, clock):
    token = form_token(_to_form(live, user))
    rows = query(live, select(FormToken).where(FormToken.user_id == user_row(live, user).id))
    assert [r.id for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert rows[0].expires_at == clock.now() + timedelta(minutes=15)


def test_wrong_entries_come_back_in_japanese_next_to_each_field(live, user):
    token = form_token(_to_form(live, user))
    page = submit_form(live, token, name="  ", number="123", phone="0120-444-444")
    assert page.status_code == 400
    assert 'role="alert"' in page.text and "入力内容に誤りがあります（3件）" in page.text
    for field in ("name", "number", "phone"):
        assert f'aria-describedby="{field}-hint {field}-error" aria-invalid="true"' in page.text
        assert f'id="{field}-error"' in page.text
    assert "求職番号は「02040-12345678」のように" in page.text
    assert "フリーダイヤル" in page.text
    assert 'value="123"' in page.text  # what was typed stays, to be corrected
    assert user_row(live, user).phone is None


def test_a_good_submission_saves_the_profile_and_the_chat_goes_on_by_itself(live, user):
    token = form_token(_to_form(live, user))
    before = len(live.messages(user))
    page = submit_form(live, token, phone="０９０ー１２３４ー５６７８", number="02040-1234")
    assert page.status_code == 200 and "保存しました" in page.text
    row = user_row(live, user)
    assert (row.name, row.number, row.phone) == (NAME, "02040-00001234", "+819012345678")
    pushed = texts(new_messages(live, user, before))
    assert "五所川原 様" in pushed and "***-****-5678" in pushed
    assert "ご用件を選んでください" in pushed


def test_a_link_works_once(live, user):
    token = form_token(_to_form(live, user))
    assert submit_form(live, token).status_code == 200
    again = submit_form(live, token, phone="090-9999-0000")
    assert again.status_code == 410 and "すでに使用されました" in again.text
    assert user_row(live, user).phone == "+819012345678"


def test_a_link_expires_after_fifteen_minutes(live, user, clock):
    token = form_token(_to_form(live, user))
    clock.advance(minutes=16)
    page = live.http.get("/form/profile", params={"t": token})
    assert page.status_code == 410 and "有効期限が切れました" in page.text
    assert submit_form(live, token).status_code == 410
    assert user_row(live, user).phone is None


def test_repeated_failed_submissions_lock_the_link(live, user):
    token = form_token(_to_form(live, user))
    answers = [submit_form(live, token, phone="abc").status_code for _ in range(5)]
    assert answers == [400, 400, 400, 400, 410]
    locked = submit_form(live, token)
    assert locked.status_code == 410 and "使えなくなりました" in locked.text
    assert user_row(live, user).phone is None


def test_a_link_belongs_to_its_user_and_forged_links_open_nothing(live, user):
    other = "U2" + user
    token = form_token(_to_form(live, user))
    _to_form(live, other)
    before = len(live.messages(other))
    assert submit_form(live, token).status_code == 200
    assert user_row(live, user).phone and user_row(live, other).phone is None
    assert live.messages(other)[before:] == []
    assert submit_form(live, "forged-token").status_code == 410


def test_a_saved_profile_is_reused_masked_and_can_be_changed(live, user):
    ready_user(live, user)
    check = live.send(user, text="予約する")
    shown = texts(check)
    assert "前回ご登録の内容" in shown and "五所川原 様" in shown
    assert "***-****-5678" in shown and "02040-****5678" in shown
    form = tap(live, user, check, "登録内容を変更する")
    page = open_form(live, form)
    # Shown masked, never in full; the inputs start empty and blanks keep the saved values.
    assert "ご登録内容：五所川原 様、求職番号 02040-****5678、電話 ***-****-5678" in page.text
    assert 'value="090-1234-5678"' not in page.text and 'value=""' in page.text
    before = len(live.messages(user))
    submit_form(live, form_token(form), phone="0173-00-1234")
    assert user_row(live, user).phone == "+81173001234"
    pushed = texts(new_messages(live, user, before))
    assert "**-1234" in pushed and "ご用件を選んでください" in pushed


def test_the_chat_never_shows_full_personal_data(live, user):
    purposes = start_booking(live, user)
    tap(live, user, tap(live, user, purposes, "職業相談"), "同席者なし")
    live.send(user, text="予約の確認・キャンセル")
    everything = texts(live.messages(user))
    for secret in (NAME, "090-1234-5678", "09012345678", "12345678", "+8190"):
        assert secret not in everything


def test_personal_data_typed_in_the_chat_is_refused_and_not_kept(live, user):
    _to_form(live, user)
    answer = live.send(user, text="090-1234-5678")
    assert "トークではお預かりしません" in texts(answer)
    assert "入力フォームを開く" in texts(answer)
    stored = live.call(live.services.redis.get(f"{live.settings.redis_prefix}:conv:{user}"))
    assert b"1234" not in stored
    assert user_row(live, user).phone is None


def test_the_link_can_open_as_a_liff_app(live, user):
    services = live.services
    port = AccountsService(services.sessions, services.office_id, services.office,
                           liff_id="2000000000-abcdEFGH")
    url = live.call(port.form_link(user, live.clock.now()))
    assert url.startswith("https://liff.line.me/2000000000-abcdEFGH?t=")
