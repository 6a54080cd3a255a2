"""HMAC signatures for partner callbacks: over the timestamp and the raw body, so neither can change."""

import hashlib
import hmac
import json
import time

TIMESTAMP_HEADER = "X-Sbcard-Timestamp"
SIGNATURE_HEADER = "X-Sbcard-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, *, max_age: int, now: float) -> str:
    """'' when the signature is good and fresh, else the reason it is not."""
    if not timestamp or not signature:
        return "unsigned"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "bad timestamp"
    if abs(now - sent_at) > max_age:
        return "stale"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return "bad signature"
    return ""


class CallbackRefused(Exception):
    """A partner's callback that is not signed right, is stale, or is not the JSON it should be."""

    def __init__(self, status: int, body: dict):
        super().__init__(body.get("detail", ""))
        self.http_status = status
        self.body = body


def verified_payload(
    body: bytes, *, timestamp: str | None, signature: str | None, secret: str, max_age: int, required: tuple[str, ...]
) -> dict:
    """The callback's JSON, once its signature and age are checked (403) and its fields are there (400)."""

    problem = verify(secret, timestamp, signature, body, max_age=max_age, now=time.time())
    if problem:
        raise CallbackRefused(403, {"code": "bad_signature", "detail": problem})
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or any(payload.get(name) in (None, "") for name in required):
        raise CallbackRefused(400, {"code": "bad_request", "detail": f"required: {', '.join(required)}"})
    return payload
