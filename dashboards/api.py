"""The dashboards' figures as JSON under /api/v1/dashboard/ (same scope rules and filters as the pages)."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from sbcard.api import ErrorSerializer
from sbcard.replica import reads_from_replica

from . import queries
from .filters import DashboardQuery

NOT_YOURS = {
    404: OpenApiResponse(ErrorSerializer, description="Not a dashboard you may see (clerks and admins only)."),
}
STATION = OpenApiParameter(
    "station", int, description="A station's id (admins: any, or none for the city; clerks: their own)."
)
KIND = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.PATH,
    enum=["reviews", "escalations", "unclaimed", "oral-loss"],
    description="Which list.",
)
PARAMETERS = [STATION]
RANGE = [
    STATION,
    OpenApiParameter("date_from", str, description="First day, YYYY-MM-DD (default: 89 days before date_to)."),
    OpenApiParameter("date_to", str, description="Last day, YYYY-MM-DD (default: today); at most two years."),
]
LIST = [
    KIND,
    STATION,
    OpenApiParameter("page", {"type": "integer", "minimum": 1, "maximum": 1000}, description="Page number, 1-1000."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        description="Rows per page, 1-100 (default 50).",
    ),
]


class StageCellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)


class OverviewSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True, help_text="When the summaries were last brought up to date.")
    station = serializers.IntegerField(allow_null=True)
    totals = inline_serializer(
        "StatusTotal",
        {
            "status": serializers.CharField(),
            "label": serializers.CharField(),
            "count": serializers.IntegerField(),
            "open": serializers.BooleanField(),
        },
        many=True,
    )
    age_buckets = serializers.ListField(child=serializers.CharField())
    ageing = inline_serializer(
        "AgeingRow",
        {
            "status": serializers.CharField(),
            "label": serializers.CharField(),
            "buckets": serializers.ListField(child=serializers.IntegerField()),
            "total": serializers.IntegerField(),
        },
        many=True,
    )


class DeadlineRowSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()
    station = serializers.CharField()
    status = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)
    days = serializers.IntegerField(allow_null=True)
    handler = serializers.CharField()


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    rows = DeadlineRowSerializer(many=True)


class DeadlinesSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(help_text="Deadline lists are live: the time of the answer.")
    station = serializers.IntegerField(allow_null=True)
    lists = DeadlineSerializer(many=True)


class DeadlinePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows in the list (counted up to 100,000).")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = DeadlineRowSerializer(many=True)


class BottleneckSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True)
    station = serializers.IntegerField(allow_null=True)
    stages = inline_serializer(
        "StageTimes",
        {
            "stage": serializers.CharField(),
            "label": serializers.CharField(),
            "last_30": StageCellSerializer(),
            "last_90": StageCellSerializer(),
        },
        many=True,
    )
    by_station = inline_serializer(
        "StationStageTimes",
        {
            "station": serializers.IntegerField(),
            "station_name": serializers.CharField(),
            "stages": StageCellSerializer(many=True),
        },
        many=True,
        help_text="Per station, last 30 days, stages in the order of `stages`.",
    )


class FlowSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True)
    station = serializers.IntegerField(allow_null=True)
    daily = inline_serializer(
        "DailyFlow",
        {
            "day": serializers.DateField(),
            "received": serializers.IntegerField(),
            "collected": serializers.IntegerField(),
        },
        many=True,
    )
    weekly = inline_serializer(
        "WeeklyFlow",
        {
            "week": serializers.DateField(),
            "received": serializers.IntegerField(),
            "collected": serializers.IntegerField(),
        },
        many=True,
    )
    replacements = inline_serializer(
        "MonthlyReplacements", {"month": serializers.DateField(), "count": serializers.IntegerField()}, many=True
    )


class ActivationSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True)
    station = serializers.IntegerField(allow_null=True)
    by_station = inline_serializer(
        "StationActivation",
        {
            "station": serializers.IntegerField(allow_null=True),
            "collected": serializers.IntegerField(),
            "activated": serializers.IntegerField(),
            "rate": serializers.FloatField(allow_null=True),
        },
        many=True,
        help_text="The city first (station null) when no station is chosen.",
    )
    trend = inline_serializer(
        "ActivationMonth",
        {
            "month": serializers.DateField(),
            "collected": serializers.IntegerField(),
            "activated": serializers.IntegerField(),
            "rate": serializers.FloatField(allow_null=True),
        },
        many=True,
    )


class DashboardView(APIView):
    """Clerks and admins only; everyone else gets a 404, as for the pages. Read from the replica when there is
    one (sbcard.replica)."""

    @reads_from_replica
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def scope(self, request) -> tuple[queries.Scope, dict]:
        if request.user.role not in (Role.CLERK, Role.ADMIN) and not request.user.is_superuser:
            raise Http404
        query = DashboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return queries.scope_for(request.user, query.validated_data.get("station")), query.validated_data


class OverviewView(DashboardView):
    @extend_schema(
        tags=["dashboard"],
        summary="Backlog overview",
        description="Applications by status, and open ones by age (0-7, 8-30, 31-60, over 60 days), from the summaries "
        "(at most a minute old).",
        parameters=PARAMETERS,
        responses={200: OpenApiResponse(OverviewSerializer, description="The backlog figures."), **NOT_YOURS},
    )
    def get(self, request):
        scope, _data = self.scope(request)
        body = {
            "as_of": queries.as_of(),
            "station": scope.station_id,
            "totals": queries.status_totals(scope),
            "age_buckets": queries.AGE_BUCKET_KEYS,
            "ageing": queries.ageing(scope),
        }
        return Response(OverviewSerializer(body).data)


class DeadlinesView(DashboardView):
    @extend_schema(
        tags=["dashboard"],
        summary="Deadline lists",
        description="The four deadline lists (reviews past 7 working days, the 督办 queue, cards unclaimed after "
        "30 days, oral loss reports about to lapse): count and the 10 oldest of each, live.",
        parameters=PARAMETERS,
        responses={200: OpenApiResponse(DeadlinesSerializer, description="The four lists."), **NOT_YOURS},
    )
    def get(self, request):
        scope, _data = self.scope(request)
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
        return Response(
            DeadlinesSerializer({"as_of": timezone.now(), "station": scope.station_id, "lists": lists}).data
        )


class DeadlineListView(DashboardView):
    @extend_schema(
        tags=["dashboard"],
        operation_id="dashboard_deadline_list",
        summary="One deadline list",
        description="One deadline list, oldest first, a page at a time (`kind`: reviews, escalations, unclaimed, "
        "oral-loss).",
        parameters=LIST,
        responses={200: OpenApiResponse(DeadlinePageSerializer, description="A page of the list."), **NOT_YOURS},
    )
    def get(self, request, kind: str):
        if kind not in queries.DEADLINES:
            raise Http404
        scope, data = self.scope(request)
        from .views import _page

        page = _page(queries.deadline_queryset(kind, scope), data, queries.deadline_count(kind, scope))
        today = timezone.localdate()
        body = {
            "count": page.paginator.count,
            "page": page.number,
            "page_size": data["page_size"],
            "results": [queries.deadline_row(kind, item, today) for item in page.object_list],
        }
        return Response(DeadlinePageSerializer(body).data)


class BottleneckView(DashboardView):
    @extend_schema(
        tags=["dashboard"],
        summary="Stage times",
        description="Median and 90th-percentile days in each stage (review, information centre, bank, vendor, pickup) "
        "over the last 30 and 90 days, and per station.",
        parameters=PARAMETERS,
        responses={200: OpenApiResponse(BottleneckSerializer, description="The stage times."), **NOT_YOURS},
    )
    def get(self, request):
        scope, _data = self.scope(request)
        body = {
            "as_of": queries.as_of(),
            "station": scope.station_id,
            "stages": queries.stage_times(scope),
            "by_station": [
                {"station": row["station"].pk, "station_name": row["station"].name, "stages": row["stages"]}
                for row in queries.stage_times_by_station(scope, 30)
            ],
        }
        return Response(BottleneckSerializer(body).data)


class FlowView(DashboardView):
    @extend_schema(
        tags=["dashboard"],
        summary="Applications in, cards out",
        description="Applications received and cards collected per day and per week between two dates; "
        "replacements per month.",
        parameters=RANGE,
        responses={200: OpenApiResponse(FlowSerializer, description="The flow figures."), **NOT_YOURS},
    )
    def get(self, request):
        scope, data = self.scope(request)
        daily = queries.daily_flow(scope, data["date_from"], data["date_to"])
        body = {
            "as_of": queries.as_of(),
            "station": scope.station_id,
            "daily": daily,
            "weekly": queries.weekly_flow(daily),
            "replacements": queries.monthly_replacements(scope),
        }
        return Response(FlowSerializer(body).data)


class ActivationView(DashboardView):
    @extend_schema(
        tags=["dashboard"],
        summary="Activation rate",
        description="Activated / collected cards per station (rule 21), and by the month the cards were collected.",
        parameters=PARAMETERS,
        responses={200: OpenApiResponse(ActivationSerializer, description="The activation figures."), **NOT_YOURS},
    )
    def get(self, request):
        scope, _data = self.scope(request)
        body = {
            "as_of": queries.as_of(),
            "station": scope.station_id,
            "by_station": [
                {**row, "station": row["station"].pk if row["station"] else None}
                for row in queries.activation_by_station(scope)
            ],
            "trend": queries.activation_trend(scope),
        }
        return Response(ActivationSerializer(body).data)
