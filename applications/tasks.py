"""Jobs for applications: one task per partner step (on the partners queue), and the periodic checks."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from partners.models import Partner
from partners.tasks import PartnerTask

from . import pipeline
from .models import CardApplication, CityPolicy
from .workdays import is_working_day

logger = logging.getLogger("applications.tasks")


@shared_task(bind=True, base=PartnerTask, partner=Partner.REGISTRY, resumed_by_sweeper=True)
def verify_with_registry(self, application_id: int) -> None:
    pipeline.verify_with_registry(application_id)


@shared_task(bind=True, base=PartnerTask, partner=Partner.BANK, resumed_by_sweeper=True)
def open_bank_account(self, application_id: int) -> None:
    pipeline.open_bank_account(application_id)


@shared_task(bind=True, base=PartnerTask, partner=Partner.VENDOR, resumed_by_sweeper=True)
def order_card(self, application_id: int) -> None:
    pipeline.order_card(application_id)


@shared_task(bind=True, base=PartnerTask, partner=Partner.VENDOR)
def resend_unshipped_order(self, application_id: int) -> None:
    pipeline.resend_order(application_id)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def resume_stalled_partner_steps() -> int:
    """Send again every partner step that stopped moving (retries ran out, a message was lost)."""
    stalled = pipeline.stalled_steps()
    for task_name, application_id in stalled:
        import_string(task_name).delay(application_id)
    if stalled:
        logger.info("resumed %d stalled partner steps", len(stalled))
    return len(stalled)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def check_review_deadlines() -> int:
    """Rule 4: tell the station's clerks about each application past the 7-working-day review limit."""
    today = timezone.localdate()
    if not is_working_day(today):
        return 0
    from notices.services import notify_station_review_overdue

    policy = CityPolicy.current()
    overdue = list(pipeline.overdue_review_applications(today, policy.review_limit_working_days)[:2000])
    with transaction.atomic():
        notify_station_review_overdue(overdue)
        CardApplication.objects.filter(pk__in=[a.pk for a in overdue]).update(review_overdue_noticed_at=timezone.now())
    return len(overdue)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def escalate_overdue_applications() -> int:
    """Rule 1: older than two months -> the 督办 queue."""
    return pipeline.escalate_overdue(timezone.now(), CityPolicy.current().escalation_days)
