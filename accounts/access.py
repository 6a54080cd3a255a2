"""Who may see which records. A record outside the user's binding is a 404, never a 403 that leaks it."""

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Role


def applications_visible_to(user) -> QuerySet:
    """A citizen's own and their wards', a clerk's station's, an agent's employer's, everything for admins."""
    from applications.models import CardApplication

    applications = CardApplication.objects.all()
    if not user.is_authenticated or not user.is_active:
        return applications.none()
    if user.is_city_admin:
        return applications
    if user.role == Role.CLERK:
        return applications.filter(station_id=user.station_id)
    if user.role == Role.EMPLOYER_AGENT:
        return applications.filter(employer_id=user.employer_id)
    return applications.filter(Q(applicant_id=user.pk) | Q(person__user_id=user.pk))


def access_application_by_id(user, application_id) -> "CardApplication":  # noqa: F821
    try:
        application_id = int(application_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    application = (
        applications_visible_to(user)
        .select_related("person", "station", "photo", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        _record_refusal(user, "applications.cardapplication", application_id)
        raise Http404
    return application


def require_role(user, *roles: str) -> None:
    """Pages of another role are 404 too: a citizen does not learn the clerks' URLs exist."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_superuser and Role.ADMIN in roles:
        return
    if user.role not in roles:
        _record_refusal(user, "page", "", detail=f"role {user.role} outside {', '.join(roles)}")
        raise Http404


def cards_visible_to(user) -> QuerySet:
    """A citizen's cards (and their wards'), the cards a clerk's station issued, all of them for admins."""
    from issuance.models import Card

    cards = Card.objects.all()
    if not user.is_authenticated or not user.is_active:
        return cards.none()
    if user.is_city_admin:
        return cards
    if user.role == Role.CLERK:
        return cards.filter(application__station_id=user.station_id)
    if user.role == Role.CITIZEN:
        return cards.filter(Q(person__user_id=user.pk) | Q(application__applicant_id=user.pk))
    return cards.none()


def access_card_by_id(user, card_id) -> "Card":  # noqa: F821
    try:
        card_id = int(card_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    card = (
        cards_visible_to(user)
        .select_related("person", "application__station", "application__applicant")
        .filter(pk=card_id)
        .first()
    )
    if card is None:
        _record_refusal(user, "issuance.card", card_id)
        raise Http404
    return card


def _record_refusal(user, object_type: str, object_id, detail: str = "") -> None:
    """A refused look at someone else's record, or at another role's page, goes to the audit trail."""
    if not user.is_authenticated:
        return
    from audit.models import AuditEntry
    from audit.services import record

    record(
        AuditEntry.Action.REFUSED,
        actor=user,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditEntry.Outcome.REFUSED,
        detail=detail or "not in the user's scope (404)",
    )
