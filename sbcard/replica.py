"""Reads that may lag go to the streaming replica (DATABASE_REPLICA_URL): the dashboards, their API and their
exports. Everything else reads the primary, and so does any read inside a transaction on the primary (it may
have to see the transaction's own writes) and any read of users, sessions, tokens and the lockout records
(a sign-in or a new session must be seen at once). Without a replica every read goes to the primary.

A view opts in with @reads_from_replica; the router below does the rest.
"""

import contextlib
import functools
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_replica_reads = ContextVar("replica_reads", default=False)
# Apps whose rows a request may just have written (sign-in, session, token, lockout): always the primary.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "authtoken", "axes", "sessions", "contenttypes", "audit"})


@contextlib.contextmanager
def replica_reads():
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _streamed_from_replica(content):
    with replica_reads():
        yield from content


def reads_from_replica(view):
    """The view's reads (and a streamed response's, as it streams) may come from the replica."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            response = view(*args, **kwargs)
        if getattr(response, "streaming", False):
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_reads.get()
            and REPLICA in settings.DATABASES
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
