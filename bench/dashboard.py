"""make bench-dashboard: the dashboards on a city of 3 million people in PostgreSQL.

Seeds its own database, sbcard_city (never another one), with `manage.py seed_city --people N`
(BENCH_PEOPLE, default 3,000,000), or reuses it when it already holds a city of that size (BENCH_RESEED=1
seeds it again). Then, in one run:

- the yardstick: the plain `SELECT status, count(*) ... GROUP BY status` over the whole applications table;
- every dashboard page, its API twin and /metrics, for the city (an admin) and for one station (a clerk):
  median and 90th-percentile server time over 20 requests (in-process test client: the time the server
  spends, without the network);
- the citizen's own status page (GET /applications/<id>/).

Goal: each dashboard page within 300 ms median and no slower than the yardstick; the citizen's page under
50 ms. A benchmark prints figures; it asserts nothing about time.
"""

# Django and the portal are imported inside functions: this script sets its environment (database, broker,
# settings) before Django starts.
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "3000000"))
RESEED = os.environ.get("BENCH_RESEED") == "1"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
BASE_DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sbcard")
CITY_DB = "sbcard_city"
DB_URL = urlunparse(urlparse(BASE_DB_URL)._replace(path=f"/{CITY_DB}"))

os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + uuid.uuid4().hex),
        # The seeded ID numbers are encrypted and hashed under these keys: keep them fixed so a reused
        # city stays readable.
        "FIELD_ENCRYPTION_KEYS": os.environ.get(
            "FIELD_ENCRYPTION_KEYS", "UmVwbGFjZS10aGlzLWtleS13aXRoLTMyLWJ5dGVzLSE="
        ),
        "ID_HASH_KEY": os.environ.get("ID_HASH_KEY", "bench-city-id-hash-key"),
        "PRODUCTION": "0",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "sbcard.settings",
        "LOG_LEVEL": "ERROR",
    }
)


def admin_connection():
    import psycopg2

    connection = psycopg2.connect(urlunparse(urlparse(BASE_DB_URL)._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def seeded_size() -> int | None:
    """How many people the existing city has, or None when there is no finished city."""
    import psycopg2

    admin = admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [CITY_DB])
            if cursor.fetchone() is None:
                return None
    finally:
        admin.close()
    try:
        with psycopg2.connect(DB_URL) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT ran_at IS NOT NULL FROM dashboards_cursor WHERE name = 'card_events'")
            finished = cursor.fetchone()
            if not finished or not finished[0]:
                return None
            cursor.execute("SELECT count(*) FROM applications_person")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return None


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ, check=True)


def seed() -> None:
    size = seeded_size()
    if size == PEOPLE and not RESEED:
        print(f"reusing the city in database {CITY_DB}: {size:,} people, seeded earlier (BENCH_RESEED=1 to seed again)")
        manage("migrate", "--noinput", "-v", "0")
        return
    admin = admin_connection()  # not "with": psycopg2 would open a transaction, and DROP DATABASE refuses one
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {CITY_DB} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {CITY_DB}")
    finally:
        admin.close()
    print(f"seeding a new city of {PEOPLE:,} people into database {CITY_DB}")
    started = time.monotonic()
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_city", "--people", str(PEOPLE))
    print(f"seeding took {time.monotonic() - started:.0f}s in all (migrations included)")


def timed(function, count: int = REQUESTS) -> tuple[float, float]:
    function()  # warm-up: connection, caches, the first compile of the templates
    times = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.9 * len(times))) - 1)]


def main() -> None:
    seed()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from applications.models import CardApplication, Status
    from dashboards import summaries

    started = time.monotonic()
    report = summaries.summarise()
    print(
        f"summariser catch-up run: {report.status_events:,} status and {report.card_events:,} card events "
        f"in {time.monotonic() - started:.2f}s"
    )
    started = time.monotonic()
    summaries.summarise()
    print(f"summariser run with nothing new (what the minute job costs when idle): {time.monotonic() - started:.3f}s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM applications_cardapplication")
        applications = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM applications_statusevent")
        events = cursor.fetchone()[0]
    print(f"city: {applications:,} applications, {events:,} status events")

    def yardstick():
        with connection.cursor() as cursor:
            cursor.execute("SELECT status, count(*) FROM applications_cardapplication GROUP BY status")
            cursor.fetchall()

    yard_median, yard_p90 = timed(yardstick)
    print("\nyardstick  SELECT status, count(*) FROM applications_cardapplication GROUP BY status")
    print(f"           median {yard_median:7.1f} ms   p90 {yard_p90:7.1f} ms   ({REQUESTS} runs)\n")

    admin = User.objects.get(username="city-admin")
    station_id = CardApplication.objects.order_by("id").values_list("station_id", flat=True).first()
    clerk = User.objects.filter(role="clerk", station_id=station_id).order_by("id").first()
    pages = [
        ("backlog (totals, ageing)", "/dashboard/"),
        ("deadlines (4 live lists)", "/dashboard/deadlines/"),
        ("bottleneck (stage times)", "/dashboard/bottleneck/"),
        ("throughput and activation", "/dashboard/flow/"),
        ("list: unclaimed > 30 days", "/dashboard/deadlines/unclaimed/"),
        ("list: in review, 8-30 days", "/dashboard/applications/?status=submitted&age=8-30"),
        ("list: collected, page 50", "/dashboard/applications/?status=collected&page=50"),
        ("export ageing (CSV)", "/dashboard/export/ageing.csv"),
        ("API overview", "/api/v1/dashboard/overview/"),
        ("API deadlines", "/api/v1/dashboard/deadlines/"),
        ("API bottleneck", "/api/v1/dashboard/bottleneck/"),
        ("API flow", "/api/v1/dashboard/flow/"),
        ("API activation", "/api/v1/dashboard/activation/"),
        ("/metrics", "/metrics"),
    ]
    rows = []
    for who, user in (("city (admin)", admin), (f"station {station_id} (clerk)", clerk)):
        client = Client()
        client.force_login(user)
        for name, url in pages:

            def get(url=url, client=client):
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                assert response.status_code == 200, (url, response.status_code)

            median, p90 = timed(get)
            rows.append((name, who, median, p90))

    print(f"{'page':32} {'scope':24} {'median ms':>10} {'p90 ms':>8}  {'vs yardstick':>12}")
    for name, who, median, p90 in rows:
        print(f"{name:32} {who:24} {median:10.1f} {p90:8.1f}  {median / yard_median:11.2f}x")
    slowest = max(rows, key=lambda row: row[2])
    print(f"\nslowest page median: {slowest[2]:.1f} ms ({slowest[0]}, {slowest[1]}); goal: <= 300 ms and <= yardstick")

    citizen_application = (
        CardApplication.objects.filter(status=Status.IN_PRODUCTION, person__user__isnull=False, channel="online")
        .order_by("id")
        .select_related("person__user")
        .first()
    )
    client = Client()
    client.force_login(citizen_application.person.user)

    def status_page():
        response = client.get(f"/applications/{citizen_application.pk}/")
        assert response.status_code == 200, response.status_code

    median, p90 = timed(status_page)
    print(f"citizen's own status page /applications/<id>/: median {median:.1f} ms, p90 {p90:.1f} ms (goal < 50 ms)")


if __name__ == "__main__":
    main()
