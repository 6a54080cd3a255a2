"""A direct recount of every summary from the applications and the logs, written independently of the
summariser (one application at a time, its history in time order), for the tests to compare against."""

import bisect
from collections import Counter

from django.utils import timezone

from applications.models import CardApplication, StatusEvent
from dashboards.fold_rules import BUCKET_EDGES_SECONDS
from dashboards.models import CITY, ActivationCohort, DailyFlow, StageDuration, StatusCount
from issuance.models import CardEvent

STAGE_OF = {
    "submitted": "review",
    "verifying": "registry",
    "opening_account": "bank",
    "in_production": "vendor",
    "ready_for_pickup": "pickup",
    "unclaimed": "pickup",
}
STAGE_EVENTS = {
    "approve", "return", "registry_confirmed", "registry_refused", "account_opened", "payment_requested",
    "bank_refused", "card_shipped", "production_failed", "hand_over",
}  # fmt: skip
FLOW = {
    "ready_for_pickup": "ready",
    "collected": "collected",
    "returned": "returned",
    "cancelled": "cancelled",
    "unclaimed": "unclaimed",
}


def _both(counter: Counter, station: int, *key, amount: int = 1) -> None:
    counter[(station, *key)] += amount
    counter[(CITY, *key)] += amount


def recount() -> dict[str, Counter]:
    statuses, durations, seconds, flows, collected, activated = (Counter() for _ in range(6))
    applications = {a.pk: a for a in CardApplication.objects.all()}
    for application in applications.values():
        _both(statuses, application.station_id, application.status, timezone.localdate(application.created_at))
    history: dict[int, list[StatusEvent]] = {}
    for event in StatusEvent.objects.order_by("application_id", "created_at", "id"):
        history.setdefault(event.application_id, []).append(event)
    for application_id, events in history.items():
        application = applications[application_id]
        station = application.station_id
        entered = None
        ready = None
        for event in events:
            day = timezone.localdate(event.created_at)
            stage = STAGE_OF.get(event.from_status)
            if stage and event.event in STAGE_EVENTS and entered is not None:
                start = ready if stage == "pickup" else entered
                span = max(0, int((event.created_at - start).total_seconds()))
                bucket = bisect.bisect_left(BUCKET_EDGES_SECONDS, span)
                _both(durations, station, day, stage, bucket)
                _both(seconds, station, day, stage, bucket, amount=span)
            if event.to_status in FLOW:
                _both(flows, station, day, FLOW[event.to_status])
            if event.to_status == "collected":
                _both(collected, station, day.replace(day=1))
            if event.from_status in ("", "draft") and event.to_status in ("submitted", "verifying"):
                _both(flows, station, day, "received")
            if event.event == "create" and application.kind in ("replacement", "exchange"):
                _both(flows, station, day, application.kind)
            entered = event.created_at
            if event.to_status == "ready_for_pickup":
                ready = event.created_at
    for event in CardEvent.objects.filter(event="activate").select_related("card__application"):
        month = timezone.localdate(event.card.issued_at).replace(day=1)
        _both(activated, event.card.application.station_id, month)
    return {
        "statuses": statuses,
        "durations": durations,
        "seconds": seconds,
        "flows": flows,
        "collected": collected,
        "activated": activated,
    }


def summarised() -> dict[str, Counter]:
    """The summary tables in the same shape (zero rows left out)."""
    statuses = Counter({(r.station_id, r.status, r.created_day): r.count for r in StatusCount.objects.exclude(count=0)})
    durations, seconds = Counter(), Counter()
    for row in StageDuration.objects.all():
        durations[(row.station_id, row.day, row.stage, row.bucket)] = row.count
        seconds[(row.station_id, row.day, row.stage, row.bucket)] = row.seconds
    flows = Counter({(r.station_id, r.day, r.metric): r.count for r in DailyFlow.objects.exclude(count=0)})
    collected = Counter({(r.station_id, r.month): r.collected for r in ActivationCohort.objects.exclude(collected=0)})
    activated = Counter({(r.station_id, r.month): r.activated for r in ActivationCohort.objects.exclude(activated=0)})
    return {
        "statuses": statuses,
        "durations": durations,
        "seconds": seconds,
        "flows": flows,
        "collected": collected,
        "activated": activated,
    }


def differences() -> dict[str, list]:
    """What differs between the summaries and the recount, per table (empty lists when they agree)."""
    expected, actual = recount(), summarised()
    result = {}
    for name in expected:
        keys = set(expected[name]) | set(actual[name])
        result[name] = sorted(
            ((key, expected[name][key], actual[name][key]) for key in keys if expected[name][key] != actual[name][key]),
            key=str,
        )[:10]
    return result
