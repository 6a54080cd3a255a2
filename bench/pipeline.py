"""make bench-pipeline: 2,000 applications through the whole pipeline on PostgreSQL and Redis.

Two worker processes (celery prefork -c 2), the partner simulators at zero latency, the portal under
gunicorn for the vendor's callbacks. Prints applications per second and, on the same workers, the rate
of a no-op Celery task, and the ratio against the goal:

    applications/s  >=  (no-op tasks/s  /  tasks per application)  /  3

A benchmark prints figures; it asserts nothing about time.
"""

# Django and the portal are imported inside functions: this script sets its environment (database, broker,
# settings) before Django starts.
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COUNT = int(os.environ.get("BENCH_APPLICATIONS", "2000"))
BASE_DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sbcard")
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
BENCH_DB = "sbcard_bench"
PORT = int(os.environ.get("BENCH_PORT", "8799"))
DB_URL = urlunparse(urlparse(BASE_DB_URL)._replace(path=f"/{BENCH_DB}"))

os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "CELERY_BROKER_URL": BROKER,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + uuid.uuid4().hex),
        "PRODUCTION": "0",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{PORT}",
        "DJANGO_SETTINGS_MODULE": "sbcard.settings",
        "LOG_LEVEL": "WARNING",
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


def start(command: list[str], log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_until(predicate, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from applications.models import CardApplication, InsuranceType, Person, Status, StatusEvent
    from applications.services import approve_application
    from partners.simulators import start_all
    from sbcard.celery import app
    from sbcard.idnumbers import make_resident_id
    from tests.workers import QUEUES

    logs = Path(os.environ.get("BENCH_LOGS", tempfile.gettempdir())) / "sbcard-bench"
    logs.mkdir(parents=True, exist_ok=True)
    simulators = start_all(
        ports={"registry": 0, "bank": 0, "vendor": 0, "sms": 0},
        vendor_stage_seconds=0,
        webhook_secret=settings.VENDOR_WEBHOOK_SECRET,
    )
    env = {
        **os.environ,
        "REGISTRY_URL": simulators["registry"].url,
        "BANK_URL": simulators["bank"].url,
        "VENDOR_URL": simulators["vendor"].url,
        "SMS_URL": simulators["sms"].url,
        "VENDOR_WEBHOOK_SECRET": settings.VENDOR_WEBHOOK_SECRET,
    }
    settings.PARTNER_URLS = {name: sim.url for name, sim in simulators.items()}
    with app.connection_for_write() as connection:
        for queue in QUEUES:
            try:
                connection.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001, S110 - a queue that does not exist yet
                pass
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sbcard.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        logs / "web.log",
        env,
    )
    worker = start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bench.worker",
            "worker",
            "-Q",
            ",".join(QUEUES),
            "--pool",
            "prefork",
            "-c",
            "2",
            "--loglevel",
            os.environ.get("BENCH_WORKER_LOG_LEVEL", "WARNING"),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            "bench@%h",
        ],
        logs / "worker.log",
        env,
    )
    try:
        import redis

        client = redis.Redis.from_url(BROKER)
        wait_until(lambda: _answers(PORT), 30, "gunicorn")

        # --- the yardstick: no-op tasks on the same workers -------------------------------------
        from bench.worker import noop

        noop_count = COUNT * 6
        key = f"bench-noop-{uuid.uuid4().hex}"
        noop.apply_async([key], queue="partners")  # warm the workers up
        wait_until(lambda: int(client.get(key) or 0) >= 1, 60, "the workers")
        client.delete(key)
        started = time.monotonic()
        for _ in range(noop_count):
            noop.apply_async([key], queue="partners")
        wait_until(lambda: int(client.get(key) or 0) >= noop_count, 600, "the no-op tasks")
        noop_rate = noop_count / (time.monotonic() - started)

        # --- the pipeline -------------------------------------------------------------------------
        from accounts.models import Role, ServiceStation, User

        station = ServiceStation.objects.create(code="B001", name="基准测试站", address="测试路1号")
        clerk = User.objects.create_user("bench-clerk", password=uuid.uuid4().hex, role=Role.CLERK, station=station)
        import datetime

        people = Person.objects.bulk_create(
            [
                Person(
                    id_number=make_resident_id(
                        "330106", datetime.date(1960, 1, 1) + datetime.timedelta(days=i // 900), i % 900 + 100
                    ),
                    name=f"测试{i}",
                    birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=i // 900),
                    sex="M",
                )
                for i in range(COUNT)
            ]
        )
        registry = simulators["registry"]
        with registry.lock:  # the information centre knows them, as it would know a city's residents
            for person in people:
                registry.records[person.id_number] = {
                    "id_number": person.id_number,
                    "name": person.name,
                    "household_city": "杭州市",
                }
        applications = CardApplication.objects.bulk_create(
            [
                CardApplication(
                    person=person,
                    station=station,
                    insurance_type=InsuranceType.URBAN_EMPLOYEE,
                    household_city="杭州市",
                    address="测试路1号",
                    phone=f"139{i:08d}",
                )
                for i, person in enumerate(people)
            ]
        )
        # Set-up only: put them straight into `submitted` with their history, as a station's queue would be.
        CardApplication.objects.filter(pk__in=[a.pk for a in applications]).update(
            status=Status.SUBMITTED, submitted_at=django.utils.timezone.now()
        )
        StatusEvent.objects.bulk_create(
            [
                StatusEvent(
                    application=a, event="submit", from_status="draft", to_status="submitted", actor_role="citizen"
                )
                for a in applications
            ]
        )
        started = time.monotonic()
        for application in applications:
            approve_application(application.pk, actor=clerk)
        approved_at = time.monotonic() - started

        def done() -> bool:
            return CardApplication.objects.filter(status=Status.READY_FOR_PICKUP).count() >= COUNT

        wait_until(done, 1800, "the pipeline", every=0.5)
        from notices.models import Notice

        wait_until(
            lambda: not Notice.objects.filter(delivery__in=["pending", "failed"]).exists(), 600, "the SMS", every=0.5
        )
        elapsed = time.monotonic() - started
        pipeline_rate = COUNT / elapsed
    finally:
        stop(worker)
        stop(web)
        for simulator in simulators.values():
            simulator.stop()

    tasks_per_application = 4 + 2 * 4  # registry, bank, order, shipment; a notice and an SMS for 4 changes
    yardstick = noop_rate / tasks_per_application
    goal = yardstick / 3
    print()
    print(f"pipeline benchmark: {COUNT} applications, 2 worker processes, PostgreSQL + Redis, simulators at 0 ms")
    print(f"  approvals by the clerk (in the benchmark process):  {approved_at:8.1f} s")
    print(f"  submitted -> ready_for_pickup, all SMS sent:        {elapsed:8.1f} s")
    print(f"  applications per second:                            {pipeline_rate:8.1f}")
    print(f"  no-op Celery tasks per second (same workers):       {noop_rate:8.1f}")
    print(f"  tasks per application:                              {tasks_per_application:8d}")
    print(
        f"  yardstick: no-op rate / tasks per application:      {noop_rate / tasks_per_application:8.1f} applications/s"
    )
    print(f"  goal (at least a third of that):                    {goal:8.1f} applications/s")
    print(
        f"  ratio (our cost per task / the queue's own):        {yardstick / pipeline_rate:8.2f}x"
        f"  ({'within' if pipeline_rate >= goal else 'OVER'} the 3x goal)"
    )


def _answers(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
            return True
    except Exception:  # noqa: BLE001
        return False


if __name__ == "__main__":
    main()
