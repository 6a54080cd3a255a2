"""Test set-up shared by every app (settings: sbcard/settings_test.py).

Tests run with DEBUG off, as in production. Tests that need PostgreSQL, Redis or Chromium are marked;
they are skipped with a reason when the service is absent, and fail instead when REQUIRE_SERVICES=1
(as in CI), so nothing that needs a real service is silently skipped there.
"""

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests keep no example database in the checkout (a failure prints its example to reproduce it).
hypothesis_settings.register_profile("sbcard", database=None)
hypothesis_settings.load_profile("sbcard")

pytest_plugins = ["tests.personas", "tests.partners"]

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
PRODUCTION_TOOLS = ("nginx", "pgbouncer", "redis-server", "docker-compose")
PRODUCTION_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/usr/bin"
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def _require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_answers() -> bool:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _missing_service(item) -> str | None:
    from django.conf import settings

    if item.get_closest_marker("postgres") and not settings.USING_POSTGRES:
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis") and not _redis_answers():
        return "needs Redis: set CELERY_BROKER_URL=redis://... to a running server"
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM}"
    if item.get_closest_marker("production"):
        missing = [tool for tool in PRODUCTION_TOOLS if not shutil.which(tool, path=PRODUCTION_PATH)]
        if missing or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            return f"needs the production set's packages: missing {', '.join(missing) or 'PostgreSQL server'}"
    if item.get_closest_marker("axe") and not AXE_SCRIPT.exists():
        return "needs axe-core in node_modules: run npm ci (make test does)"
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        if _require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    from django.conf import settings

    if settings.VAR_DIR.name.startswith("sbcard-test-"):
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test reads the working-day calendar and the city policy from its own database state, and starts
    with no throttle or limit counted (the cache is the process's memory in tests)."""
    from django.core.cache import cache

    from applications.models import CityPolicy
    from applications.workdays import forget_calendar

    cache.clear()
    forget_calendar()
    CityPolicy.forget()
    yield
    forget_calendar()
    CityPolicy.forget()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
