"""Callbacks from partners. Each is signed; an unsigned, wrongly signed, stale or replayed one changes nothing."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import PartnerStep, VendorCallback
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, CallbackRefused, verified_payload

logger = logging.getLogger("partners.callbacks")


def _header(request, name: str) -> str | None:
    return request.headers.get(name)


@csrf_exempt  # a machine-to-machine call authenticated by its HMAC signature, not a browser form
@require_POST
def vendor_callback(request):
    try:
        payload = verified_payload(
            request.body,
            timestamp=_header(request, TIMESTAMP_HEADER),
            signature=_header(request, SIGNATURE_HEADER),
            secret=settings.VENDOR_WEBHOOK_SECRET,
            max_age=settings.VENDOR_WEBHOOK_MAX_AGE_SECONDS,
            required=("event_id", "event", "idempotency_key"),
        )
    except CallbackRefused as refused:
        logger.warning("vendor callback refused: %s", refused)
        return JsonResponse(refused.body, status=refused.http_status)
    event_id, event, key = payload["event_id"], payload["event"], payload["idempotency_key"]
    if event not in ("shipped", "failed"):
        return JsonResponse({"code": "bad_request", "detail": "event must be shipped or failed"}, status=400)
    step = PartnerStep.objects.filter(idempotency_key=_uuid_or_none(key), partner="vendor").first()
    if step is None:
        return JsonResponse({"code": "unknown_order", "detail": "no order with this key"}, status=404)
    try:
        with transaction.atomic():
            callback = VendorCallback.objects.create(
                event_id=str(event_id)[:100],
                event=event,
                order_id=str(payload.get("order_id", ""))[:60],
                application_id=step.application_id,
                card_number=str(payload.get("card_number", ""))[:30],
                batch_number=str(payload.get("batch_number", ""))[:60],
                reason=str(payload.get("reason", ""))[:200],
            )
            transaction.on_commit(lambda: _enqueue_receive_shipment(callback.pk))
    except IntegrityError:
        return JsonResponse({"status": "duplicate"}, status=200)  # a replay: already received, nothing changes
    return JsonResponse({"status": "received"}, status=202)


def _enqueue_receive_shipment(callback_id: int) -> None:
    from issuance.tasks import receive_shipment

    receive_shipment.delay(callback_id)


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@csrf_exempt  # machine-to-machine, authenticated by its HMAC signature
@require_POST
def bank_activation_callback(request):
    """Rule 10: the bank reports that the holder activated the card at a branch; the swipe limit comes too."""
    from issuance.models import Card
    from issuance.services import activate_card
    from sbcard.errors import DomainError

    from .models import BankCallback

    try:
        payload = verified_payload(
            request.body,
            timestamp=_header(request, TIMESTAMP_HEADER),
            signature=_header(request, SIGNATURE_HEADER),
            secret=settings.BANK_CALLBACK_SECRET,
            max_age=settings.BANK_CALLBACK_MAX_AGE_SECONDS,
            required=("event_id", "card_number"),
        )
        event_id, card_number = str(payload["event_id"])[:100], str(payload["card_number"])[:30]
        # No limit in the bank's report: the city's default applies (activate_card), not a number written here.
        swipe_limit = None if payload.get("swipe_limit") in (None, "") else int(payload["swipe_limit"])
    except CallbackRefused as refused:
        logger.warning("bank callback refused: %s", refused)
        return JsonResponse(refused.body, status=refused.http_status)
    except (TypeError, ValueError):
        return JsonResponse({"code": "bad_request", "detail": "swipe_limit must be a number"}, status=400)
    card = Card.objects.filter(number=card_number).first()
    if card is None:
        return JsonResponse({"code": "unknown_card", "detail": "no such card"}, status=404)
    try:
        with transaction.atomic():
            BankCallback.objects.create(event_id=event_id, event="activated", card_number=card_number)
            activate_card(card.pk, actor=None, swipe_limit=swipe_limit)
    except IntegrityError:
        return JsonResponse({"status": "duplicate"}, status=200)
    except DomainError as error:
        return JsonResponse({"code": error.code, "detail": str(error.message)}, status=409)
    return JsonResponse({"status": "activated"}, status=200)
