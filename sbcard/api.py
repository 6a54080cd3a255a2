"""API plumbing shared by every app: pagination with a hard cap, strict input, domain errors as 4xx in one
shape. (The schema's operations are described by sbcard.schema; the schema view and the JSON 404 for unknown
/api/ addresses are in sbcard.api_views.)"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sbcard.errors import DomainError
from sbcard.idnumbers import normalise, validate_resident_id

MAX_PAGE_SIZE = 100
IDEMPOTENCY_HEADER = "Idempotency-Key"


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

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = "Page number, from 1."
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=MAX_PAGE_SIZE, default=self.page_size)
                parameter["description"] = f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {self.page_size})."
        return parameters


# Input that refuses fields it does not know, so `{"status": "collected"}` is a clear 400, not silently dropped
# (nested in another serializer too: each row of a list). A comment, not a docstring: the schema would give every
# input the docstring as its description.
class StrictInputSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        refused = {name: [_("This field cannot be set here.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, dict):
                error.detail.update(refused)
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value


class EmptySerializer(StrictInputSerializer):
    pass  # an action that takes no input: any field sent is refused


class ResidentIdInput(serializers.CharField):
    """A resident ID number as people type it: normalised (spaces, hyphens, full-width characters, a lowercase
    x) before it is judged, so a length limit never counts the separators; the refusal names the wrong part."""

    TYPED = (
        "As typed: spaces, hyphens, full-width characters and a lowercase x are normalised, and an old 15-digit "
        "number is taken as its 18-digit form (GB 11643)."
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_resident_id])
        kwargs["help_text"] = f"{kwargs.get('help_text', 'A resident ID number.')} {self.TYPED}"
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return normalise(super().to_internal_value(data))


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer: one sentence a person understands, a code for programs, and for bad input the
    field (the first one) and every field's messages."""

    detail = serializers.CharField(help_text="What went wrong and what to do, in the reader's language.")
    code = serializers.CharField(
        help_text="For programs: `invalid` (bad input), `not_authenticated`, `authentication_failed`, "
        "`token_expired`, `not_permitted`, `not_found`, `conflict` or a more precise conflict, "
        "`idempotency_key_in_use`, `idempotency_key_reused`, `unsupported_media_type`, `throttled`, `locked_out`."
    )
    field = serializers.CharField(
        required=False, allow_null=True, help_text="The (first) input field the message is about, if any."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Bad input: every field's messages, nested fields as `rows.3.name`.",
    )


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
    """Every refusal in the API's one error shape (the audit trail's handler, audit.api, wraps this one)."""
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
