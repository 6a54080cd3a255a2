"""Included by sbcard/urls.py under /api/v1/dashboard/."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("overview/", api.OverviewView.as_view(), name="api-dashboard-overview"),
    path("deadlines/", api.DeadlinesView.as_view(), name="api-dashboard-deadlines"),
    re_path(
        r"^deadlines/(?P<kind>reviews|escalations|unclaimed|oral-loss)/$",
        api.DeadlineListView.as_view(),
        name="api-dashboard-deadline-list",
    ),
    path("bottleneck/", api.BottleneckView.as_view(), name="api-dashboard-bottleneck"),
    path("flow/", api.FlowView.as_view(), name="api-dashboard-flow"),
    path("activation/", api.ActivationView.as_view(), name="api-dashboard-activation"),
]
