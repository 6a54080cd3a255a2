"""The API's own views: the OpenAPI schema, the same for every reader, and the JSON 404 for unknown addresses."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: the same document for every reader. Its language is fixed by the generator
    (sbcard.schema); no credentials are read, so nothing in it depends on who asks."""

    authentication_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def not_found(request, exception=None):
    """Django's 404 handler: an unknown address under /api/ answers in the API's JSON shape, translated."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("There is no such address in the API. The operations are listed at /api/docs/."),
                "code": "not_found",
            },
            status=404,
        )
    return page_not_found(request, exception)
