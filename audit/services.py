"""Writing the audit trail. One call per fact; it never raises into the caller's flow."""

import logging

from django.conf import settings

from sbcard.bulk import insert_rows
from sbcard.crypto import keyed_hash

from .models import AuditEntry

logger = logging.getLogger("audit")


def person_key(id_number: str) -> str:
    """The keyed hash the trail stores instead of an ID number (searchable, not readable)."""
    if not id_number:
        return ""
    return keyed_hash(id_number)  # the same hash as Person.id_number_hash: bulk paths copy that one


def client_address(request) -> str | None:
    if request is None:
        return None
    # Behind the production proxy the first X-Forwarded-For hop is the client; REMOTE_ADDR otherwise.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.TRUST_X_FORWARDED_FOR else ""
    return (forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None


def record(
    action: str,
    *,
    actor=None,
    request=None,
    obj=None,
    object_type: str = "",
    object_id="",
    id_number: str = "",
    outcome: str = AuditEntry.Outcome.OK,
    detail: str = "",
    actor_label: str = "",
) -> AuditEntry:
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor is not None else "system"),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        person_key=person_key(id_number),
        outcome=outcome,
        client_address=client_address(request),
        detail=detail[:300],
    )


def record_personal_data_read(request, obj, *, id_number: str, what: str = "") -> None:
    """A staff member saw a full ID number, phone or bank account (SECURITY.md 8)."""
    record(AuditEntry.Action.READ_PERSONAL_DATA, request=request, obj=obj, id_number=id_number, detail=what)


def record_status_changes(action: str, *, actor, object_type: str, rows: list[tuple[int, str, str]]) -> None:
    """One row per status change: (object id, person key, detail). A roster's ten thousand go as one COPY."""
    constants = {
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": actor.get_username() if actor is not None else "system",
        "action": action,
        "object_type": object_type,
        "outcome": AuditEntry.Outcome.OK,
    }
    insert_rows(
        AuditEntry,
        ("object_id", "person_key", "detail"),
        ((str(object_id), person_key, detail[:300]) for object_id, person_key, detail in rows),
        constants=constants,
    )
