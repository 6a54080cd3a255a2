"""The Celery app the benchmarks' workers run (`celery -A bench.worker`): the portal's own app and tasks, plus
the no-op task that sets the pipeline benchmark's yardstick. It lives here so that nothing of the benchmarks
is in the portal's settings or task modules."""

import redis
from django.conf import settings

from sbcard.celery import app

_counter: redis.Redis | None = None


def _redis() -> redis.Redis:
    # One client per worker process, kept like the portal's own connections: a fresh client per call
    # would make the yardstick slower than the queue really is, and flatter the pipeline beside it.
    global _counter
    if _counter is None:
        _counter = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return _counter


@app.task(name="bench.noop", acks_late=True, reject_on_worker_lost=True, time_limit=10, soft_time_limit=5)
def noop(counter_key: str) -> None:
    """Does nothing but count itself."""
    _redis().incr(counter_key)
