"""The life of an application: its table of transitions, applied by the status engine (sbcard.statemachine).

`TRANSITIONS` declares every `(status, event) -> status`, which roles may fire it, whether a reason is
required, and its guard. The engine is the only code that writes `CardApplication.status`: it locks the
row, checks the table, the role and the guard, writes a StatusEvent and an audit row, and sends the
follow-up jobs after commit — the same for one application and for a roster's ten thousand.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import ADMIN, CLERK, EMPLOYER_AGENT, HOLDER, SYSTEM, role_of
from audit import services as audit
from audit.models import AuditEntry
from sbcard.jobs import Job
from sbcard.statemachine import CREATE_EVENT, Change, StatusMachine, Transition, Wording, transition

from .models import CardApplication, Channel, Relationship, Status, StatusEvent
from .replacements import replacement_history


def missing_for_submission(application: CardApplication) -> str | None:
    """Rule 2: say exactly what is missing before the application goes anywhere."""
    missing = []
    if application.needs_photo and not application.photo_id:
        missing.append(_("an ID photo"))
    if application.relationship != Relationship.SELF and not application.guardian_proof:
        missing.append(_("a proof of guardianship"))
    if not application.address.strip():
        missing.append(_("the address"))
    if not application.phone:
        missing.append(_("a mobile phone number"))
    if not missing:
        return None
    return _("The application is not complete. Missing: %(items)s.") % {"items": "、".join(str(m) for m in missing)}


def _frequent_replacement(application: CardApplication) -> str | None:
    """The words for a replacement beyond the city's limit within 12 months, else None."""
    history = replacement_history(application)
    if history is None or not history.needs_review:
        return None
    return _(
        "This is replacement number %(number)d within 12 months (the city allows %(limit)d without a review): it goes "
        "to a clerk's review with the history, not straight to production."
    ) % {"number": history.number, "limit": history.limit}


def counter_intake_only(application: CardApplication) -> str | None:
    if application.channel not in (Channel.COUNTER, Channel.PHONE):
        return _("Only applications taken at the counter or by phone appointment skip the online review.")
    return _frequent_replacement(application) or missing_for_submission(application)


def frequent_replacement_at_counter(application: CardApplication) -> str | None:
    """A replacement taken at the counter beyond the limit waits for a clerk's review instead (SSA's count)."""
    if application.channel not in (Channel.COUNTER, Channel.PHONE) or _frequent_replacement(application) is None:
        return _("Only a replacement beyond the city's yearly limit, taken at a station, is referred for review.")
    return missing_for_submission(application)


def instant_replacement_only(application: CardApplication) -> str | None:
    """Rule 13: city-level windows with a card printer replace a lost card at once when the data are complete."""
    if application.kind != "replacement" or not application.station.instant_issuance:
        return _("Only a replacement at a station that issues cards on the spot (立等可取) is printed here.")
    return None


WITHDRAWABLE = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.VERIFYING,
    Status.OPENING_ACCOUNT,
    Status.AWAITING_PAYMENT,
)
CANCELLABLE = tuple(s for s in Status if s not in (Status.COLLECTED, Status.CANCELLED))

TRANSITIONS: list[Transition] = [
    transition(
        Status.DRAFT,
        "submit",
        Status.SUBMITTED,
        {HOLDER, EMPLOYER_AGENT},
        gettext_lazy("Submitted"),
        guard=missing_for_submission,
    ),
    transition(
        Status.RETURNED,
        "submit",
        Status.SUBMITTED,
        {HOLDER, EMPLOYER_AGENT},
        gettext_lazy("Corrected and resubmitted"),
        guard=missing_for_submission,
    ),
    transition(
        Status.DRAFT,
        "accept_at_counter",
        Status.VERIFYING,
        {CLERK},
        gettext_lazy("Accepted at the station"),
        guard=counter_intake_only,
    ),
    transition(
        Status.DRAFT,
        "refer_for_review",
        Status.SUBMITTED,
        {CLERK},
        gettext_lazy("Referred to a clerk's review: frequent replacements"),
        guard=frequent_replacement_at_counter,
    ),
    transition(Status.SUBMITTED, "approve", Status.VERIFYING, {CLERK}, gettext_lazy("Approved by the station")),
    transition(
        Status.SUBMITTED, "return", Status.RETURNED, {CLERK}, gettext_lazy("Returned for correction"), needs_reason=True
    ),
    transition(
        Status.VERIFYING,
        "registry_confirmed",
        Status.OPENING_ACCOUNT,
        {SYSTEM},
        gettext_lazy("Confirmed by the information centre"),
    ),
    transition(
        Status.VERIFYING,
        "registry_refused",
        Status.RETURNED,
        {SYSTEM},
        gettext_lazy("Not confirmed by the information centre"),
        needs_reason=True,
    ),
    transition(
        Status.OPENING_ACCOUNT,
        "account_opened",
        Status.IN_PRODUCTION,
        {SYSTEM},
        gettext_lazy("Bank account opened; card ordered"),
    ),
    transition(
        Status.OPENING_ACCOUNT,
        "payment_requested",
        Status.AWAITING_PAYMENT,
        {SYSTEM},
        gettext_lazy("Bank account opened; waiting for the card fee"),
    ),
    transition(
        Status.OPENING_ACCOUNT,
        "bank_refused",
        Status.RETURNED,
        {SYSTEM},
        gettext_lazy("Refused by the bank"),
        needs_reason=True,
    ),
    transition(
        Status.AWAITING_PAYMENT,
        "confirm_payment",
        Status.IN_PRODUCTION,
        {CLERK, SYSTEM},
        gettext_lazy("Fee paid; card ordered"),
    ),
    transition(
        Status.IN_PRODUCTION,
        "card_shipped",
        Status.READY_FOR_PICKUP,
        {SYSTEM},
        gettext_lazy("Card made and delivered to the station"),
    ),
    transition(
        Status.IN_PRODUCTION,
        "production_failed",
        Status.RETURNED,
        {SYSTEM},
        gettext_lazy("Card production failed"),
        needs_reason=True,
    ),
    transition(
        Status.VERIFYING,
        "issue_at_station",
        Status.READY_FOR_PICKUP,
        {CLERK},
        gettext_lazy("Printed at the station on the spot (立等可取)"),
        guard=instant_replacement_only,
    ),
    transition(
        Status.READY_FOR_PICKUP,
        "mark_unclaimed",
        Status.UNCLAIMED,
        {SYSTEM},
        gettext_lazy("Not collected within the pickup period"),
    ),
    transition(Status.READY_FOR_PICKUP, "hand_over", Status.COLLECTED, {CLERK}, gettext_lazy("Card handed over")),
    transition(Status.UNCLAIMED, "hand_over", Status.COLLECTED, {CLERK}, gettext_lazy("Card handed over")),
    *[
        transition(
            s, "withdraw", Status.CANCELLED, {HOLDER, EMPLOYER_AGENT}, gettext_lazy("Withdrawn by the applicant")
        )
        for s in WITHDRAWABLE
    ],
    *[
        transition(
            s, "cancel", Status.CANCELLED, {CLERK, ADMIN}, gettext_lazy("Cancelled by the station"), needs_reason=True
        )
        for s in CANCELLABLE
    ],
]

# Jobs that carry an application on from a status (by name: the task modules import this one), and the job
# every status change sends: the notices (rule 21), a few jobs for a whole batch rather than one per change.
FOLLOW_UP_JOBS: dict[str, list[str]] = {
    Status.VERIFYING: ["applications.tasks.verify_with_registry"],
    Status.OPENING_ACCOUNT: ["applications.tasks.open_bank_account"],
    Status.IN_PRODUCTION: ["applications.tasks.order_card"],
}
ON_STATUS_CHANGES = "applications.tasks.notify_status_changes"
NOTICE_CHUNK = 500


def _follow_ups(changes: list[Change]) -> list[Job]:
    jobs = [Job(task, c.record.pk) for c in changes for task in FOLLOW_UP_JOBS.get(c.to_status, ())]
    event_ids = [c.history_id for c in changes]
    jobs += [Job(ON_STATUS_CHANGES, event_ids[i : i + NOTICE_CHUNK]) for i in range(0, len(event_ids), NOTICE_CHUNK)]
    return jobs


def _audit(changes: list[Change], actor) -> None:
    audit.record_status_changes(
        AuditEntry.Action.STATUS_CHANGE,
        actor=actor,
        object_type=CardApplication._meta.label_lower,
        # the keyed hash audit.person_key would compute, without decrypting the number
        rows=[
            (c.record.pk, c.record.person.id_number_hash, f"{c.event}: {c.from_status} -> {c.to_status}")
            for c in changes
        ],
    )


MACHINE = StatusMachine(
    model=CardApplication,
    history=StatusEvent,
    history_link="application",
    transitions=TRANSITIONS,
    role_of=role_of,
    wording=Wording(
        not_now=gettext_lazy("This cannot be done now: the application is “%(status)s”."),
        not_allowed=gettext_lazy("You are not allowed to do this to this application."),
        guard_code="incomplete",
    ),
    audit=_audit,
    follow_ups=_follow_ups,
    stamps={Status.SUBMITTED: ("submitted_at",)},
    lock_related=("person", "station"),
    defer=("person__id_number",),  # never decrypted here: the audit rows take its keyed hash
)
TABLE = MACHINE.table
EVENTS = MACHINE.events
EVENT_LABELS = {CREATE_EVENT: gettext_lazy("Application started"), **{t.event: t.label for t in TRANSITIONS}}

apply_event = MACHINE.apply
apply_event_to_locked = MACHINE.apply_to_locked
apply_event_in_bulk = MACHINE.apply_in_bulk
allowed_events = MACHINE.allowed_events


def record_creation(application: CardApplication, *, actor) -> None:
    """The first history row, written when an application is created in its initial status."""
    MACHINE.record_creation([application], actor=actor)


def record_creation_in_bulk(application_ids: list[int], *, actor) -> None:
    """The first history rows of many applications created together (in SQL, or with bulk_create)."""
    MACHINE.record_creation(
        list(
            CardApplication.objects.filter(pk__in=application_ids)
            .select_related("person")
            .only("pk", "status", "created_at", "station_id", "employer_id", "applicant_id", "person__user_id")
        ),
        actor=actor,
    )


def mermaid_diagram() -> str:
    """The table as a Mermaid state diagram, for the README."""
    return MACHINE.mermaid(
        initial=Status.DRAFT,
        skip_events=("cancel",),
        notes=(
            "note right of cancelled: cancel (clerk, admin) from any open status",
            f"{Status.COLLECTED} --> [*]",
            f"{Status.CANCELLED} --> [*]",
        ),
    )
