"""Jobs for rosters: the dry run of a large upload, and production for paid batches."""

import logging

from celery import shared_task

from partners.errors import TransientError

from . import services
from .checks import check_batch
from .models import RosterBatch

logger = logging.getLogger("rosters.tasks")


@shared_task(
    autoretry_for=(TransientError,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=1800,
    soft_time_limit=1700,
)
def check_roster(batch_id: int) -> None:
    """Safe to run twice: a batch no longer `checking` is left alone, and a half-done one starts again."""
    batch = RosterBatch.objects.filter(pk=batch_id, state=RosterBatch.State.CHECKING).first()
    if batch is None:
        return
    roster, photos = services.read_stored_files(batch)
    check_batch(batch_id, roster=roster, photos=photos)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=300, soft_time_limit=240)
def start_production_of_paid_batches() -> int:
    """A paid batch's applications that reached awaiting_payment since the payment go on to production."""
    moved = services.start_production_of_paid_batches()
    if moved:
        logger.info("started production of %d applications of paid batches", moved)
    return moved
