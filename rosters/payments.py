"""The partner bank's payment service for a batch's card fee (rule 6), and its signed callback."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from partners.http import PartnerClient
from partners.signing import CallbackRefused, verified_payload
from sbcard.errors import DomainError

from .models import BankPayment, RosterBatch

logger = logging.getLogger("rosters.payments")


class BankPaymentClient(PartnerClient):
    """Asks the bank to take a batch's fee (the demo's "pay now" button; in life the employer pays at the bank)."""

    partner = "bank"

    def pay(self, *, reference: str, amount_yuan: int, idempotency_key: str) -> str:
        body = self.post(
            "/payments",
            {
                "reference": reference,
                "amount_yuan": amount_yuan,
                "idempotency_key": idempotency_key,
                "callback_url": settings.PORTAL_BASE_URL + reverse("rosters:bank_payment_callback"),
            },
            operation="payment",
            idempotency_key=idempotency_key,
        )
        return body.get("event_id", "")


def receive_payment_callback(body: bytes, timestamp: str | None, signature: str | None) -> tuple[int, dict]:
    """(HTTP status, answer). Unsigned, wrongly signed or stale: 403 and nothing changes; a replay: 200, nothing
    changes; an unknown reference: 404; a wrong amount is recorded for a clerk and changes nothing else."""
    try:
        payload = verified_payload(
            body,
            timestamp=timestamp,
            signature=signature,
            secret=settings.BANK_CALLBACK_SECRET,
            max_age=settings.BANK_CALLBACK_MAX_AGE_SECONDS,
            required=("event_id", "reference", "amount_yuan"),
        )
        event_id, reference, amount = str(payload["event_id"]), str(payload["reference"]), int(payload["amount_yuan"])
    except CallbackRefused as refused:
        logger.warning("bank payment callback refused: %s", refused)
        return refused.http_status, refused.body
    except (TypeError, ValueError):
        return 400, {"code": "bad_request", "detail": "amount_yuan must be a whole number"}
    batch = RosterBatch.objects.filter(fee_reference=reference).exclude(fee_reference="").first()
    if batch is None:
        return 404, {"code": "unknown_reference", "detail": "no batch with this payment reference"}
    from .services import confirm_payment

    try:
        with transaction.atomic():
            payment = BankPayment.objects.create(
                event_id=event_id[:100], reference=reference[:20], amount_yuan=amount, batch=batch, outcome="received"
            )
            try:
                with transaction.atomic():
                    confirm_payment(batch.pk, actor=None, channel="bank", amount_yuan=amount)
                payment.outcome = "confirmed"
            except DomainError as error:
                payment.outcome = error.code[:40]
            payment.save(update_fields=["outcome"])
    except IntegrityError:
        return 200, {"status": "duplicate"}  # a replay: already received, nothing changes
    return 202, {"status": payment.outcome}
