"""GET /healthz: does the database answer, and the broker when one is configured.

Answered by a middleware placed before every other: load balancers, Docker and Kubernetes probe it by an
address (127.0.0.1:8000, a pod's IP) over plain HTTP, which is neither an allowed host nor HTTPS, so the
host check and the HTTPS redirect would refuse it. It reveals nothing but up or down.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

HEALTH_PATH = "/healthz"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _broker_ok() -> bool:
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def healthz(request):
    checks = {"database": _database_ok()}
    if not settings.JOBS_IN_PROCESS:
        checks["broker"] = _broker_ok()
    else:
        checks["broker"] = None  # jobs run in-process: there is no broker to ask
    healthy = all(value is not False for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
