"""Pages and API answers for a signed-in user carry personal data: browsers and proxies must not keep them."""


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
        return response


class AuditRefusalsMiddleware:
    """Every 403 answered to a signed-in user, and every refusal (NotPermitted) a page turned into a message
    and a redirect, goes to the audit trail (after the request's transaction has rolled back, so the record
    stays). Refused looks at other people's records (404s) are recorded by the access helpers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from sbcard.errors import collecting_refusals

        with collecting_refusals() as refusals:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if (response.status_code == 403 or refusals) and user is not None and user.is_authenticated:
            from audit.models import AuditEntry
            from audit.services import record

            codes = ",".join(sorted({refusal.code for refusal in refusals}))
            record(
                AuditEntry.Action.REFUSED,
                request=request,
                outcome=AuditEntry.Outcome.REFUSED,
                object_type="request",
                detail=f"{response.status_code} {request.method} {request.path} {codes}".strip()[:300],
            )
        return response
