"""Domain errors. Services raise them; views and the API turn them into 4xx answers."""

from contextlib import contextmanager
from contextvars import ContextVar

# The refusals of the request being answered (audit.middleware.AuditRefusalsMiddleware collects them), so a
# refusal a view turns into a message and a redirect reaches the audit trail like a 403 does.
_refusals: ContextVar[list | None] = ContextVar("refusals", default=None)


class DomainError(Exception):
    """A refusal a person can understand. `message` is already translated (or lazily translatable)."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, message, *, code: str | None = None, field: str | None = None, extra: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.extra = extra or {}


class InvalidInput(DomainError):
    status_code = 400
    default_code = "invalid"


class NotPermitted(DomainError):
    """The user may see the record but not do this to it (a citizen approving, say)."""

    status_code = 403
    default_code = "not_permitted"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refusals = _refusals.get()
        if refusals is not None:
            refusals.append(self)


@contextmanager
def collecting_refusals():
    """The NotPermitted errors raised inside, caught or not."""
    refusals: list[NotPermitted] = []
    token = _refusals.set(refusals)
    try:
        yield refusals
    finally:
        _refusals.reset(token)


class Conflict(DomainError):
    """The record's state does not allow it: a transition not in the table, a duplicate."""

    status_code = 409
    default_code = "conflict"


class NotFound(DomainError):
    """What the request names does not exist (a partner's callback about an unknown reference)."""

    status_code = 404
    default_code = "not_found"
