"""The profile form's validation: each field checked, what is wrong said next to it in Japanese."""

from __future__ import annotations

import unicodedata

from booking import (
    ParseError,
    mask_name,
    mask_number,
    mask_phone,
    parse_employer_number,
    parse_jobseeker_number,
    parse_phone,
)
from dialogs.flows.labels import EMPLOYER, JOBSEEKER
from dialogs.i18n import tr
from storage.forms import Profile, SavedProfile

MAX_NAME = 60

ERRORS = {
    "role": "ご利用になる方（求職者・求人者）を選んでください。",
    "name_missing": "氏名（求人者の方は事業所名）を入力してください。",
    "name_long": f"氏名・事業所名は{MAX_NAME}文字以内で入力してください。",
    "name_bad": "氏名・事業所名には文字を入力してください（数字や記号だけでは登録できません）。",
    "number_missing": "番号を入力するか、「まだ登録していません」にチェックを入れてください。",
    "number_both": "番号を入力した場合は、「まだ登録していません」のチェックを外してください。",
    "phone_missing": "電話番号を入力してください。",
}


def clean_name(raw: str) -> str:
    """NFKC, control characters dropped, runs of spaces made one."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())


def check_name(raw: str) -> tuple[str, str | None]:
    """The cleaned name or company, and what is wrong with it."""
    name = clean_name(raw)
    if not name:
        return name, ERRORS["name_missing"]
    if len(name) > MAX_NAME:
        return name, ERRORS["name_long"]
    if not any(c.isalpha() for c in name):
        return name, ERRORS["name_bad"]
    return name, None


def check_number(role: str, raw: str, unregistered: bool) -> tuple[str | None, str | None]:
    """求職番号 or 事業所番号 by role; none at all for those about to register (art. 2)."""
    if unregistered:
        return None, ERRORS["number_both"] if raw.strip() else None
    if not raw.strip():
        return None, ERRORS["number_missing"]
    reader = parse_employer_number if role == EMPLOYER else parse_jobseeker_number
    try:
        return reader(raw), None
    except ParseError as bad:
        return None, bad.message


def check_phone(raw: str) -> tuple[str, str | None]:
    """The registered phone as E.164."""
    if not raw.strip():
        return "", ERRORS["phone_missing"]
    try:
        return parse_phone(raw), None
    except ParseError as bad:
        return "", bad.message


def validate(role: str, name: str, number: str, unregistered: bool, phone: str,
             saved: SavedProfile | None = None) -> tuple[Profile | None, dict[str, str]]:
    """Check each field and say what is wrong next to it, in Japanese.

    With a saved profile of the same role, a blank field keeps the saved value: the form never
    shows saved data in full, so the user types only what changes.
    """
    keep = saved if saved is not None and saved.role == role else None
    problems: dict[str, str | None] = {
        "role": None if role in (JOBSEEKER, EMPLOYER) else ERRORS["role"]}
    if keep is not None and not clean_name(name):
        clean: str = keep.name
    else:
        clean, problems["name"] = check_name(name)
    if keep is not None and keep.number and not unregistered and not number.strip():
        parsed_number: str | None = keep.number
    else:
        parsed_number, problems["number"] = check_number(role, number, unregistered)
    if keep is not None and not phone.strip():
        parsed_phone = keep.phone
    else:
        parsed_phone, problems["phone"] = check_phone(phone)
    errors = {field: message for field, message in problems.items() if message}
    if errors:
        return None, errors
    return Profile(role=role, name=clean, number=parsed_number, phone=parsed_phone), {}


SUMMARY = "{name}、{label} {number}、電話 {phone}"
EMPLOYER_NUMBER = "事業所番号"
JOBSEEKER_NUMBER = "求職番号"
NOT_REGISTERED = "未登録（これから登録）"


def saved_summary(saved: SavedProfile) -> str:
    """The saved profile, masked: "五所川原 様、求職番号 02040-****5678、電話 ***-****-5678"."""
    label = tr(EMPLOYER_NUMBER if saved.role == EMPLOYER else JOBSEEKER_NUMBER)
    number = mask_number(saved.number) if saved.number else tr(NOT_REGISTERED)
    return tr(SUMMARY).format(name=mask_name(saved.name), label=label, number=number,
                              phone=mask_phone(saved.phone))
