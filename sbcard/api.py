"""API plumbing shared by every app: pagination with a hard cap, and domain errors as 4xx."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sbcard.errors import DomainError
from sbcard.idnumbers import normalise, validate_resident_id

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


class ResidentIdInput(serializers.CharField):
    """A resident ID number as people type it: normalised (spaces, hyphens, full-width characters, a lowercase
    x) before it is judged, so a length limit never counts the separators; the refusal names the wrong part."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_resident_id])
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return normalise(super().to_internal_value(data))


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer: one sentence a person understands, a code for programs, and for bad input the
    field (the first one) and every field's messages."""

    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False, allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def _flatten(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as {"field" or "field.sub": [messages]}."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list) and data and all(not isinstance(item, dict | list) for item in data):
        return {prefix or "non_field_errors": [str(item) for item in data]}
    if isinstance(data, list):
        flat = {}
        for index, item in enumerate(data):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(data)]}


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
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        errors = _flatten(response.data) or {"non_field_errors": [str(exc)]}
        field, messages = next(iter(errors.items()))
        response.data = {"detail": messages[0], "code": "invalid", "field": field, "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": str(getattr(detail, "code", "") or "error")}
    return response
