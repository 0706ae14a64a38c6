"""Every user-facing sentence of `booking/`, kept together so wording is reviewed in one place."""

from __future__ import annotations

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


def no_such_date(date_text: str) -> str:
    """Say that the typed date does not exist ("2月30日", "2027年2月29日", "32日")."""
    return WHEN_NO_SUCH_DATE.format(date=date_text)


def weekday_mismatch(date_text: str, weekday_index: int) -> str:
    """Say which weekday the typed date really is, so the user can fix either part."""
    return WHEN_WEEKDAY_MISMATCH.format(date=date_text, weekday=WEEKDAYS_JA[weekday_index])
