"""Things read on every page and job but changed rarely by an admin (the city policy, the working-day
calendar) are kept in each process's memory. When one process changes them, every process must drop its
copy: the shared cache holds a generation for each, a process keeps the generation its copy was read
under, and a different one means read again. One cache read per use instead of a database query.
"""

import uuid

from django.core.cache import cache
from django.db import transaction


class Generation:
    def __init__(self, name: str):
        self.key = f"generation:{name}"

    def current(self) -> str:
        value = cache.get(self.key)
        if value is None:  # first use, or the cache was emptied: everyone reads again once
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            value = cache.get(self.key)
        return value

    def bump(self) -> None:
        """Every process reads again: now, and once more after the change commits (a process that read
        between the two would otherwise keep the old value under the new generation)."""
        cache.set(self.key, uuid.uuid4().hex, timeout=None)
        if transaction.get_connection().in_atomic_block:  # outside a transaction the change is committed
            transaction.on_commit(lambda: cache.set(self.key, uuid.uuid4().hex, timeout=None))
