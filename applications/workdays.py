"""Chinese working days: Monday to Friday, minus statutory holidays, plus make-up working days.

The exceptions live in the CalendarDay table: seeded from the chinesecalendar package (which carries the
State Council's published schedules), each new year entered by an admin from the State Council's notice
(applications/calendar.py). A year with no rows has not been published or entered yet: its working days
are *provisional* — the statutory holidays by rule (the `holidays` package's China calendar, with the days
the law adds when a holiday falls on a weekend), but no make-up working days, which only the notice fixes.
Every date from such a year is shown with a word that it is provisional (`describe_date`).
"""

import datetime
import threading
import time
from functools import lru_cache

import holidays
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext

from sbcard.generations import Generation

from .models import CalendarDay

_CACHE_SECONDS = 300
# Each process keeps the calendar; an admin's change in any process reaches the others within this time
# (they compare the generation in the shared cache; at most once a second, as loops ask day by day).
_GENERATION_CHECK_SECONDS = 1.0
_GENERATION = Generation("working-calendar")
_lock = threading.Lock()
_cache: dict = {"loaded_at": 0.0, "days": None, "years": None, "generation": "", "checked_at": 0.0}


def _calendar() -> tuple[dict[datetime.date, bool], frozenset[int]]:
    with _lock:
        now = time.monotonic()
        if _cache["days"] is not None and now - _cache["checked_at"] > _GENERATION_CHECK_SECONDS:
            _cache["checked_at"] = now
            if _GENERATION.current() != _cache["generation"]:
                _cache["days"] = None
        if _cache["days"] is None or now - _cache["loaded_at"] > _CACHE_SECONDS:
            generation = _GENERATION.current()
            days = dict(CalendarDay.objects.values_list("date", "is_working_day"))
            _cache.update(
                days=days,
                years=frozenset(day.year for day in days),
                loaded_at=now,
                checked_at=now,
                generation=generation,
            )
        return _cache["days"], _cache["years"]


def forget_calendar() -> None:
    """Called by the service that saves calendar days (applications/calendar.py), so the next question, in
    every process, reads the table again."""
    with _lock:
        _cache["days"] = None
    _GENERATION.bump()


@lru_cache(maxsize=64)
def provisional_holidays(year: int) -> frozenset[datetime.date]:
    """The statutory holidays of a year whose schedule is not published, by rule (holidays package)."""
    return frozenset(holidays.China(years=year))


def known_years() -> frozenset[int]:
    """Years whose schedule is in the table (published and entered)."""
    return _calendar()[1]


def is_provisional(day: datetime.date) -> bool:
    """Whether working days around `day` are estimated: its year's schedule has not been entered."""
    return day.year not in known_years()


def is_working_day(day: datetime.date) -> bool:
    days, years = _calendar()
    if day in days:
        return days[day]
    if day.year not in years and day in provisional_holidays(day.year):
        return False
    return day.weekday() < 5


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The date `count` working days after `start` (start itself not counted)."""
    day = start
    added = 0
    while added < count:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            added += 1
    return day


def working_days_before(end: datetime.date, count: int) -> datetime.date:
    """The date `count` working days before `end`: the cutoff for "waited more than `count` working days"."""
    day = end
    taken = 0
    while taken < count:
        if is_working_day(day):
            taken += 1
        day -= datetime.timedelta(days=1)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not after start."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def years_without_calendar(years: list[int] | None = None) -> list[int]:
    """Years with no entered schedule: their working days are provisional.

    By default this year, and from October (when the State Council publishes the next year's
    holidays) the next one too, since deadlines computed now reach into it.
    """
    known = known_years()
    if years is None:
        today = timezone.localdate()
        years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [year for year in years if year not in known]


def provisional_note(day: datetime.date) -> str:
    """The words that go beside a date from a year whose holidays are not published, else ""."""
    if day is None or not is_provisional(day):
        return ""
    return gettext("provisional: the %(year)s holiday schedule is not published yet") % {"year": day.year}


def describe_date(day: datetime.date | None) -> str:
    """A date as notices, PDFs and messages write it, saying so when it is provisional:
    "2027-02-10 (provisional: the 2027 holiday schedule is not published yet)"."""
    if day is None:
        return ""
    note = provisional_note(day)
    return gettext("%(date)s (%(note)s)") % {"date": day.isoformat(), "note": note} if note else day.isoformat()


# The same, written in each reader's language when the notice is rendered for them.
described_date = lazy(describe_date, str)


def chinese_date(day: datetime.date) -> str:
    """A date as the Chinese-only documents (领卡证明, 缴费通知书) print it: 2027年02月10日（暂定：…）."""
    with translation.override("zh-hans"):
        note = provisional_note(day)
    return f"{day:%Y年%m月%d日}" + (f"（{note}）" if note else "")
