"""The summariser as a beat job, every minute (CELERY_BEAT_SCHEDULE["summarise-dashboards"])."""

import logging

from celery import shared_task

from . import summaries

logger = logging.getLogger("dashboards.tasks")


# Idempotent (the cursor row is locked, each log row is folded once), so acks_late is safe; a run cut short
# by the time limit has committed its finished chunks and the next run goes on from there.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=900, soft_time_limit=840)
def summarise() -> int:
    report = summaries.summarise()
    if report.status_events or report.card_events:
        logger.info(
            "dashboards: folded %d status and %d card events in %.2fs",
            report.status_events,
            report.card_events,
            report.seconds,
        )
    return report.status_events + report.card_events
