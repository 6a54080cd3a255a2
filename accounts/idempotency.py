"""The Idempotency-Key header on POSTs: a client that retries after a timeout gets the first answer instead of
doing the work twice.

The key is kept per user (anonymous callers share one scope; their bodies carry the secrets that make a replay
theirs) for KEY_LIFETIME. Same key and same request: the stored answer, marked `Idempotent-Replayed: true`.
Same key and another request: 422. The same key while the first request still runs: 409. Only successful
answers (2xx) are kept; a refused request changed nothing and can be corrected and sent again with its key.
"""

import datetime
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from sbcard.api import IDEMPOTENCY_HEADER
from sbcard.errors import Conflict, DomainError, InvalidInput

from .models import IdempotentRequest

KEY_LIFETIME = datetime.timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"


class KeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


def _valid_key(raw: str) -> str:
    if not 1 <= len(raw) <= 255 or not all(" " <= ch <= "~" for ch in raw):
        raise InvalidInput(
            _("The Idempotency-Key must be 1 to 255 printable ASCII characters, such as a UUID."),
            code="invalid_idempotency_key",
            field=IDEMPOTENCY_HEADER,
        )
    return raw


def _fingerprint(request) -> str:
    """The request as its meaning, not its bytes: JSON with sorted keys; a multipart form's fields and each
    file's name and content hash (a retry may use another boundary)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    data = request.data
    if hasattr(data, "lists"):  # a form (QueryDict), files included in request.data
        for name, values in sorted(data.lists()):
            for value in values:
                if hasattr(value, "chunks"):
                    file_digest = hashlib.sha256()
                    for chunk in value.chunks():
                        file_digest.update(chunk)
                    value.seek(0)
                    value = f"file:{value.name}:{file_digest.hexdigest()}"
                digest.update(json.dumps([name, str(value)], ensure_ascii=False).encode())
    else:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def _claim(scope: str, key: str, request_hash: str) -> tuple[IdempotentRequest, bool]:
    """(the record, True) when this request now holds the key; (the earlier record, False) otherwise."""
    now = timezone.now()
    # Keys older than their lifetime are forgotten here, as they pass: an indexed range that is nearly always empty.
    IdempotentRequest.objects.filter(created_at__lt=now - KEY_LIFETIME).delete()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    scope=scope, key=key, request_hash=request_hash, created_at=now
                )
            return record, True
        except IntegrityError:
            earlier = IdempotentRequest.objects.filter(scope=scope, key=key).first()
            if earlier is not None:
                return earlier, False
            # the other request failed and let the key go in between: try to take it again
    raise Conflict(
        _("A request with this Idempotency-Key is still being processed; try again in a moment."),
        code="idempotency_key_in_use",
    )


def _replay(earlier: IdempotentRequest, request_hash: str) -> Response:
    if earlier.request_hash != request_hash:
        raise KeyReused(
            _(
                "This Idempotency-Key was used for a different request in the last 24 hours; "
                "use a new key for a new request."
            )
        )
    if earlier.status_code is None:
        raise Conflict(
            _("A request with this Idempotency-Key is still being processed; try again in a moment."),
            code="idempotency_key_in_use",
        )
    body = json.loads(earlier.body) if earlier.body else None
    return Response(body, status=earlier.status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(handler):
    """Honour the Idempotency-Key header on a view's POST handler (the schema lists the header for it)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(IDEMPOTENCY_HEADER)
        if raw is None:
            return handler(view, request, *args, **kwargs)
        key = _valid_key(raw)
        scope = f"user:{request.user.pk}" if request.user.is_authenticated else "anonymous"
        request_hash = _fingerprint(request)
        record, is_new = _claim(scope, key, request_hash)
        if not is_new:
            return _replay(record, request_hash)
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.body = JSONRenderer().render(response.data).decode() if response.data is not None else ""
            record.save(update_fields=["status_code", "body"])
        else:
            record.delete()
        return response

    wrapper.honours_idempotency_key = True
    return wrapper
