"""API plumbing shared by every app: pagination with a hard cap, and domain errors as 4xx."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sbcard.errors import DomainError

MAX_PAGE_SIZE = 100


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [_("The page size must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
            )
        return size


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False, allow_null=True)


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, Http404 | NotFound) and request is not None and request.user.is_authenticated:
        # Out of scope looks the same as missing (a 404); both go to the audit trail.
        from audit.models import AuditEntry
        from audit.services import record

        record(
            AuditEntry.Action.REFUSED,
            request=request,
            outcome=AuditEntry.Outcome.REFUSED,
            object_type="request",
            detail=f"404 {request.method} {request.path}"[:300],
        )
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        body.update({k: v for k, v in exc.extra.items() if k not in body})
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
