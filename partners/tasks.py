"""The base for tasks that call a partner: retries with backoff, then a state staff can see."""

from celery import Task

from .errors import TransientError


class PartnerTask(Task):
    """Retry transient faults with exponential backoff, jitter and a cap.

    When the retries run out, `retries_ran_out` lets the app that owns the step mark it for staff
    ("partner unavailable — retrying"), and its periodic job sends it again later: nothing is silently
    stuck. Safe to run twice (acks_late): each task re-reads the row and returns when the step is done.
    """

    abstract = True
    partner = ""
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
        if isinstance(exc, TransientError) and args:
            self.retries_ran_out(args[0], str(exc))
        super().on_failure(exc, task_id, args, kwargs, einfo)

    def retries_ran_out(self, object_id: int, error: str) -> None:
        """Overridden by the owning app: what staff should see when this partner stopped answering."""
