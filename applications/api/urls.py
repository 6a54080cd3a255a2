"""Included by sbcard/urls.py under /api/v1/: sign-up, the citizen's own account, applications and the queue."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import account, views

router = SimpleRouter()
router.register("applications", views.ApplicationViewSet, basename="application")

urlpatterns = [
    path("auth/sign-up/", account.SignUpView.as_view(), name="api-sign-up"),
    path("auth/me/", account.MeView.as_view(), name="api-me"),
    path("stations/", views.StationListView.as_view(), name="api-stations"),
    path("return-reasons/", views.ReturnReasonListView.as_view(), name="api-return-reasons"),
    path("station/queue/", views.StationQueueView.as_view(), name="api-station-queue"),
    path("", include(router.urls)),
]
