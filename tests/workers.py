"""Real Celery worker processes for job tests, on the test database and the real Redis broker."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
QUEUES = ["celery", "partners", "notices"]


def test_database_url() -> str:
    """DATABASE_URL, pointed at the database the tests run in (test_<name>)."""
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def purge_queues() -> None:
    from sbcard.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            with contextlib.suppress(Exception):
                channel.queue_purge(queue)


def wait_for(predicate, *, timeout: float = 60, what: str = "the condition", log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)  # polling a real process; nothing to time-travel here
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n--- worker log ---\n{tail}")


def child_pids(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(line) for line in out.split()]


@contextlib.contextmanager
def celery_worker(tmp_path: Path, *, env: dict, concurrency: int = 2):
    """Start `celery worker` in its own process group; stop it (and its pool) afterwards."""
    purge_queues()
    log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sbcard.settings_test",
        "DATABASE_URL": test_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "VENDOR_WEBHOOK_SECRET": settings.VENDOR_WEBHOOK_SECRET,
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sbcard",
        "worker",
        "-Q",
        ",".join(QUEUES),
        "--pool",
        "prefork",
        "-c",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own worker
            command, cwd=ROOT, env=worker_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), timeout=60, what="the worker to start", log=log)
        process.log = log
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
