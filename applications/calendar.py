"""Entering a year's holidays in one step, from the State Council's notice (国务院办公厅关于部分节假日安排的通知).

The admin pastes (or uploads) the notice as published; `parse_notice` reads its holiday ranges and make-up
working days, and checks each date against the weekday the notice gives for it, so the wrong year or a
mistyped day is caught before anything is saved. `enter_year` then replaces that year's days, forgets the
cached calendar, recomputes every open deadline the year touches, and tells each person whose date moved.

Deadlines live in several apps; each exposes a `DeadlineSource` (named below by dotted path, like the
workflow's follow-up jobs, so this module imports no app above it): what each person was told, what the
new calendar gives, and how to store a moved date.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from audit.models import AuditEntry
from notices.services import send_pending_sms
from sbcard.errors import InvalidInput

from .models import CalendarDay
from .workdays import described_date, forget_calendar

# The dates people were given that an entered year can move. Each source belongs to the app that keeps the
# date and registers itself at start-up (its apps.py), with the function that tells its people: the source has
# kind; before(year) and after(year) -> {object id: date or None}; store({id: (old, new)}); and
# tell(year, [DateMove, ...]) writes the notices of those whose date moved.
DEADLINE_SOURCES: list[tuple] = []


def add_deadline_source(source, *, tell) -> None:
    if all(type(known) is not type(source) for known, _tell in DEADLINE_SOURCES):
        DEADLINE_SOURCES.append((source, tell))


WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
DATE = r"(?:(?P<{p}year>\d{{4}})\s*年\s*)?(?:(?P<{p}month>\d{{1,2}})\s*月\s*)?(?P<{p}day>\d{{1,2}})\s*日"
NOTE = r"(?:\s*[（(](?P<{p}note>[^）)]*)[）)])?"
RANGE = re.compile(
    DATE.format(p="a")
    + NOTE.format(p="a")
    + r"(?:\s*(?:至|到|—|–|~|－)\s*"
    + DATE.format(p="b")
    + NOTE.format(p="b")
    + ")?"
)
ISO_DATE = r"(?P<{p}iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})"
ISO_RANGE = re.compile(ISO_DATE.format(p="a") + r"(?:\s*(?:至|到|~|～|\.\.|to)\s*" + ISO_DATE.format(p="b") + ")?")
HOLIDAY_NAME = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]\s*(?P<name>[^：:]{1,20})[：:]")


@dataclass
class YearSchedule:
    year: int
    holidays: dict[datetime.date, str] = field(default_factory=dict)
    working_days: dict[datetime.date, str] = field(default_factory=dict)


DATE_MOVED = "date_moved"  # the kind of the notices that say so


@dataclass(frozen=True)
class DateMove:
    """One person's date that the entered year changed: `new` None means the day is no longer a working day."""

    kind: str  # application, loss_report, appointment, roster_batch
    object_id: int
    old: datetime.date | None
    new: datetime.date | None


def moved_context(year: int, move: DateMove) -> dict:
    """What every "your date moved" notice names: the year entered, the new date (marked provisional in the
    reader's language when it still is) and the old one."""
    return {
        "year": year,
        "date": described_date(move.new) if move.new else "",
        "old": move.old.isoformat() if move.old else "",
    }


@dataclass(frozen=True)
class EnteredYear:
    year: int
    holidays: int
    working_days: int
    moved: dict[str, int]  # kind -> number of dates that moved (each person told)


class NoticeError(InvalidInput):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems), code="calendar_notice", field="notice")
        self.problems = problems


def _weekday_problem(day: datetime.date, note: str | None, where: str) -> str | None:
    match = re.search(r"(?:周|星期|礼拜)([一二三四五六日天])", note or "")
    if match and WEEKDAYS[match.group(1)] != day.weekday():
        return _("%(where)s: %(date)s is a %(weekday)s, but the notice says %(said)s. Is the year right?") % {
            "where": where,
            "date": day.isoformat(),
            "weekday": _weekday_name(day),
            "said": match.group(0),
        }
    return None


def _weekday_name(day: datetime.date) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")][
        day.weekday()
    ]


def _date(match, prefix: str, *, year: int, month: int | None) -> datetime.date:
    """A date from the match's parts; the year and month carry over from the range's start when left out."""
    got_year = match.group(f"{prefix}year")
    got_month = match.group(f"{prefix}month")
    return datetime.date(
        int(got_year) if got_year else year, int(got_month) if got_month else month, int(match.group(f"{prefix}day"))
    )


def _ranges(sentence: str, year: int, where: str, problems: list[str]) -> list[tuple[datetime.date, datetime.date]]:
    found = []
    for match in ISO_RANGE.finditer(sentence):
        try:
            start = datetime.date.fromisoformat(_iso(match.group("aiso")))
            end = datetime.date.fromisoformat(_iso(match.group("biso"))) if match.group("biso") else start
        except ValueError:
            problems.append(_("%(where)s: “%(text)s” is not a real date.") % {"where": where, "text": match.group(0)})
            continue
        found.append((start, end))
    if found:
        return found
    for match in RANGE.finditer(sentence):
        if match.group("amonth") is None:
            continue  # "23日" alone is the end of a range written "2月15日至23日", read with its start
        try:
            start = _date(match, "a", year=year, month=None)
            end = start
            if match.group("bday"):
                end = _date(match, "b", year=int(match.group("ayear") or year), month=start.month)
                if end < start and not match.group("byear"):  # 12月31日至1月2日: the end is in the next year
                    end = end.replace(year=end.year + 1)
        except (TypeError, ValueError):
            problems.append(_("%(where)s: “%(text)s” is not a real date.") % {"where": where, "text": match.group(0)})
            continue
        for day, note in ((start, match.group("anote")), (end, match.group("bnote"))):
            problem = _weekday_problem(day, note, where)
            if problem:
                problems.append(problem)
        found.append((start, end))
    return found


def _iso(text: str) -> str:
    year, month, day = text.split("-")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def parse_notice(text: str, year: int) -> YearSchedule:
    """The holidays and make-up working days of `year` from the notice's text, or NoticeError listing every
    problem found (nothing is half-read).

    Reads each numbered item ("二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
    1月26日（周日）、2月8日（周六）上班。"): sentences with 放假 give holidays, sentences ending in 上班 give
    make-up working days, others ("鼓励……在除夕（2月9日）休息") are left alone. Lines of ISO dates work too:
    "2027-02-05 至 2027-02-11 春节" and "2027-02-14 上班".
    """
    schedule = YearSchedule(year=year)
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        where = _("line %(number)d") % {"number": number}
        named = HOLIDAY_NAME.match(line)
        name = named.group("name").strip() if named else ""
        body = line[named.end() :] if named else line
        for sentence in re.split(r"[。；;]", body):
            working = bool(re.search(r"(上班|补班|工作日|work)", sentence, re.I)) and "放假" not in sentence
            if not working and not re.search(r"(放假|休息日|holiday|\d{4}-\d{1,2}-\d{1,2})", sentence, re.I):
                continue
            if "鼓励" in sentence:
                continue  # advice to employers (the eve of Spring Festival off), not part of the schedule
            target = schedule.working_days if working else schedule.holidays
            for start, end in _ranges(sentence, year, where, problems):
                if end < start or (end - start).days > 15:
                    problems.append(
                        _("%(where)s: the range %(start)s to %(end)s is not a holiday period.")
                        % {"where": where, "start": start.isoformat(), "end": end.isoformat()}
                    )
                    continue
                for day in _days(start, end):
                    target[day] = name or (_("make-up working day") if working else _("statutory holiday"))
    _check(schedule, problems)
    if problems:
        raise NoticeError(problems)
    return schedule


def _check(schedule: YearSchedule, problems: list[str]) -> None:
    year = schedule.year
    for day in [*schedule.holidays, *schedule.working_days]:
        if abs(day.year - year) > 1:
            problems.append(_("%(date)s is not in %(year)s.") % {"date": day.isoformat(), "year": year})
    if not any(day.year == year for day in schedule.holidays):
        problems.append(
            _("No holiday of %(year)s was found. Paste the notice's items, such as “一、元旦：1月1日放假”.")
            % {"year": year}
        )
    for day in schedule.working_days:
        if day.weekday() < 5:
            problems.append(
                _("%(date)s is a %(weekday)s: a make-up working day is always a Saturday or Sunday.")
                % {"date": day.isoformat(), "weekday": _weekday_name(day)}
            )
        if day in schedule.holidays:
            problems.append(_("%(date)s is given both as a holiday and as a working day.") % {"date": day.isoformat()})


@transaction.atomic
def enter_year(year: int, text: str, *, actor) -> EnteredYear:
    """Replace `year`'s days with the notice's, recompute the open deadlines it touches and tell whoever's moved."""
    schedule = parse_notice(text, year)
    sources = list(DEADLINE_SOURCES)
    told_before = [source.before(year) for source, _tell in sources]
    dates = set(schedule.holidays) | set(schedule.working_days)
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.filter(date__in=dates).delete()  # a range reaching into the next or last year
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, is_working_day=False, name=name[:60], source=CalendarDay.Source.ADMIN)
            for day, name in schedule.holidays.items()
        ]
        + [
            CalendarDay(date=day, is_working_day=True, name=name[:60], source=CalendarDay.Source.ADMIN)
            for day, name in schedule.working_days.items()
        ]
    )
    forget_calendar()  # in every process, now and again once this commits
    moved: dict[str, int] = {}
    for (source, tell), before in zip(sources, told_before, strict=True):
        after = source.after(year)
        changes = {pk: (old, after.get(pk)) for pk, old in before.items() if after.get(pk, old) != old}
        source.store(changes)
        tell(year, [DateMove(source.kind, pk, old, new) for pk, (old, new) in changes.items()])
        moved[source.kind] = len(changes)
    # The SMS go out from one job, not a message per SMS from the admin's request: a year can move thousands.
    send_pending_sms(DATE_MOVED)
    audit.record(
        AuditEntry.Action.CALENDAR_CHANGE,
        actor=actor,
        object_type="applications.calendarday",
        object_id=year,
        detail=f"entered {year}: {len(schedule.holidays)} holidays, {len(schedule.working_days)} make-up days; "
        f"moved {moved}",
    )
    return EnteredYear(year, len(schedule.holidays), len(schedule.working_days), moved)
