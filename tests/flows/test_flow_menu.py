"""Rich menu areas and the same words typed: each starts its flow (DESIGN.md §1)."""

from __future__ import annotations

from dialogs.postback import Postback
from tests.flows.journeys import agree, ready_user
from tests.helpers import button, texts

MENU = {
    "menu.book": ("予約する", "ご登録内容"),
    "menu.mine": ("予約の確認・キャンセル", "予約はありません"),
    "menu.now": ("今すぐ相談", "今すぐ相談は受け付けていません"),
    "menu.terms": ("利用規約", "同意いただいています"),
    "menu.contact": ("問い合わせ", "0173-00-0000"),
}


def test_each_rich_menu_area_starts_its_flow(live, user):
    ready_user(live, user)
    for action, (_, expected) in MENU.items():
        answer = live.send(user, postback=Postback(action=action).encode())
        assert expected in texts(answer), action


def test_each_menu_word_typed_starts_the_same_flow(live, user):
    ready_user(live, user)
    for word, expected in MENU.values():
        assert expected in texts(live.send(user, text=word)), word


def test_contact_gives_the_office_phone_and_hours_with_a_call_button(live, user):
    answer = live.send(user, text="問い合わせ")
    shown = texts(answer)
    assert "0173-00-0000" in shown and "平日 9:00〜17:00" in shown
    assert button(answer, "電話をかける")["uri"] == "tel:0173000000"


def test_menu_words_work_in_the_middle_of_another_step(live, user):
    agree(live, user)
    live.send(user, text="予約する")  # now at the role question
    answer = live.send(user, text="問い合わせ")
    assert "0173-00-0000" in texts(answer)
