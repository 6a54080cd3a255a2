"""The life of a card: its table of transitions, applied by the status engine (sbcard.statemachine).

Like the application table: the engine locks the card, checks the table, the role (the holder, a clerk of
the issuing station, city staff such as the 12333 hotline, or the system) and the guard, writes a CardEvent
and an audit row, and sends the follow-up jobs (the bank's notice, the holder's notice) after commit.
Nothing else writes `Card.status`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import ADMIN, CLERK, HOLDER, SYSTEM, role_of
from applications.models import CityPolicy
from audit import services as audit
from audit.models import AuditEntry
from sbcard.jobs import Job
from sbcard.statemachine import Change, StatusMachine, Transition, Wording, transition

from .models import Card, CardEvent, CardStatus


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


CARD_TRANSITIONS: list[Transition] = [
    transition(
        CardStatus.ISSUED, "activate", CardStatus.ACTIVE, {CLERK, SYSTEM}, gettext_lazy("Activated at the bank")
    ),
    transition(
        CardStatus.ACTIVE,
        "report_lost_orally",
        CardStatus.PRE_REPORTED_LOST,
        {HOLDER, CLERK, ADMIN},
        gettext_lazy("Reported lost by phone or online"),
    ),
    transition(
        CardStatus.PRE_REPORTED_LOST,
        "confirm_loss_in_writing",
        CardStatus.REPORTED_LOST,
        {CLERK, SYSTEM},
        gettext_lazy("Loss confirmed in writing"),
    ),
    transition(
        CardStatus.ACTIVE,
        "report_lost_in_writing",
        CardStatus.REPORTED_LOST,
        {CLERK},
        gettext_lazy("Reported lost in writing"),
    ),
    transition(
        CardStatus.PRE_REPORTED_LOST,
        "lapse_oral_report",
        CardStatus.ACTIVE,
        {SYSTEM},
        gettext_lazy("Oral loss report lapsed (not confirmed in writing)"),
    ),
    transition(
        CardStatus.PRE_REPORTED_LOST,
        "unreport",
        CardStatus.ACTIVE,
        {CLERK},
        gettext_lazy("Loss report withdrawn by the holder in person"),
        guard=no_replacement_applied,
    ),
    transition(
        CardStatus.REPORTED_LOST,
        "unreport",
        CardStatus.ACTIVE,
        {CLERK},
        gettext_lazy("Loss report withdrawn by the holder in person"),
        guard=formal_report_can_be_undone,
    ),
    transition(
        CardStatus.REPORTED_LOST, "replace", CardStatus.REPLACED, {SYSTEM}, gettext_lazy("Replaced by a new card")
    ),
    transition(CardStatus.ACTIVE, "exchange", CardStatus.EXCHANGED, {SYSTEM}, gettext_lazy("Exchanged for a new card")),
]
# Events the bank must hear of (rule 12: "the bank is told in both cases").
BANK_NOTICE_EVENTS = {
    "report_lost_orally",
    "confirm_loss_in_writing",
    "report_lost_in_writing",
    "unreport",
    "lapse_oral_report",
    "replace",
    "exchange",
}


def _follow_ups(changes: list[Change]) -> list[Job]:
    jobs = [Job("issuance.tasks.tell_bank", c.history_id) for c in changes if c.event in BANK_NOTICE_EVENTS]
    return jobs + [Job("issuance.tasks.notify_card_event", c.history_id) for c in changes]


def _audit(changes: list[Change], actor) -> None:
    audit.record_status_changes(
        AuditEntry.Action.CARD_CHANGE,
        actor=actor,
        object_type=Card._meta.label_lower,
        rows=[
            (c.record.pk, c.record.person.id_number_hash, f"{c.event}: {c.from_status} -> {c.to_status}")
            for c in changes
        ],
    )


CARD_MACHINE = StatusMachine(
    model=Card,
    history=CardEvent,
    history_link="card",
    transitions=CARD_TRANSITIONS,
    role_of=role_of,
    wording=Wording(
        not_now=gettext_lazy("This cannot be done now: the card is “%(status)s”."),
        not_allowed=gettext_lazy("You are not allowed to do this to this card."),
    ),
    audit=_audit,
    follow_ups=_follow_ups,
    lock_related=("person", "application"),
    defer=("person__id_number",),
)
CARD_TABLE = CARD_MACHINE.table
CARD_EVENTS = CARD_MACHINE.events

apply_card_event = CARD_MACHINE.apply
allowed_card_events = CARD_MACHINE.allowed_events


def mermaid_card_diagram() -> str:
    return CARD_MACHINE.mermaid(initial=f"{CardStatus.ISSUED}: hand_over")
