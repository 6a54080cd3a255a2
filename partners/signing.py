"""HMAC signatures for partner callbacks: over the timestamp and the raw body, so neither can change."""

import hashlib
import hmac
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
