"""Included by sbcard/urls.py under /api/v1/: cards, the pickup desk and the service window."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("cards", api.CardViewSet, basename="card")

urlpatterns = [
    path("applications/<int:application_id>/hand-over/", api.HandOverView.as_view(), name="api-hand-over"),
    path("appointments/", api.AppointmentListView.as_view(), name="api-appointments"),
    path("walk-ins/", api.WalkInView.as_view(), name="api-walk-ins"),
    path("registry-check/", api.RegistryCheckView.as_view(), name="api-registry-check"),
    path("certificates/<str:token>/", api.CertificateCheckView.as_view(), name="api-certificate-check"),
    path("", include(router.urls)),
]
