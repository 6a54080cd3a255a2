from django.urls import path, re_path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("deadlines/", views.deadlines, name="deadlines"),
    re_path(
        r"^deadlines/(?P<kind>reviews|escalations|unclaimed|oral-loss)/$", views.deadline_list, name="deadline_list"
    ),
    path("bottleneck/", views.bottleneck, name="bottleneck"),
    path("flow/", views.flow, name="flow"),
    path("applications/", views.applications, name="applications"),
    re_path(r"^export/(?P<table>[a-z-]+)\.(?P<file_format>csv|xlsx)$", views.export, name="export"),
]
