"""The partner bank's signed report that a batch's card fee was paid (rule 6). Unsigned, wrongly signed or
stale: refused and nothing changes; a replay: 200 and nothing changes; an unknown reference: 404."""

import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from partners.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, CallbackRefused, verified_payload
from sbcard.errors import NotFound

from .payments import record_bank_payment

logger = logging.getLogger("rosters.callbacks")


@csrf_exempt  # a machine-to-machine call authenticated by its HMAC signature, not a browser form
@require_POST
def bank_payment_callback(request):
    try:
        payload = verified_payload(
            request.body,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            secret=settings.BANK_CALLBACK_SECRET,
            max_age=settings.BANK_CALLBACK_MAX_AGE_SECONDS,
            required=("event_id", "reference", "amount_yuan"),
        )
        event_id, reference, amount = str(payload["event_id"]), str(payload["reference"]), int(payload["amount_yuan"])
    except CallbackRefused as refused:
        logger.warning("bank payment callback refused: %s", refused)
        return JsonResponse(refused.body, status=refused.http_status)
    except (TypeError, ValueError):
        return JsonResponse({"code": "bad_request", "detail": "amount_yuan must be a whole number"}, status=400)
    try:
        recorded = record_bank_payment(event_id=event_id, reference=reference, amount_yuan=amount)
    except NotFound as error:
        return JsonResponse({"code": error.code, "detail": "no batch with this payment reference"}, status=404)
    if recorded.duplicate:
        return JsonResponse({"status": "duplicate"}, status=200)
    return JsonResponse({"status": recorded.outcome}, status=202)
