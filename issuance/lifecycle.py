"""The life of a card: one table of transitions and the one function that applies it (DESIGN.md).

Like the application table: `apply_card_event` locks the card, checks the table, the role and the
guard, writes a CardEvent, saves, and sends the follow-up jobs (the bank's notice, the holder's
notice) after commit. Nothing else writes `Card.status`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import CityPolicy
from audit import services as audit
from audit.models import AuditEntry
from sbcard.errors import Conflict, NotPermitted

from .models import Card, CardEvent, CardStatus

HOLDER = "citizen"  # the holder, or the guardian who applied for the child
CLERK = "clerk"  # a clerk of the station that issued the card
ADMIN = "admin"  # city staff, such as the 12333 hotline
SYSTEM = "system"  # the bank's reports, periodic jobs
ROLES = (HOLDER, CLERK, ADMIN, SYSTEM)


def no_replacement_applied(card: Card) -> str | None:
    """Rule 14: a card can be unreported only while no replacement has been applied for."""
    if card.changes.filter(application__kind="replacement").exclude(application__status="cancelled").exists():
        return _("A replacement has already been applied for; the loss report cannot be withdrawn.")
    return None


def formal_report_can_be_undone(card: Card) -> str | None:
    """Rule 14: whether a written loss report can be undone at all is the city's choice."""
    if not CityPolicy.current().formal_loss_report_can_be_undone:
        return _("In this city a written loss report is final: apply for a replacement card.")
    return no_replacement_applied(card)


@dataclass(frozen=True)
class CardTransition:
    source: str
    event: str
    target: str
    roles: frozenset[str]
    label: object
    guard: Callable[[Card], str | None] | None = None


def _t(source, event, target, roles, label, guard=None) -> CardTransition:
    return CardTransition(source, event, target, frozenset(roles), label, guard)


CARD_TRANSITIONS: list[CardTransition] = [
    _t(CardStatus.ISSUED, "activate", CardStatus.ACTIVE, {CLERK, SYSTEM}, gettext_lazy("Activated at the bank")),
    _t(
        CardStatus.ACTIVE,
        "report_lost_orally",
        CardStatus.PRE_REPORTED_LOST,
        {HOLDER, CLERK, ADMIN},
        gettext_lazy("Reported lost by phone or online"),
    ),
    _t(
        CardStatus.PRE_REPORTED_LOST,
        "confirm_loss_in_writing",
        CardStatus.REPORTED_LOST,
        {CLERK, SYSTEM},
        gettext_lazy("Loss confirmed in writing"),
    ),
    _t(
        CardStatus.ACTIVE,
        "report_lost_in_writing",
        CardStatus.REPORTED_LOST,
        {CLERK},
        gettext_lazy("Reported lost in writing"),
    ),
    _t(
        CardStatus.PRE_REPORTED_LOST,
        "lapse_oral_report",
        CardStatus.ACTIVE,
        {SYSTEM},
        gettext_lazy("Oral loss report lapsed (not confirmed in writing)"),
    ),
    _t(
        CardStatus.PRE_REPORTED_LOST,
        "unreport",
        CardStatus.ACTIVE,
        {CLERK},
        gettext_lazy("Loss report withdrawn by the holder in person"),
        no_replacement_applied,
    ),
    _t(
        CardStatus.REPORTED_LOST,
        "unreport",
        CardStatus.ACTIVE,
        {CLERK},
        gettext_lazy("Loss report withdrawn by the holder in person"),
        formal_report_can_be_undone,
    ),
    _t(CardStatus.REPORTED_LOST, "replace", CardStatus.REPLACED, {SYSTEM}, gettext_lazy("Replaced by a new card")),
    _t(CardStatus.ACTIVE, "exchange", CardStatus.EXCHANGED, {SYSTEM}, gettext_lazy("Exchanged for a new card")),
]
CARD_TABLE = {(t.source, t.event): t for t in CARD_TRANSITIONS}
CARD_EVENTS = tuple(dict.fromkeys(t.event for t in CARD_TRANSITIONS))

# Events the bank must hear of (rule 12: "the bank is told in both cases"), by dotted task name.
BANK_NOTICE_EVENTS = {
    "report_lost_orally",
    "confirm_loss_in_writing",
    "report_lost_in_writing",
    "unreport",
    "lapse_oral_report",
    "replace",
    "exchange",
}


def card_role_of(actor, card: Card) -> str | None:
    if actor is None:
        return SYSTEM
    if not actor.is_active:
        return None
    if actor.is_city_admin:
        return ADMIN
    if actor.is_clerk:
        return CLERK if actor.station_id == card.application.station_id else None
    if actor.is_citizen and (card.person.user_id == actor.pk or card.application.applicant_id == actor.pk):
        return HOLDER
    return None


def allowed_card_events(card: Card, actor) -> list[str]:
    role = card_role_of(actor, card)
    return [t.event for t in CARD_TRANSITIONS if t.source == card.status and role in t.roles]


def apply_card_event(card_id: int, event: str, *, actor, reason: str = "") -> Card:
    """Fire `event` on a card. Raises Conflict (409) or NotPermitted (403) before writing anything."""
    with transaction.atomic():
        card = Card.objects.select_for_update(of=("self",)).select_related("person", "application").get(pk=card_id)
        transition = CARD_TABLE.get((card.status, event))
        if transition is None:
            raise Conflict(
                _("This cannot be done now: the card is “%(status)s”.") % {"status": card.get_status_display()},
                code="transition_not_allowed",
                extra={"status": card.status, "event": event},
            )
        role = card_role_of(actor, card)
        if role not in transition.roles:
            raise NotPermitted(_("You are not allowed to do this to this card."), code="role_not_allowed")
        if transition.guard is not None:
            problem = transition.guard(card)
            if problem:
                raise Conflict(problem, code="refused_by_rule")
        now = timezone.now()
        from_status = card.status
        card.status = transition.target
        card.status_changed_at = now
        card.save(update_fields=["status", "status_changed_at"])
        card_event = CardEvent.objects.create(
            card=card,
            event=event,
            from_status=from_status,
            to_status=transition.target,
            actor=actor,
            actor_role=role,
            reason=reason.strip(),
            created_at=now,
        )
        audit.record(
            AuditEntry.Action.CARD_CHANGE,
            actor=actor,
            obj=card,
            id_number=card.person.id_number,
            detail=f"{event}: {from_status} -> {transition.target}",
        )
        if event in BANK_NOTICE_EVENTS:
            transaction.on_commit(partial(_send, "issuance.tasks.tell_bank", card_event.pk))
        transaction.on_commit(partial(_send, "notices.tasks.notify_card_event", card_event.pk))
    return card


def _send(task_name: str, object_id: int) -> None:
    import_string(task_name).delay(object_id)


def mermaid_card_diagram() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {CardStatus.ISSUED}: hand_over"]
    for t in CARD_TRANSITIONS:
        lines.append(f"    {t.source} --> {t.target}: {t.event} ({','.join(sorted(t.roles))})")
    return "\n".join(lines)
