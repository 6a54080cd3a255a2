"""The base for tasks that call a partner: retries with backoff, then a state staff can see."""

from celery import Task

from .errors import PermanentError, TransientError
from .failures import record_failure


class PartnerTask(Task):
    """Retry transient faults with exponential backoff, jitter and a cap.

    When the retries of an application's partner step run out, the owning app marks it for staff ("partner
    unavailable — retrying", `retries_ran_out`) and its periodic job sends it again later. Any other job that
    gives up (a card's notice to the bank, an unclaimed-card report, an SMS), and any permanent refusal that no
    applicant can fix ("no such account"), is recorded as a PartnerFailure with its reason: staff see it in the
    trouble list and send it again or mark it handled. Nothing is silently stuck.
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
            self.retries_ran_out(args[0], str(exc))
        elif isinstance(exc, PermanentError | TransientError):
            if not exc.partner:
                exc.partner = self.partner
            record_failure(exc, task_name=self.name, args=list(args), permanent=isinstance(exc, PermanentError))
        super().on_failure(exc, task_id, args, kwargs, einfo)

    def retries_ran_out(self, object_id: int, error: str) -> None:
        """Overridden by the owning app: what staff should see when this partner stopped answering."""
