"""Creating notices and sending their SMS. Idempotent: a notice exists once per event and recipient."""

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import lazy

from accounts.models import Role
from applications.models import CardApplication, CityPolicy, StatusEvent
from applications.progress import current_step_deadline
from applications.reasons import shown_reason_lazy
from applications.workdays import describe_date
from partners.errors import PartnerError, PermanentError
from partners.sms.client import SmsClient

from .models import Notice
from .texts import SMS_PREFIX, STATUS_TEXTS, for_someone_else

logger = logging.getLogger("notices")
# A date in each reader's language, saying so when its year's holidays are not published yet.
described_date = lazy(describe_date, str)
DATED_STATUSES = {"submitted", "in_production"}
DATE_MOVED_CHUNK = 2000  # the texts that name the expected date


def recipients_for(application) -> list[tuple[object | None, str, bool]]:
    """(user or None, phone, is_holder) for everyone told about an application, each phone once.

    The holder (their account, or the phone on the application when they have none, as for roster
    staff), and whoever applied for them: a guardian or an employer agent.
    """
    people = []
    holder_user = application.person.user
    if holder_user is not None and holder_user.is_active:
        people.append((holder_user, holder_user.phone, True))
    applicant = application.applicant
    if (
        applicant is not None
        and applicant.is_active
        and applicant.role in (Role.CITIZEN, Role.EMPLOYER_AGENT)
        and applicant != holder_user
    ):
        people.append((applicant, applicant.phone, False))
    if holder_user is None and application.phone and all(phone != application.phone for _u, phone, _h in people):
        people.append((None, application.phone, True))
    return people


def _context(application, event: StatusEvent) -> dict:
    policy = CityPolicy.current()
    deadline = current_step_deadline(application, policy) if event.to_status in DATED_STATUSES else None
    return {
        "reference": application.reference,
        "station": application.station.name,
        "address": application.station.address,
        "date": described_date(deadline) if deadline else "",
        "reason": shown_reason_lazy(event.reason_code, event.reason, event.reason_detail),  # in each reader's language
        "fee": policy.card_fee_yuan,
    }


@transaction.atomic
def notify_status_change(status_event_id: int) -> list[int]:
    """Notices for one status change; returns the ids of the SMS notices waiting to be sent."""
    return notify_status_changes([status_event_id])


@transaction.atomic
def notify_status_changes(status_event_ids: list[int]) -> list[int]:
    """Notices for many status changes in a fixed number of queries (a roster batch moves together)."""
    events = StatusEvent.objects.select_related(
        "application__person__user", "application__applicant", "application__station"
    ).filter(pk__in=status_event_ids, to_status__in=list(STATUS_TEXTS))
    rows = [row for event in events for row in _status_notices(event)]
    # On a second run the rows exist already: the upsert changes nothing and still returns their ids.
    saved = Notice.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["dedupe_key"], update_fields=["dedupe_key"], batch_size=1000
    )
    return [row.pk for row in saved if row.channel == Notice.Channel.SMS]


def _status_notices(event: StatusEvent) -> list[Notice]:
    application = event.application
    context = _context(application, event)
    return _notices_for(
        key=f"status{event.pk}",
        kind=event.to_status,
        text_for=lambda: STATUS_TEXTS[event.to_status](context),
        people=recipients_for(application),
        application=application,
        station=application.station,
    )


def send_sms(notice_id: int) -> None:
    """Send one SMS notice through the gateway; the notice id is the idempotency key."""
    notice = Notice.objects.filter(
        pk=notice_id, channel=Notice.Channel.SMS, delivery__in=[Notice.Delivery.PENDING, Notice.Delivery.FAILED]
    ).first()
    if notice is None:
        return
    try:
        SmsClient().send(to=notice.phone, text=notice.text, idempotency_key=f"notice-{notice.pk}")
    except PartnerError as error:
        Notice.objects.filter(pk=notice.pk).update(delivery=Notice.Delivery.FAILED)
        if isinstance(error, PermanentError):
            logger.warning("sms notice=%s refused by the gateway", notice.pk)
        error.application_id = notice.application_id  # the failure shows on the application it was about
        raise
    except Exception:
        Notice.objects.filter(pk=notice.pk).update(delivery=Notice.Delivery.FAILED)
        raise
    Notice.objects.filter(pk=notice.pk).update(delivery=Notice.Delivery.SENT, sent_at=timezone.now())


def _portal_notice(user, *, key: str, kind: str, text_for, application=None) -> Notice:
    with translation.override(user.preferred_language or "zh-hans"):
        text = text_for()
    return Notice(
        dedupe_key=key,
        channel=Notice.Channel.PORTAL,
        recipient=user,
        application=application,
        station=application.station if application is not None else None,
        kind=kind,
        text=text,
    )


def notify_station_review_overdue(applications) -> int:
    """Rule 4: each clerk of the station hears of each application past the review limit, once."""
    from django.utils.translation import gettext as _

    from accounts.models import User

    station_ids = {application.station_id for application in applications}
    clerks: dict[int, list] = {}
    for clerk in User.objects.filter(role=Role.CLERK, is_active=True, station_id__in=station_ids):
        clerks.setdefault(clerk.station_id, []).append(clerk)
    rows = [
        _portal_notice(
            clerk,
            key=f"review_overdue{application.pk}:user{clerk.pk}",
            kind="review_overdue",
            application=application,
            text_for=lambda application=application: (
                _("Application %(reference)s has waited more than 7 working days for review (rule 4).")
                % {"reference": application.reference}
            ),
        )
        for application in applications
        for clerk in clerks.get(application.station_id, [])
    ]
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notify_activation_reminders(cards, now) -> int:
    """Rule 21: a card handed over but not activated: remind the holder to activate it at the bank."""
    from django.utils.translation import gettext as _

    rows = []
    stamp = now.strftime("%Y%m")
    for card in cards:
        user = card.person.user
        text_for = lambda: _(  # noqa: E731
            "Your social security card has not been activated yet. Take it and your resident ID card to a "
            "partner bank branch to activate it; until then its financial functions cannot be used."
        )
        if user is not None and user.is_active:
            rows.append(
                _portal_notice(
                    user,
                    key=f"activate{card.pk}:{stamp}:user{user.pk}",
                    kind="activation_reminder",
                    application=card.application,
                    text_for=text_for,
                )
            )
            phone = user.phone if user.sms_notices_enabled else ""
        else:
            phone = card.application.phone
        if phone:
            with translation.override(user.preferred_language if user else "zh-hans"):
                text = SMS_PREFIX + text_for()
            rows.append(
                Notice(
                    dedupe_key=f"activate{card.pk}:{stamp}:sms",
                    channel=Notice.Channel.SMS,
                    recipient=user,
                    phone=phone,
                    application=card.application,
                    station=card.application.station,
                    kind="activation_reminder",
                    text=text,
                    delivery=Notice.Delivery.PENDING,
                )
            )
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    _send_pending_sms([row.dedupe_key for row in rows if row.channel == Notice.Channel.SMS])
    return len(rows)


def _send_pending_sms(keys: list[str]) -> None:
    from .tasks import send_sms

    for notice_id in Notice.objects.filter(dedupe_key__in=keys, delivery=Notice.Delivery.PENDING).values_list(
        "pk", flat=True
    ):
        transaction.on_commit(lambda notice_id=notice_id: send_sms.delay(notice_id))


def _notices_for(*, key: str, kind: str, text_for, people, application, station) -> list[Notice]:
    """Portal and SMS notices for (user or None, phone, is_holder) recipients, in each one's language."""
    rows = []
    for user, phone, is_holder in people:
        language = user.preferred_language if user is not None else "zh-hans"
        with translation.override(language):
            text = text_for()
            if not is_holder and application is not None:
                text = for_someone_else(text, application.person.name)
        who = f"user{user.pk}" if user is not None else f"phone{phone}"
        if user is not None:
            rows.append(
                Notice(
                    dedupe_key=f"{key}:{who}:portal",
                    channel=Notice.Channel.PORTAL,
                    recipient=user,
                    application=application,
                    station=station,
                    kind=kind,
                    text=text,
                )
            )
        if phone and (user is None or user.sms_notices_enabled):
            rows.append(
                Notice(
                    dedupe_key=f"{key}:{who}:sms",
                    channel=Notice.Channel.SMS,
                    recipient=user,
                    phone=phone,
                    application=application,
                    station=station,
                    kind=kind,
                    text=SMS_PREFIX + text,
                    delivery=Notice.Delivery.PENDING,
                )
            )
    return rows


def notify_card_event(card_event_id: int) -> int:
    """Every card event reaches the holder (and the guardian who applied) in the portal and by SMS."""
    from issuance.models import CardEvent, LossReport

    from .texts import CARD_TEXTS

    event = (
        CardEvent.objects.select_related(
            "card__person__user", "card__application__applicant", "card__application__station"
        )
        .filter(pk=card_event_id)
        .first()
    )
    if event is None or event.event not in CARD_TEXTS:
        return 0
    card = event.card
    application = card.application
    context = {"swipe_limit": card.swipe_limit or "", "deadline": ""}
    if event.event == "report_lost_orally":
        report = LossReport.objects.filter(card=card, kind=LossReport.Kind.ORAL).order_by("-created_at").first()
        context["deadline"] = described_date(report.written_deadline) if report and report.written_deadline else ""
    rows = _notices_for(
        key=f"card{event.pk}",
        kind=f"card_{event.event}",
        text_for=lambda: CARD_TEXTS[event.event](context),
        people=recipients_for(application),
        application=application,
        station=application.station,
    )
    with transaction.atomic():
        Notice.objects.bulk_create(rows, ignore_conflicts=True)
        _send_pending_sms([row.dedupe_key for row in rows if row.channel == Notice.Channel.SMS])
    return len(rows)


def notify_loss_lapse_warnings(reports, now) -> int:
    from .texts import CARD_TEXTS

    rows = []
    for report in reports:
        application = report.card.application
        context = {"deadline": described_date(report.written_deadline)}
        rows += _notices_for(
            key=f"lapsewarn{report.pk}",
            kind="loss_lapse_warning",
            text_for=lambda context=context: CARD_TEXTS["loss_lapse_warning"](context),
            people=recipients_for(application),
            application=application,
            station=application.station,
        )
    with transaction.atomic():
        Notice.objects.bulk_create(rows, ignore_conflicts=True)
        _send_pending_sms([row.dedupe_key for row in rows if row.channel == Notice.Channel.SMS])
    return len(rows)


def notify_appointments(appointments, *, kind: str) -> int:
    """Rule 7: the caller gets the appointment by SMS, and a reminder the day before."""
    from .texts import CARD_TEXTS

    rows = []
    for appointment in appointments:
        context = {
            "date": described_date(appointment.date),
            "station": appointment.station.name,
            "address": appointment.station.address,
        }
        rows += _notices_for(
            key=f"{kind}{appointment.pk}",
            kind=kind,
            text_for=lambda context=context: CARD_TEXTS[kind](context),
            people=[(None, appointment.phone, True)],
            application=None,
            station=appointment.station,
        )
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    _send_pending_sms([row.dedupe_key for row in rows if row.channel == Notice.Channel.SMS])
    return len(rows)


def notify_dates_moved(year: int, moves) -> int:
    """Everyone whose date an entered holiday year moved is told the new date (applications/calendar.py calls
    this in the transaction that saves the year, so the notices exist once the year does)."""
    from issuance.models import Appointment, LossReport
    from rosters.models import RosterBatch

    from .texts import DATE_MOVED_TEXTS

    by_kind: dict[str, dict[int, object]] = {}
    for move in moves:
        by_kind.setdefault(move.kind, {})[move.object_id] = move
    rows: list[Notice] = []

    def add(kind: str, move, context: dict, *, people, application, station) -> None:
        context = {
            **context,
            "year": year,
            "date": described_date(move.new) if move.new else "",
            "old": move.old.isoformat() if move.old else "",
        }
        rows.extend(
            _notices_for(
                key=f"datemoved{year}:{kind}{move.object_id}:{move.new}",
                kind="date_moved",
                text_for=lambda: DATE_MOVED_TEXTS[kind](context),
                people=people,
                application=application,
                station=station,
            )
        )

    written = 0

    def flush() -> None:
        nonlocal written
        Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        written += len(rows)
        rows.clear()

    moved = list(by_kind.get("application", {}).values())
    for start in range(0, len(moved), DATE_MOVED_CHUNK):  # a city's year can move many expected dates
        chunk = {move.object_id: move for move in moved[start : start + DATE_MOVED_CHUNK]}
        applications = CardApplication.objects.select_related("person__user", "applicant", "station")
        for application in applications.filter(pk__in=list(chunk)):
            context = {"reference": application.reference, "step": application.get_status_display()}
            add(
                "application",
                chunk[application.pk],
                context,
                people=recipients_for(application),
                application=application,
                station=application.station,
            )
        flush()
    reports = LossReport.objects.select_related(
        "card__person__user", "card__application__applicant", "card__application__station"
    ).filter(pk__in=list(by_kind.get("loss_report", {})))
    for report in reports:
        application = report.card.application
        add(
            "loss_report",
            by_kind["loss_report"][report.pk],
            {},
            people=recipients_for(application),
            application=application,
            station=application.station,
        )
    for appointment in Appointment.objects.select_related("station").filter(
        pk__in=list(by_kind.get("appointment", {}))
    ):
        add(
            "appointment",
            by_kind["appointment"][appointment.pk],
            {"station": appointment.station.name},
            people=[(None, appointment.phone, True)],
            application=None,
            station=appointment.station,
        )
    batches = RosterBatch.objects.select_related("created_by", "station").filter(
        pk__in=list(by_kind.get("roster_batch", {}))
    )
    for batch in batches:
        agent = batch.created_by
        add(
            "roster_batch",
            by_kind["roster_batch"][batch.pk],
            {"reference": batch.reference},
            people=[(agent, agent.phone, True)] if agent.is_active else [],
            application=None,
            station=batch.station,
        )
    flush()
    # The SMS go out from one job, not a message per SMS from the admin's request: a year can move thousands.
    transaction.on_commit(lambda: _queue_pending_sms("date_moved"))
    return written


def _queue_pending_sms(kind: str) -> None:
    from .tasks import queue_pending_sms

    queue_pending_sms.delay(kind)


def pending_sms_ids(kind: str):
    return Notice.objects.filter(kind=kind, channel=Notice.Channel.SMS, delivery=Notice.Delivery.PENDING).values_list(
        "pk", flat=True
    )
