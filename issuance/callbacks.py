"""The partner bank's report that a holder activated their card at a branch (rule 10), with the swipe limit.

It lives here, with its effect on the card; partners/signing.py checks the signature. An unsigned, wrongly
signed, stale or replayed report changes nothing.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from partners.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, CallbackRefused, verified_payload
from sbcard.errors import DomainError

from .models import BankCallback, Card
from .services import activate_card

logger = logging.getLogger("issuance.callbacks")


@csrf_exempt  # machine-to-machine, authenticated by its HMAC signature
@require_POST
def bank_activation_callback(request):
    try:
        payload = verified_payload(
            request.body,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            secret=settings.BANK_CALLBACK_SECRET,
            max_age=settings.BANK_CALLBACK_MAX_AGE_SECONDS,
            required=("event_id", "card_number"),
        )
        event_id, card_number = str(payload["event_id"])[:100], str(payload["card_number"])[:30]
        # No limit reported: the city's default applies (activate_card), not a number written here.
        swipe_limit = int(payload["swipe_limit"]) if payload.get("swipe_limit") not in (None, "") else None
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
