"""The API's exception handler: the plumbing's (sbcard.api), and every 404 a signed-in user met in the audit trail
(SECURITY.md 8): out of scope looks the same as missing, and both are recorded."""

from django.http import Http404
from rest_framework.exceptions import NotFound

from sbcard.api import exception_handler as answer

from .models import AuditEntry
from .services import record


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, Http404 | NotFound) and request is not None and request.user.is_authenticated:
        record(
            AuditEntry.Action.REFUSED,
            request=request,
            outcome=AuditEntry.Outcome.REFUSED,
            object_type="request",
            detail=f"404 {request.method} {request.path}"[:300],
        )
    return answer(exc, context)
