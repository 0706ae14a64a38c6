"""Publishing a terms version (art. 12): users are told, then asked to consent again.

These tests run on an app of their own: a published version changes what every user sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from booking import JST
from storage.models import TermsVersionRow
from tests.conftest import DEFAULT_NOW, LiveApp, running_app
from tests.helpers import button, texts
from tests.staff.conftest import Console, add_staff, add_user, audits, rows

FORM = {"version": "2027-04-01", "effective": "2027-04-01",
        "changes": "・予約の締切時刻を変更しました", "summary": "新しい規約の要約です。"}


@pytest.fixture(scope="module")
def terms_app(redis_server, pg_server) -> Iterator[LiveApp]:
    with running_app(pg_server, redis_server.url, "terms", admin_mfa_required=False) as app:
        yield app


@pytest.fixture
def terms_admin(terms_app) -> Iterator[Console]:
    client = Console(terms_app)
    client.login(add_staff(terms_app, "admin", name="管理 太郎"))
    yield client
    client.close()
    terms_app.clock.set(DEFAULT_NOW)


def test_publishing_tells_consenting_users_and_asks_them_again_later(terms_app, terms_admin):
    _, told_line = add_user(terms_app)
    _, never_line = add_user(terms_app, consented=False)
    _, gone_line = add_user(terms_app, followed=False)
    response = terms_admin.http.post("/staff/terms", data={"csrf": terms_admin.csrf, **FORM},
                                     files={"file": ("terms.txt", "第1条 新しい規約\n".encode(),
                                                     "text/plain")})
    assert response.status_code == 303
    assert "1人の利用者にお知らせしました" in terms_admin.page(response.headers["location"]).text
    (row,) = rows(terms_app, select(TermsVersionRow).where(TermsVersionRow.version == "2027-04-01"))
    assert row.body == "第1条 新しい規約\n"
    assert row.effective_from == datetime(2027, 4, 1, tzinfo=JST)
    shown = terms_app.messages(told_line)
    assert "2027-04-01版" in texts(shown) and "2027年4月1日(木)から適用" in texts(shown)
    assert "予約の締切時刻を変更しました" in texts(shown)
    link = button(shown, "新しい規約を読む")["uri"]
    assert terms_app.http.get(link.replace(terms_app.url, "")).status_code == 200
    assert terms_app.messages(never_line) == [] and terms_app.messages(gone_line) == []
    assert audits(terms_app, "terms.publish")[-1].detail == {
        "version": "2027-04-01", "effective": "2027-04-01", "notified": 1}
    # Before the effective date the old consent still covers; from it, consent is asked again.
    assert "同意" in texts(terms_app.send(told_line, text="利用規約"))
    terms_app.clock.set(datetime(2027, 4, 1, 10, tzinfo=JST))
    again = texts(terms_app.send(told_line, text="利用規約"))
    assert "利用規約に同意しますか" in again and "2027-04-01" in again
    terms_admin.sign_in_again()  # months later: a new session
    page = terms_admin.page("/staff/terms")
    assert "適用中" in page.text and "2027-04-01" in page.text


def test_bad_versions_are_refused(terms_app, terms_admin):
    def publish(**change: str):
        return terms_admin.api("/staff/terms", {**FORM, "body": "全文", **change})

    duplicate = publish(version="2024-10-01", effective="2027-06-01")
    assert duplicate.status_code == 409 and "すでに登録" in duplicate.json()["detail"]
    past = publish(version="2026-01-01", effective="2026-01-01")
    assert past.status_code == 422 and "今日以前" in past.json()["detail"]
    empty = publish(version="2027-09-01", effective="2027-09-01", body=" ")
    assert empty.status_code == 422
    odd = publish(version="版 2", effective="2027-09-01")
    assert odd.status_code == 422


def test_staff_cannot_publish_terms(terms_app):
    client = Console(terms_app)
    client.login(add_staff(terms_app, "staff"))
    response = client.api("/staff/terms", {**FORM, "version": "2028-01-01", "body": "x"})
    assert response.status_code == 403
    assert rows(terms_app, select(TermsVersionRow).where(
        TermsVersionRow.version == "2028-01-01")) == []
    client.close()
