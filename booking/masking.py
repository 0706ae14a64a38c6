"""What bot messages may show of personal data: just enough to recognise it (DESIGN §3)."""

from __future__ import annotations

import re

import phonenumbers

from booking.phones import format_phone_national

# ASCII digits only: stored values are normalised, and \d would also match other scripts.
_DIGIT = re.compile(r"[0-9]")
_VISIBLE_TAIL = 4


def mask_phone(e164: str) -> str:
    """Mask all groups but the last of the national format ("+819012345678" → "***-****-5678")."""
    try:
        national = format_phone_national(e164)
    except phonenumbers.NumberParseException:
        # A stored value that is not E.164 must still never be echoed in full.
        return _mask_all_but_tail(e164)
    head, sep, last = national.rpartition("-")
    if not sep:
        return _mask_all_but_tail(national)
    return _DIGIT.sub("*", head) + sep + last


def mask_number(number: str) -> str:
    """Keep the office part and the last four digits ("02040-12345678" → "02040-****5678")."""
    head, sep, rest = number.partition("-")
    if not sep:
        return _mask_all_but_tail(number)
    return head + sep + _mask_all_but_tail(rest)


_COMPANY_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人",
                  "公益社団法人", "一般財団法人", "公益財団法人", "社会福祉法人", "医療法人",
                  "特定非営利活動法人", "NPO法人", "(株)", "(有)")


def mask_name(name: str) -> str:
    """Address a user without echoing their full name ("山田 太郎" → "山田 様")."""
    company = next((form for form in _COMPANY_FORMS if form in name), None)
    if company is not None:
        # A company is addressed by its legal form and the first two characters of its name.
        rest = name.replace(company, "").strip()
        return f"{company}{rest[:2]}… 様" if rest else f"{company} 様"
    parts = name.split()
    if not parts:
        return "お客様"
    # Without a space the family name cannot be told apart; two characters is the usual length.
    shown = parts[0] if len(parts) > 1 else parts[0][:2]
    return f"{shown} 様"


def _mask_all_but_tail(text: str) -> str:
    """Replace every digit with "*" except the last four digits."""
    total = len(_DIGIT.findall(text))
    seen = 0
    out: list[str] = []
    for char in text:
        if _DIGIT.fullmatch(char):
            seen += 1
            out.append("*" if seen <= total - _VISIBLE_TAIL else char)
        else:
            out.append(char)
    return "".join(out)
