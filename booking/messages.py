"""Every user-facing sentence of `booking/`, kept together so wording is reviewed in one place."""

from __future__ import annotations

from typing import Any

# Monday first, matching `date.weekday()`.
WEEKDAYS_JA = "月火水木金土日"

JOBSEEKER_NUMBER_EXPECTED = (
    "求職番号は「02040-12345678」のように、5けたと8けたの数字で入力してください。"
)
JOB_NUMBER_EXPECTED = "求人番号は「02040-12345678」のように、5けたと8けたの数字で入力してください。"
EMPLOYER_NUMBER_EXPECTED = (
    "事業所番号は「0204-123456-7」のように、4けた・6けた・1けたの数字で入力してください。"
)

PHONE_EXPECTED = (
    "電話番号は「090-1234-5678」や「0173-00-0000」のように、市外局番から入力してください。"
)
PHONE_NOT_DOMESTIC = (
    "日本国内の電話番号を「090-1234-5678」や「0173-00-0000」のように入力してください。"
)
PHONE_NOT_PERSONAL = (
    "フリーダイヤルやナビダイヤルなどの番号には、こちらからお電話できません。"
    "ご自宅の電話か携帯電話の番号を「090-1234-5678」のように入力してください。"
)

WHEN_EXPECTED = (
    "日時を読み取れませんでした。「12月3日 10時」や「明日の14時」のように入力してください。"
)
WHEN_TOO_MANY = (
    "日付や時刻が複数あるようです。「12月3日 10時」のように、ひとつずつ入力してください。"
)
WHEN_NO_SUCH_DATE = "{date}という日付はありません。日付をご確認のうえ、もう一度入力してください。"
WHEN_WEEKDAY_MISMATCH = (
    "{date}は{weekday}曜日です。日付と曜日をご確認のうえ、もう一度入力してください。"
)
WHEN_BAD_HOUR = "時刻は「10時」や「14:30」のように、0時から23時までで入力してください。"
WHEN_BAD_MINUTE = "分は「10時30分」や「14:30」のように、0から59までで入力してください。"


class Worded(str):
    """A message with values in it: reads as the Japanese text, and keeps its source text and
    values so the chat can say it in the user's language (dialogs/i18n.py `tr`)."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Worded:
        worded = super().__new__(cls, template.format(**values))
        worded.template, worded.values = template, values
        return worded


class DayName(str):
    """A typed date that may not exist ("2月30日"), with its parts to name it in another
    language; without parts it is shown as it is."""

    year: int | None
    month: int | None
    day: int | None

    def __new__(cls, text: str, *, year: int | None = None, month: int | None = None,
                day: int | None = None) -> DayName:
        named = super().__new__(cls, text)
        named.year, named.month, named.day = year, month, day
        return named


class Weekday(str):
    """A weekday (0 = Monday) shown as one Japanese character, as a full name elsewhere."""

    number: int

    def __new__(cls, index: int) -> Weekday:
        named = super().__new__(cls, WEEKDAYS_JA[index])
        named.number = index
        return named


def no_such_date(date_text: str, *, year: int | None = None, month: int | None = None,
                 day: int | None = None) -> str:
    """Say that the typed date does not exist ("2月30日", "2027年2月29日", "32日")."""
    return Worded(WHEN_NO_SUCH_DATE,
                  date=DayName(date_text, year=year, month=month, day=day))


def weekday_mismatch(date_text: str, weekday_index: int, *, year: int | None = None,
                     month: int | None = None, day: int | None = None) -> str:
    """Say which weekday the typed date really is, so the user can fix either part."""
    return Worded(WHEN_WEEKDAY_MISMATCH, date=DayName(date_text, year=year, month=month, day=day),
                  weekday=Weekday(weekday_index))
