"""Included by sbcard/urls.py at the site's root: /metrics for Prometheus."""

from django.urls import path

from . import metrics

urlpatterns = [path("metrics", metrics.metrics, name="metrics")]
