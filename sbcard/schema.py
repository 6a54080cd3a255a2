"""The OpenAPI schema: one language whatever the reader's, and for each operation the error answers it can give
(in the Error shape) and the Idempotency-Key header where the view honours it.

Kept apart from sbcard.api: drf-spectacular's AutoSchema imports DRF's generic views, which import the
pagination class in sbcard.api (a cycle if both lived in one module)."""

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions

from .api import IDEMPOTENCY_HEADER, ErrorSerializer

# The language of the schema's own text (descriptions, enum labels), whatever the reader's Accept-Language, so
# that every integrator (and `manage.py spectacular`) gets the same document.
SCHEMA_LANGUAGE = "en"


class OneLanguageSchemaGenerator(SchemaGenerator):
    def get_schema(self, request=None, public=False):
        with translation.override(SCHEMA_LANGUAGE):
            return super().get_schema(request=request, public=public)


ERROR_DESCRIPTIONS = {
    400: "Bad input: `field` names the (first) field and `errors` has every field's messages.",
    401: "No credentials, or a token that is unknown, revoked or expired. Send `Authorization: Bearer <token>`.",
    403: "Your role may not do this (or, with a session, the CSRF token is missing).",
    404: "No such record for you: records outside your binding look the same as missing ones.",
    409: "Not possible in the record's current state (the message says why), or a request with the same "
    "Idempotency-Key is still being processed.",
    415: "The body's Content-Type is not the one this operation takes (JSON, or multipart for uploads).",
    422: "This Idempotency-Key was used in the last 24 hours with a different request.",
    429: "Too many requests or failed sign-ins: wait the number of seconds in `Retry-After`.",
}
NO_SUCH_PAGE = "`page` is past the last page."
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again.",
    }
}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per intended operation (a UUID, 1-255 printable ASCII characters). Sent again with "
    "the same body within 24 hours it returns the first answer (2xx) instead of doing the work twice; with another "
    "body it is refused with 422. Keys are kept per user.",
)


def handler_of(view, method: str):
    """The view function that answers `method`: a viewset's action or an APIView's get/post/..."""
    action = getattr(view, "action", None)
    return getattr(view, action, None) if action else getattr(view, method.lower(), None)


class ApiSchema(AutoSchema):
    """drf-spectacular's schema with what every operation here shares: the error answers it can give (all in
    the Error shape, 429 with Retry-After) and the Idempotency-Key header where the view honours it."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._honours_idempotency_key():
            parameters.append(IDEMPOTENCY_PARAMETER)
        return parameters

    def get_auth(self):
        # drf-spectacular writes "security: [{}]" for an operation that takes no credentials at all; client
        # generators read any security list as "needs a token". No credentials: no security list.
        auths = super().get_auth()
        return [] if auths == [{}] else auths

    def _get_pagination_parameters(self):
        parameters = super()._get_pagination_parameters()
        if not parameters and self.method == "GET" and self._answers_a_page():
            # A detail action that lists (a batch's rows): drf-spectacular pages its answer but lists no parameters.
            parameters = self._get_paginator().get_schema_operation_parameters(self.view)
        return parameters

    def _answers_a_page(self) -> bool:
        answer = self.get_response_serializers()
        if isinstance(answer, dict):
            answer = answer.get(200)
        if isinstance(answer, OpenApiResponse):
            answer = answer.response
        return self._get_paginator() is not None and is_list_serializer(answer)

    def error_statuses(self) -> dict[int, str]:
        """The error answers the operation can give, each with what it means here."""
        has_body = self.method in ("POST", "PUT", "PATCH")
        pages = bool(self._get_pagination_parameters())
        has_query = pages or bool(self._get_filter_parameters())
        has_query = has_query or any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )
        open_to_all = any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        statuses = {}
        if has_body or has_query:
            statuses[400] = ERROR_DESCRIPTIONS[400]
        if self.view.get_authenticators():
            statuses[401] = ERROR_DESCRIPTIONS[401]  # a bad or expired token is refused even where none is needed
        if not open_to_all and self.method != "GET":
            statuses[403] = ERROR_DESCRIPTIONS[403]
        if "{" in self.path or pages:
            statuses[404] = " ".join(
                ([ERROR_DESCRIPTIONS[404]] if "{" in self.path else []) + ([NO_SUCH_PAGE] if pages else [])
            )
        if (not open_to_all and has_body) or self._honours_idempotency_key():
            statuses[409] = ERROR_DESCRIPTIONS[409]
        if has_body:
            statuses[415] = ERROR_DESCRIPTIONS[415]
        if self._honours_idempotency_key():
            statuses[422] = ERROR_DESCRIPTIONS[422]
        if self.view.get_throttles():
            statuses[429] = ERROR_DESCRIPTIONS[429]
        return statuses

    def _honours_idempotency_key(self) -> bool:
        return getattr(handler_of(self.view, self.method), "honours_idempotency_key", False)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/"):
            return responses  # a webhook: its answers are described where it is declared
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for status, description in sorted(self.error_statuses().items()):
            if str(status) in responses:
                continue
            responses[str(status)] = {
                "description": description,
                "content": {"application/json": {"schema": error}},
                **({"headers": RETRY_AFTER} if status == 429 else {}),
            }
        if "429" in responses:
            responses["429"].setdefault("headers", RETRY_AFTER)
        return dict(sorted(responses.items()))
