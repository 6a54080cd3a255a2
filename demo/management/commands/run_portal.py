"""Serve the portal for `make run`: the partner simulators, the jobs, and the web server, in one process.

Without CELERY_BROKER_URL the jobs run in-process: a Celery worker (threads) and beat on an in-memory
broker, so a demo application travels to the pickup counter on its own within a minute. With a broker,
run `celery -A sbcard worker -B -Q celery,partners,notices` beside it instead.
"""

import datetime
import logging
import os
import threading

from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from applications.pipeline import stalled_steps, unshipped_orders
from applications.tasks import resend_unshipped_order
from demo.simulators import start_all
from partners.simulators import from_environment
from sbcard.celery import app

logger = logging.getLogger("sbcard.run_portal")


class Command(BaseCommand):
    help = "Serve the portal with the partner simulators and in-process jobs (make run)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-simulators", action="store_true", help="The partners run elsewhere.")

    def handle(self, *args, addrport: str, no_simulators: bool, **options):
        if not os.environ.get("PORTAL_BASE_URL"):  # the vendor calls back wherever this server listens
            settings.PORTAL_BASE_URL = f"http://{addrport if ':' in addrport else '127.0.0.1:' + addrport}"
        if not no_simulators:
            self.start_simulators()
        if settings.JOBS_IN_PROCESS:
            self.start_jobs()
        call_command("runserver", addrport, use_reloader=False)

    def start_simulators(self) -> None:
        options = from_environment()
        options["webhook_secret"] = settings.VENDOR_WEBHOOK_SECRET
        options["bank_secret"] = settings.BANK_CALLBACK_SECRET
        try:
            simulators = start_all(**options)
        except OSError as error:
            raise CommandError(
                f"A partner simulator could not start ({error}): is another portal running? Stop it, or set "
                "REGISTRY_PORT, BANK_PORT, VENDOR_PORT and SMS_PORT (and the matching *_URL) to free ports."
            ) from error
        for name, simulator in simulators.items():
            self.stdout.write(f"{name} simulator on {simulator.url}")

    def start_jobs(self) -> None:
        ready = threading.Event()

        def work() -> None:
            with start_worker(
                app,
                pool="threads",
                concurrency=4,
                perform_ping_check=False,
                loglevel="WARNING",
                queues=["celery", "partners", "notices"],
                shutdown_timeout=5,
            ):
                ready.set()
                threading.Event().wait()

        threading.Thread(target=work, name="jobs-worker", daemon=True).start()
        ready.wait(timeout=30)
        app.conf.beat_schedule_filename = str(settings.VAR_DIR / "celerybeat-schedule")
        EmbeddedService(app, thread=True, schedule_filename=app.conf.beat_schedule_filename).start()
        self.stdout.write("jobs: an in-process worker and beat (no CELERY_BROKER_URL set)")
        # Pick up what was waiting before this process started (the demo data's approved applications).
        for task_name, application_id in stalled_steps(older_than=datetime.timedelta(0)):
            import_string(task_name).delay(application_id)
        for application_id in unshipped_orders():
            resend_unshipped_order.delay(application_id)
