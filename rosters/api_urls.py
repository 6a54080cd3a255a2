"""Included by sbcard/urls.py under /api/v1/: employers' roster batches."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("roster-batches", api.RosterBatchViewSet, basename="roster-batch")

urlpatterns = router.urls
