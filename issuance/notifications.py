"""What a card's events, reminders and appointments tell the people they concern (rules 7, 12, 21).

The texts are written here, in each reader's language; the notices app stores and sends them.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from applications.calendar import DATE_MOVED, DateMove, moved_context
from applications.notifications import recipients_for
from applications.workdays import described_date
from notices.services import About, Recipient, notices_for, save_notices

from .models import Appointment, CardEvent, LossReport

CARD_TEXTS = {
    "activate": lambda c: (
        _(
            "Your social security card is active. Daily pharmacy swipes: at most %(swipe_limit)s. The initial medical "
            "password cannot be used to pay: change it at a pharmacy or hospital terminal first."
        )
        % c
    ),
    "report_lost_orally": lambda c: (
        _(
            "Your card is reported lost and suspended. Confirm the report in writing at a station with your resident "
            "ID card by %(deadline)s, or it lapses and the card works again."
        )
        % c
    ),
    "confirm_loss_in_writing": lambda c: (
        _("Your card's loss report is confirmed in writing. You can apply for a replacement card.") % c
    ),
    "report_lost_in_writing": lambda c: (
        _("Your card is reported lost in writing. You can apply for a replacement card.") % c
    ),
    "lapse_oral_report": lambda c: (
        _(
            "Your oral loss report was not confirmed in writing and has lapsed: the card works again. If it is really "
            "lost, report it again."
        )
        % c
    ),
    "unreport": lambda c: _("Your card's loss report is withdrawn; the card works again.") % c,
    "replace": lambda c: _("Your old card is stopped; the replacement card is being made.") % c,
    "exchange": lambda c: _("Your old card is stopped; the new card is being made.") % c,
    "loss_lapse_warning": lambda c: (
        _(
            "Today (%(deadline)s) is the last day to confirm your card's loss report in writing at a station; "
            "otherwise it lapses tomorrow."
        )
        % c
    ),
    "appointment_booked": lambda c: (
        _(
            "Your appointment to apply for a social security card: %(date)s at %(station)s (%(address)s). "
            "Bring your resident ID card and household register."
        )
        % c
    ),
    "appointment_reminder": lambda c: (
        _(
            "Reminder: your appointment at %(station)s is tomorrow, %(date)s. Bring your resident ID card and "
            "household register."
        )
        % c
    ),
}


def _about(card) -> About:
    return About(
        reference=card.application.reference,
        link=reverse("issuance:my_cards"),
        station_id=card.application.station_id,
    )


def notify_card_event(card_event_id: int) -> int:
    """Every card event reaches the holder (and the guardian who applied) in the portal and by SMS."""
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
    context = {"swipe_limit": card.swipe_limit or "", "deadline": ""}
    if event.event == "report_lost_orally":
        report = LossReport.objects.filter(card=card, kind=LossReport.Kind.ORAL).order_by("-created_at").first()
        context["deadline"] = described_date(report.written_deadline) if report and report.written_deadline else ""
    rows = notices_for(
        key=f"card{event.pk}",
        kind=f"card_{event.event}",
        text_for=lambda: CARD_TEXTS[event.event](context),
        recipients=recipients_for(card.application),
        about=_about(card),
    )
    save_notices(rows)
    return len(rows)


def notify_activation_reminders(cards, now) -> int:
    """Rule 21: a card handed over but not activated: remind the holder to activate it at the bank."""
    stamp = now.strftime("%Y%m")

    def text_for():
        return _(
            "Your social security card has not been activated yet. Take it and your resident ID card to a "
            "partner bank branch to activate it; until then its financial functions cannot be used."
        )

    rows = []
    for card in cards:
        user = card.person.user
        active = user is not None and user.is_active
        holder = Recipient(user, user.phone) if active else Recipient(None, card.application.phone)
        rows += notices_for(
            key=f"activate{card.pk}:{stamp}",
            kind="activation_reminder",
            text_for=text_for,
            recipients=[holder],
            about=_about(card),
        )
    save_notices(rows)
    return len(rows)


def notify_loss_lapse_warnings(reports) -> int:
    rows = []
    for report in reports:
        context = {"deadline": described_date(report.written_deadline)}
        rows += notices_for(
            key=f"lapsewarn{report.pk}",
            kind="loss_lapse_warning",
            text_for=lambda context=context: CARD_TEXTS["loss_lapse_warning"](context),
            recipients=recipients_for(report.card.application),
            about=_about(report.card),
        )
    save_notices(rows)
    return len(rows)


def notify_appointments(appointments, *, kind: str) -> int:
    """Rule 7: the caller gets the appointment by SMS, and a reminder the day before."""
    rows = []
    for appointment in appointments:
        context = {
            "date": described_date(appointment.date),
            "station": appointment.station.name,
            "address": appointment.station.address,
        }
        rows += notices_for(
            key=f"{kind}{appointment.pk}",
            kind=kind,
            text_for=lambda context=context: CARD_TEXTS[kind](context),
            recipients=[Recipient(None, appointment.phone)],
            about=About(station_id=appointment.station_id),
        )
    save_notices(rows)
    return len(rows)


def tell_loss_deadlines_moved(year: int, moves: list[DateMove]) -> int:
    """An entered holiday year moved the day these oral loss reports must be confirmed in writing by."""
    by_id = {move.object_id: move for move in moves}
    rows = []
    reports = LossReport.objects.select_related(
        "card__person__user", "card__application__applicant", "card__application__station"
    ).filter(pk__in=list(by_id))
    for report in reports:
        context = moved_context(year, by_id[report.pk])
        rows += notices_for(
            key=f"datemoved{year}:loss_report{report.pk}:{by_id[report.pk].new}",
            kind=DATE_MOVED,
            text_for=lambda context=context: (
                _(
                    "The State Council's %(year)s holiday schedule is now in the calendar: confirm your card's loss "
                    "report in writing at a station by %(date)s (not %(old)s as first said), or it lapses."
                )
                % context
            ),
            recipients=recipients_for(report.card.application),
            about=_about(report.card),
        )
    save_notices(rows, send_now=False)  # one job sends their SMS (applications.calendar)
    return len(rows)


def tell_appointment_days_moved(year: int, moves: list[DateMove]) -> int:
    """An entered holiday year made a booked appointment's day a holiday: the caller is told the station is shut."""
    by_id = {move.object_id: move for move in moves}
    rows = []
    for appointment in Appointment.objects.select_related("station").filter(pk__in=list(by_id)):
        context = {**moved_context(year, by_id[appointment.pk]), "station": appointment.station.name}
        rows += notices_for(
            key=f"datemoved{year}:appointment{appointment.pk}:{by_id[appointment.pk].new}",
            kind=DATE_MOVED,
            text_for=lambda context=context: (
                _(
                    "The State Council's %(year)s holiday schedule is now in the calendar: %(old)s is a public holiday "
                    "and %(station)s is closed that day. Please call the station to choose another day for your "
                    "appointment."
                )
                % context
            ),
            recipients=[Recipient(None, appointment.phone)],
            about=About(station_id=appointment.station_id),
        )
    save_notices(rows, send_now=False)
    return len(rows)
