"""The partner steps an approved application goes through: registry, bank, vendor, and the shipment.

Each step: (1) lock the application and return at once if it is no longer in the step's status (a
redelivered task does nothing); store the step's idempotency key and commit; (2) call the partner
with no transaction open; (3) lock again, check the status again, and fire the workflow event. A
transient fault is recorded on the step and raised again for the task to retry; a permanent refusal
returns the application to the citizen with a reason they understand and the field to fix.
"""

import datetime
import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.bank.client import BankClient
from partners.errors import PermanentError, TransientError
from partners.models import Partner, PartnerFailure
from partners.registry.client import RegistryClient
from partners.vendor.client import VendorClient

from . import workflow
from .models import CardApplication, CityPolicy, Escalation, PartnerStep, Status, VendorCallback
from .reasons import FIELD_LABELS, shown_reason
from .services import record_card_made
from .workdays import working_days_before

logger = logging.getLogger("applications.pipeline")

STEP_STATUS = {
    Partner.REGISTRY: Status.VERIFYING,
    Partner.BANK: Status.OPENING_ACCOUNT,
    Partner.VENDOR: Status.IN_PRODUCTION,
}


def begin_step(application_id: int, partner: str) -> tuple[CardApplication, PartnerStep] | None:
    """The application and its open step (created with a fresh key), or None when there is nothing to do."""
    with transaction.atomic():
        application = (
            CardApplication.objects.select_for_update(of=("self",))
            .select_related("person", "station")
            .filter(pk=application_id)
            .first()
        )
        if application is None or application.status != STEP_STATUS[partner]:
            return None
        step = PartnerStep.objects.filter(
            application=application, partner=partner, outcome=PartnerStep.Outcome.OPEN
        ).first()
        if step is None:
            if (
                partner == Partner.VENDOR
                and PartnerStep.objects.filter(
                    application=application,
                    partner=partner,
                    outcome=PartnerStep.Outcome.DONE,
                    created_at__gte=application.status_changed_at,
                ).exists()
            ):
                return None  # this round's order is placed; the vendor calls back when the card ships
            return application, PartnerStep.objects.create(application=application, partner=partner, attempts=1)
        step.attempts += 1
        step.save(update_fields=["attempts", "updated_at"])
    return application, step


def _record_transient(step: PartnerStep, error: TransientError) -> None:
    PartnerStep.objects.filter(pk=step.pk).update(last_error=str(error)[:300], updated_at=timezone.now())


def _lock_for_finish(application_id: int, partner: str) -> CardApplication | None:
    application = (
        CardApplication.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.status != STEP_STATUS[partner]:
        return None
    return application


def _close_step(step: PartnerStep, outcome: str, reference: str = "") -> None:
    PartnerStep.objects.filter(pk=step.pk).update(
        outcome=outcome,
        result_reference=reference,
        completed_at=timezone.now(),
        unavailable_since=None,
        updated_at=timezone.now(),
    )


@contextmanager
def _calling(step: PartnerStep):
    """Around a partner call: a transient fault is noted on the step (staff see it) and raised for a retry."""
    try:
        yield
    except TransientError as error:
        _record_transient(step, error)
        raise


def _finish(
    application_id: int,
    partner: str,
    step: PartnerStep,
    outcome: str,
    reference: str = "",
    *,
    event: str | None = None,
    bank_account_number: str = "",
    **event_fields,
) -> None:
    """Lock the application again; if it is still in the step's status, close the step, write what the
    partner gave (the bank's account number) and fire the workflow event. A redelivered answer finds it
    moved on."""
    with transaction.atomic():
        locked = _lock_for_finish(application_id, partner)
        if locked is None:
            return
        _close_step(step, outcome, reference)
        if bank_account_number:
            CardApplication.objects.filter(pk=application_id).update(bank_account_number=bank_account_number)
        if event:
            workflow.apply_event_to_locked(locked, event, actor=None, **event_fields)


def verify_with_registry(application_id: int) -> None:
    """Rules 7, 8: the information centre confirms identity and household, or says what differs."""
    started = begin_step(application_id, Partner.REGISTRY)
    if started is None:
        return
    application, step = started
    with _calling(step):
        answer = RegistryClient().lookup(
            id_number=application.person.id_number,
            name=application.person.name,
            idempotency_key=str(step.idempotency_key),
            application_id=application.pk,
            attempt=step.attempts,
        )
    if answer.result == "match":
        _finish(application_id, Partner.REGISTRY, step, PartnerStep.Outcome.DONE, event="registry_confirmed")
    elif answer.result == "no_record":
        _finish(
            application_id,
            Partner.REGISTRY,
            step,
            PartnerStep.Outcome.REFUSED,
            "no_record",
            event="registry_refused",
            reason_code="registry_no_record",
            reason=_(
                "The city information centre has no household record for this person. Register the "
                "household first (户籍登记), then apply again."
            ),
        )
    else:
        fields = answer.fields or ["name"]
        field = fields[0]
        sent = {"name": application.person.name}.get(field, "")
        detail = {"partner": "registry", "field": field, "held": (answer.record or {}).get(field, ""), "sent": sent}
        _finish(
            application_id,
            Partner.REGISTRY,
            step,
            PartnerStep.Outcome.REFUSED,
            ",".join(fields),
            event="registry_refused",
            reason_code="registry_mismatch",
            reason=shown_reason("registry_mismatch", "", detail)
            or _(
                "The household record at the city information centre differs in: %(fields)s. Correct it "
                "exactly as on the resident ID card and household register, then submit again."
            )
            % {"fields": "、".join(str(FIELD_LABELS.get(f, f)) for f in fields)},
            reason_detail=detail,
        )


def open_bank_account(application_id: int) -> None:
    """Rule 3: the partner bank opens the card's account, or refuses when its record differs."""
    started = begin_step(application_id, Partner.BANK)
    if started is None:
        return
    application, step = started
    try:
        with _calling(step):
            account_number = BankClient().open_account(
                id_number=application.person.id_number,
                name=application.person.name,
                phone=application.phone,
                idempotency_key=str(step.idempotency_key),
                application_id=application.pk,
                attempt=step.attempts,
            )
    except PermanentError as refusal:
        if refusal.code != "customer_mismatch":
            raise  # not about the applicant's details: a partner failure staff see (PartnerTask.on_failure)
        field = refusal.field or "name"
        sent = {"name": application.person.name}.get(field, "")
        detail = {"partner": "bank", "field": field, "held": refusal.value, "sent": sent}
        _finish(
            application_id,
            Partner.BANK,
            step,
            PartnerStep.Outcome.REFUSED,
            refusal.code,
            event="bank_refused",
            reason_code="bank_mismatch",
            reason=shown_reason("bank_mismatch", "", detail)
            or _(
                "The partner bank could not open the account: its customer record differs in %(field)s. "
                "Check that it is exactly as on your resident ID card and submit again, or ask the bank "
                "to correct its record."
            )
            % {"field": FIELD_LABELS.get(field, field)},
            reason_detail=detail if refusal.value else None,
        )
        return
    _finish(
        application_id,
        Partner.BANK,
        step,
        PartnerStep.Outcome.DONE,
        account_number[-4:],
        bank_account_number=account_number,
        event="payment_requested" if CityPolicy.current().charges_card_fee else "account_opened",
    )


def _place_order(application: CardApplication, step: PartnerStep) -> str:
    return VendorClient().place_order(
        reference=application.reference,
        station_code=application.station.code,
        name=application.person.name,
        card_colour=application.card_colour,
        callback_url=f"{_portal_url()}{reverse('applications:vendor_callback')}",
        idempotency_key=str(step.idempotency_key),
        application_id=application.pk,
        attempt=step.attempts,
    )


def order_card(application_id: int) -> None:
    """Rule 5: a production order to the card vendor; the card ships later, by callback."""
    started = begin_step(application_id, Partner.VENDOR)
    if started is None:
        return
    application, step = started
    with _calling(step):
        order_id = _place_order(application, step)
    _finish(application_id, Partner.VENDOR, step, PartnerStep.Outcome.DONE, order_id)


def unshipped_orders(limit: int = 1000) -> list[int]:
    """Applications in production whose order was placed but never shipped: sent again when the portal
    starts, because the demo's vendor simulator forgets its orders when it stops (a real vendor keeps
    them, and the idempotency key makes the repeat harmless either way)."""
    shipped = VendorCallback.objects.filter(application_id=OuterRef("pk"))
    return list(
        CardApplication.objects.filter(
            status=Status.IN_PRODUCTION,
            partner_steps__partner=Partner.VENDOR,
            partner_steps__outcome=PartnerStep.Outcome.DONE,
        )
        .filter(~Exists(shipped))
        .values_list("pk", flat=True)
        .distinct()[:limit]
    )


def resend_order(application_id: int) -> None:
    """The same order again, under the same idempotency key."""
    application = CardApplication.objects.select_related("person", "station").filter(pk=application_id).first()
    step = (
        PartnerStep.objects.filter(
            application_id=application_id, partner=Partner.VENDOR, outcome=PartnerStep.Outcome.DONE
        )
        .order_by("-created_at")
        .first()
    )
    if application is None or step is None or application.status != Status.IN_PRODUCTION:
        return
    _place_order(application, step)  # the same idempotency key: never a second card


def _portal_url() -> str:
    return settings.PORTAL_BASE_URL


def receive_shipment(callback_id: int) -> None:
    """The vendor shipped the card to the station (or could not make it: 制卡失败)."""
    with transaction.atomic():
        callback = VendorCallback.objects.select_for_update().filter(pk=callback_id, processed_at=None).first()
        if callback is None:
            return
        callback.processed_at = timezone.now()
        callback.save(update_fields=["processed_at"])
        application = (
            CardApplication.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(pk=callback.application_id)
            .first()
            if callback.application_id
            else None
        )
        if application is None or application.status != Status.IN_PRODUCTION:
            logger.info(
                "vendor callback=%s for application=%s ignored: not in production", callback.pk, callback.application_id
            )
            return
        if callback.event == "shipped":
            record_card_made(application.pk, card_number=callback.card_number, batch_number=callback.batch_number)
            workflow.apply_event_to_locked(application, "card_shipped", actor=None)
        else:
            workflow.apply_event_to_locked(
                application,
                "production_failed",
                actor=None,
                reason_code="production_failed",
                reason=_(
                    "The card could not be made (制卡失败: %(reason)s). Check the photo and the details, "
                    "then submit again."
                )
                % {"reason": callback.reason or "-"},
            )


def mark_partner_unavailable(application_id: int, partner: str, error: str) -> None:
    """Retries ran out: staff see "partner unavailable — retrying"; the resume job keeps trying."""
    PartnerStep.objects.filter(
        application_id=application_id, partner=partner, outcome=PartnerStep.Outcome.OPEN, unavailable_since=None
    ).update(unavailable_since=timezone.now(), last_error=error[:300], updated_at=timezone.now())


STEP_TASKS = {
    Partner.REGISTRY: "applications.tasks.verify_with_registry",
    Partner.BANK: "applications.tasks.open_bank_account",
    Partner.VENDOR: "applications.tasks.order_card",
}


def stalled_steps(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> list[tuple[str, int]]:
    """(task, application id) for each step that is open but has not moved: retries ran out, a message was
    lost, or an order was never placed. Their tasks are safe to send again."""
    cutoff = timezone.now() - older_than
    stalled = []
    for partner, status in STEP_STATUS.items():
        # A step the partner refused for good waits for staff (the trouble list), not for the sweeper.
        refused = PartnerFailure.objects.filter(
            resolved_at=None, permanent=True, task_name=STEP_TASKS[partner], application_id=OuterRef("application_id")
        )
        open_steps = (
            PartnerStep.objects.filter(
                partner=partner, outcome=PartnerStep.Outcome.OPEN, updated_at__lt=cutoff, application__status=status
            )
            .filter(~Exists(refused))
            .values_list("application_id", flat=True)
        )
        stalled += [(STEP_TASKS[partner], application_id) for application_id in open_steps[:1000]]
        # In the step's status with no step at all: the follow-up job never ran.
        this_round = PartnerStep.objects.filter(
            application=OuterRef("pk"), partner=partner, created_at__gte=OuterRef("status_changed_at")
        )
        never_started = (
            CardApplication.objects.filter(status=status, status_changed_at__lt=cutoff)
            .filter(~Exists(this_round))
            .values_list("pk", flat=True)
        )
        stalled += [(STEP_TASKS[partner], application_id) for application_id in never_started[:1000]]
    return stalled


def overdue_review_applications(today: datetime.date, limit_working_days: int):
    """Submitted applications past the review limit (rule 4) that no one has been told about yet."""
    cutoff_day = working_days_before(today, limit_working_days)
    cutoff = timezone.make_aware(datetime.datetime.combine(cutoff_day, datetime.time.min))
    return CardApplication.objects.filter(
        status=Status.SUBMITTED, submitted_at__lt=cutoff, review_overdue_noticed_at=None
    ).select_related("station")


def escalate_overdue(now: datetime.datetime, days: int) -> int:
    """Rule 1: an open application older than two months goes to the 督办 queue with a case summary."""
    cutoff = now - datetime.timedelta(days=days)
    candidates = (
        CardApplication.objects.filter(status__in=_escalation_statuses(), created_at__lt=cutoff, escalation=None)
        .select_related("person", "station")
        .order_by("created_at")[:500]
    )
    escalations = []
    for application in candidates:
        age = (now - application.created_at).days
        summary = _("%(reference)s, %(station)s: open %(days)d days, now “%(status)s” since %(since)s.") % {
            "reference": application.reference,
            "station": application.station.name,
            "days": age,
            "status": application.get_status_display(),
            "since": timezone.localtime(application.status_changed_at).strftime("%Y-%m-%d"),
        }
        escalations.append(Escalation(application=application, summary=summary))
    Escalation.objects.bulk_create(escalations, ignore_conflicts=True)
    return len(escalations)


def _escalation_statuses() -> list[str]:
    # Waiting on the portal's side; a returned application waits on the citizen, and a card at the
    # station waits for them to come.
    return [Status.SUBMITTED, Status.VERIFYING, Status.OPENING_ACCOUNT, Status.AWAITING_PAYMENT, Status.IN_PRODUCTION]
