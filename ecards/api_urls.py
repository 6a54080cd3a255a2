"""Included by sbcard/urls.py under /api/v1/: e-cards, relatives' consent, checks."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("ecards", api.ECardViewSet, basename="ecard")
router.register("ecard-family", api.FamilyLinkViewSet, basename="ecard-family")

urlpatterns = [
    path("ecard-checks/", api.ECardCheckView.as_view(), name="api-ecard-checks"),
    path("", include(router.urls)),
]
