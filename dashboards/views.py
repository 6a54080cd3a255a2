"""The dashboard pages (admins: the city or any station; clerks: their own station), their exports, and
the list behind each figure. Every page validates its query first (a 400 with a sentence), then checks
scope (another station's dashboard is a 404 for a clerk), then reads figures from queries.py."""

import functools
import math

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.care_mode import care_mode_on
from accounts.models import Role, ServiceStation
from applications.models import Status
from audit.models import AuditEntry
from audit.services import record
from sbcard.errors import InvalidInput
from sbcard.replica import reads_from_replica

from . import charts, exports, queries
from .filters import ApplicationsQuery, DashboardQuery, first_error
from .models import Stage


class BadQuery(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def dashboard_page(view):
    """Staff only (others get a 404), a valid query (else a 400 page), and the scope it may see. Figures and
    exports are read from the replica when there is one (sbcard.replica)."""

    @login_required
    @reads_from_replica
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        require_role(request.user, Role.CLERK, Role.ADMIN)
        try:
            return view(request, *args, **kwargs)
        except (BadQuery, InvalidInput) as error:
            message = error.message if isinstance(error, BadQuery) else str(error.message)
            return render(request, "dashboards/bad_request.html", {"message": message}, status=400)

    return wrapper


def _read(request, query_class=DashboardQuery) -> tuple[queries.Scope, dict]:
    query = query_class(data=request.GET)
    if not query.is_valid():
        raise BadQuery(first_error(query.errors))
    data = query.validated_data
    return queries.scope_for(request.user, data.get("station")), data


def _text_size(request) -> int:
    """Chart labels: larger in care mode (关怀模式)."""
    return charts.CARE_TEXT_SIZE if care_mode_on(request) else charts.TEXT_SIZE


def _common(request, scope: queries.Scope, tab: str) -> dict:
    stations = ServiceStation.objects.order_by("code") if request.user.is_city_admin else []
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "page_query": params.urlencode() + "&" if params else "",
        "scope": scope,
        "tab": tab,
        "as_of": queries.as_of(),
        "stations": stations,
        "station_query": f"station={scope.station.pk}" if scope.station else "",
        "query_string": request.GET.urlencode(),
    }


@dashboard_page
def overview(request):
    scope, _data = _read(request)
    totals = queries.status_totals(scope)
    ageing = queries.ageing(scope)
    bucket_totals = queries.bucket_totals(ageing)
    labels = [str(label) for _key, label, _low, _high in queries.AGE_BUCKETS]
    context = {
        **_common(request, scope, "overview"),
        "totals": totals,
        "open_total": sum(row["count"] for row in totals if row["open"]),
        "ageing": ageing,
        "buckets": list(zip(queries.AGE_BUCKET_KEYS, labels, bucket_totals, strict=True)),
        # The backlog only: a million collected cards would flatten every open status to nothing.
        "status_chart": charts.hbars(
            [row["label"] for row in totals if row["open"]],
            [r["count"] for r in totals if r["open"]],
            text_size=_text_size(request),
        ),
        "ageing_chart": charts.bars(labels, [bucket_totals], height=200, text_size=_text_size(request)),
    }
    return render(request, "dashboards/overview.html", context)


@dashboard_page
def deadlines(request):
    scope, _data = _read(request)
    today = timezone.localdate()
    lists = [
        {
            "kind": item.kind,
            "label": item.label,
            "count": item.count,
            "rows": [queries.deadline_row(item.kind, row, today) for row in item.rows],
        }
        for item in queries.deadlines(scope, limit=10)
    ]
    return render(request, "dashboards/deadlines.html", {**_common(request, scope, "deadlines"), "lists": lists})


@dashboard_page
def deadline_list(request, kind: str):
    if kind not in queries.DEADLINES:
        raise Http404
    scope, data = _read(request)
    today = timezone.localdate()
    page = queries.page_of(queries.deadline_queryset(kind, scope), data, queries.deadline_count(kind, scope))
    rows = [queries.deadline_row(kind, item, today) for item in page.object_list]
    context = {
        **_common(request, scope, "deadlines"),
        "kind": kind,
        "label": queries.DEADLINES[kind],
        "page": page,
        "rows": rows,
    }
    return render(request, "dashboards/deadline_list.html", context)


@dashboard_page
def bottleneck(request):
    scope, _data = _read(request)
    stages = queries.stage_times(scope)
    labels = [row["label"] for row in stages]
    context = {
        **_common(request, scope, "bottleneck"),
        "stages": stages,
        "stage_labels": labels,
        "by_station_30": queries.stage_times_by_station(scope, 30),
        "by_station_90": queries.stage_times_by_station(scope, 90),
        "chart_30": charts.bars(
            labels,
            [[row["last_30"]["median_days"] for row in stages], [row["last_30"]["p90_days"] for row in stages]],
            [_("median"), _("90th percentile")],
            height=220,
            text_size=_text_size(request),
        ),
        "chart_90": charts.bars(
            labels,
            [[row["last_90"]["median_days"] for row in stages], [row["last_90"]["p90_days"] for row in stages]],
            [_("median"), _("90th percentile")],
            height=220,
            text_size=_text_size(request),
        ),
    }
    return render(request, "dashboards/bottleneck.html", context)


@dashboard_page
def flow(request):
    scope, data = _read(request)
    daily = queries.daily_flow(scope, data["date_from"], data["date_to"])
    weekly = queries.weekly_flow(daily)
    trend = queries.activation_trend(scope)
    replacements = queries.monthly_replacements(scope)
    every = max(1, math.ceil(len(daily) / 12))
    context = {
        **_common(request, scope, "flow"),
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "daily": daily,
        "weekly": weekly,
        "trend": trend,
        "replacements": replacements,
        "activation": queries.activation_by_station(scope),
        "daily_chart": charts.bars(
            [f"{row['day']:%m-%d}" for row in daily],
            [[row["received"] for row in daily], [row["collected"] for row in daily]],
            [_("Applications in"), _("Cards out")],
            every_label=every,
            text_size=_text_size(request),
        ),
        "weekly_chart": charts.bars(
            [f"{row['week']:%m-%d}" for row in weekly],
            [[row["received"] for row in weekly], [row["collected"] for row in weekly]],
            [_("Applications in"), _("Cards out")],
            every_label=max(1, math.ceil(len(weekly) / 12)),
            text_size=_text_size(request),
        ),
        "trend_chart": charts.line(
            [f"{row['month']:%Y-%m}" for row in trend], [row["rate"] for row in trend], text_size=_text_size(request)
        ),
        "replacement_chart": charts.bars(
            [f"{row['month']:%y-%m}" for row in replacements],
            [[row["count"] for row in replacements]],
            every_label=3,
            text_size=_text_size(request),
        ),
    }
    return render(request, "dashboards/flow.html", context)


@dashboard_page
def applications(request):
    scope, data = _read(request, ApplicationsQuery)
    rows = queries.applications_behind(scope, data["status"], data.get("age"))
    page = queries.page_of(rows, data)
    age_label = dict((key, label) for key, label, _low, _high in queries.AGE_BUCKETS).get(data.get("age"))
    context = {
        **_common(request, scope, "overview"),
        "status_label": Status(data["status"]).label,
        "status": data["status"],
        "age_label": age_label,
        "page": page,
    }
    return render(request, "dashboards/applications.html", context)


# --- exports ---------------------------------------------------------------------------------------

EXPORTS = {
    "statuses": _("Applications by status"),
    "ageing": _("Ageing of open applications"),
    "bottleneck": _("Time in each stage"),
    "bottleneck-stations": _("Time in each stage by station (last 30 days)"),
    "daily": _("Throughput per day"),
    "weekly": _("Throughput per week"),
    "activation": _("Activation rate by station"),
    "activation-trend": _("Activation rate by month collected"),
    "replacements": _("Replacements per month"),
    "reviews": queries.DEADLINES["reviews"],
    "escalations": queries.DEADLINES["escalations"],
    "unclaimed": queries.DEADLINES["unclaimed"],
    "oral-loss": queries.DEADLINES["oral-loss"],
}


@dashboard_page
def export(request, table: str, file_format: str):
    if table not in EXPORTS or file_format not in ("csv", "xlsx"):
        raise Http404
    scope, data = _read(request)
    header, rows = export_rows(table, scope, data)

    record(
        AuditEntry.Action.EXPORT,
        request=request,
        object_type="dashboard",
        object_id=table,
        detail=f"{file_format} station={scope.station_id or 'city'}",
    )
    name = f"dashboard-{table}-{scope.station.code if scope.station else 'city'}-{timezone.localdate():%Y%m%d}"
    if file_format == "csv":
        return exports.csv_response(name, header, rows)
    return exports.xlsx_response(name, header, rows)


def export_rows(table: str, scope: queries.Scope, data: dict) -> tuple[list[str], object]:
    """The header and rows of one exportable table (rows may be a generator over a long list)."""
    if table == "statuses":
        return [_("Status"), _("Applications")], ([row["label"], row["count"]] for row in queries.status_totals(scope))
    if table == "ageing":
        labels = [str(label) for _key, label, _low, _high in queries.AGE_BUCKETS]
        return [_("Status"), *labels, _("Total")], (
            [row["label"], *row["buckets"], row["total"]] for row in queries.ageing(scope)
        )
    if table == "bottleneck":
        header = [_("Stage")]
        for days in (30, 90):
            header += [
                _("Median days, last %(days)d days") % {"days": days},
                _("90th percentile days, last %(days)d days") % {"days": days},
                _("Cases, last %(days)d days") % {"days": days},
            ]
        rows = []
        for row in queries.stage_times(scope):
            line = [row["label"]]
            for days in (30, 90):
                cell = row[f"last_{days}"]
                line += [cell["median_days"], cell["p90_days"], cell["count"]]
            rows.append(line)
        return header, rows
    if table == "bottleneck-stations":
        header = [_("Station")]
        for stage in Stage:
            median, p90 = _("median days"), _("90th percentile days")  # outside the f-string: extracted
            header += [f"{stage.label} {median}", f"{stage.label} {p90}"]
        rows = []
        for row in queries.stage_times_by_station(scope, 30):
            line = [row["station"].name]
            for cell in row["stages"]:
                line += [cell["median_days"], cell["p90_days"]]
            rows.append(line)
        return header, rows
    if table in ("daily", "weekly"):
        daily = queries.daily_flow(scope, data["date_from"], data["date_to"])
        if table == "daily":
            return [_("Day"), _("Applications in"), _("Cards out")], (
                [row["day"], row["received"], row["collected"]] for row in daily
            )
        return [_("Week from"), _("Applications in"), _("Cards out")], (
            [row["week"], row["received"], row["collected"]] for row in queries.weekly_flow(daily)
        )
    if table == "activation":
        return [_("Station"), _("Collected"), _("Activated"), _("Activation rate (%)")], (
            [
                row["station"].name if row["station"] else _("Whole city"),
                row["collected"],
                row["activated"],
                row["rate"],
            ]
            for row in queries.activation_by_station(scope)
        )
    if table == "activation-trend":
        return [_("Month collected"), _("Collected"), _("Activated"), _("Activation rate (%)")], (
            [f"{row['month']:%Y-%m}", row["collected"], row["activated"], row["rate"]]
            for row in queries.activation_trend(scope)
        )
    if table == "replacements":
        return [_("Month"), _("Replacements applied for")], (
            [f"{row['month']:%Y-%m}", row["count"]] for row in queries.monthly_replacements(scope)
        )
    today = timezone.localdate()
    header = [_("Reference"), _("Name"), _("Station"), _("Status"), _("Since"), _("Days"), _("Handled by")]
    items = queries.deadline_queryset(table, scope).iterator(chunk_size=2000)
    return header, (
        [row["reference"], row["name"], row["station"], row["status"], row["since"], row["days"], row["handler"]]
        for row in (queries.deadline_row(table, item, today) for item in items)
    )
