"""/metrics: operational figures for Prometheus, through prometheus-client (a custom collector that reads the
same cheap queries at each scrape; nothing is kept in the web process between scrapes).

For staff: a signed-in clerk or admin, or a scraper with `Authorization: Bearer <METRICS_TOKEN>`. A scraper
without a valid token gets 401 with `WWW-Authenticate: Bearer` (what Prometheus users expect); a signed-in
user of another role gets the 404 every other staff page gives. Every figure is a cheap query: Redis LLEN per
queue, counts on small partial indexes of partner steps in progress and of undelivered notices, the last
hour of partner requests on (partner, sent_at), the summariser's cursors.
"""

import hmac
import math
import time

import redis
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from accounts.models import Role
from applications.models import PartnerStep
from notices.models import Notice
from partners.models import Partner, PartnerCall

from . import summaries
from .models import Cursor

QUEUES = ("celery", "partners", "notices")
LATENCY_BUCKETS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000)
STEP_PARTNERS = (Partner.REGISTRY, Partner.BANK, Partner.VENDOR)


def _token_ok(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    return bool(token) and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token)


def _staff(user) -> bool:
    return user.is_authenticated and user.is_active and (user.role in (Role.CLERK, Role.ADMIN) or user.is_superuser)


def metrics(request):
    if not (_token_ok(request) or _staff(request.user)):
        if request.user.is_authenticated:
            raise Http404
        refused = HttpResponse("401 Unauthorized: send Authorization: Bearer <token>\n", status=401)
        refused["WWW-Authenticate"] = 'Bearer realm="sbcard metrics"'
        return refused
    response = HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def render() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PortalCollector())
    return generate_latest(registry)


def queue_depths() -> dict[str, int | None]:
    """LLEN of each Celery queue on the Redis broker; None when there is no Redis broker (in-process jobs)."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return {}
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
        pipe = client.pipeline()
        for queue in QUEUES:
            pipe.llen(queue)
        return dict(zip(QUEUES, pipe.execute(), strict=True))
    except redis.RedisError:
        return dict.fromkeys(QUEUES)


class PortalCollector:
    """Reads the figures at each scrape."""

    def collect(self):
        yield from self._queues()
        yield from self._partner_steps()
        yield from self._partner_calls()
        yield from self._notices()
        yield from self._summaries()

    def _queues(self):
        depths = queue_depths()
        depth = GaugeMetricFamily(
            "sbcard_queue_depth", "Jobs waiting in each Celery queue (Redis LLEN).", labels=["queue"]
        )
        for queue, waiting in depths.items():
            if waiting is not None:
                depth.add_metric([queue], waiting)
        yield depth
        up = bool(depths) and all(waiting is not None for waiting in depths.values())
        yield GaugeMetricFamily("sbcard_broker_up", "1 when the Redis broker answered, 0 when it did not.", value=up)

    def _partner_steps(self):
        """Open partner steps (on the step_open, step_failing and step_unavailable partial indexes)."""
        rows = {
            row["partner"]: row
            for row in PartnerStep.objects.filter(outcome=PartnerStep.Outcome.OPEN)
            .values("partner")
            .annotate(
                open=Count("id"),
                attempts=Sum("attempts"),
                failing=Count("id", filter=~Q(last_error="")),
                unavailable=Count("id", filter=Q(unavailable_since__isnull=False)),
            )
            .order_by()
        }
        families = {
            "open": GaugeMetricFamily("sbcard_partner_steps_open", "Partner steps in progress.", labels=["partner"]),
            "retries": GaugeMetricFamily(
                "sbcard_partner_step_retries", "Retries so far of the partner steps in progress.", labels=["partner"]
            ),
            "failing": GaugeMetricFamily(
                "sbcard_partner_steps_failing", "Partner steps in progress whose last try failed.", labels=["partner"]
            ),
            "unavailable": GaugeMetricFamily(
                "sbcard_partner_steps_unavailable",
                "Partner steps whose retries ran out (the resume job keeps trying).",
                labels=["partner"],
            ),
        }
        for partner in STEP_PARTNERS:
            row = rows.get(partner, {})
            opened = row.get("open", 0)
            families["open"].add_metric([partner], opened)
            families["retries"].add_metric([partner], max(0, (row.get("attempts") or 0) - opened))
            families["failing"].add_metric([partner], row.get("failing", 0))
            families["unavailable"].add_metric([partner], row.get("unavailable", 0))
        yield from families.values()

    def _partner_calls(self):
        """The last hour of partner requests: results, and the latency of the answered ones as a histogram."""
        calls = PartnerCall.objects.filter(sent_at__gte=timezone.now() - timezone.timedelta(hours=1))
        results = {
            (partner, result): count
            for partner, result, count in calls.values_list("partner", "result").annotate(Count("id")).order_by()
        }
        requests = GaugeMetricFamily(
            "sbcard_partner_requests_last_hour",
            "Partner requests in the last hour, by result.",
            labels=["partner", "result"],
        )
        for partner in Partner.values:
            for result in PartnerCall.Result.values:
                requests.add_metric([partner, result], results.get((partner, result), 0))
        yield requests
        answered = calls.exclude(result=PartnerCall.Result.TRANSIENT)
        buckets = {f"le{bound}": Count("id", filter=Q(latency_ms__lte=bound)) for bound in LATENCY_BUCKETS_MS}
        latency = {
            row["partner"]: row
            for row in answered.values("partner")
            .annotate(total=Count("id"), ms=Sum("latency_ms"), **buckets)
            .order_by()
        }
        histogram = HistogramMetricFamily(
            "sbcard_partner_latency_ms_last_hour",
            "Latency of answered partner requests in the last hour (ms).",
            labels=["partner"],
        )
        for partner in Partner.values:
            row = latency.get(partner, {})
            histogram.add_metric(
                [partner],
                [(str(bound), row.get(f"le{bound}", 0)) for bound in LATENCY_BUCKETS_MS]
                + [("+Inf", row.get("total", 0))],
                sum_value=row.get("ms") or 0,
            )
        yield histogram

    def _notices(self):
        """SMS notices waiting to be sent and failing (the notice_undelivered partial index)."""
        counts = dict(
            Notice.objects.filter(delivery__in=[Notice.Delivery.PENDING, Notice.Delivery.FAILED])
            .values_list("delivery")
            .annotate(Count("id"))
            .order_by()
        )
        undelivered = GaugeMetricFamily(
            "sbcard_notices_undelivered",
            "SMS notices waiting to be sent (pending) or being retried (failed).",
            labels=["delivery"],
        )
        for delivery in (Notice.Delivery.PENDING, Notice.Delivery.FAILED):
            undelivered.add_metric([delivery], counts.get(delivery, 0))
        yield undelivered

    def _summaries(self):
        last = summaries.last_run()
        yield GaugeMetricFamily(
            "sbcard_dashboard_summary_age_seconds",
            "Seconds since the dashboards' summaries were updated.",
            value=round(time.time() - last.timestamp(), 1) if last else math.nan,
        )
        cursors = sorted(Cursor.objects.all(), key=lambda cursor: cursor.name)
        folded = CounterMetricFamily(
            "sbcard_dashboard_log_rows_folded", "Log rows folded into the dashboards' summaries.", labels=["log"]
        )
        gaps = GaugeMetricFamily(
            "sbcard_dashboard_log_gaps", "Id ranges below the summariser's cursor not visible yet.", labels=["log"]
        )
        for cursor in cursors:
            folded.add_metric([cursor.name], cursor.folded)
            gaps.add_metric([cursor.name], len(cursor.gaps))
        yield folded
        yield gaps
