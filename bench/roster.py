"""make bench-roster: a generated 10,000-row XLSX roster through the dry run and the submission on PostgreSQL.

Prints rows per second for the dry run and for the submission and, in the same run, the rate of a plain
PostgreSQL COPY of the same rows into a scratch table, with the goal:

    rows/s of (dry run + submission)  >=  COPY rows/s / 20

and the number of queries of each step (it grows with chunks of 1,000 rows, never with rows). It also
prints how long each step waits for PostgreSQL (statements, COPY, commit) and the rate the two steps would
reach if Python took no time at all: the floor of this design, whatever the code around it. Then a
100,000-row roster goes through both steps in a fresh process, which prints its peak memory (goal: under
300 MB). The information centre simulator runs on loopback over real HTTP; everyone in the roster is
known to it with an ID photo, as local residents are (rule 18), so no photo ZIP is needed.

A benchmark prints figures; it asserts nothing about time.
"""

# Django and the portal are imported inside functions: this script sets its environment (database, broker,
# settings) before Django starts.
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COUNT = int(os.environ.get("BENCH_ROSTER_ROWS", "10000"))
LARGE = int(os.environ.get("BENCH_ROSTER_LARGE_ROWS", "100000"))
BASE_DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sbcard")
BENCH_DB = "sbcard_bench_roster"
DB_URL = urlunparse(urlparse(BASE_DB_URL)._replace(path=f"/{BENCH_DB}"))

os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + uuid.uuid4().hex),
        "PRODUCTION": "0",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "sbcard.settings",
        "LOG_LEVEL": "WARNING",
        # The benchmark times the dry run itself, in this process, not a job.
        "ROSTER_BACKGROUND_BYTES": str(1 << 40),
        "ROSTER_MAX_ROWS": str(max(LARGE, COUNT)),
    }
)


def recreate_database() -> None:
    import psycopg2

    admin = psycopg2.connect(urlunparse(urlparse(BASE_DB_URL)._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    admin.close()


def rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent across fork and exec, so a child started by a large parent would report the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_agent(code: str):
    from stdnum.cn import uscc

    from accounts.models import Employer, Role, ServiceStation, User

    station, _created = ServiceStation.objects.get_or_create(
        code=code, defaults={"name": "基准测试站", "address": "测试路1号"}
    )
    body = f"91330106MA{abs(hash(code)) % 10_000_000:07d}"
    employer, _created = Employer.objects.get_or_create(
        credit_code=body + uscc.calc_check_digit(body),
        defaults={"name": f"基准测试公司{code}", "station": station, "is_approved": True},
    )
    return User.objects.create_user(
        f"bench-agent-{uuid.uuid4().hex[:8]}", password=uuid.uuid4().hex, role=Role.EMPLOYER_AGENT, employer=employer
    )


class NoCapture:
    captured_queries = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class DatabaseClock:
    """Seconds this process waits for PostgreSQL: every statement, COPY and commit on Django's connection
    (a psycopg2 cursor class that times itself, and the commit timed beside it). What remains of a step's
    time is Python's."""

    def __init__(self):
        self.seconds = 0.0

    def __enter__(self):
        import psycopg2.extensions
        from django.db import connection

        clock = self

        class TimedCursor(psycopg2.extensions.cursor):
            def execute(self, *args, **kwargs):
                started = time.monotonic()
                try:
                    return super().execute(*args, **kwargs)
                finally:
                    clock.seconds += time.monotonic() - started

            def copy_expert(self, *args, **kwargs):
                started = time.monotonic()
                try:
                    return super().copy_expert(*args, **kwargs)
                finally:
                    clock.seconds += time.monotonic() - started

        connection.ensure_connection()
        self.raw = connection.connection
        self.raw.cursor_factory = TimedCursor
        self.commit = connection._commit

        def timed_commit():
            started = time.monotonic()
            try:
                return self.commit()
            finally:
                clock.seconds += time.monotonic() - started

        connection._commit = timed_commit
        return self

    def __exit__(self, *exc):
        from django.db import connection

        self.raw.cursor_factory = None
        connection._commit = self.commit
        return False


def run_roster(agent, content: bytes, *, count_queries: bool = True) -> dict:
    """The dry run and the submission of one roster: seconds and queries of each. Counting keeps every
    query's SQL in memory, so the memory run does not count."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def capture():
        return CaptureQueriesContext(connection) if count_queries else NoCapture()

    from rosters import services

    with capture() as dry_queries, DatabaseClock() as dry_database:
        started = time.monotonic()
        batch, _new = services.upload_roster(actor=agent, roster=SimpleUploadedFile("roster.xlsx", content))
        dry_seconds = time.monotonic() - started
    from applications import workflow

    sending = [0.0]
    send, send_many = workflow._send, workflow._send_many

    def timed(function):  # the workflow's after-commit enqueueing, timed apart
        def wrapper(*args):
            started = time.monotonic()
            function(*args)
            sending[0] += time.monotonic() - started

        return wrapper

    workflow._send, workflow._send_many = timed(send), timed(send_many)
    try:
        with capture() as submit_queries, DatabaseClock() as submit_database:
            started = time.monotonic()
            batch = services.submit_batch(batch.pk, actor=agent)
            submit_seconds = time.monotonic() - started
    finally:
        workflow._send, workflow._send_many = send, send_many
    return {
        "batch": batch,
        "dry_seconds": dry_seconds,
        "submit_seconds": submit_seconds,
        "dry_database": dry_database.seconds,
        "submit_database": submit_database.seconds,
        "dry_queries": len(dry_queries.captured_queries),
        "submit_queries": len(submit_queries.captured_queries),
        "notice_seconds": sending[0],
    }


def copy_rate(rows: list[dict]) -> float:
    """Rows per second of COPY of the same rows (the template's six columns) into a scratch table."""
    from django.db import connection

    from rosters.reading import COLUMNS

    keys = [key for key, _header, _aliases in COLUMNS]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(row[key] for key in keys) + "\n")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_roster_copy")
        cursor.execute(f"CREATE TABLE bench_roster_copy ({', '.join(f'{key} text' for key in keys)})")
        raw = cursor.cursor
        buffer.seek(0)
        started = time.monotonic()
        raw.copy_expert(f"COPY bench_roster_copy ({', '.join(keys)}) FROM STDIN", buffer)
        connection.connection.commit() if not connection.in_atomic_block else None
        seconds = time.monotonic() - started
        cursor.execute("SELECT count(*) FROM bench_roster_copy")
        assert cursor.fetchone()[0] == len(rows)
        cursor.execute("DROP TABLE bench_roster_copy")
    return len(rows) / seconds


def large_child(path: str) -> None:
    """In a fresh process: the 100,000-row roster through both steps, then its peak memory."""
    import django

    django.setup()
    from django.conf import settings

    settings.PARTNER_URLS["registry"] = os.environ["BENCH_REGISTRY_URL"]
    content = Path(path).read_bytes()
    after_setup = rss_mb()
    result = run_roster(make_agent("B102"), content, count_queries=False)
    print(
        f"LARGE {result['batch'].submitted_count} {result['dry_seconds']:.1f} {result['submit_seconds']:.1f} "
        f"{after_setup:.0f} {rss_mb():.0f}"
    )


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo.roster_samples import roster_xlsx, sample_rows
    from partners.registry.simulator import RegistrySimulator

    registry = RegistrySimulator(port=0).start()
    settings.PARTNER_URLS["registry"] = registry.url
    purge_broker()
    try:
        rows = sample_rows(COUNT, region="330106")
        large_rows = sample_rows(LARGE, region="330108")
        with registry.lock:
            for row in rows + large_rows:
                registry.records[row["id_number"]] = {**row, "household_city": "杭州市", "has_id_photo": True}
        started = time.monotonic()
        content = roster_xlsx(rows)
        made_in = time.monotonic() - started

        result = run_roster(make_agent("B101"), content)
        written = rows_written()
        copy = copy_rate(rows)
        submitted = result["batch"].submitted_count
        assert submitted == COUNT, f"only {submitted} of {COUNT} rows were submitted"

        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as large_file:
            large_file.write(roster_xlsx(large_rows))
        env = {**os.environ, "BENCH_REGISTRY_URL": registry.url}
        child = subprocess.run(
            [sys.executable, __file__, "--large", large_file.name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        os.unlink(large_file.name)
    finally:
        registry.stop()
        purge_broker()
    large = next((line.split() for line in child.stdout.splitlines() if line.startswith("LARGE ")), None)

    dry_rate = COUNT / result["dry_seconds"]
    submit_rate = COUNT / result["submit_seconds"]
    both_rate = COUNT / (result["dry_seconds"] + result["submit_seconds"])
    goal = copy / 20
    print()
    print(f"roster benchmark: {COUNT} rows, XLSX ({len(content) / 1024:.0f} KB, made in {made_in:.1f} s), PostgreSQL")
    print(f"  broker for the status-change notices: {settings.CELERY_BROKER_URL.split('://')[0]}")
    dry, submit = result["dry_seconds"], result["submit_seconds"]
    print(f"  dry run:               {dry:8.2f} s  {dry_rate:10.0f} rows/s  {result['dry_queries']:5d} queries")
    print(
        f"  submission:            {submit:8.2f} s  {submit_rate:10.0f} rows/s  {result['submit_queries']:5d} queries"
    )
    print(f"    of which enqueueing the status-change notice jobs: {result['notice_seconds']:.2f} s")
    print(f"  dry run + submission:  {dry + submit:8.2f} s  {both_rate:10.0f} rows/s")
    waiting = result["dry_database"] + result["submit_database"]
    print(
        f"    of which waiting for PostgreSQL: dry run {result['dry_database']:.2f} s, submission "
        f"{result['submit_database']:.2f} s; with Python taking no time at all: {COUNT / waiting:.0f} rows/s"
    )
    print(f"  COPY of the same rows:               {copy:10.0f} rows/s")
    print(
        f"  (COPY writes {COUNT} rows in one table; the dry run and the submission wrote {written} rows "
        f"in {len(WRITTEN_TABLES)} tables)"
    )
    print(
        f"  goal (a twentieth of COPY):           {goal:10.0f} rows/s  -> {'MET' if both_rate >= goal else 'NOT MET'}"
        f" (COPY is {copy / both_rate:.1f}x faster)"
    )
    if large:
        _tag, count, dry, submit, base, peak = large
        print(f"  {int(count):,} rows in a fresh process: dry run {dry} s, submission {submit} s")
        print(
            f"  peak memory: {peak} MB (after start-up: {base} MB); goal under 300 MB -> "
            f"{'MET' if float(peak) < 300 else 'NOT MET'}"
        )
    else:
        print("  the 100,000-row run failed:\n" + child.stdout[-2000:] + child.stderr[-4000:])


WRITTEN_TABLES = (
    "applications.Person",
    "applications.CardApplication",
    "applications.StatusEvent",
    "audit.AuditEntry",
    "rosters.BatchApplication",
    "rosters.RosterRow",
)


def rows_written() -> int:
    """Rows the roster left in the database (the dry run's rows and everything the submission made)."""
    from django.apps import apps

    return sum(apps.get_model(label).objects.count() for label in WRITTEN_TABLES)


def purge_broker() -> None:
    """The submission sends one status-change notice job per application; the bench does not run them."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return
    from sbcard.celery import app

    with app.connection_for_write() as connection:
        for queue in ("celery", "partners", "notices"):
            try:
                connection.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001, S110 - a queue that does not exist yet
                pass


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--large":
        large_child(sys.argv[2])
    else:
        main()
