"""The partners' callbacks to the portal, described in the OpenAPI schema (its `webhooks`), so that a vendor or
a bank can build its side from the schema: the payload, the signature headers, the time window, the answers and
what to retry. Only the wire format lives here; the views that receive them live with their effect."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

CALLBACK_PATHS = {
    "vendor_card_produced": "/partners/callbacks/vendor/",
    "bank_card_activated": "/partners/callbacks/bank/activation/",
    "bank_fee_paid": "/callbacks/bank/payments/",
}

SIGNING = f"""

**Signature.** Every call carries `{TIMESTAMP_HEADER}` (Unix seconds when it was sent) and `{SIGNATURE_HEADER}`:
the lowercase hex HMAC-SHA256, keyed with the secret shared with the portal, of the timestamp, a dot and the raw
body bytes (`"<timestamp>.<body>"`). A call that is unsigned, wrongly signed, or whose timestamp is more than
{{max_age}} seconds from the portal's clock is refused with 403 and changes nothing. Sign the exact bytes sent.

**Retries.** `event_id` names the event: the portal acts on an event once, and answers a repeat with
200 `{{{{"status": "duplicate"}}}}`. Any other answer than 2xx, or none within 10 seconds, means: send the same
event again (same `event_id`, a fresh timestamp and signature), backing off (for example after 1, 2, 4, 8 ...
minutes, for at least 24 hours). 400 and 403 will not change by retrying: they mean the call must be fixed."""


class VendorCallbackSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100, help_text="Unique per event; a repeat is a duplicate.")
    event = serializers.ChoiceField(
        choices=[("shipped", "The card was made and shipped to the station"), ("failed", "Production failed")],
        help_text="What happened to the order.",
    )
    order_id = serializers.CharField(max_length=60, help_text="The vendor's order number.")
    idempotency_key = serializers.UUIDField(help_text="The key the portal sent with the production order.")
    reference = serializers.CharField(max_length=40, help_text="The portal's application reference.")
    card_number = serializers.CharField(max_length=30, allow_blank=True, help_text="The new card's number (`shipped`).")
    batch_number = serializers.CharField(
        max_length=60, allow_blank=True, help_text="The box the card travels in: cards for one station together."
    )
    reason = serializers.CharField(max_length=200, allow_blank=True, help_text="Why production failed (`failed`).")


class BankActivationSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100, help_text="Unique per event; a repeat is a duplicate.")
    event = serializers.ChoiceField(choices=[("activated", "The holder activated the card at a branch")])
    card_number = serializers.CharField(max_length=30, help_text="The card's number.")
    swipe_limit = serializers.IntegerField(
        min_value=1,
        max_value=20,
        required=False,
        help_text="Daily pharmacy swipes chosen by the holder; left out, the city's default applies (rule 10).",
    )


class BankPaymentSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100, help_text="Unique per payment; a repeat is a duplicate.")
    reference = serializers.CharField(max_length=20, help_text="The payment reference on the batch's fee notice.")
    amount_yuan = serializers.IntegerField(min_value=0, help_text="The amount paid, in yuan.")


# The portal's answers, as plain schemas: drf-spectacular would name components for a webhook's answers as
# requests (they travel the other way), and the API's Error component is the same shape.
ERROR = {"$ref": "#/components/schemas/Error"}
ANSWER = {
    "type": "object",
    "properties": {
        "status": {
            "type": "string",
            "description": "`received`, `activated`, `confirmed` (or why a payment was not applied), or `duplicate`.",
        }
    },
    "required": ["status"],
}


def _answers(accepted_status: int, accepted: str, not_found: str, conflict: str | None = None) -> dict:
    answers = {
        400: OpenApiResponse(ERROR, description="The body is not the JSON described: fix the call."),
        403: OpenApiResponse(
            ERROR, description="Unsigned, wrongly signed or outside the time window: nothing changed."
        ),
        404: OpenApiResponse(ERROR, description=not_found),
    }
    if accepted_status == 200:
        answers[200] = OpenApiResponse(ANSWER, description=f"{accepted} A repeat: `duplicate`.")
    else:
        answers[accepted_status] = OpenApiResponse(ANSWER, description=accepted)
        answers[200] = OpenApiResponse(ANSWER, description="A repeat of an event already received (`duplicate`).")
    if conflict:
        answers[409] = OpenApiResponse(ERROR, description=conflict)
    return dict(sorted(answers.items()))


VENDOR_CALLBACK = OpenApiWebhook(
    name="vendor_card_produced",
    decorator=extend_schema(
        summary="Card vendor: a card was made and shipped, or production failed",
        description="The card vendor (制卡中心) calls "
        f"`POST {{PORTAL_BASE_URL}}{CALLBACK_PATHS['vendor_card_produced']}` when an order ships to its station, "
        "or fails (制卡失败: the application goes back to the applicant with the reason)."
        + SIGNING.format(max_age=settings.VENDOR_WEBHOOK_MAX_AGE_SECONDS),
        request=VendorCallbackSerializer,
        responses=_answers(
            202, "Received: the card is booked in at the station by a job.", "No order was sent with this key."
        ),
        examples=[
            OpenApiExample(
                "Shipped",
                value={
                    "event_id": "ORD-000123:shipped",
                    "event": "shipped",
                    "order_id": "ORD-000123",
                    "idempotency_key": "3f0c6f8e-2b1a-4f7e-9d4c-1a2b3c4d5e6f",
                    "reference": "SB2026000123",
                    "card_number": "A12345678",
                    "batch_number": "BOX-20260302-S100",
                    "reason": "",
                },
                response_only=True,  # a webhook's payload is documented from the sender's side
            )
        ],
    ),
)

BANK_ACTIVATION_CALLBACK = OpenApiWebhook(
    name="bank_card_activated",
    decorator=extend_schema(
        summary="Partner bank: a card was activated at a branch",
        description="The partner bank calls "
        f"`POST {{PORTAL_BASE_URL}}{CALLBACK_PATHS['bank_card_activated']}` when the holder activates the card's "
        "financial function at a branch (rule 10), with the daily swipe limit chosen."
        + SIGNING.format(max_age=settings.VENDOR_WEBHOOK_MAX_AGE_SECONDS),
        request=BankActivationSerializer,
        responses=_answers(
            200,
            "Activated.",
            "No card with this number.",
            conflict="The card cannot be activated in its state (reported lost, replaced ...): do not retry.",
        ),
        examples=[
            OpenApiExample(
                "Activated",
                value={
                    "event_id": "ACT-000042-A12345678",
                    "event": "activated",
                    "card_number": "A12345678",
                    "swipe_limit": 2,
                },
                response_only=True,  # a webhook's payload is documented from the sender's side
            )
        ],
    ),
)

BANK_PAYMENT_CALLBACK = OpenApiWebhook(
    name="bank_fee_paid",
    decorator=extend_schema(
        summary="Partner bank: an employer paid a batch's card fee",
        description=f"The partner bank calls `POST {{PORTAL_BASE_URL}}{CALLBACK_PATHS['bank_fee_paid']}` when an "
        "employer pays the card fee of a roster batch (rule 6). A wrong amount is recorded for a clerk and changes "
        "nothing else." + SIGNING.format(max_age=settings.BANK_CALLBACK_MAX_AGE_SECONDS),
        request=BankPaymentSerializer,
        responses=_answers(202, "Received; `status` says whether it confirmed the payment.", "No such reference."),
        examples=[
            OpenApiExample(
                "Paid",
                value={"event_id": "PAY-000007-1a2b3c4d", "reference": "FEE2026000007", "amount_yuan": 200},
                response_only=True,  # a webhook's payload is documented from the sender's side
            )
        ],
    ),
)


def add_signature_headers(result, generator, request, public):
    """drf-spectacular hook: the signature headers as parameters of every webhook, required."""
    headers = [
        {
            "name": TIMESTAMP_HEADER,
            "in": "header",
            "required": True,
            "description": "When the call was sent, in Unix seconds.",
            "schema": {"type": "string", "pattern": r"^\d+$"},
        },
        {
            "name": SIGNATURE_HEADER,
            "in": "header",
            "required": True,
            "description": 'Hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret.',
            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
    ]
    for path_item in result.get("webhooks", {}).values():
        for operation in path_item.values():
            operation["parameters"] = headers
    return result
