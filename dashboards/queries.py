"""The dashboards' figures, for pages, the API and exports alike.

Totals, ageing, stage times, throughput and activation are read from the summaries (summaries.py), at
most a minute old: each answer carries `as_of`, the summariser's last run. The four deadline lists are
live queries on the applications, escalations and loss reports, each on an index that keeps it to the
rows it returns (see the dash_* indexes in migrations/0002).
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, Sum, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, ServiceStation
from applications.models import OPEN_STATUSES, CardApplication, CityPolicy, Escalation, Status
from applications.workdays import add_working_days, working_days_before
from issuance.models import LossReport
from sbcard.errors import InvalidInput

from . import summaries
from .models import CITY, ActivationCohort, DailyFlow, Flow, Stage, StageWindow, StatusCount

OPEN_IN_ORDER = [s for s in Status.values if s in OPEN_STATUSES]
# Age of an open application, in days since it was created (rule 1: over 60 is overdue, 督办).
AGE_BUCKETS = [
    ("0-7", _("0–7 days"), 0, 7),
    ("8-30", _("8–30 days"), 8, 30),
    ("31-60", _("31–60 days"), 31, 60),
    ("61+", _("over 60 days"), 61, None),
]
AGE_BUCKET_KEYS = [key for key, _label, _low, _high in AGE_BUCKETS]
DEADLINES = {
    "reviews": _("Reviews past 7 working days"),
    "escalations": _("Older than two months (督办)"),
    "unclaimed": _("Cards unclaimed for more than 30 days"),
    "oral-loss": _("Oral loss reports about to lapse"),
}
UNCLAIMED_AFTER = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole city (station None) or one station."""

    station: ServiceStation | None

    @property
    def key(self) -> int:
        return self.station.pk if self.station else CITY

    @property
    def station_id(self) -> int | None:
        return self.station.pk if self.station else None


def scope_for(user, station_id: int | None) -> Scope:
    """Admins see the city or any station; a clerk sees their own station only (any other id is a 404,
    as is the dashboard for any other role). An admin naming a station that does not exist gets a 400."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_city_admin:
        if station_id is None:
            return Scope(None)
        station = ServiceStation.objects.filter(pk=station_id).first()
        if station is None:
            raise InvalidInput(_("There is no service station %(id)s.") % {"id": station_id}, field="station")
        return Scope(station)
    if user.role == Role.CLERK:
        if station_id is not None and station_id != user.station_id:
            raise Http404
        return Scope(user.station)
    raise Http404


def as_of() -> datetime.datetime | None:
    return summaries.last_run()


# --- from the summaries ----------------------------------------------------------------------------


def status_totals(scope: Scope) -> list[dict]:
    counts = dict(
        StatusCount.objects.filter(station_id=scope.key).values_list("status").annotate(n=Sum("count")).order_by()
    )
    return [
        {
            "status": status,
            "label": str(Status(status).label),
            "count": counts.get(status, 0),
            "open": status in OPEN_STATUSES,
        }
        for status in Status.values
    ]


def _age_range(today: datetime.date, low: int, high: int | None) -> Q:
    condition = Q(created_day__lte=today - datetime.timedelta(days=low))
    if high is not None:
        condition &= Q(created_day__gte=today - datetime.timedelta(days=high))
    return condition


def ageing(scope: Scope, today: datetime.date | None = None) -> list[dict]:
    """Open applications per status, in age buckets by creation day."""
    today = today or timezone.localdate()
    buckets = {
        key: Sum(Case(When(_age_range(today, low, high), then="count"), default=0, output_field=IntegerField()))
        for key, _label, low, high in AGE_BUCKETS
    }
    rows = {
        row["status"]: row
        for row in StatusCount.objects.filter(station_id=scope.key, status__in=OPEN_IN_ORDER)
        .values("status")
        .annotate(**{f"b{index}": value for index, value in enumerate(buckets.values())})
        .order_by()
    }
    result = []
    for status in OPEN_IN_ORDER:
        row = rows.get(status, {})
        counts = [row.get(f"b{index}") or 0 for index in range(len(AGE_BUCKETS))]
        result.append(
            {
                "status": status,
                "label": str(Status(status).label),
                "buckets": counts,
                "cells": list(zip(AGE_BUCKET_KEYS, counts, strict=True)),
                "total": sum(counts),
            }
        )
    return result


def bucket_totals(rows: list[dict]) -> list[int]:
    return [sum(row["buckets"][index] for row in rows) for index in range(len(AGE_BUCKETS))]


def stage_times(scope: Scope) -> list[dict]:
    """Median and 90th percentile per stage, over the last 30 and 90 days (by the day the stage ended)."""
    windows = {(w.stage, w.days): w for w in StageWindow.objects.filter(station_id=scope.key)}
    return [_stage_row(stage, windows) for stage in Stage.values]


def stage_times_by_station(scope: Scope, days: int = 30) -> list[dict]:
    """For the city: each station's median and 90th percentile per stage (one small read of StageWindow)."""
    if scope.station is not None:
        stations = [scope.station]
    else:
        stations = list(ServiceStation.objects.order_by("code"))
    windows = {}
    for window in StageWindow.objects.filter(station_id__in=[s.pk for s in stations], days=days):
        windows.setdefault(window.station_id, {})[(window.stage, window.days)] = window
    return [
        {
            "station": station,
            "stages": [_stage_cell(windows.get(station.pk, {}).get((stage, days))) for stage in Stage.values],
        }
        for station in stations
    ]


def _stage_cell(window: StageWindow | None) -> dict:
    if window is None:
        return {"count": 0, "median_days": None, "p90_days": None}
    return {
        "count": window.count,
        "median_days": _days(window.median_seconds),
        "p90_days": _days(window.p90_seconds),
    }


def _stage_row(stage: str, windows: dict) -> dict:
    return {
        "stage": stage,
        "label": str(Stage(stage).label),
        **{f"last_{days}": _stage_cell(windows.get((stage, days))) for days in summaries.WINDOW_DAYS},
    }


def _days(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


def daily_flow(scope: Scope, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Applications in and cards out per day (every day of the range, zeros included)."""
    rows = DailyFlow.objects.filter(
        station_id=scope.key, day__gte=date_from, day__lte=date_to, metric__in=[Flow.RECEIVED, Flow.COLLECTED]
    ).values_list("day", "metric", "count")
    by_day: dict[datetime.date, dict] = {}
    for day, metric, count in rows:
        by_day.setdefault(day, {})[metric] = count
    result = []
    day = date_from
    while day <= date_to:
        values = by_day.get(day, {})
        result.append(
            {"day": day, "received": values.get(Flow.RECEIVED, 0), "collected": values.get(Flow.COLLECTED, 0)}
        )
        day += datetime.timedelta(days=1)
    return result


def weekly_flow(daily: list[dict]) -> list[dict]:
    """The same by ISO week (Monday first), for the weeks the range touches."""
    weeks: dict[datetime.date, dict] = {}
    for row in daily:
        monday = row["day"] - datetime.timedelta(days=row["day"].weekday())
        week = weeks.setdefault(monday, {"week": monday, "received": 0, "collected": 0})
        week["received"] += row["received"]
        week["collected"] += row["collected"]
    return [weeks[key] for key in sorted(weeks)]


def monthly_replacements(scope: Scope, months: int = 24, today: datetime.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    first = _month_back(today.replace(day=1), months - 1)
    totals: dict[datetime.date, int] = {}
    for day, count in DailyFlow.objects.filter(
        station_id=scope.key, metric=Flow.REPLACEMENT, day__gte=first
    ).values_list("day", "count"):
        month = day.replace(day=1)
        totals[month] = totals.get(month, 0) + count
    return [{"month": month, "count": totals.get(month, 0)} for month in _months(first, today.replace(day=1))]


def activation_trend(scope: Scope, months: int = 24, today: datetime.date | None = None) -> list[dict]:
    """Of the cards collected each month, how many have been activated since (rule 21)."""
    today = today or timezone.localdate()
    first = _month_back(today.replace(day=1), months - 1)
    cohorts = {
        month: (collected, activated)
        for month, collected, activated in ActivationCohort.objects.filter(
            station_id=scope.key, month__gte=first
        ).values_list("month", "collected", "activated")
    }
    result = []
    for month in _months(first, today.replace(day=1)):
        collected, activated = cohorts.get(month, (0, 0))
        result.append(
            {"month": month, "collected": collected, "activated": activated, "rate": _rate(activated, collected)}
        )
    return result


def activation_by_station(scope: Scope) -> list[dict]:
    """Activated / collected per station over everything summarised (the city row first)."""
    if scope.station is not None:
        keys = [scope.station.pk]
        names = {scope.station.pk: scope.station}
    else:
        names = {station.pk: station for station in ServiceStation.objects.order_by("code")}
        keys = [CITY, *names]
    totals = {
        station_id: (collected or 0, activated or 0)
        for station_id, collected, activated in ActivationCohort.objects.filter(station_id__in=keys)
        .values_list("station_id")
        .annotate(Sum("collected"), Sum("activated"))
        .order_by()
    }
    rows = []
    for key in keys:
        collected, activated = totals.get(key, (0, 0))
        rows.append(
            {
                "station": names.get(key),
                "collected": collected,
                "activated": activated,
                "rate": _rate(activated, collected),
            }
        )
    return rows


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _month_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = _month_back(month, -1)
    return months


# --- live lists ------------------------------------------------------------------------------------


@dataclass
class DeadlineList:
    kind: str
    label: str
    count: int
    rows: list = field(default_factory=list)


def review_cutoff(today: datetime.date, limit_working_days: int) -> datetime.datetime:
    """Submitted before this moment = waited more than the limit in working days (rule 4)."""
    cutoff_day = working_days_before(today, limit_working_days)
    return timezone.make_aware(datetime.datetime.combine(cutoff_day, datetime.time.min))


def deadline_queryset(kind: str, scope: Scope, now: datetime.datetime | None = None):

    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = CityPolicy.current()
    if kind == "reviews":
        rows = CardApplication.objects.filter(
            status=Status.SUBMITTED, submitted_at__lt=review_cutoff(today, policy.review_limit_working_days)
        )
        if scope.station_id:
            rows = rows.filter(station_id=scope.station_id)
        return rows.select_related("person", "station").order_by("submitted_at", "id")
    if kind == "escalations":
        rows = Escalation.objects.filter(resolved_at=None)
        if scope.station_id:
            rows = rows.filter(application__station_id=scope.station_id)
        return rows.select_related("application__person", "application__station", "handler").order_by(
            "created_at", "id"
        )
    if kind == "unclaimed":
        late = now - datetime.timedelta(days=policy.pickup_unclaimed_days)
        # Written as "status in (both) and (...)" so PostgreSQL reads only these two statuses of app_status_age.
        rows = CardApplication.objects.filter(status__in=[Status.UNCLAIMED, Status.READY_FOR_PICKUP]).filter(
            Q(status=Status.UNCLAIMED) | Q(status_changed_at__lt=late)
        )
        if scope.station_id:
            rows = rows.filter(station_id=scope.station_id)
        return rows.select_related("person", "station").order_by("status_changed_at", "id")
    if kind == "oral-loss":
        rows = LossReport.objects.filter(
            kind=LossReport.Kind.ORAL,
            confirmed_at=None,
            lapsed_at=None,
            withdrawn_at=None,
            written_deadline__lte=add_working_days(today, 1),
        )
        if scope.station_id:
            rows = rows.filter(card__application__station_id=scope.station_id)
        return rows.select_related("card__person", "card__application__station").order_by("written_deadline", "id")
    raise Http404


def deadline_count(kind: str, scope: Scope, now: datetime.datetime | None = None) -> int:
    """The length of a deadline list, counted the way each index counts fastest: the unclaimed cards as two
    plain counts (PostgreSQL plans the OR of two statuses badly), the others as their list."""
    if kind != "unclaimed":
        return deadline_queryset(kind, scope, now).order_by().count()

    now = now or timezone.now()
    late = now - datetime.timedelta(days=CityPolicy.current().pickup_unclaimed_days)
    rows = CardApplication.objects.all()
    if scope.station_id:
        rows = rows.filter(station_id=scope.station_id)
    return (
        rows.filter(status=Status.UNCLAIMED).count()
        + rows.filter(status=Status.READY_FOR_PICKUP, status_changed_at__lt=late).count()
    )


def deadlines(scope: Scope, limit: int = 10, now: datetime.datetime | None = None) -> list[DeadlineList]:
    result = []
    for kind, label in DEADLINES.items():
        rows = deadline_queryset(kind, scope, now)
        result.append(DeadlineList(kind, str(label), deadline_count(kind, scope, now), list(rows[:limit])))
    return result


def deadline_row(kind: str, item, today: datetime.date) -> dict:
    """One row of a deadline list, as pages, the API and exports show it (no ID or phone numbers)."""
    if kind == "escalations":
        application = item.application
        return {
            "application_id": application.pk,
            "reference": application.reference,
            "name": application.person.name,
            "station": application.station.name,
            "status": application.get_status_display(),
            "since": timezone.localtime(item.created_at),
            "days": (today - timezone.localdate(application.created_at)).days,
            "handler": str(item.handler) if item.handler_id else "",
        }
    if kind == "oral-loss":
        return {
            "application_id": item.card.application_id,
            "reference": item.card.number,
            "name": item.card.person.name,
            "station": item.card.application.station.name,
            "status": item.get_channel_display(),
            "since": timezone.localtime(item.created_at),
            "days": (item.written_deadline - today).days,
            "handler": "",
        }
    since = item.submitted_at if kind == "reviews" else item.status_changed_at
    return {
        "application_id": item.pk,
        "reference": item.reference,
        "name": item.person.name,
        "station": item.station.name,
        "status": item.get_status_display(),
        "since": timezone.localtime(since) if since else None,
        "days": (today - timezone.localdate(since)).days if since else None,
        "handler": "",
    }


def applications_behind(scope: Scope, status: str, age: str | None, today: datetime.date | None = None):
    """The applications behind a status total or an ageing cell, oldest first (the app_*status_created indexes)."""
    today = today or timezone.localdate()
    rows = CardApplication.objects.filter(status=status)
    if scope.station_id:
        rows = rows.filter(station_id=scope.station_id)
    if age:
        _key, _label, low, high = next(bucket for bucket in AGE_BUCKETS if bucket[0] == age)
        newest = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=low - 1), datetime.time.min)
        )
        rows = rows.filter(created_at__lt=newest)
        if high is not None:
            oldest = timezone.make_aware(
                datetime.datetime.combine(today - datetime.timedelta(days=high), datetime.time.min)
            )
            rows = rows.filter(created_at__gte=oldest)
    return rows.select_related("person", "station").order_by("created_at", "id")


def page_of(rows, data: dict, count: int | None = None) -> Page:
    """A page of a long list without counting it all: the count is capped at the deepest page allowed."""
    size = data["page_size"]
    paginator = Paginator(rows, size)
    # Paginator.count would COUNT(*) the whole list (a million collected applications): count only as far
    # as the deepest page a query may ask for, without ORDER BY (an index-only count).
    paginator.count = count if count is not None else rows.order_by()[: size * 1000 + 1].count()
    if data["page"] > paginator.num_pages and data["page"] > 1:
        raise InvalidInput(
            _("There are only %(count)d pages.") % {"count": paginator.num_pages}, code="no_such_page", field="page"
        )
    return paginator.page(data["page"])
