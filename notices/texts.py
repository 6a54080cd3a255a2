"""What a notice says, per status and card event, in the recipient's language (zh-hans first)."""

from django.utils.translation import gettext as _

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

SMS_PREFIX = "【社保卡】"


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧**娜: enough for the guardian to know which child."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def for_someone_else(text: str, holder_name: str) -> str:
    return _("(for %(holder)s) ") % {"holder": mask_name(holder_name)} + text


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

# When an admin enters a year's holidays and a date someone was given moves (applications/calendar.py).
DATE_MOVED_TEXTS = {
    "application": lambda c: (
        _(
            "The State Council's %(year)s holiday schedule is now in the calendar: the current step of application "
            "%(reference)s (%(step)s) is now expected by %(date)s instead of %(old)s."
        )
        % c
    ),
    "loss_report": lambda c: (
        _(
            "The State Council's %(year)s holiday schedule is now in the calendar: confirm your card's loss report "
            "in writing at a station by %(date)s (not %(old)s as first said), or it lapses."
        )
        % c
    ),
    "appointment": lambda c: (
        _(
            "The State Council's %(year)s holiday schedule is now in the calendar: %(old)s is a public holiday and "
            "%(station)s is closed that day. Please call the station to choose another day for your appointment."
        )
        % c
    ),
    "roster_batch": lambda c: (
        _(
            "The State Council's %(year)s holiday schedule is now in the calendar: the cards of roster batch "
            "%(reference)s are now expected from %(date)s instead of %(old)s."
        )
        % c
    ),
}
