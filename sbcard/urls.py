"""The site's addresses. Each app lists its own (urls.py for pages, api_urls.py for the API): this module only
mounts them, by name, so the plumbing imports no app."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from .api_views import SchemaView
from .health import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("applications.api.urls")),
    path("", include("issuance.api_urls")),
    path("", include("ecards.api_urls")),
    path("", include("rosters.api_urls")),
    path("dashboard/", include("dashboards.api_urls")),
]

urlpatterns = [
    path("", include("accounts.site_urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("notices.urls")),
    path("", include("rosters.urls")),
    path("", include("issuance.urls")),
    path("", include("ecards.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("", include("dashboards.metrics_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The "split" view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# An unknown address under /api/ answers in the API's JSON shape; pages keep Django's page.
handler404 = "sbcard.api_views.not_found"
