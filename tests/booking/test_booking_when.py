"""Dates and times as users type them in chat (DESIGN §5), read relative to `now` in JST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from booking_inputs import HOSTILE_INPUTS, full_width

from booking import JST, ParseError, messages, parse_when

# A Monday morning; 12/3 is the Thursday of the same week.
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=JST)
TODAY = date(2026, 11, 30)
DEC_3 = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/3 10時", (DEC_3, time(10))),
        ("12月3日(木) 10:00", (DEC_3, time(10))),
        ("12月3日（木）10:00", (DEC_3, time(10))),
        ("12月3日 10時半", (DEC_3, time(10, 30))),
        ("12月3日10時30分", (DEC_3, time(10, 30))),
        ("12/3(木曜日) 9:30", (DEC_3, time(9, 30))),
        ("12月3日 木曜 10時", (DEC_3, time(10))),
        ("明日の14時", (date(2026, 12, 1), time(14))),
        ("明日", (date(2026, 12, 1), None)),
        ("あした", (date(2026, 12, 1), None)),
        ("あす 9時", (date(2026, 12, 1), time(9))),
        ("あさって", (date(2026, 12, 2), None)),
        ("明後日", (date(2026, 12, 2), None)),
        ("しあさって", (date(2026, 12, 3), None)),
        ("今日", (TODAY, None)),
        ("きょう", (TODAY, None)),
        ("本日15時", (TODAY, time(15))),
        ("来週月曜 10時半", (date(2026, 12, 7), time(10, 30))),
        ("来週の水曜日", (date(2026, 12, 9), None)),
        ("再来週の金曜 9時", (date(2026, 12, 18), time(9))),
        ("今週金曜", (date(2026, 12, 4), None)),
        ("月曜", (date(2026, 12, 7), None)),  # said on a Monday: next Monday
        ("水曜", (date(2026, 12, 2), None)),
        ("次の月曜", (date(2026, 12, 7), None)),
        ("今度の金曜日 11時", (date(2026, 12, 4), time(11))),
        ("10時半", (TODAY, time(10, 30))),
        ("午後2時", (TODAY, time(14))),
        ("午前10時", (TODAY, time(10))),
        ("午前 11時", (TODAY, time(11))),
        ("14:30", (TODAY, time(14, 30))),
        ("正午", (TODAY, time(12))),
        ("明日の朝10時", (date(2026, 12, 1), time(10))),
        ("明日の夕方4時", (date(2026, 12, 1), time(16))),
        ("PM2:00", (TODAY, time(14))),
        ("2026/12/3", (DEC_3, None)),
        ("2026年12月3日", (DEC_3, None)),
        ("2026-12-03 10:00", (DEC_3, time(10))),
        ("2026.12.3", (DEC_3, None)),
        ("令和8年12月3日", (DEC_3, None)),
        ("㋿8年12月3日", (DEC_3, None)),
        ("令和元年5月1日", (date(2019, 5, 1), None)),
        ("3日", (DEC_3, None)),
        ("3日(木) 10時", (DEC_3, time(10))),
        ("１２月３日（木）１０：００", (DEC_3, time(10))),
        ("１２／３　１０時半", (DEC_3, time(10, 30))),
        ("午後２時", (TODAY, time(14))),
        ("12/3 10:00〜10:30", (DEC_3, time(10))),
        ("12/3 10:00～10:30", (DEC_3, time(10))),
        ("12/3 10:00-10:30", (DEC_3, time(10))),
        ("12月3日 10時から10時半まで", (DEC_3, time(10))),
        ("12月3日の10時でお願いします", (DEC_3, time(10))),
        ("12/3 10時ごろ希望です。", (DEC_3, time(10))),
        ("10:15", (TODAY, time(10, 15))),  # off-grid minutes are returned as typed
        ("10時5分", (TODAY, time(10, 5))),
        ("10時05", (TODAY, time(10, 5))),
    ],
)
def test_what_users_type_is_read_as_a_date_and_time(
    typed: str, expected: tuple[date, time | None]
) -> None:
    assert parse_when(typed, NOW) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1時", time(13)),
        ("2時", time(14)),
        ("3時", time(15)),
        ("4時半", time(16, 30)),
        ("5時", time(17)),
        ("2:30", time(14, 30)),
    ],
)
def test_a_bare_hour_from_1_to_5_means_the_afternoon(typed: str, expected: time) -> None:
    assert parse_when(typed, NOW) == (TODAY, expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("午前1時", time(1)),
        ("午前0時", time(0)),
        ("0時", time(0)),
        ("6時", time(6)),
        ("9時", time(9)),
        ("12時", time(12)),
        ("午前12時", time(12)),  # noon, as the 1872 decree defines it
        ("午後12時", time(12)),  # noon, as people mean it
        ("午後0時", time(12)),
        ("午後14時", time(14)),
        ("23:59", time(23, 59)),
    ],
)
def test_morning_afternoon_and_24_hour_times(typed: str, expected: time) -> None:
    assert parse_when(typed, NOW) == (TODAY, expected)


@pytest.mark.parametrize(
    ("now", "typed", "expected"),
    [
        (datetime(2026, 12, 20, 9, tzinfo=JST), "1/5", date(2027, 1, 5)),
        (datetime(2026, 12, 20, 9, tzinfo=JST), "12/20", date(2026, 12, 20)),  # today is not past
        (datetime(2026, 12, 20, 9, tzinfo=JST), "12/19", date(2027, 12, 19)),
        (datetime(2026, 3, 1, 9, tzinfo=JST), "2/29", date(2028, 2, 29)),
        (datetime(2026, 12, 20, 9, tzinfo=JST), "5日", date(2027, 1, 5)),
        (datetime(2026, 4, 20, 9, tzinfo=JST), "31日", date(2026, 5, 31)),  # April has no 31st
        (datetime(2026, 12, 20, 9, tzinfo=JST), "2020/1/6", date(2020, 1, 6)),  # year typed: kept
    ],
)
def test_dates_without_a_year_roll_forward_to_the_next_occurrence(
    now: datetime, typed: str, expected: date
) -> None:
    assert parse_when(typed, now)[0] == expected


def test_now_is_read_in_jst_whatever_zone_it_is_given_in() -> None:
    # 2026-11-30 16:00 UTC is already 2026-12-01 01:00 in Japan.
    assert parse_when("今日", datetime(2026, 11, 30, 16, tzinfo=UTC)) == (date(2026, 12, 1), None)
    assert parse_when("明日", datetime(2026, 11, 30, 14, 59, tzinfo=UTC))[0] == date(2026, 12, 1)


def test_a_naive_now_is_a_programming_error_not_a_parse_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_when("明日", datetime(2026, 11, 30, 10))
    assert not isinstance(caught.value, ParseError)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "12月3日(水) 10:00",
            "12月3日は木曜日です。日付と曜日をご確認のうえ、もう一度入力してください。",
        ),
        ("12/3 水曜", "12月3日は木曜日です。日付と曜日をご確認のうえ、もう一度入力してください。"),
        ("明日(水)", "12月1日は火曜日です。日付と曜日をご確認のうえ、もう一度入力してください。"),
        (
            "2027年1月4日(火)",
            "2027年1月4日は月曜日です。日付と曜日をご確認のうえ、もう一度入力してください。",
        ),
    ],
)
def test_a_weekday_that_contradicts_the_date_says_which_weekday_it_really_is(
    typed: str, message: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_when(typed, NOW)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2/30", messages.no_such_date("2月30日")),
        ("13/1", messages.no_such_date("13月1日")),
        ("4月31日", messages.no_such_date("4月31日")),
        ("2027/2/29", messages.no_such_date("2027年2月29日")),
        ("0/5", messages.no_such_date("0月5日")),
        ("32日", messages.no_such_date("32日")),
        ("25時", messages.WHEN_BAD_HOUR),
        ("24:00", messages.WHEN_BAD_HOUR),
        ("午前13時", messages.WHEN_BAD_HOUR),
        ("10:75", messages.WHEN_BAD_MINUTE),
        ("10時61分", messages.WHEN_BAD_MINUTE),
        ("12/3 12/4", messages.WHEN_TOO_MANY),
        ("明日 12/3", messages.WHEN_TOO_MANY),
        ("10時 11時", messages.WHEN_TOO_MANY),
        ("月曜 火曜", messages.WHEN_TOO_MANY),
        ("10時から11時から12時", messages.WHEN_TOO_MANY),
    ],
)
def test_impossible_dates_and_times_are_refused_saying_what_is_wrong(
    typed: str, message: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_when(typed, NOW)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "typed",
    [
        "来週",
        "午後",
        "よろしくお願いします",
        "電話 0173-00-0000",
        "12/3 10",
        "10時 3",
        "12月",
        "いつでもいいです",
        "12/3 10時 会議室",
        *HOSTILE_INPUTS,
    ],
)
def test_text_that_is_not_a_date_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_when(typed, NOW)
    assert str(caught.value) == messages.WHEN_EXPECTED
    assert "「12月3日 10時」" in str(caught.value)


def test_every_when_message_is_a_polite_sentence() -> None:
    sentences = [
        messages.WHEN_EXPECTED,
        messages.WHEN_TOO_MANY,
        messages.WHEN_BAD_HOUR,
        messages.WHEN_BAD_MINUTE,
        messages.no_such_date("2月30日"),
        messages.weekday_mismatch("12月3日", 3),
    ]
    assert all(s.endswith("ください。") for s in sentences)


def test_full_width_helper_matches_what_the_parser_expects() -> None:
    assert parse_when(full_width("12/3 10:00"), NOW) == (DEC_3, time(10))


# --- ISO and English (DESIGN §14): for users who talk to the bot in another language -----------

@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-12-03 10:00", (date(2026, 12, 3), time(10, 0))),
    ("Dec 3 10am", (date(2026, 12, 3), time(10, 0))),
    ("dec 3rd at 10:30 am", (date(2026, 12, 3), time(10, 30))),
    ("3 December 14:30", (date(2026, 12, 3), time(14, 30))),
    ("tomorrow 2pm", (date(2026, 12, 2), time(14, 0))),
    ("noon tomorrow", (date(2026, 12, 2), time(12, 0))),
    ("next Mon 9:30am", (date(2026, 12, 7), time(9, 30))),
    ("friday 2 pm", (date(2026, 12, 4), time(14, 0))),
    ("December 10", (date(2026, 12, 10), None)),
    # As the bot's English replies write a slot (Babel, a narrow no-break space before AM).
    ("Thu, Dec 3 10:00\u202fAM", (date(2026, 12, 3), time(10, 0))),
    ("12pm Dec 4", (date(2026, 12, 4), time(12, 0))),
])
def test_iso_and_english_dates_are_read_too(typed, expected):
    assert parse_when(typed, datetime(2026, 12, 1, 10, 0, tzinfo=JST)) == expected


@pytest.mark.parametrize(("typed", "says"), [
    ("Wed, Dec 3 10am", "木曜日"),  # the weekday checks the date, as (水) does
    ("dec 32", "12月32日"),
    ("hello 10am", "読み取れません"),
    ("13pm tomorrow", "0時から23時"),
])
def test_english_that_does_not_fit_is_refused_with_the_reason(typed, says):
    with pytest.raises(ParseError) as refused:
        parse_when(typed, datetime(2026, 12, 1, 10, 0, tzinfo=JST))
    assert says in refused.value.message
