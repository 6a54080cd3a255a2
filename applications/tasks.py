"""Jobs for applications: one task per partner step (on the partners queue), and the periodic checks."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from partners.models import Partner
from partners.tasks import PartnerTask

from . import notifications, pipeline
from .models import CardApplication, CityPolicy
from .workdays import is_working_day

logger = logging.getLogger("applications.tasks")


class ApplicationStep(PartnerTask):
    """A partner step of an application: when retries run out, staff see the step as "partner unavailable"."""

    abstract = True
    resumed_by_sweeper = True

    def retries_ran_out(self, object_id: int, error: str) -> None:
        pipeline.mark_partner_unavailable(object_id, self.partner, error)


@shared_task(bind=True, base=ApplicationStep, partner=Partner.REGISTRY)
def verify_with_registry(self, application_id: int) -> None:
    pipeline.verify_with_registry(application_id)


@shared_task(bind=True, base=ApplicationStep, partner=Partner.BANK)
def open_bank_account(self, application_id: int) -> None:
    pipeline.open_bank_account(application_id)


@shared_task(bind=True, base=ApplicationStep, partner=Partner.VENDOR)
def order_card(self, application_id: int) -> None:
    pipeline.order_card(application_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=45)
def receive_shipment(callback_id: int) -> None:
    """The vendor's callback, verified and stored by the view: the card is at the station (or failed)."""
    pipeline.receive_shipment(callback_id)


@shared_task(bind=True, base=ApplicationStep, partner=Partner.VENDOR)
def resend_unshipped_order(self, application_id: int) -> None:
    pipeline.resend_order(application_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=300, soft_time_limit=240)
def notify_status_changes(status_event_ids: list[int]) -> None:
    """Portal notices and SMS for status changes (rule 21): one change, or a roster batch's; idempotent."""
    notifications.notify_status_changes(status_event_ids)


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
    policy = CityPolicy.current()
    overdue = list(pipeline.overdue_review_applications(today, policy.review_limit_working_days)[:2000])
    with transaction.atomic():
        notifications.notify_station_review_overdue(overdue)
        CardApplication.objects.filter(pk__in=[a.pk for a in overdue]).update(review_overdue_noticed_at=timezone.now())
    return len(overdue)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def escalate_overdue_applications() -> int:
    """Rule 1: older than two months -> the 督办 queue."""
    return pipeline.escalate_overdue(timezone.now(), CityPolicy.current().escalation_days)
