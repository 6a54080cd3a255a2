"""Sending an SMS notice (the notices are written by the app whose event they tell of)."""

from celery import shared_task

from partners.errors import TransientError

from . import services


@shared_task(
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
def send_sms(notice_id: int) -> None:
    services.send_sms(notice_id)
