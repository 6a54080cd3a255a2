"""GET /healthz: does the database answer, and the broker when one is configured."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _broker_ok() -> bool:

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


@never_cache
def healthz(request):
    checks = {"database": _database_ok()}
    if not settings.JOBS_IN_PROCESS:
        checks["broker"] = _broker_ok()
    else:
        checks["broker"] = None  # jobs run in-process: there is no broker to ask
    healthy = all(value is not False for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
