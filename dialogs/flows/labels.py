"""Codes stored in the database and the words users and staff see for them (DESIGN.md §7)."""

from __future__ import annotations

from datetime import datetime

from booking import SLOT_LENGTH, format_slot, to_jst
from booking.display import format_time

JOBSEEKER, EMPLOYER = "jobseeker", "employer"
ROLES = {JOBSEEKER: "求職者", EMPLOYER: "求人者（事業所）"}

CONSULTATION = "job_consultation"
REFERRAL = "job_referral"
EMPLOYER_CONSULTATION = "employer_consultation"
INTERVIEW = "interview"
PURPOSES = {
    CONSULTATION: "職業相談",
    REFERRAL: "職業紹介（求人への応募のご相談）",
    EMPLOYER_CONSULTATION: "求人相談",
    INTERVIEW: "オンライン面接・選考",
}
PURPOSES_BY_ROLE = {
    JOBSEEKER: (CONSULTATION, REFERRAL),
    EMPLOYER: (EMPLOYER_CONSULTATION, INTERVIEW),
}
SHORT_PURPOSES = {CONSULTATION: "職業相談", REFERRAL: "職業紹介",
                  EMPLOYER_CONSULTATION: "求人相談", INTERVIEW: "オンライン面接・選考"}
MAX_APPLICANTS = 3  # one 30-minute slot per applicant, at most three in a row

ATTENDANTS = {
    "none": "同席者なし",
    "interpreter": "通訳者が同席",
    "assistant": "介助者が同席",
    "both": "通訳者と介助者が同席",
}
# Who attends, as a notice names them ("同席：通訳者").
ATTENDANT_NAMES = {"interpreter": "通訳者", "assistant": "介助者", "both": "通訳者・介助者"}
# Terms art. 11(2)(3): said when a request is received, at confirmation and in reminders.
BOOTH_RULES = (
    "・録画・録音はできません。",
    "・ブースにはご本人以外の方が入らないようにしてください。",
    "・通訳者・介助者が同席する場合は、事前に必ずお知らせください。",
)
RULES_TITLE = "ご利用にあたってのお願い"

STATUSES = {
    "requested": "申込中（ハローワークの確認待ち）",
    "confirmed": "確定",
    "cancelled": "キャンセル済み",
    "declined": "お受けできませんでした",
    "expired": "期限切れ",
    "no_show": "キャンセル扱い（連絡なし）",
    "moved": "日時変更済み",
    "completed": "利用済み",
    "closed": "休止（ハローワークの都合）",
}


def purpose_label(code: str) -> str:
    """The purpose in words; unknown codes (older data) are shown as they are."""
    return PURPOSES.get(code, code)


def short_purpose(code: str) -> str:
    """The purpose in a few words, for notices and staff pages (DESIGN.md §7)."""
    return SHORT_PURPOSES.get(code, "ご相談")


def span(starts_at: datetime, slots: int = 1) -> str:
    """A request's time in JST: one slot "12月3日(木) 10:00〜10:30", or "10:00〜11:30（3枠）"."""
    if slots <= 1:
        return format_slot(starts_at)
    last_end = to_jst(starts_at + SLOT_LENGTH * slots)
    head = format_slot(starts_at).rsplit("〜", 1)[0]
    return f"{head}〜{format_time(last_end.time())}（{slots}枠）"
