"""The card vendor's callback (rule 5): the card is made and shipped to the station, or could not be made.

It lives here, with the effect it has on the application; partners/signing.py checks the signature. An
unsigned, wrongly signed, stale or replayed callback changes nothing.
"""

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from partners.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, CallbackRefused, verified_payload
from sbcard.jobs import Job, send_after_commit

from .models import PartnerStep, VendorCallback

logger = logging.getLogger("applications.callbacks")


@csrf_exempt  # a machine-to-machine call authenticated by its HMAC signature, not a browser form
@require_POST
def vendor_callback(request):
    try:
        payload = verified_payload(
            request.body,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
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
            send_after_commit(Job("applications.tasks.receive_shipment", callback.pk))
    except IntegrityError:
        return JsonResponse({"status": "duplicate"}, status=200)  # a replay: already received, nothing changes
    return JsonResponse({"status": "received"}, status=202)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
