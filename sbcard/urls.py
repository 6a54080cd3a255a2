from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from accounts import views as accounts_views
from applications.api import account as account_api
from applications.api import views as applications_api
from dashboards import metrics as dashboard_metrics
from issuance import api as issuance_api
from rosters import api as rosters_api

from .api_views import SchemaView
from .health import healthz

router = DefaultRouter()
router.register("applications", applications_api.ApplicationViewSet, basename="application")
router.register("roster-batches", rosters_api.RosterBatchViewSet, basename="roster-batch")
router.register("cards", issuance_api.CardViewSet, basename="card")

api_v1 = [
    path("auth/sign-up/", account_api.SignUpView.as_view(), name="api-sign-up"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", accounts_api.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", accounts_api.TokenDetailView.as_view(), name="api-token-detail"),
    path("auth/phone-code/", accounts_api.PhoneCodeView.as_view(), name="api-phone-code"),
    path("auth/me/", account_api.MeView.as_view(), name="api-me"),
    path("stations/", applications_api.StationListView.as_view(), name="api-stations"),
    path("return-reasons/", applications_api.ReturnReasonListView.as_view(), name="api-return-reasons"),
    path("station/queue/", applications_api.StationQueueView.as_view(), name="api-station-queue"),
    path("applications/<int:application_id>/hand-over/", issuance_api.HandOverView.as_view(), name="api-hand-over"),
    path("appointments/", issuance_api.AppointmentListView.as_view(), name="api-appointments"),
    path("walk-ins/", issuance_api.WalkInView.as_view(), name="api-walk-ins"),
    path("registry-check/", issuance_api.RegistryCheckView.as_view(), name="api-registry-check"),
    path("certificates/<str:token>/", issuance_api.CertificateCheckView.as_view(), name="api-certificate-check"),
    path("dashboard/", include("dashboards.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("notices.urls")),
    path("", include("rosters.urls")),
    path("", include("issuance.urls")),
    path("partners/", include("partners.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("metrics", dashboard_metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The "split" view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# An unknown address under /api/ answers in the API's JSON shape; pages keep Django's page.
handler404 = "sbcard.api_views.not_found"
