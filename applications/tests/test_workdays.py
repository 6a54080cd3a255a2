"""Chinese working days against the State Council's published notices (国务院办公厅关于部分节假日安排的通知):
the expected dates below are read off the notices by hand, and cross-checked with the chinesecalendar package,
an implementation the portal's arithmetic does not share."""

import datetime

import chinese_calendar
import time_machine
from django.utils import translation

from applications.workdays import (
    add_working_days,
    describe_date,
    is_provisional,
    is_working_day,
    working_days_between,
    years_without_calendar,
)

D = datetime.date

# From the notices: the days off on weekdays, and the weekend days worked (调休上班).
NOTICE_2024 = {  # 国务院办公厅关于2024年部分节假日安排的通知 (published 25 October 2023)
    "off": [D(2024, 2, 12), D(2024, 2, 16), D(2024, 4, 5), D(2024, 5, 3), D(2024, 6, 10), D(2024, 10, 7)],
    "worked": [
        D(2024, 2, 4),
        D(2024, 2, 18),
        D(2024, 4, 7),
        D(2024, 4, 28),
        D(2024, 5, 11),
        D(2024, 9, 14),
        D(2024, 9, 29),
        D(2024, 10, 12),
    ],
    "not_off": [D(2024, 2, 9)],  # 除夕: employers "encouraged" to give it, not a holiday in 2024
}
NOTICE_2025 = {  # 国务院办公厅关于2025年部分节假日安排的通知 (published 12 November 2024)
    "off": [D(2025, 1, 1), D(2025, 1, 28), D(2025, 2, 4), D(2025, 4, 4), D(2025, 5, 5), D(2025, 6, 2), D(2025, 10, 8)],
    "worked": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    "not_off": [D(2025, 1, 27), D(2025, 10, 9)],
}
NOTICE_2026 = {  # 国务院办公厅关于2026年部分节假日安排的通知
    "off": [
        D(2026, 1, 2),
        D(2026, 2, 16),
        D(2026, 2, 20),
        D(2026, 2, 23),
        D(2026, 4, 6),
        D(2026, 5, 5),
        D(2026, 6, 19),
        D(2026, 9, 25),
        D(2026, 10, 7),
    ],
    "worked": [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
    "not_off": [D(2026, 2, 13), D(2026, 2, 24)],
}


def test_the_published_days_off_and_make_up_days_of_2024_2025_and_2026(db):
    for notice in (NOTICE_2024, NOTICE_2025, NOTICE_2026):
        for day in notice["off"]:
            assert not is_working_day(day) and not chinese_calendar.is_workday(day), day
        for day in notice["worked"]:
            assert day.weekday() >= 5 and is_working_day(day) and chinese_calendar.is_workday(day), day
        for day in notice["not_off"]:
            assert is_working_day(day) and chinese_calendar.is_workday(day), day
        assert not any(is_provisional(day) for day in notice["off"])


def test_counting_working_days_across_the_published_holidays(db):
    # Each read off its notice: a make-up weekend day counts, the holiday week does not.
    assert add_working_days(D(2024, 9, 27), 7) == D(2024, 10, 12)  # 29 Sep (Sun) worked ... 12 Oct (Sat) worked
    assert add_working_days(D(2024, 2, 8), 1) == D(2024, 2, 9)  # 除夕 2024 was a working day
    assert add_working_days(D(2025, 1, 24), 3) == D(2025, 2, 5)  # 26 Jan (Sun) worked, 28 Jan - 4 Feb off
    assert add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)  # 28 Sep (Sun) worked, 1-8 Oct off
    assert add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)  # 14 Feb (Sat) worked, 15-23 Feb off
    assert add_working_days(D(2026, 9, 18), 7) == D(2026, 9, 29)  # 20 Sep (Sun) worked, 25-27 Sep off


def test_working_days_between_counts_the_end_day_not_the_start(db):
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1  # 1-7 Oct off
    assert working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == 0


@time_machine.travel(datetime.datetime(2026, 11, 27, 4, tzinfo=datetime.UTC))
def test_a_year_not_yet_published_counts_the_statutory_holidays_and_says_it_is_provisional(db):
    # 全国年节及纪念日放假办法 (as revised from 2025): New Year's Day 1 day; Spring Festival 4 days, the eve and
    # the first three days of the lunar year. In 2027 the lunar new year is Saturday 6 February, so the eve is
    # Friday 5 February and 正月初三 is Monday 8 February; a holiday on a weekend is made up on a working day.
    assert years_without_calendar() == [2027]
    assert is_provisional(D(2027, 1, 1)) and not is_provisional(D(2026, 12, 31))
    for day in (D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8)):
        assert not is_working_day(day), day
    assert is_working_day(D(2027, 1, 4)) and is_working_day(D(2027, 2, 4))
    # The case: a loss reported on Wednesday 30 December 2026 must be confirmed within 3 working days.
    assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 5)  # 31 Dec, (1 Jan off, weekend), 4 and 5 Jan
    with translation.override("zh-hans"):
        assert describe_date(D(2027, 1, 5)) == "2027-01-05（暂定：2027年节假日安排尚未公布）"
        assert describe_date(D(2026, 12, 31)) == "2026-12-31"
    with translation.override("en"):
        assert "provisional" in describe_date(D(2027, 1, 5))


@time_machine.travel(datetime.datetime(2026, 5, 1, 4, tzinfo=datetime.UTC))
def test_next_year_is_not_flagged_before_october(db):
    assert years_without_calendar() == []
