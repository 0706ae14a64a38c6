"""Codes stored in the database and the words users and staff see for them (DESIGN.md §7)."""

from __future__ import annotations

from datetime import datetime

from booking import SLOT_LENGTH, slot_end
from dialogs.i18n import LANGUAGES, format_span, tr

JOBSEEKER, EMPLOYER = "jobseeker", "employer"
ROLES = {JOBSEEKER: "求職者", EMPLOYER: "求人者（事業所）"}
ROLE_UNSET = "未設定"  # a user who has not said yet

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


def interpreting(code: str | None) -> str:
    """The language to interpret, in Japanese for staff (「通訳：英語」); "" when none."""
    return LANGUAGES[code].japanese if code in LANGUAGES else (code or "")


SLOTS_SUFFIX = "（{n}枠）"
SOME_CONSULTATION = "ご相談"


def purpose_label(code: str) -> str:
    """The purpose in words (in the language being spoken); unknown codes shown as they are."""
    return tr(PURPOSES.get(code, code))


def short_purpose(code: str) -> str:
    """The purpose in a few words, for notices and staff pages (DESIGN.md §7)."""
    return tr(SHORT_PURPOSES.get(code, SOME_CONSULTATION))


def span(starts_at: datetime, slots: int = 1) -> str:
    """A request's time in JST: one slot "12月3日(木) 10:00〜10:30", or "10:00〜11:30（3枠）"."""
    if slots <= 1:
        return format_span(starts_at, slot_end(starts_at))
    whole = format_span(starts_at, starts_at + SLOT_LENGTH * slots)
    return whole + tr(SLOTS_SUFFIX).format(n=slots)
