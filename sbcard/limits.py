"""Counters shared by every web and worker process (the default cache: Redis in production, memory in a
single-process `make run`): how many SMS codes a phone or a client address asked for this hour.

Each count is one atomic INCR on a key that expires with its window, so two requests at the same moment in
two processes cannot both pass the last free place.
"""

from django.core.cache import cache


def count_and_check(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more use of `key` in its window (which starts at the first use); True while within `limit`."""
    cache_key = f"limit:{key}"
    for _attempt in range(3):
        cache.add(cache_key, 0, timeout=window_seconds)  # a new window, unless one is open
        try:
            return cache.incr(cache_key) <= limit
        except ValueError:  # the window closed between the two calls: open the next one
            continue
    return False
