import datetime

import time_machine

from applications.models import CalendarDay
from applications.workdays import add_working_days, is_working_day, working_days_between, years_without_calendar


def test_national_day_week_is_not_working_and_the_make_up_saturday_is(db):
    assert not is_working_day(datetime.date(2026, 10, 1))
    assert not is_working_day(datetime.date(2026, 10, 7))
    assert is_working_day(datetime.date(2026, 10, 10))  # Saturday, a make-up working day
    assert is_working_day(datetime.date(2026, 9, 20))  # Sunday before the holiday, also made up


def test_seven_working_days_across_national_day(db):
    # Mon 28 Sep: 29, 30 Sep, then 8, 9, 10 (Sat, made up), 12, 13 Oct.
    assert add_working_days(datetime.date(2026, 9, 28), 7) == datetime.date(2026, 10, 13)


def test_working_days_between_counts_the_end_day_not_the_start(db):
    assert working_days_between(datetime.date(2026, 9, 30), datetime.date(2026, 10, 8)) == 1
    assert working_days_between(datetime.date(2026, 10, 8), datetime.date(2026, 10, 8)) == 0


def test_spring_festival_2026(db):
    # 2026 Spring Festival: 15-23 Feb off, Sat 14 Feb and Sat 28 Feb worked.
    assert not is_working_day(datetime.date(2026, 2, 16))
    assert is_working_day(datetime.date(2026, 2, 14))
    assert add_working_days(datetime.date(2026, 2, 13), 1) == datetime.date(2026, 2, 14)


@time_machine.travel(datetime.datetime(2026, 11, 27, 4, tzinfo=datetime.UTC))
def test_a_year_without_data_falls_back_to_weekdays_and_is_reported(db):
    assert years_without_calendar() == [2027]
    # 1 Jan 2027 is a Friday: with no data it counts as a working day.
    assert is_working_day(datetime.date(2027, 1, 1))


@time_machine.travel(datetime.datetime(2026, 11, 27, 4, tzinfo=datetime.UTC))
def test_an_admin_entering_next_years_holidays_changes_the_arithmetic(db):
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_working_day=False, name="元旦")

    assert years_without_calendar() == []
    assert not is_working_day(datetime.date(2027, 1, 1))
    assert add_working_days(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)


@time_machine.travel(datetime.datetime(2026, 5, 1, 4, tzinfo=datetime.UTC))
def test_next_year_is_not_flagged_before_october(db):
    assert years_without_calendar() == []
