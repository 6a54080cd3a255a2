"""A roster batch's card fee (rule 6) at the partner bank: asking the bank to take it, and recording the bank's
signed report that it was paid (the callback view is in callbacks.py)."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.bank.client import BankClient
from sbcard.errors import DomainError, NotFound

from .models import BankPayment, RosterBatch
from .services import confirm_payment

logger = logging.getLogger("rosters.payments")


def pay_at_bank(batch: RosterBatch) -> None:
    """The demo's stand-in for paying at the bank: the bank takes the fee and then calls back, signed.
    Raises the partner's error when it does not answer or refuses."""
    BankClient().pay(
        reference=batch.fee_reference,
        amount_yuan=batch.fee_total_yuan,
        callback_url=settings.PORTAL_BASE_URL + reverse("rosters:bank_payment_callback"),
        idempotency_key=f"fee-{batch.fee_reference}",
    )


@dataclass(frozen=True)
class PaymentRecorded:
    outcome: str  # "confirmed", or the code of why the payment changed nothing else (a wrong amount)
    duplicate: bool = False


def record_bank_payment(*, event_id: str, reference: str, amount_yuan: int) -> PaymentRecorded:
    """The bank says a batch's fee was paid. A replay (the same event id) changes nothing; an unknown reference
    raises NotFound; a wrong amount is recorded for a clerk and changes nothing else."""
    batch = RosterBatch.objects.filter(fee_reference=reference).exclude(fee_reference="").first()
    if batch is None:
        raise NotFound(_("No batch has this payment reference."), code="unknown_reference")
    try:
        with transaction.atomic():
            payment = BankPayment.objects.create(
                event_id=event_id[:100],
                reference=reference[:20],
                amount_yuan=amount_yuan,
                batch=batch,
                outcome="received",
            )
            try:
                with transaction.atomic():
                    confirm_payment(batch.pk, actor=None, channel="bank", amount_yuan=amount_yuan)
                payment.outcome = "confirmed"
            except DomainError as error:
                payment.outcome = error.code[:40]
            payment.save(update_fields=["outcome"])
    except IntegrityError:
        return PaymentRecorded("duplicate", duplicate=True)  # a replay: already received
    if payment.outcome != "confirmed":
        logger.warning("bank payment event=%s for batch=%s: %s", event_id, batch.pk, payment.outcome)
    return PaymentRecorded(payment.outcome)
