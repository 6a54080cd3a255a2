"""Sending SMS notices (the notices are written by the app whose event they tell of)."""

from celery import shared_task

from partners.errors import TransientError
from partners.tasks import PartnerTask

from . import services


@shared_task(
    bind=True,
    base=PartnerTask,  # a refusal, or retries run out: a PartnerFailure staff see, not a silent "failed"
    partner="sms",
    autoretry_for=(TransientError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=60,
    soft_time_limit=45,
)
def send_sms(self, notice_id: int) -> None:
    services.send_sms(notice_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=300, soft_time_limit=240)
def queue_pending_sms(kind: str) -> int:
    """Send every pending SMS notice of one kind (the notices an entered holiday year created), one job each."""
    ids = list(services.pending_sms_ids(kind).iterator(chunk_size=5000))
    for notice_id in ids:
        send_sms.delay(notice_id)
    return len(ids)
