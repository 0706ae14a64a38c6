"""Sites, closures and staff capacity (DESIGN §13): examples of each rule, then every
combination of site hours, closure kind and capacity limit over a year's calendar against an
oracle written in plain minutes."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking import JST, ParseError, is_open_day, is_year_end_break, national_holiday_name
from booking.availability import Calendar, Occupancy, free_booths, free_starts
from booking.capacity import CapacityLimit, capacity_at, over_capacity
from booking.sites import (
    ClosureRange,
    Hours,
    Site,
    check_hours,
    check_range,
    hours_text,
    office_hours,
    site_open,
)

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)
OWN = Site(id="own", name="本所", booths=(1,), hours=office_hours())
TOWN = Site(id="town", name="〇〇町役場 2階 相談室", booths=(2, 3),
            hours=(Hours(1, time(10), time(15)), Hours(3, time(10), time(15))))


def at(hour: int, minute: int = 0, day: date = THURSDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


def cal(*, sites: tuple[Site, ...] = (OWN, TOWN), ranges: tuple[ClosureRange, ...] = (),
        limits: tuple[CapacityLimit, ...] = (), closures: frozenset[date] = frozenset()
        ) -> Calendar:
    return Calendar(closures=closures, cutoff=time(15),
                    booths=sum(len(s.booths) for s in sites), sites=sites, ranges=ranges,
                    limits=limits)


def hhmm(starts: list[datetime]) -> list[str]:
    return [f"{s:%H:%M}" for s in starts]


# --- examples --------------------------------------------------------------------------------

def test_a_town_hall_site_open_tuesday_and_thursday_ten_to_three():
    starts = free_starts(THURSDAY, cal(), {}, site_id="town")
    assert hhmm(starts) == ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00",
                            "13:30", "14:00", "14:30"]
    assert free_starts(FRIDAY, cal(), {}, site_id="town") == []
    assert len(free_starts(FRIDAY, cal(), {}, site_id="own")) == 16


def test_without_a_site_any_active_site_counts_and_booths_come_from_the_open_one():
    assert free_booths(cal(), {}, at(9)) == [1]
    assert free_booths(cal(), {}, at(10)) == [1, 2, 3]
    assert free_booths(cal(), {}, at(10), "town") == [2, 3]
    assert free_booths(cal(), {at(10): {2}}, at(10), "town") == [3]


def test_an_office_without_sites_keeps_its_booths_in_one_place_with_the_office_hours():
    plain = Calendar(closures=frozenset(), cutoff=time(15), booths=2)
    assert plain.site(None) is not None and plain.site(None).booths == (1, 2)
    assert free_booths(plain, {at(9): {1}}, at(9)) == [2]
    assert len(free_starts(THURSDAY, plain, {})) == 16


def test_an_inactive_site_offers_nothing_and_is_not_chosen_by_default():
    closed_town = Site(id="town", name="町役場", booths=(2,), hours=TOWN.hours, active=False)
    calendar = cal(sites=(OWN, closed_town))
    assert free_starts(THURSDAY, calendar, {}, site_id="town") == []
    assert calendar.site(None) is OWN
    assert calendar.site("nowhere") is None
    assert free_starts(THURSDAY, calendar, {}, site_id="nowhere") == []


def test_a_partial_closure_takes_every_session_it_touches():
    power_cut = ClosureRange(day=THURSDAY, starts=time(14, 15), ends=time(14, 45))
    starts = hhmm(free_starts(THURSDAY, cal(ranges=(power_cut,)), {}, site_id="own"))
    assert "14:00" not in starts and "14:30" not in starts
    assert "13:30" in starts and "15:00" in starts


def test_a_closure_of_one_site_leaves_the_other_open():
    snow = ClosureRange(day=THURSDAY, site_id="town", reason="大雪のため")
    calendar = cal(ranges=(snow,))
    assert free_starts(THURSDAY, calendar, {}, site_id="town") == []
    assert len(free_starts(THURSDAY, calendar, {}, site_id="own")) == 16


def test_staff_capacity_counts_bookings_at_every_site():
    meeting = CapacityLimit(starts=time(14), ends=time(15), capacity=1, day=THURSDAY,
                            reason="会議のため")
    calendar = cal(limits=(meeting,))
    assert calendar.capacity(at(14)) == 1 and calendar.capacity(at(13, 30)) == 3
    used: Occupancy = {at(14): {1}}  # someone at the office's own booth
    assert free_booths(calendar, used, at(14), "town") == []
    assert free_booths(calendar, used, at(15), "town") == []  # the town hall is shut at 15:00
    assert free_booths(calendar, used, at(13, 30), "town") == [2, 3]


def test_a_weekly_limit_applies_on_its_weekday_only():
    friday_pm = CapacityLimit(starts=time(13), ends=time(17), capacity=0, weekday=4)
    calendar = cal(limits=(friday_pm,))
    assert hhmm(free_starts(FRIDAY, calendar, {}, site_id="own"))[-1] == "12:30"
    assert len(free_starts(THURSDAY + timedelta(days=7), calendar, {}, site_id="own")) == 16


def test_consecutive_slots_stay_at_one_site():
    # 14:00 free only at the office, 14:30 free only at the town hall: no run of two.
    used: Occupancy = {at(14): {2, 3}, at(14, 30): {1}}
    assert at(14) not in free_starts(THURSDAY, cal(), used, need=2)
    assert at(14) in free_starts(THURSDAY, cal(), {at(14): {2, 3}}, need=2)


def test_hours_outside_the_office_or_off_the_half_hour_are_refused_with_the_reason():
    with pytest.raises(ParseError, match="9:00〜17:00"):
        check_hours(time(8, 30), time(12))
    with pytest.raises(ParseError, match="9:00〜17:00"):
        check_hours(time(13), time(17, 30))
    with pytest.raises(ParseError, match="30 分単位"):
        check_hours(time(10, 15), time(12))
    with pytest.raises(ParseError, match="開始時刻より後"):
        check_hours(time(12), time(12))
    check_hours(time(9), time(17))


def test_a_range_needs_both_ends_or_none():
    check_range(None, None)
    check_range(time(14), time(15))
    with pytest.raises(ParseError, match="両方"):
        check_range(time(14), None)
    with pytest.raises(ParseError, match="開始時刻より後"):
        check_range(time(15), time(14))
    with pytest.raises(ParseError, match="9:00〜17:00"):
        check_range(time(8), time(10))


def test_hours_are_shown_grouped_by_equal_days():
    assert hours_text(TOWN) == "火・木 10:00〜15:00"
    assert hours_text(OWN) == "月・火・水・木・金 9:00〜17:00"
    assert hours_text(Site(id="x", name="x", booths=(1,), hours=())) == "開所日なし"


def test_a_limit_below_confirmed_bookings_names_them():
    limit = CapacityLimit(starts=time(14), ends=time(15), capacity=1, day=THURSDAY)
    bookings = [(at(14), "b"), (at(14), "a"), (at(14, 30), "c"), (at(15), "d"), (at(15), "e")]
    found = over_capacity(limit, bookings, booths=3)
    assert [(f.starts_at, f.capacity, f.booking_ids) for f in found] == [(at(14), 1, ("a", "b"))]
    assert over_capacity(limit, bookings[2:], booths=3) == []


# --- every combination over a year -----------------------------------------------------------

YEAR = [date(2027, 1, 1) + timedelta(days=n) for n in range(365)]
SLOTS = [time(9 + m // 60, m % 60) for m in range(0, 480, 30)]
HOURS_PATTERNS: list[tuple[Hours, ...]] = [
    office_hours(),  # every weekday 9–17
    (Hours(1, time(10), time(15)), Hours(3, time(10), time(15))),  # Tue/Thu 10–15
    (Hours(0, time(9), time(12)), Hours(4, time(13), time(17))),  # Mon mornings, Fri afternoons
    (),  # no hours at all
]
# Closure kinds, chosen per ISO week: none, whole day office-wide, part office-wide (off the
# half hour), whole day at site A only, part at site B only.
CLOSURE_KINDS = 5
# Limit kinds, chosen per ISO week too: none, one-off 14–15 to 1, weekly Wed 9–10 to 0,
# one-off all day to 2.
LIMIT_KINDS = 4


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _year_calendar(hours_a: tuple[Hours, ...], hours_b: tuple[Hours, ...]) -> Calendar:
    site_a = Site(id="a", name="A", booths=(1, 2), hours=hours_a)
    site_b = Site(id="b", name="B", booths=(3,), hours=hours_b)
    ranges, limits = [], [CapacityLimit(starts=time(9), ends=time(10), capacity=0, weekday=2)]
    for day in YEAR:
        week = day.isocalendar().week
        match week % CLOSURE_KINDS:
            case 1:
                ranges.append(ClosureRange(day=day))
            case 2:
                ranges.append(ClosureRange(day=day, starts=time(11, 10), ends=time(12, 5)))
            case 3:
                ranges.append(ClosureRange(day=day, site_id="a"))
            case 4:
                ranges.append(ClosureRange(day=day, starts=time(13), ends=time(14), site_id="b"))
        match week % LIMIT_KINDS:
            case 1:
                limits.append(CapacityLimit(starts=time(14), ends=time(15), capacity=1, day=day))
            case 3:
                limits.append(CapacityLimit(starts=time(9), ends=time(17), capacity=2, day=day))
    whole = frozenset(r.day for r in ranges if r.site_id is None and r.starts is None)
    return Calendar(closures=whole, cutoff=time(15), booths=3, sites=(site_a, site_b),
                    ranges=tuple(ranges), limits=tuple(limits))


def _oracle(cal: Calendar, used: Occupancy, day: date, slot: time, site: Site) -> list[int]:
    """The rule of DESIGN §13 restated in minutes, independent of the code under test."""
    if not is_open_day(day, cal.closures):
        return []
    start = _minutes(slot)
    end = start + 30
    kept = [h for h in site.hours if h.weekday == day.weekday()]
    if not kept or start < _minutes(kept[0].opens) or end > _minutes(kept[0].closes):
        return []
    for r in cal.ranges:
        if r.day == day and r.site_id in (None, site.id):
            if r.starts is None or r.ends is None:
                return []
            if _minutes(r.starts) < end and start < _minutes(r.ends):
                return []
    capacity = cal.booths
    for limit in cal.limits:
        if (limit.day == day or limit.weekday == day.weekday()) and (
                _minutes(limit.starts) < end and start < _minutes(limit.ends)):
            capacity = min(capacity, limit.capacity)
    moment = datetime.combine(day, slot, tzinfo=JST)
    taken = used.get(moment, set())
    if len(taken) >= capacity:
        return []
    return [b for b in site.booths if b not in taken]


def _day_kind(day: date) -> tuple[object, ...]:
    """What decides a day's slots in the year calendar: days of one kind are computed alike."""
    if day.weekday() >= 5:
        return ("weekend", day.weekday())
    if is_year_end_break(day):
        return ("year-end",)
    week = day.isocalendar().week
    kinds = (day.weekday(), week % CLOSURE_KINDS, week % LIMIT_KINDS)
    return ("holiday" if national_holiday_name(day) else "weekday", *kinds)


# The first day of each kind: every weekday under every closure kind and limit kind (open or
# a holiday), one Saturday and one Sunday, one year-end day (~110 days, not 365). The
# other days of a kind differ only in their date, and branch coverage made the whole year
# cost a minute of CPU per run for nothing more proven.
DAYS = sorted({_day_kind(day): day for day in reversed(YEAR)}.values())


def _occupancy() -> Occupancy:
    """Booth 1 busy on every third slot, booth 3 on every fifth, so counts vary through days."""
    used: Occupancy = {}
    for n, (day, slot) in enumerate(itertools.product(YEAR, SLOTS)):
        taken = ({1} if n % 3 == 0 else set()) | ({3} if n % 5 == 0 else set())
        if taken:
            used[datetime.combine(day, slot, tzinfo=JST)] = taken
    return used


# Each hours pattern once at site A and once at site B (the sites do not interact but through
# capacity, which the occupancy below exercises).
@pytest.mark.parametrize("hours_a, hours_b",
                         list(zip(HOURS_PATTERNS, HOURS_PATTERNS[1:] + HOURS_PATTERNS[:1],
                                  strict=True)))
def test_every_site_hours_closure_and_capacity_combination_over_a_year(hours_a, hours_b):
    """Each slot of each site on one day of every kind in 2027 (DAYS: weekday × closure kind ×
    limit kind, weekend, holiday, year-end) agrees with the minute-based oracle. The calendar
    still holds the whole year's closures and limits, so a rule leaking into another day
    would show; days of one kind are not repeated, as only their date differs."""
    calendar = _year_calendar(hours_a, hours_b)
    used = _occupancy()
    seen: set[tuple[int, int, int]] = set()
    for day in DAYS:
        week = day.isocalendar().week
        seen.add((day.weekday(), week % CLOSURE_KINDS, week % LIMIT_KINDS))
        for site in calendar.sites:
            expected = {datetime.combine(day, slot, tzinfo=JST): _oracle(calendar, used, day,
                                                                         slot, site)
                        for slot in SLOTS}
            if is_open_day(day, calendar.closures):  # free_booths leaves the day to callers
                for moment, booths in expected.items():
                    assert free_booths(calendar, used, moment, site.id) == booths, moment
            assert free_starts(day, calendar, used, site_id=site.id) == sorted(
                m for m, booths in expected.items() if booths), (site.id, day)
    # Every weekday met every closure kind and every limit kind, and the days the office is
    # shut whatever the sites say were among them.
    assert {(w, c, k) for w in range(5) for c in range(CLOSURE_KINDS)
            for k in range(LIMIT_KINDS)} <= seen
    assert {_day_kind(day)[0] for day in DAYS} == {"weekend", "year-end", "holiday", "weekday"}


def test_capacity_is_the_booths_unless_a_limit_says_fewer():
    limits = [CapacityLimit(starts=time(14), ends=time(15), capacity=2, weekday=3),
              CapacityLimit(starts=time(14, 30), ends=time(16), capacity=1, day=THURSDAY)]
    assert [capacity_at(at(h, m), 3, limits) for h, m in
            [(13, 30), (14, 0), (14, 30), (15, 30), (16, 0)]] == [3, 2, 1, 1, 3]
    assert capacity_at(at(14, 30, THURSDAY + timedelta(days=7)), 3, limits) == 2


# --- properties ------------------------------------------------------------------------------

HALF_HOURS = [time(9 + m // 60, m % 60) for m in range(0, 510, 30)]  # 9:00 … 17:00
WEEK = [THURSDAY - timedelta(days=3) + timedelta(days=n) for n in range(5)]  # Mon–Fri


@st.composite
def hours_sets(draw: st.DrawFn) -> tuple[Hours, ...]:
    kept = []
    for weekday in draw(st.sets(st.integers(0, 4))):
        opens, closes = sorted(draw(st.lists(st.sampled_from(HALF_HOURS), min_size=2,
                                             max_size=2, unique=True)))
        kept.append(Hours(weekday, opens, closes))
    return tuple(kept)


clock_times = st.builds(time, st.integers(9, 16), st.sampled_from([0, 10, 15, 30, 45]))
closure_ranges = st.builds(
    lambda day, span, site: ClosureRange(day=day, starts=span and min(span),
                                         ends=span and max(span), site_id=site),
    st.sampled_from(WEEK),
    st.one_of(st.none(), st.lists(clock_times, min_size=2, max_size=2, unique=True)),
    st.sampled_from([None, "a", "b"]))
limits = st.builds(
    lambda span, capacity, day, weekly: CapacityLimit(
        starts=min(span), ends=max(span), capacity=capacity,
        day=None if weekly else day, weekday=day.weekday() if weekly else None),
    st.lists(clock_times, min_size=2, max_size=2, unique=True), st.integers(0, 3),
    st.sampled_from(WEEK), st.booleans())
occupancies = st.dictionaries(
    st.builds(lambda day, slot: datetime.combine(day, slot, tzinfo=JST),
              st.sampled_from(WEEK), st.sampled_from(SLOTS)),
    st.sets(st.integers(1, 3), max_size=3), max_size=20)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    sites = (Site(id="a", name="A", booths=(1, 2), hours=draw(hours_sets()),
                  active=draw(st.booleans())),
             Site(id="b", name="B", booths=(3,), hours=draw(hours_sets())))
    return Calendar(closures=frozenset(), cutoff=time(15), booths=3, sites=sites,
                    ranges=tuple(draw(st.lists(closure_ranges, max_size=3))),
                    limits=tuple(draw(st.lists(limits, max_size=3))))


def _all_free(calendar: Calendar, used: Occupancy, site_id: str | None,
              need: int = 1) -> set[datetime]:
    return {s for day in WEEK for s in free_starts(day, calendar, used, need, site_id)}


# Each example computes a week of slots for several calendars: 60 fresh ones per run (the
# year oracle above covers the fixed combinations), no deadline on a loaded machine.
PROPERTY = settings(max_examples=60, deadline=None)


@PROPERTY
@given(calendars(), occupancies, closure_ranges, limits, st.sampled_from(["a", "b"]))
def test_closing_limiting_or_booking_more_never_frees_a_start(calendar, used, closure, limit,
                                                              site_id):
    before = _all_free(calendar, used, site_id)
    closed = replace(calendar, ranges=(*calendar.ranges, closure))
    limited = replace(calendar, limits=(*calendar.limits, limit))
    busier = {**used, at(10): used.get(at(10), set()) | {1, 3}}
    for after in (_all_free(closed, used, site_id), _all_free(limited, used, site_id),
                  _all_free(calendar, busier, site_id)):
        assert after <= before


@PROPERTY
@given(calendars(), occupancies, st.integers(1, 3))
def test_any_site_is_the_union_of_the_active_sites(calendar, used, need):
    per_site = set().union(*(_all_free(calendar, used, site.id, need)
                             for site in calendar.active_sites()))
    assert _all_free(calendar, used, None, need) == per_site


@PROPERTY
@given(calendars(), occupancies, st.sampled_from(["a", "b"]))
def test_a_free_start_has_its_site_open_and_staff_to_spare(calendar, used, site_id):
    site = calendar.site(site_id)
    assert site is not None
    for start in _all_free(calendar, used, site_id):
        assert site_open(site, start, calendar.ranges)
        assert len(used.get(start, set())) < calendar.capacity(start)
        assert set(site.booths) - used.get(start, set())
