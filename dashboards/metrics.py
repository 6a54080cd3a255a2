"""/metrics: operational figures in the Prometheus text format (version 0.0.4), written by hand (a few
gauges and one histogram do not need a client library).

For staff: a signed-in clerk or admin, or `Authorization: Bearer <METRICS_TOKEN>` for the scraper. Every
figure is a cheap query: Redis LLEN per queue, index-only counts on small partial indexes of partner
steps in progress (dashboards migration 0003) and of undelivered notices, the last hour of partner
requests on (partner, sent_at), the summariser's cursor.
"""

import hmac
import time

from django.conf import settings
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone

from accounts.models import Role
from applications.models import PartnerStep
from notices.models import Notice
from partners.models import Partner, PartnerCall

from . import summaries
from .models import Cursor

QUEUES = ("celery", "partners", "notices")
LATENCY_BUCKETS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    user = request.user
    return user.is_authenticated and user.is_active and (user.role in (Role.CLERK, Role.ADMIN) or user.is_superuser)


def metrics(request):
    if not allowed(request):
        raise Http404
    response = HttpResponse(render(), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


class _Out:
    def __init__(self):
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]

    def sample(self, name: str, value, **labels) -> None:
        if labels:
            inner = ",".join(f'{key}="{_escape(str(val))}"' for key, val in labels.items())
            self.lines.append(f"{name}{{{inner}}} {value}")
        else:
            self.lines.append(f"{name} {value}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render() -> str:
    out = _Out()
    _queues(out)
    _partner_steps(out)
    _partner_calls(out)
    _notices(out)
    _summaries(out)
    return "\n".join(out.lines) + "\n"


def queue_depths() -> dict[str, int | None]:
    """LLEN of each Celery queue on the Redis broker; None when there is no Redis broker (in-process jobs)."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return {}
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
        pipe = client.pipeline()
        for queue in QUEUES:
            pipe.llen(queue)
        return dict(zip(QUEUES, pipe.execute(), strict=True))
    except redis.RedisError:
        return dict.fromkeys(QUEUES)


def _queues(out: _Out) -> None:
    depths = queue_depths()
    out.family("sbcard_queue_depth", "gauge", "Jobs waiting in each Celery queue (Redis LLEN).")
    for queue, depth in depths.items():
        if depth is not None:
            out.sample("sbcard_queue_depth", depth, queue=queue)
    out.family("sbcard_broker_up", "gauge", "1 when the Redis broker answered, 0 when it did not.")
    out.sample("sbcard_broker_up", int(bool(depths) and all(d is not None for d in depths.values())))


def _partner_steps(out: _Out) -> None:
    """Open partner steps (on the step_open_age index): in flight, failing and retrying, given up."""
    rows = (
        PartnerStep.objects.filter(outcome=PartnerStep.Outcome.OPEN)
        .values("partner")
        .annotate(open=Count("*"), attempts=Sum("attempts"))
        .order_by()
    )
    failing = dict(
        PartnerStep.objects.filter(outcome=PartnerStep.Outcome.OPEN)
        .exclude(last_error="")
        .values_list("partner")
        .annotate(n=Count("*"))
        .order_by()
    )
    unavailable = dict(
        PartnerStep.objects.filter(outcome=PartnerStep.Outcome.OPEN, unavailable_since__isnull=False)
        .values_list("partner")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_partner = {row["partner"]: row for row in rows}
    out.family("sbcard_partner_steps_open", "gauge", "Partner steps in progress.")
    for partner in (Partner.REGISTRY, Partner.BANK, Partner.VENDOR):
        out.sample("sbcard_partner_steps_open", by_partner.get(partner, {}).get("open", 0), partner=partner)
    out.family("sbcard_partner_step_retries", "gauge", "Retries so far of the partner steps in progress.")
    for partner in (Partner.REGISTRY, Partner.BANK, Partner.VENDOR):
        row = by_partner.get(partner, {})
        out.sample(
            "sbcard_partner_step_retries", max(0, (row.get("attempts") or 0) - row.get("open", 0)), partner=partner
        )
    out.family("sbcard_partner_steps_failing", "gauge", "Partner steps in progress whose last try failed.")
    for partner in (Partner.REGISTRY, Partner.BANK, Partner.VENDOR):
        out.sample("sbcard_partner_steps_failing", failing.get(partner, 0), partner=partner)
    out.family(
        "sbcard_partner_steps_unavailable",
        "gauge",
        "Partner steps whose retries ran out (the resume job keeps trying).",
    )
    for partner in (Partner.REGISTRY, Partner.BANK, Partner.VENDOR):
        out.sample("sbcard_partner_steps_unavailable", unavailable.get(partner, 0), partner=partner)


def _partner_calls(out: _Out) -> None:
    """The last hour of partner requests: results, and latency as a histogram (ms)."""
    since = timezone.now() - timezone.timedelta(hours=1)
    results = {}
    latencies: dict[str, list[int]] = {}
    for partner in Partner.values:
        calls = PartnerCall.objects.filter(partner=partner, sent_at__gte=since)
        for result, count in calls.values_list("result").annotate(Count("id")).order_by():
            results[(partner, result)] = count
        latencies[partner] = list(
            calls.exclude(result=PartnerCall.Result.TRANSIENT).values_list("latency_ms", flat=True)[:50_000]
        )
    out.family("sbcard_partner_requests_last_hour", "gauge", "Partner requests in the last hour, by result.")
    for partner in Partner.values:
        for result in PartnerCall.Result.values:
            out.sample(
                "sbcard_partner_requests_last_hour", results.get((partner, result), 0), partner=partner, result=result
            )
    out.family(
        "sbcard_partner_latency_ms_last_hour",
        "histogram",
        "Latency of answered partner requests in the last hour (ms).",
    )
    for partner in Partner.values:
        values = latencies[partner]
        for bound in LATENCY_BUCKETS_MS:
            out.sample(
                "sbcard_partner_latency_ms_last_hour_bucket",
                sum(1 for v in values if v <= bound),
                partner=partner,
                le=bound,
            )
        out.sample("sbcard_partner_latency_ms_last_hour_bucket", len(values), partner=partner, le="+Inf")
        out.sample("sbcard_partner_latency_ms_last_hour_sum", sum(values), partner=partner)
        out.sample("sbcard_partner_latency_ms_last_hour_count", len(values), partner=partner)


def _notices(out: _Out) -> None:
    """Notices waiting to be sent and failing (the dash_notice_undelivered partial index)."""
    counts = dict(
        Notice.objects.filter(delivery__in=[Notice.Delivery.PENDING, Notice.Delivery.FAILED])
        .values_list("delivery")
        .annotate(Count("id"))
        .order_by()
    )
    out.family(
        "sbcard_notices_undelivered", "gauge", "SMS notices waiting to be sent (pending) or being retried (failed)."
    )
    for delivery in (Notice.Delivery.PENDING, Notice.Delivery.FAILED):
        out.sample("sbcard_notices_undelivered", counts.get(delivery, 0), delivery=delivery)


def _summaries(out: _Out) -> None:
    cursors = {cursor.name: cursor for cursor in Cursor.objects.all()}
    out.family("sbcard_dashboard_summary_age_seconds", "gauge", "Seconds since the dashboards' summaries were updated.")
    last = summaries.last_run()
    out.sample("sbcard_dashboard_summary_age_seconds", round(time.time() - last.timestamp(), 1) if last else "NaN")
    out.family("sbcard_dashboard_log_rows_folded", "counter", "Log rows folded into the dashboards' summaries.")
    for name, cursor in sorted(cursors.items()):
        out.sample("sbcard_dashboard_log_rows_folded_total", cursor.folded, log=name)
    out.family("sbcard_dashboard_log_gaps", "gauge", "Id ranges below the summariser's cursor not visible yet.")
    for name, cursor in sorted(cursors.items()):
        out.sample("sbcard_dashboard_log_gaps", len(cursor.gaps), log=name)
