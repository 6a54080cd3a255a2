"""The life of an application: one table of transitions and the one function that applies it.

`TRANSITIONS` declares every `(status, event) -> status`, which roles may fire it, whether a reason
is required, and its guard. `apply_event` is the only code that writes `CardApplication.status`: it
locks the row, checks the table, the role and the guard, writes a StatusEvent, saves, and enqueues
the follow-up job after commit.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from audit.models import AuditEntry
from sbcard.bulk import insert_rows
from sbcard.errors import Conflict, InvalidInput, NotPermitted

from .models import CardApplication, Channel, Relationship, Status, StatusEvent

# Roles as the table sees them: what the actor is *to this application*.
HOLDER = "citizen"  # the holder, or the guardian who filed for a child
CLERK = "clerk"  # a clerk of the application's station
EMPLOYER_AGENT = "employer_agent"  # an agent of the employer whose roster it came on
ADMIN = "admin"
SYSTEM = "system"  # jobs and partner callbacks (actor None)
ROLES = (HOLDER, CLERK, EMPLOYER_AGENT, ADMIN, SYSTEM)

CREATE_EVENT = "create"


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


def counter_intake_only(application: CardApplication) -> str | None:
    if application.channel not in (Channel.COUNTER, Channel.PHONE):
        return _("Only applications taken at the counter or by phone appointment skip the online review.")
    return missing_for_submission(application)


def instant_replacement_only(application: CardApplication) -> str | None:
    """Rule 13: city-level windows with a card printer replace a lost card at once when the data are complete."""
    if application.kind != "replacement" or not application.station.instant_issuance:
        return _("Only a replacement at a station that issues cards on the spot (立等可取) is printed here.")
    return None


@dataclass(frozen=True)
class Transition:
    source: str
    event: str
    target: str
    roles: frozenset[str]
    label: object
    needs_reason: bool = False
    guard: Callable[[CardApplication], str | None] | None = None


def _t(source, event, target, roles, label, *, needs_reason=False, guard=None) -> Transition:
    return Transition(source, event, target, frozenset(roles), label, needs_reason, guard)


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
    _t(
        Status.DRAFT,
        "submit",
        Status.SUBMITTED,
        {HOLDER, EMPLOYER_AGENT},
        gettext_lazy("Submitted"),
        guard=missing_for_submission,
    ),
    _t(
        Status.RETURNED,
        "submit",
        Status.SUBMITTED,
        {HOLDER, EMPLOYER_AGENT},
        gettext_lazy("Corrected and resubmitted"),
        guard=missing_for_submission,
    ),
    _t(
        Status.DRAFT,
        "accept_at_counter",
        Status.VERIFYING,
        {CLERK},
        gettext_lazy("Accepted at the station"),
        guard=counter_intake_only,
    ),
    _t(Status.SUBMITTED, "approve", Status.VERIFYING, {CLERK}, gettext_lazy("Approved by the station")),
    _t(
        Status.SUBMITTED, "return", Status.RETURNED, {CLERK}, gettext_lazy("Returned for correction"), needs_reason=True
    ),
    _t(
        Status.VERIFYING,
        "registry_confirmed",
        Status.OPENING_ACCOUNT,
        {SYSTEM},
        gettext_lazy("Confirmed by the information centre"),
    ),
    _t(
        Status.VERIFYING,
        "registry_refused",
        Status.RETURNED,
        {SYSTEM},
        gettext_lazy("Not confirmed by the information centre"),
        needs_reason=True,
    ),
    _t(
        Status.OPENING_ACCOUNT,
        "account_opened",
        Status.IN_PRODUCTION,
        {SYSTEM},
        gettext_lazy("Bank account opened; card ordered"),
    ),
    _t(
        Status.OPENING_ACCOUNT,
        "payment_requested",
        Status.AWAITING_PAYMENT,
        {SYSTEM},
        gettext_lazy("Bank account opened; waiting for the card fee"),
    ),
    _t(
        Status.OPENING_ACCOUNT,
        "bank_refused",
        Status.RETURNED,
        {SYSTEM},
        gettext_lazy("Refused by the bank"),
        needs_reason=True,
    ),
    _t(
        Status.AWAITING_PAYMENT,
        "confirm_payment",
        Status.IN_PRODUCTION,
        {CLERK, SYSTEM},
        gettext_lazy("Fee paid; card ordered"),
    ),
    _t(
        Status.IN_PRODUCTION,
        "card_shipped",
        Status.READY_FOR_PICKUP,
        {SYSTEM},
        gettext_lazy("Card made and delivered to the station"),
    ),
    _t(
        Status.IN_PRODUCTION,
        "production_failed",
        Status.RETURNED,
        {SYSTEM},
        gettext_lazy("Card production failed"),
        needs_reason=True,
    ),
    _t(
        Status.VERIFYING,
        "issue_at_station",
        Status.READY_FOR_PICKUP,
        {CLERK},
        gettext_lazy("Printed at the station on the spot (立等可取)"),
        guard=instant_replacement_only,
    ),
    _t(
        Status.READY_FOR_PICKUP,
        "mark_unclaimed",
        Status.UNCLAIMED,
        {SYSTEM},
        gettext_lazy("Not collected within the pickup period"),
    ),
    _t(Status.READY_FOR_PICKUP, "hand_over", Status.COLLECTED, {CLERK}, gettext_lazy("Card handed over")),
    _t(Status.UNCLAIMED, "hand_over", Status.COLLECTED, {CLERK}, gettext_lazy("Card handed over")),
    *[
        _t(s, "withdraw", Status.CANCELLED, {HOLDER, EMPLOYER_AGENT}, gettext_lazy("Withdrawn by the applicant"))
        for s in WITHDRAWABLE
    ],
    *[
        _t(s, "cancel", Status.CANCELLED, {CLERK, ADMIN}, gettext_lazy("Cancelled by the station"), needs_reason=True)
        for s in CANCELLABLE
    ],
]
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.event): t for t in TRANSITIONS}
EVENTS: tuple[str, ...] = tuple(dict.fromkeys(t.event for t in TRANSITIONS))
EVENT_LABELS = {CREATE_EVENT: gettext_lazy("Application started"), **{t.event: t.label for t in TRANSITIONS}}

# Jobs that carry an application on from a status (by name, so the domain does not import the task
# modules at load time), and the job every status change sends: the notices (rule 21).
FOLLOW_UP_JOBS: dict[str, list[str]] = {
    Status.VERIFYING: ["applications.tasks.verify_with_registry"],
    Status.OPENING_ACCOUNT: ["applications.tasks.open_bank_account"],
    Status.IN_PRODUCTION: ["applications.tasks.order_card"],
}
ON_EVERY_STATUS_CHANGE = "notices.tasks.notify_status_change"
ON_MANY_STATUS_CHANGES = "notices.tasks.notify_status_changes"
NOTICE_CHUNK = 500


def role_of(actor, application: CardApplication) -> str | None:
    """What `actor` is to this application, or None when they have nothing to do with it."""
    if actor is None:
        return SYSTEM
    if not actor.is_active:
        return None
    if actor.is_city_admin:
        return ADMIN
    if actor.is_clerk:
        return CLERK if actor.station_id == application.station_id else None
    if actor.role == EMPLOYER_AGENT:
        return EMPLOYER_AGENT if application.employer_id and actor.employer_id == application.employer_id else None
    if actor.is_citizen:
        if application.applicant_id == actor.pk or application.person.user_id == actor.pk:
            return HOLDER
    return None


def allowed_events(application: CardApplication, actor) -> list[str]:
    """Events this actor could fire now (guards aside): drives which buttons a page shows."""
    role = role_of(actor, application)
    return [t.event for t in TRANSITIONS if t.source == application.status and role in t.roles]


def apply_event(
    application_id: int,
    event: str,
    *,
    actor,
    reason_code: str = "",
    reason: str = "",
    reason_detail: dict | None = None,
) -> CardApplication:
    """Fire `event` on an application. Raises Conflict (409), NotPermitted (403) or InvalidInput (400).

    Every refusal is raised before anything is written.
    """
    with transaction.atomic():
        application = (
            CardApplication.objects.select_for_update(of=("self",))
            .select_related("person", "station")
            .get(pk=application_id)
        )
        return apply_event_to_locked(
            application, event, actor=actor, reason_code=reason_code, reason=reason, reason_detail=reason_detail
        )


def apply_event_to_locked(
    application: CardApplication,
    event: str,
    *,
    actor,
    reason_code: str = "",
    reason: str = "",
    reason_detail: dict | None = None,
) -> CardApplication:
    """The same, for a caller that has just locked the row in its own transaction (the pipeline)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_event_to_locked needs the row locked in an open transaction")
    transition = TABLE.get((application.status, event))
    if transition is None:
        raise Conflict(
            _("This cannot be done now: the application is “%(status)s”.")
            % {"status": application.get_status_display()},
            code="transition_not_allowed",
            extra={"status": application.status, "event": event},
        )
    role = role_of(actor, application)
    if role not in transition.roles:
        raise NotPermitted(_("You are not allowed to do this to this application."), code="role_not_allowed")
    if transition.needs_reason and not (reason_code or reason.strip()):
        raise InvalidInput(_("Give a reason."), code="reason_required", field="reason")
    if transition.guard is not None:
        problem = transition.guard(application)
        if problem:
            raise Conflict(problem, code="incomplete")

    now = timezone.now()
    from_status = application.status
    application.status = transition.target
    application.status_changed_at = now
    update_fields = ["status", "status_changed_at", "updated_at"]
    if transition.target == Status.SUBMITTED:
        application.submitted_at = now
        update_fields.append("submitted_at")
    application.save(update_fields=update_fields)
    status_event = StatusEvent.objects.create(
        application=application,
        event=event,
        from_status=from_status,
        to_status=transition.target,
        actor=actor,
        actor_role=role,
        reason_code=reason_code,
        reason=reason.strip(),
        reason_detail=reason_detail,
        created_at=now,
    )
    audit.record(
        AuditEntry.Action.STATUS_CHANGE,
        actor=actor,
        obj=application,
        id_number=application.person.id_number,
        detail=f"{event}: {from_status} -> {transition.target}",
    )
    _enqueue_follow_ups(application.pk, transition.target, status_event.pk)
    return application


def apply_event_in_bulk(
    application_ids: list[int], event: str, *, actor, reason_code: str = "", reason: str = ""
) -> list[int]:
    """Fire one event on many applications at once (a roster, a paid batch, a batch pickup).

    The same table, role, reason and guard checks as apply_event, all or nothing, in a fixed number of
    queries however many rows: one locking read, one UPDATE per target status, one INSERT of history.
    Raises Conflict naming the refused references; then nothing has changed.
    """
    ids = sorted(set(application_ids))
    if not ids:
        return []
    with transaction.atomic():
        applications = list(
            CardApplication.objects.select_for_update(of=("self",))
            .select_related("person")
            .defer("person__id_number")  # never decrypted here: the audit rows take its keyed hash
            .prefetch_related("station")  # a few stations, not one copy per row
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(applications) != len(ids):
            raise Conflict(_("Some of these applications no longer exist."), code="missing_applications")
        refused = []
        targets: dict[str, list[CardApplication]] = {}
        for application in applications:
            transition = TABLE.get((application.status, event))
            role = role_of(actor, application)
            problem = None
            if transition is None or role not in transition.roles:
                problem = application.get_status_display()
            elif transition.needs_reason and not (reason_code or reason.strip()):
                raise InvalidInput(_("Give a reason."), code="reason_required", field="reason")
            elif transition.guard is not None:
                problem = transition.guard(application)
            if problem:
                refused.append(f"{application.reference} ({problem})")
            else:
                targets.setdefault(transition.target, []).append((application, role))
        if refused:
            raise Conflict(
                _("Nothing was changed: %(count)d of them cannot be done now: %(list)s")
                % {"count": len(refused), "list": "; ".join(refused[:20])},
                code="transition_not_allowed",
            )
        now = timezone.now()
        for target, rows in targets.items():
            changes = {"status": target, "status_changed_at": now, "updated_at": now}
            if target == Status.SUBMITTED:
                changes["submitted_at"] = now
            CardApplication.objects.filter(pk__in=[application.pk for application, _role in rows]).update(**changes)
        # History and audit rows written as plain tuples (sbcard.bulk): at a roster's size, building a
        # model instance per row would cost more than all the SQL.
        every_row = {"actor_id": actor.pk if actor is not None else None, "created_at": now}
        # COPY returns no ids: the new history rows are those above the highest id before it. Nothing else
        # can add rows for these applications meanwhile: they are locked.
        before = StatusEvent.objects.aggregate(highest=Max("pk"))["highest"] or 0
        written = insert_rows(
            StatusEvent,
            ("application_id", "from_status", "to_status", "actor_role"),
            (
                (application.pk, application.status, target, role)
                for target, rows in targets.items()
                for application, role in rows
            ),
            constants={**every_row, "event": event, "reason_code": reason_code, "reason": reason.strip()},
        )
        insert_rows(
            AuditEntry,
            ("object_id", "person_key", "detail"),
            (
                # person_key: the keyed hash audit.person_key would compute, without decrypting the number
                (str(application.pk), application.person.id_number_hash, f"{event}: {application.status} -> {target}")
                for target, rows in targets.items()
                for application, _role in rows
            ),
            constants={
                **every_row,
                "actor_label": actor.get_username() if actor is not None else "system",
                "action": AuditEntry.Action.STATUS_CHANGE,
                "object_type": "applications.cardapplication",
            },
        )
        saved = list(
            StatusEvent.objects.filter(application_id__in=ids, pk__gt=before)
            .order_by("pk")
            .values_list("pk", "application_id", "to_status")
        )
        if len(saved) != written:
            raise RuntimeError(f"wrote {written} history rows but found {len(saved)}")  # never, while rows are locked
        event_ids = []
        for event_id, application_id, to_status in saved:
            event_ids.append(event_id)
            for task_name in FOLLOW_UP_JOBS.get(to_status, ()):
                transaction.on_commit(partial(_send, task_name, application_id))
        # The notices of a whole batch go as a few jobs, not one per application.
        for start in range(0, len(event_ids), NOTICE_CHUNK):
            transaction.on_commit(partial(_send_many, ON_MANY_STATUS_CHANGES, event_ids[start : start + NOTICE_CHUNK]))
    return ids


def record_creation_in_bulk(application_ids: list[int], *, actor) -> None:
    """The first history row of many applications created together (in SQL, or with bulk_create)."""
    rows = CardApplication.objects.filter(pk__in=application_ids).values_list(
        "pk", "status", "created_at", "station_id", "employer_id", "applicant_id", "person__user_id"
    )
    actor_id = actor.pk if actor is not None else None

    def role(station_id, employer_id, applicant_id, holder_user_id) -> str:
        # role_of reads only these: no model instance per row
        application = SimpleNamespace(
            station_id=station_id,
            employer_id=employer_id,
            applicant_id=applicant_id,
            person=SimpleNamespace(user_id=holder_user_id),
        )
        return role_of(actor, application) or ""

    insert_rows(
        StatusEvent,
        ("application_id", "to_status", "actor_role", "created_at"),
        ((pk, status, role(*parties), created) for pk, status, created, *parties in rows),
        constants={"event": CREATE_EVENT, "from_status": "", "actor_id": actor_id},
    )


def record_creation(application: CardApplication, *, actor) -> StatusEvent:
    """The first history row, written when an application is created in its initial status."""
    return StatusEvent.objects.create(
        application=application,
        event=CREATE_EVENT,
        from_status="",
        to_status=application.status,
        actor=actor,
        actor_role=role_of(actor, application) or "",
        created_at=application.created_at,
    )


def _enqueue_follow_ups(application_id: int, status: str, status_event_id: int) -> None:
    for task_name in FOLLOW_UP_JOBS.get(status, ()):
        transaction.on_commit(partial(_send, task_name, application_id))
    transaction.on_commit(partial(_send, ON_EVERY_STATUS_CHANGE, status_event_id))


def _send(task_name: str, object_id: int) -> None:
    import_string(task_name).delay(object_id)


def _send_many(task_name: str, object_ids: list[int]) -> None:
    import_string(task_name).delay(object_ids)


def mermaid_diagram() -> str:
    """The table as a Mermaid state diagram, for the README."""
    lines = ["stateDiagram-v2", f"    [*] --> {Status.DRAFT}"]
    seen = set()
    for t in TRANSITIONS:
        if t.event in ("cancel",):
            continue
        key = (t.source, t.target, t.event)
        if key in seen:
            continue
        seen.add(key)
        roles = ",".join(sorted(t.roles))
        lines.append(f"    {t.source} --> {t.target}: {t.event} ({roles})")
    lines.append("    note right of cancelled: cancel (clerk, admin) from any open status")
    lines.append(f"    {Status.COLLECTED} --> [*]")
    lines.append(f"    {Status.CANCELLED} --> [*]")
    return "\n".join(lines)
