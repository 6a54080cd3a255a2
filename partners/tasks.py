"""The base for tasks that call a partner: retries with backoff, then a state staff can see."""

from celery import Task, shared_task

from .errors import PermanentError, TransientError
from .failures import record_failure


class PartnerTask(Task):
    """Retry transient faults with exponential backoff, jitter and a cap.

    When the retries of an application's partner step run out, the step is marked "partner unavailable —
    retrying" for staff and the periodic resume_stalled_partner_steps job sends it again later. Any other
    job that gives up (a card's notice to the bank, an unclaimed-card report), and any permanent refusal
    that no applicant can fix ("no such account"), is recorded as a PartnerFailure with its reason: staff
    see it in the trouble list and send it again or mark it handled. Nothing is silently stuck.
    Safe to run twice (acks_late): each task re-reads the row and returns when the step is done.
    """

    abstract = True
    partner = ""
    resumed_by_sweeper = False  # an application's step: its first argument is the application's id
    autoretry_for = (TransientError,)
    retry_backoff = 5
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 6
    acks_late = True
    reject_on_worker_lost = True
    soft_time_limit = 60
    time_limit = 90

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if isinstance(exc, TransientError) and self.resumed_by_sweeper and args:
            from applications.pipeline import mark_partner_unavailable

            mark_partner_unavailable(args[0], self.partner, str(exc))
        elif isinstance(exc, PermanentError | TransientError):
            if not exc.partner:
                exc.partner = self.partner
            record_failure(exc, task_name=self.name, args=list(args), permanent=isinstance(exc, PermanentError))
        super().on_failure(exc, task_id, args, kwargs, einfo)


def _bench_counter():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=10, soft_time_limit=5)
def noop(counter_key: str) -> None:
    """Does nothing but count itself: the yardstick for the pipeline benchmark (bench/pipeline.py)."""
    _bench_counter().incr(counter_key)
