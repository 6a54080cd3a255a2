"""What a citizen sees of their application: the timeline, the next step and the expected dates.

Expected dates count Chinese working days from the day the current step began (rules 4, 5, 9).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ApplicationKind, CardApplication, CityPolicy, Status, StatusEvent
from .reasons import PARTNER_MISMATCH_CODES, RETURN_REASONS_BY_CODE, shown_reason
from .workdays import add_working_days, working_days_between
from .workflow import EVENT_LABELS, TABLE


@dataclass(frozen=True)
class Step:
    status: str
    label: Promise
    expected_date: datetime.date | None
    state: str  # done, current, upcoming


NEXT_STEP = {
    Status.DRAFT: _("Check the details and submit the application."),
    Status.SUBMITTED: _("The station reviews the application (within 7 working days)."),
    Status.RETURNED: _("Correct what the station asked for and submit again."),
    Status.VERIFYING: _("The city information centre checks the identity and household record."),
    Status.OPENING_ACCOUNT: _("The partner bank opens the card's bank account."),
    Status.AWAITING_PAYMENT: _("Pay the card fee; production starts when it is paid."),
    Status.IN_PRODUCTION: _("The card vendor makes the card and sends it to the station."),
    Status.READY_FOR_PICKUP: _("Collect the card at the station with your resident ID card (or send a proxy)."),
    Status.UNCLAIMED: _("The card is still waiting at the station; collect it as soon as you can."),
    Status.COLLECTED: _("Activate the card at the partner bank to use its financial functions."),
    Status.CANCELLED: _("Nothing more to do. You can start a new application."),
}

PIPELINE = [
    (Status.SUBMITTED, _("Review at the station")),
    (Status.VERIFYING, _("Information centre check")),
    (Status.OPENING_ACCOUNT, _("Bank account")),
    (Status.IN_PRODUCTION, _("Card production")),
    (Status.READY_FOR_PICKUP, _("Pickup")),
]


def step_working_days(status: str, application: CardApplication, policy: CityPolicy) -> int | None:
    if status == Status.SUBMITTED:
        return policy.review_limit_working_days
    if status == Status.VERIFYING:
        return policy.registry_check_working_days
    if status == Status.OPENING_ACCOUNT:
        return policy.bank_account_working_days
    if status == Status.IN_PRODUCTION:
        if application.kind == ApplicationKind.REPLACEMENT:
            return policy.replacement_working_days
        return policy.production_working_days
    return None


def current_step_deadline(application: CardApplication, policy: CityPolicy | None = None) -> datetime.date | None:
    """The date by which the current step should be done, or None when it waits on the citizen."""
    policy = policy or CityPolicy.current()
    started = timezone.localdate(application.status_changed_at)
    if application.status in (Status.READY_FOR_PICKUP,):
        return started + datetime.timedelta(days=policy.pickup_unclaimed_days)
    days = step_working_days(application.status, application, policy)
    return add_working_days(started, days) if days is not None else None


def forecast(application: CardApplication, policy: CityPolicy | None = None) -> list[Step]:
    """Each step of the pipeline, done / current / upcoming, with its expected date."""
    policy = policy or CityPolicy.current()
    order = [status for status, _label in PIPELINE]
    status = application.status
    if status == Status.UNCLAIMED:
        status = Status.READY_FOR_PICKUP
    if status == Status.AWAITING_PAYMENT:
        status = Status.OPENING_ACCOUNT
    if status in (Status.COLLECTED,):
        current_index = len(order)
    elif status in order:
        current_index = order.index(status)
    else:
        current_index = -1  # draft, returned, cancelled: the pipeline has not (re)started
    steps = []
    cursor = timezone.localdate(application.status_changed_at) if current_index >= 0 else timezone.localdate()
    for index, (step_status, label) in enumerate(PIPELINE):
        if index < current_index:
            steps.append(Step(step_status, label, None, "done"))
            continue
        if index == current_index and step_status == application.status:
            expected = current_step_deadline(application, policy)
        elif step_status == Status.READY_FOR_PICKUP:
            expected = cursor
        else:
            expected = add_working_days(cursor, step_working_days(step_status, application, policy) or 0)
        if application.status == Status.CANCELLED:
            expected = None
        steps.append(Step(step_status, label, expected, "current" if index == current_index else "upcoming"))
        if expected:
            cursor = expected
    return steps


@dataclass(frozen=True)
class TimelineEntry:
    time: datetime.datetime
    label: str
    status: str
    status_label: str
    reason: str
    by_role: str


def timeline(application: CardApplication) -> list[TimelineEntry]:
    entries = []
    for event in application.events.all().order_by("created_at", "id"):
        transition = TABLE.get((event.from_status, event.event))
        label = transition.label if transition else EVENT_LABELS.get(event.event, event.event)
        entries.append(
            TimelineEntry(
                time=event.created_at,
                label=str(label),
                status=event.to_status,
                status_label=str(Status(event.to_status).label) if event.to_status else "",
                reason=shown_reason(event.reason_code, event.reason, event.reason_detail),
                by_role=event.actor_role,
            )
        )
    return entries


def correction_request(event: StatusEvent | None) -> dict | None:
    """For a returned application: the reason and the field to correct."""
    if event is None:
        return None
    reason = RETURN_REASONS_BY_CODE.get(event.reason_code)
    detail = event.reason_detail or {}
    return {
        "reason_code": event.reason_code,
        "reason": shown_reason(event.reason_code, event.reason, detail),
        "field": reason.field if reason else "",
        "time": event.created_at,
        # A partner's mismatch: the applicant may instead have the partner correct its record (rule 3).
        "partner": PARTNER_MISMATCH_CODES.get(event.reason_code, "") if detail.get("held") else "",
    }


def review_waiting(application: CardApplication, today: datetime.date, policy: CityPolicy) -> tuple[int, str]:
    """Working days a submitted application has waited for review, and 'ok', 'near' or 'overdue' (rule 4)."""
    submitted = timezone.localdate(application.submitted_at or application.status_changed_at)
    waited = working_days_between(submitted, today)
    if waited > policy.review_limit_working_days:
        mark = "overdue"
    elif waited >= policy.review_warning_working_days:
        mark = "near"
    else:
        mark = "ok"
    return waited, mark


STEP_STATUSES = (Status.SUBMITTED, Status.VERIFYING, Status.OPENING_ACCOUNT, Status.IN_PRODUCTION)


class StepDeadlines:
    """The expected date of each open application's current step (applications/calendar.py's source): the date
    its timeline shows and its notices named. Computed, not stored, so `store` has nothing to write."""

    kind = "application"

    def _dates(self, year: int) -> dict[int, datetime.date]:
        policy = CityPolicy.current()
        longest = max(
            policy.review_limit_working_days,
            policy.registry_check_working_days,
            policy.bank_account_working_days,
            policy.production_working_days,
            policy.replacement_working_days,
        )
        # A step that began this long before 1 January cannot end in the year, however its holidays fall.
        earliest = datetime.date(year, 1, 1) - datetime.timedelta(days=longest * 3 + 30)
        rows = CardApplication.objects.filter(
            status__in=STEP_STATUSES,
            status_changed_at__gte=timezone.make_aware(datetime.datetime.combine(earliest, datetime.time.min)),
        ).values_list("pk", "status", "kind", "status_changed_at")
        policy_days = {}
        dates: dict[tuple, datetime.date] = {}
        result = {}
        for pk, status, kind, changed_at in rows.iterator(chunk_size=5000):
            key = (status, kind)
            if key not in policy_days:
                policy_days[key] = step_working_days(status, CardApplication(kind=kind), policy)
            start = timezone.localdate(changed_at)
            if (start, key) not in dates:  # a few hundred distinct starts however many applications
                dates[start, key] = add_working_days(start, policy_days[key])
            result[pk] = dates[start, key]
        return result

    def before(self, year: int) -> dict[int, datetime.date]:
        return self._dates(year)

    def after(self, year: int) -> dict[int, datetime.date]:
        return self._dates(year)

    def store(self, changes: dict) -> None:
        """Nothing to store: the timeline computes the date when it is shown."""
