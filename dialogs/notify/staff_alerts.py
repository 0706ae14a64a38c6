"""Staff alert cards for new requests, immediate use, cancellations and answers to moves.

The buttons carry no nonce (they never expire with a conversation) and the booking id as value;
the staff flow handles "staff.confirm", "staff.move" and "staff.decline".
"""

from __future__ import annotations

from typing import Literal

from dialogs.events import RequestFacts
from dialogs.flows.labels import ATTENDANTS, ROLES, interpreting, purpose_label, span
from dialogs.postback import Postback
from dialogs.replies import Card, Choice, Reply

NEW_REQUEST = "【新しい予約申込み】"
IMMEDIATE = "【今すぐ相談の申込み】"
CANCELLED = "【予約のキャンセル】"
MOVE_REFUSED = "【日時変更をお断り・キャンセル】"
MOVE_ACCEPTED = "【変更後の日時を承諾】"
CONFIRM, MOVE, DECLINE = "確定する", "日時を変更", "お断りする"
NOTE_CALL = "利用者へ電話で日時を確認のうえ、確定してください。"
NOTE_NOW = "空いているブースで、すぐに対応できるか確認してください。"
NOTE_FREED = "この枠は空きになりました。"
CONSOLE = "管理画面で詳細を見る"


def staff_buttons(booking_id: str) -> list[Choice]:
    """Confirm / move / decline, as nonce-less postbacks carrying the booking id."""
    def choice(label: str, action: str,
               style: Literal["primary", "secondary"] = "secondary") -> Choice:
        data = Postback(action=action, value=booking_id).encode()
        return Choice(label=label, data=data, display=label, style=style)

    return [choice(CONFIRM, "staff.confirm", "primary"), choice(MOVE, "staff.move"),
            choice(DECLINE, "staff.decline")]


def _lines(facts: RequestFacts) -> list[str]:
    lines = [f"日時：{span(facts.starts_at, facts.slots)}",
             *([f"場所：{facts.site.name}"] if facts.site else []),
             f"用件：{purpose_label(facts.purpose)}",
             f"利用者：{facts.masked_name}（{ROLES.get(facts.role or '', '区分未設定')}）",
             f"同席：{ATTENDANTS.get(facts.attendant, facts.attendant)}"]
    if facts.interpret_language:
        lines.append(f"通訳：{interpreting(facts.interpret_language)}")
    if facts.job_number:
        lines.append(f"求人番号：{facts.job_number}")
    if facts.applicants:
        lines.append(f"応募者数：{facts.applicants}名")
    return lines


def _with_console(facts: RequestFacts, buttons: list[Choice]) -> list[Choice]:
    """The booking's console page, where the rest is shown after login (DESIGN §3)."""
    if facts.console_url:
        return [*buttons, Choice(label=CONSOLE, url=facts.console_url, style="link")]
    return buttons


def request_alert(facts: RequestFacts) -> list[Reply]:
    """A new reserved request: the facts and the three staff actions."""
    return [Card(title=NEW_REQUEST, lines=[*_lines(facts), NOTE_CALL],
                 buttons=_with_console(facts, staff_buttons(facts.booking_id)),
                 alt=f"{NEW_REQUEST}{span(facts.starts_at, facts.slots)}")]


def immediate_alert(facts: RequestFacts) -> list[Reply]:
    """An immediate-use request (art. 5-2): the same actions, to be handled now."""
    return [Card(title=IMMEDIATE, lines=[*_lines(facts), NOTE_NOW],
                 buttons=_with_console(facts, staff_buttons(facts.booking_id)),
                 alt=f"{IMMEDIATE}{span(facts.starts_at)}")]


def cancel_alert(facts: RequestFacts, *, refused_move: bool = False) -> list[Reply]:
    """The user cancelled (or refused the office's new time): nothing left to decide."""
    title = MOVE_REFUSED if refused_move else CANCELLED
    return [Card(title=title, lines=[*_lines(facts), NOTE_FREED],
                 alt=f"{title}{span(facts.starts_at, facts.slots)}")]


def move_accepted_alert(facts: RequestFacts) -> list[Reply]:
    """The user accepted the time the office moved the booking to (art. 5(5))."""
    return [Card(title=MOVE_ACCEPTED, lines=_lines(facts),
                 alt=f"{MOVE_ACCEPTED}{span(facts.starts_at, facts.slots)}")]
