"""What an application's status change tells the people it concerns (rule 21), and who they are.

The texts are written here, in each reader's language; the notices app stores and sends them.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notices.services import About, Recipient, notices_for, portal_notice, save_notices

from .calendar import DATE_MOVED, DateMove, moved_context
from .models import CardApplication, CityPolicy, StatusEvent
from .progress import current_step_deadline
from .reasons import shown_reason_lazy
from .workdays import described_date

DATED_STATUSES = {"submitted", "in_production"}  # the texts that name the expected date

STATUS_TEXTS = {
    "submitted": lambda c: (
        _(
            "Your social security card application %(reference)s has been submitted. The station will review it "
            "within 7 working days (by %(date)s)."
        )
        % c
    ),
    "returned": lambda c: (
        _("Your application %(reference)s needs a correction: %(reason)s Please sign in, correct it and submit again.")
        % c
    ),
    "verifying": lambda c: (
        _(
            "Your application %(reference)s has been approved; the city information centre is checking the identity "
            "and household record."
        )
        % c
    ),
    "opening_account": lambda c: (
        _("Your application %(reference)s passed the identity check; the partner bank is opening the card's account.")
        % c
    ),
    "awaiting_payment": lambda c: (
        _(
            "The bank account for application %(reference)s is open. Please pay the card fee of %(fee)s yuan; "
            "production starts once it is paid."
        )
        % c
    ),
    "in_production": lambda c: (
        _("Your card (application %(reference)s) is being made; it should reach %(station)s by %(date)s.") % c
    ),
    "ready_for_pickup": lambda c: (
        _(
            "Your social security card is ready at %(station)s (%(address)s). Collect it within 30 days with your "
            "resident ID card, or send a proxy with your signed authorisation."
        )
        % c
    ),
    "unclaimed": lambda c: (
        _(
            "Your social security card has waited at %(station)s for 30 days. You can still collect it; "
            "please come soon."
        )
        % c
    ),
    "collected": lambda c: (
        _(
            "Your social security card has been collected. Activate it at the partner bank to use its financial "
            "functions; the initial medical password cannot be used to pay."
        )
        % c
    ),
    "cancelled": lambda c: _("Your application %(reference)s has been cancelled.") % c,
}


def recipients_for(application: CardApplication) -> list[Recipient]:
    """Everyone told about an application, each phone once: the holder (their account, or the phone on the
    application when they have none, as for roster staff), and whoever applied for them: a guardian or an
    employer's agent, who sees the holder's name masked."""
    people = []
    holder_user = application.person.user
    if holder_user is not None and holder_user.is_active:
        people.append(Recipient(holder_user, holder_user.phone))
    applicant = application.applicant
    if (
        applicant is not None
        and applicant.is_active
        and applicant.role in (Role.CITIZEN, Role.EMPLOYER_AGENT)
        and applicant != holder_user
    ):
        people.append(Recipient(applicant, applicant.phone, on_behalf_of=application.person.name))
    if holder_user is None and application.phone and all(p.phone != application.phone for p in people):
        people.append(Recipient(None, application.phone))
    return people


def about(application: CardApplication) -> About:
    return About(
        reference=application.reference,
        link=reverse("applications:detail", args=[application.pk]),
        station_id=application.station_id,
    )


# An event whose own words say more than its status's: a replacement beyond the yearly limit waits for a review.
EVENT_TEXTS = {
    "refer_for_review": lambda c: (
        _(
            "Your replacement card application %(reference)s goes to a clerk's review before the card is made, as it "
            "is one of several replacements within 12 months. The station will review it within 7 working days (by "
            "%(date)s)."
        )
        % c
    ),
}


def _context(application: CardApplication, event: StatusEvent, policy: CityPolicy) -> dict:
    deadline = current_step_deadline(application, policy) if event.to_status in DATED_STATUSES else None
    return {
        "reference": application.reference,
        "station": application.station.name,
        "address": application.station.address,
        "date": described_date(deadline) if deadline else "",
        # in each reader's language, with what the partner holds where it refused for a difference
        "reason": shown_reason_lazy(event.reason_code, event.reason, event.reason_detail),
        "fee": policy.card_fee_yuan,
    }


def notify_status_changes(status_event_ids: list[int]) -> list[int]:
    """Notices for status changes (one, or a roster batch's many, in a fixed number of queries); returns
    the ids of the SMS waiting to be sent."""
    policy = CityPolicy.current()
    events = StatusEvent.objects.select_related(
        "application__person__user", "application__applicant", "application__station"
    ).filter(pk__in=status_event_ids, to_status__in=list(STATUS_TEXTS))
    rows = []
    for event in events:
        application = event.application
        context = _context(application, event, policy)
        rows += notices_for(
            key=f"status{event.pk}",
            kind=event.to_status,
            text_for=lambda event=event, context=context: EVENT_TEXTS.get(event.event, STATUS_TEXTS[event.to_status])(
                context
            ),
            recipients=recipients_for(application),
            about=about(application),
        )
    return save_notices(rows)


def notify_station_review_overdue(applications: list[CardApplication]) -> int:
    """Rule 4: each clerk of the station hears of each application past the review limit, once."""
    clerks: dict[int, list] = {}
    station_ids = {application.station_id for application in applications}
    for clerk in User.objects.filter(role=Role.CLERK, is_active=True, station_id__in=station_ids):
        clerks.setdefault(clerk.station_id, []).append(clerk)
    rows = [
        portal_notice(
            clerk,
            key=f"review_overdue{application.pk}:user{clerk.pk}",
            kind="review_overdue",
            about=About(
                reference=application.reference,
                link=reverse("applications:review", args=[application.pk]),
                station_id=application.station_id,
            ),
            text_for=lambda application=application: (
                _("Application %(reference)s has waited more than 7 working days for review (rule 4).")
                % {"reference": application.reference}
            ),
        )
        for application in applications
        for clerk in clerks.get(application.station_id, [])
    ]
    save_notices(rows)
    return len(rows)


DATE_MOVED_CHUNK = 2000  # applications read and told at a time: a year can move a city's thousands


def tell_dates_moved(year: int, moves: list[DateMove]) -> int:
    """An entered holiday year moved the expected date of these applications' current steps: each is told."""
    rows = 0
    for start in range(0, len(moves), DATE_MOVED_CHUNK):
        chunk = {move.object_id: move for move in moves[start : start + DATE_MOVED_CHUNK]}
        notices = []
        for application in CardApplication.objects.select_related("person__user", "applicant", "station").filter(
            pk__in=list(chunk)
        ):
            move = chunk[application.pk]
            context = {**moved_context(year, move), "reference": application.reference}
            notices += notices_for(
                key=f"datemoved{year}:application{application.pk}:{move.new}",
                kind=DATE_MOVED,
                text_for=lambda context=context, application=application: (
                    _(
                        "The State Council's %(year)s holiday schedule is now in the calendar: the current step of "
                        "application %(reference)s (%(step)s) is now expected by %(date)s instead of %(old)s."
                    )
                    % {**context, "step": application.get_status_display()}
                ),
                recipients=recipients_for(application),
                about=about(application),
            )
        save_notices(notices, send_now=False)  # one job sends their SMS (applications.calendar)
        rows += len(notices)
    return rows
