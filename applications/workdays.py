"""Chinese working days: Monday to Friday, minus statutory holidays, plus make-up working days.

The exceptions live in the CalendarDay table (seeded from the chinesecalendar package, each new year
entered by an admin from the State Council's notice). A year with no rows at all has not been entered
yet: it falls back to Monday-Friday and `years_without_calendar` lets pages warn the admins.
"""

import datetime
import threading
import time

from django.utils import timezone

from sbcard.generations import Generation

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
            from .models import CalendarDay

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
    """Called when an admin changes the calendar, so the next question, in every process, reads it again."""
    with _lock:
        _cache["days"] = None
    _GENERATION.bump()


def is_working_day(day: datetime.date) -> bool:
    days, _years = _calendar()
    if day in days:
        return days[day]
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
    """Years with no holiday data: they fall back to Monday-Friday.

    By default this year, and from October (when the State Council publishes the next year's
    holidays) the next one too, since deadlines computed now reach into it.
    """
    _days, known = _calendar()
    if years is None:
        today = timezone.localdate()
        years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [year for year in years if year not in known]
