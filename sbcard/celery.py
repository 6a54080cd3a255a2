"""The Celery app. Partner steps run on their own queue so a slow partner never holds up notices."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbcard.settings")

app = Celery("sbcard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
