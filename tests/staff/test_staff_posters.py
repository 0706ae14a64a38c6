"""A site's walk-up poster (DESIGN §13): an A4 print page whose QR code, made by segno, opens
the office's LINE chat with the message naming the site; staff and admins can print it."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from booking.walkup import walkup_code
from config import DEMO_BASIC_ID
from staff.pages_posters import qr_svg
from storage.models import SiteRow
from tests.staff.conftest import rows


def the_site(app) -> SiteRow:
    return rows(app, select(SiteRow).order_by(SiteRow.position))[0]


def test_the_poster_shows_the_site_and_a_qr_code_that_sends_its_walk_up_message(
        staff_app, console):
    site = the_site(staff_app)
    facts = console.get_json(f"/staff/sites/{site.id}/poster").json()
    assert facts["site"] == site.name and facts["code"] == site.code
    url = urlsplit(facts["url"])
    assert (url.scheme, url.netloc) == ("https", "line.me")
    assert unquote(url.path) == f"/R/oaMessage/{DEMO_BASIC_ID}/"
    message = unquote(url.query)
    assert message == facts["message"] == f"今すぐ相談：{site.name}（{site.code}）"
    assert walkup_code(message) == site.code  # what the bot reads back from it
    page = console.page(f"/staff/sites/{site.id}/poster")
    assert page.status_code == 200 and "@page { size: A4 portrait" in page.text
    assert site.name in page.text and "今すぐ相談できます" in page.text
    assert "<svg" in page.text and str(qr_svg(facts["url"])) in page.text
    assert "0173-00-0000" in page.text and DEMO_BASIC_ID in page.text


def test_the_posters_page_lists_every_site_with_a_link_to_its_poster(staff_app, console):
    site = the_site(staff_app)
    page = console.page("/staff/posters")
    assert page.status_code == 200 and "今すぐ相談の掲示ポスター" in page.text
    assert f'href="/staff/sites/{site.id}/poster"' in page.text and site.code in page.text
    listed = console.get_json("/staff/posters").json()["sites"]
    assert {"id": str(site.id), "name": site.name, "code": site.code, "active": True,
            "poster": f"/staff/sites/{site.id}/poster"} in listed


def test_admins_print_posters_too_and_anyone_signed_out_is_sent_to_sign_in(
        staff_app, admin, anonymous):
    site = the_site(staff_app)
    assert admin.page(f"/staff/sites/{site.id}/poster").status_code == 200
    signed_out = anonymous.page(f"/staff/sites/{site.id}/poster")
    assert signed_out.status_code in (302, 303, 401)
    assert "<svg" not in signed_out.text


def test_an_unknown_site_is_answered_with_a_clear_404(console):
    for site_id in ("00000000-0000-0000-0000-000000000000", "not-a-site"):
        answer = console.get_json(f"/staff/sites/{site_id}/poster")
        assert answer.status_code == 404
        assert "相談ブースの場所が見つかりません" in answer.json()["detail"]
