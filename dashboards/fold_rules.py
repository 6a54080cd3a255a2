"""What the summaries count: the stage each status change ends, the daily flows, and the duration buckets.

One definition for both ways of folding the logs: row by row (summaries.py) and, for a whole history on
PostgreSQL, in set-based SQL (fresh_sql.py).
"""

import bisect

from applications.models import Status

from .models import Flow, Stage

# Upper edges of the duration buckets, in hours; the last bucket is open. Medians and percentiles are
# read from these by linear interpolation inside a bucket: within a few hours for short stages, within a
# few days for the month-long ones, which is what a dashboard needs.
BUCKET_EDGES_HOURS = (
    1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 144, 168, 192, 216, 240, 288, 336, 408, 480, 576, 672, 720,
    840, 960, 1080, 1200, 1440, 1680, 1920, 2160, 2880, 4320, 8760,
)  # fmt: skip
BUCKET_EDGES_SECONDS = tuple(hours * 3600 for hours in BUCKET_EDGES_HOURS)

# (the status left, the event) -> the stage that ended. A withdrawal or a cancellation ends no stage: the
# time was not the station's or the partner's doing. Pickup is timed from the card's arrival at the station
# to its collection, across a stay in `unclaimed`.
STAGE_EXITS = {
    (Status.SUBMITTED, "approve"): Stage.REVIEW,
    (Status.SUBMITTED, "return"): Stage.REVIEW,
    (Status.VERIFYING, "registry_confirmed"): Stage.REGISTRY,
    (Status.VERIFYING, "registry_refused"): Stage.REGISTRY,
    (Status.OPENING_ACCOUNT, "account_opened"): Stage.BANK,
    (Status.OPENING_ACCOUNT, "payment_requested"): Stage.BANK,
    (Status.OPENING_ACCOUNT, "bank_refused"): Stage.BANK,
    (Status.IN_PRODUCTION, "card_shipped"): Stage.VENDOR,
    (Status.IN_PRODUCTION, "production_failed"): Stage.VENDOR,
    (Status.READY_FOR_PICKUP, "hand_over"): Stage.PICKUP,
    (Status.UNCLAIMED, "hand_over"): Stage.PICKUP,
}
STAGE_EXITS = {(str(source), event): str(stage) for (source, event), stage in STAGE_EXITS.items()}
FLOW_BY_TARGET = {
    Status.READY_FOR_PICKUP.value: Flow.READY.value,
    Status.COLLECTED.value: Flow.COLLECTED.value,
    Status.RETURNED.value: Flow.RETURNED.value,
    Status.CANCELLED.value: Flow.CANCELLED.value,
    Status.UNCLAIMED.value: Flow.UNCLAIMED.value,
}
# An application enters the pipeline when it first leaves draft (submitted online or on a roster, or
# accepted at a counter); a correction resubmitted after a return is not a new application.
RECEIVED_SOURCES = frozenset({"", Status.DRAFT.value})
RECEIVED_TARGETS = frozenset({Status.SUBMITTED.value, Status.VERIFYING.value})
FLOW_BY_KIND_CREATED = {"replacement": Flow.REPLACEMENT.value, "exchange": Flow.EXCHANGE.value}
# The station of a draft or returned online application can still change without a status change.
STATION_MOVABLE = (Status.DRAFT.value, Status.RETURNED.value)


def bucket_of(seconds: float) -> int:
    return bisect.bisect_left(BUCKET_EDGES_SECONDS, seconds)


def bucket_bounds(bucket: int) -> tuple[int, int | None]:
    lower = BUCKET_EDGES_SECONDS[bucket - 1] if bucket > 0 else 0
    upper = BUCKET_EDGES_SECONDS[bucket] if bucket < len(BUCKET_EDGES_SECONDS) else None
    return lower, upper


def quantile(counts: dict[int, int], sums: dict[int, int], q: float) -> int | None:
    """The q-quantile (in seconds) of a histogram, interpolated inside its bucket."""
    total = sum(counts.values())
    if not total:
        return None
    rank = q * total
    seen = 0
    for bucket in sorted(counts):
        count = counts[bucket]
        if count and seen + count >= rank:
            lower, upper = bucket_bounds(bucket)
            if upper is None:  # the open last bucket: its mean is the best estimate
                return int(sums.get(bucket, 0) / count)
            return int(lower + (upper - lower) * (rank - seen) / count)
        seen += count
    return None
