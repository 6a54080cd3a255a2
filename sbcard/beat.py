"""Celery beat that runs alone: two beats would send every periodic job twice. The scheduler holds a
PostgreSQL advisory lock for as long as it runs, taken inside a transaction it keeps open (so it holds
through PgBouncer in transaction mode, where a session lock would stay behind on a pooled connection). A
second beat waits for the lock; a beat that loses its connection, and so its lock, exits for its supervisor
to start it again. On SQLite (`make run`: one machine, beat inside the web process) there is nothing to lock.

It touches BEAT_HEARTBEAT_FILE at every tick, waiting or not: `python -m sbcard.beat --healthy` is its
health check (exit 0 while the file is fresh).
"""

import logging
import os
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

LOCK_KEY = 0x5BCA4D_BEA7  # any constant shared by every beat of this database
TICK_SECONDS = 15  # the longest beat sleeps between ticks: the heartbeat's and the lock check's period
HEARTBEAT_MAX_AGE_SECONDS = 90


def touch_heartbeat() -> None:
    path = Path(settings.BEAT_HEARTBEAT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


class BeatLock:
    def __init__(self):
        self.connection = None

    def acquire(self, *, retry_seconds: float = 5.0) -> None:
        """Return once this beat holds the lock; until then, wait (a standby beat)."""
        if connections["default"].vendor != "postgresql":
            return
        import psycopg2  # here, not at the top: SQLite installs never need it

        said_waiting = False
        while True:
            touch_heartbeat()
            connection = psycopg2.connect(**connections["default"].get_connection_params())
            connection.autocommit = False
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                (held,) = cursor.fetchone()
            if held:
                self.connection = connection  # the transaction stays open: the lock with it
                logger.info("beat holds the single-beat lock")
                return
            connection.close()
            if not said_waiting:
                logger.warning("another beat is running; this one waits to take over")
                said_waiting = True
            time.sleep(retry_seconds)  # a standby polling a lock another process holds

    def confirm(self) -> None:
        """Exit if the lock's connection is gone: another beat may hold the lock by now."""
        if self.connection is None:
            return
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # noqa: BLE001 - any failure means the lock may be lost
            logger.critical("beat lost its database connection and with it the single-beat lock; exiting")
            raise SystemExit(1) from None

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()  # the transaction ends, and the lock with it
            self.connection = None


class SingleBeatScheduler(PersistentScheduler):
    def setup_schedule(self):
        self.beat_lock = BeatLock()
        self.beat_lock.acquire()
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        self.beat_lock.confirm()
        touch_heartbeat()
        return min(super().tick(*args, **kwargs), TICK_SECONDS)

    def close(self):
        try:
            super().close()
        finally:
            self.beat_lock.release()


def healthy() -> bool:
    try:
        age = time.time() - os.stat(settings.BEAT_HEARTBEAT_FILE).st_mtime
    except FileNotFoundError:
        return False
    return age < HEARTBEAT_MAX_AGE_SECONDS


if __name__ == "__main__" and sys.argv[1:] == ["--healthy"]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbcard.settings")
    sys.exit(0 if healthy() else 1)
