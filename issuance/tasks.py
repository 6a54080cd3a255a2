"""Jobs for cards: the vendor's shipment, unclaimed cards (rule 9), activation reminders (rule 21)."""

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from applications import workflow
from applications.models import CardApplication, CityPolicy, Status
from applications.workdays import is_working_day
from partners.bank.client import BankClient
from partners.registry.client import RegistryClient
from partners.tasks import PartnerTask
from sbcard.errors import Conflict

from . import notifications
from .intake import appointments_for_tomorrow
from .models import Appointment, Card, CardEvent, CardStatus, LossReport
from .services import lapse_oral_reports, oral_reports_about_to_lapse

logger = logging.getLogger("issuance.tasks")
ACTIVATION_REMINDER_AFTER = datetime.timedelta(days=7)
ACTIVATION_REMINDER_EVERY = datetime.timedelta(days=30)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=45)
def notify_card_event(card_event_id: int) -> None:
    """Portal notices and SMS for one card event."""
    notifications.notify_card_event(card_event_id)


@shared_task(bind=True, base=PartnerTask, partner="registry")
def report_unclaimed(self, application_id: int) -> None:
    """Rule 9: the station passes an unclaimed card on to the information centre."""
    application = CardApplication.objects.select_related("station").filter(pk=application_id).first()
    if application is None:
        return
    RegistryClient().report_unclaimed(
        reference=application.reference,
        station_code=application.station.code,
        idempotency_key=f"unclaimed-{application.pk}",
        application_id=application.pk,
    )


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def mark_unclaimed_cards() -> int:
    """Rule 9: a card not collected 30 days after the pickup notice becomes `unclaimed` and is reported."""
    cutoff = timezone.now() - datetime.timedelta(days=CityPolicy.current().pickup_unclaimed_days)
    due = list(
        CardApplication.objects.filter(status=Status.READY_FOR_PICKUP, status_changed_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:5000]
    )
    for application_id in due:
        try:
            workflow.apply_event(application_id, "mark_unclaimed", actor=None)
        except Conflict:
            continue  # collected meanwhile
        transaction.on_commit(lambda application_id=application_id: report_unclaimed.delay(application_id))
    return len(due)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def remind_activation() -> int:
    """Rule 21: cards handed over but not activated after a week get a reminder, then one a month."""
    now = timezone.now()
    if not is_working_day(timezone.localdate(now)):
        return 0
    due = list(
        Card.objects.filter(status=CardStatus.ISSUED, issued_at__lt=now - ACTIVATION_REMINDER_AFTER)
        .exclude(activation_reminded_at__gt=now - ACTIVATION_REMINDER_EVERY)
        .select_related("person__user", "application__station")[:5000]
    )
    with transaction.atomic():
        notifications.notify_activation_reminders(due, now)
        Card.objects.filter(pk__in=[card.pk for card in due]).update(activation_reminded_at=now)
    return len(due)


BANK_LOSS_KIND = {
    "report_lost_orally": "oral",
    "confirm_loss_in_writing": "written",
    "report_lost_in_writing": "written",
    "unreport": "withdrawn",
    "lapse_oral_report": "withdrawn",
    "replace": "closed",
    "exchange": "closed",
}


@shared_task(bind=True, base=PartnerTask, partner="bank")
def tell_bank(self, card_event_id: int) -> None:
    """Rule 12: the bank hears of every loss report, its withdrawal or lapse, and of a card's end."""

    event = CardEvent.objects.select_related("card__application").filter(pk=card_event_id).first()
    if event is None or event.event not in BANK_LOSS_KIND or not event.card.application.bank_account_number:
        return
    BankClient().report_loss(
        account_number=event.card.application.bank_account_number,
        kind=BANK_LOSS_KIND[event.event],
        idempotency_key=f"card-event-{event.pk}",
        application_id=event.card.application_id,
    )


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def lapse_oral_loss_reports() -> int:
    """Rule 12: warn on the last day; lapse the day after (working days)."""

    now = timezone.now()
    today = timezone.localdate(now)
    lapsed = lapse_oral_reports(today)
    if is_working_day(today):
        warn = list(oral_reports_about_to_lapse(today)[:5000])
        notifications.notify_loss_lapse_warnings(warn)
        LossReport.objects.filter(pk__in=[report.pk for report in warn]).update(lapse_warned_at=now)
    return lapsed


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def remind_appointments() -> int:
    """Rule 7: a reminder the day before each phone appointment."""

    today = timezone.localdate()
    if not is_working_day(today):
        return 0
    due = list(appointments_for_tomorrow(today)[:5000])
    with transaction.atomic():
        notifications.notify_appointments(due, kind="appointment_reminder")
        Appointment.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=timezone.now())
    return len(due)
