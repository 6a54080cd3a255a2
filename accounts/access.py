"""Who a user is to a record, and which records they may see: the one place every app asks.

Each model with an owner declares its `PARTIES` (a `Parties` of field paths): the station that handles it,
the employer that filed it, the user accounts that hold it (the holder, the guardian who applied), and the
hospital or pharmacy whose staff made it (an e-card check). From
that single declaration this module answers both questions — the role a user has towards one record (the
status tables check it) and the queryset of records a user may see (lists, and the access helpers behind
every detail page). A record outside the user's binding is a 404, never a 403 that leaks that it exists.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from audit.models import AuditEntry
from audit.services import record as record_audit

from .models import Parties, Role

# Roles as the status tables see them: what the actor is *to this record*.
HOLDER = Role.CITIZEN.value  # the holder, or the guardian who filed for a child
CLERK = Role.CLERK.value  # a clerk of the record's station
EMPLOYER_AGENT = Role.EMPLOYER_AGENT.value  # an agent of the employer that filed it
ADMIN = Role.ADMIN.value
VERIFIER = Role.VERIFIER.value  # staff of the hospital or pharmacy the record belongs to
SYSTEM = "system"  # jobs and partner callbacks (no actor)
ROLES = (HOLDER, CLERK, EMPLOYER_AGENT, ADMIN, VERIFIER, SYSTEM)


def _value(record, path: str):
    for name in path.split("__"):
        record = getattr(record, name, None)
        if record is None:
            return None
    return record


def role_of(user, record) -> str | None:
    """What `user` is to `record`, or None when they have nothing to do with it (None user: the system)."""
    if user is None:
        return SYSTEM
    if not user.is_active:
        return None
    if user.is_city_admin:
        return ADMIN
    parties: Parties = record.PARTIES
    if user.role == Role.CLERK:
        return CLERK if parties.station and _value(record, parties.station) == user.station_id else None
    if user.role == Role.EMPLOYER_AGENT:
        employer_id = _value(record, parties.employer) if parties.employer else None
        return EMPLOYER_AGENT if employer_id is not None and employer_id == user.employer_id else None
    if user.role == Role.VERIFIER:
        institution_id = _value(record, parties.institution) if parties.institution else None
        return VERIFIER if institution_id is not None and institution_id == user.institution_id else None
    if user.role == Role.CITIZEN and any(_value(record, path) == user.pk for path in parties.holders):
        return HOLDER
    return None


def visible_to(user, queryset: QuerySet) -> QuerySet:
    """The records of `queryset` this user may see: the same bindings as `role_of`, as a filter."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_city_admin:
        return queryset
    parties: Parties = queryset.model.PARTIES
    if user.role == Role.CLERK and parties.station:
        return queryset.filter(**{parties.station: user.station_id})
    if user.role == Role.EMPLOYER_AGENT and parties.employer:
        return queryset.filter(**{parties.employer: user.employer_id})
    if user.role == Role.VERIFIER and parties.institution:
        return queryset.filter(**{parties.institution: user.institution_id})
    if user.role == Role.CITIZEN and parties.holders:
        anyone = Q()
        for path in parties.holders:
            anyone |= Q(**{path: user.pk})
        return queryset.filter(anyone)
    return queryset.none()


def access_by_id(user, queryset: QuerySet, record_id):
    """One record the user may see, or a 404 (recorded in the audit trail when someone looked elsewhere)."""
    try:
        record_id = int(record_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    found = visible_to(user, queryset).filter(pk=record_id).first()
    if found is None:
        record_refusal(user, queryset.model._meta.label_lower, record_id)
        raise Http404
    return found


def require_role(user, *roles: str) -> None:
    """Pages of another role are 404 too: a citizen does not learn the clerks' URLs exist."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_superuser and Role.ADMIN in roles:
        return
    if user.role not in roles:
        record_refusal(user, "page", "", detail=f"role {user.role} outside {', '.join(roles)}")
        raise Http404


def record_refusal(user, object_type: str, object_id, detail: str = "") -> None:
    """A refused look at someone else's record, or at another role's page, goes to the audit trail."""
    if not user.is_authenticated:
        return
    record_audit(
        AuditEntry.Action.REFUSED,
        actor=user,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditEntry.Outcome.REFUSED,
        detail=detail or "not in the user's scope (404)",
    )
