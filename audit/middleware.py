"""Refusals reach the audit trail (SECURITY.md 8), however a view answered them."""

from sbcard.errors import collecting_refusals

from .models import AuditEntry
from .services import record


class AuditRefusalsMiddleware:
    """Every 403 answered to a signed-in user, and every refusal (NotPermitted) a page turned into a message
    and a redirect, goes to the audit trail (after the request's transaction has rolled back, so the record
    stays). Refused looks at other people's records (404s) are recorded by the access helpers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with collecting_refusals() as refusals:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if (response.status_code == 403 or refusals) and user is not None and user.is_authenticated:
            codes = ",".join(sorted({refusal.code for refusal in refusals}))
            record(
                AuditEntry.Action.REFUSED,
                request=request,
                outcome=AuditEntry.Outcome.REFUSED,
                object_type="request",
                detail=f"{response.status_code} {request.method} {request.path} {codes}".strip()[:300],
            )
        return response
