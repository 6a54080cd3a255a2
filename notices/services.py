"""Telling people: a notice in the portal and, unless they turned it off, an SMS (rule 21: silence was the
citizens' top complaint).

This app knows people, phones and texts, not applications or cards: the app that owns an event says what
the notice says (applications/notifications.py, issuance/notifications.py) and hands it here. Idempotent: a
notice exists once per source event, recipient and channel (its `dedupe_key`), so a job that runs twice tells
nobody twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation

from partners.errors import PartnerError, PermanentError
from partners.sms.client import SmsClient
from sbcard.jobs import Job, send_after_commit

from .models import Notice
from .texts import SMS_PREFIX, for_someone_else

logger = logging.getLogger("notices")
SEND_SMS = "notices.tasks.send_sms"


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: an account (portal notice, and SMS to its phone when it allows) or only a phone.
    `on_behalf_of`: the holder's name when the recipient is a guardian or an employer's agent."""

    user: object | None
    phone: str
    on_behalf_of: str = ""


@dataclass(frozen=True)
class About:
    """What a notice is about: the reference shown, the page to open, the station that sees its SMS."""

    reference: str = ""
    link: str = ""
    station_id: int | None = None


def notices_for(
    *, key: str, kind: str, text_for: Callable[[], str], recipients: list[Recipient], about: About = About()
) -> list[Notice]:
    """Portal and SMS notices for each recipient, each written in the recipient's language."""
    rows = []
    for recipient in recipients:
        user = recipient.user
        with translation.override(user.preferred_language if user is not None else "zh-hans"):
            text = text_for()
            if recipient.on_behalf_of:
                text = for_someone_else(text, recipient.on_behalf_of)
        who = f"user{user.pk}" if user is not None else f"phone{recipient.phone}"
        common = {"kind": kind, "reference": about.reference, "link": about.link, "station_id": about.station_id}
        if user is not None:
            rows.append(
                Notice(
                    dedupe_key=f"{key}:{who}:portal", channel=Notice.Channel.PORTAL, recipient=user, text=text, **common
                )
            )
        if recipient.phone and (user is None or user.sms_notices_enabled):
            rows.append(
                Notice(
                    dedupe_key=f"{key}:{who}:sms",
                    channel=Notice.Channel.SMS,
                    recipient=user,
                    phone=recipient.phone,
                    text=SMS_PREFIX + text,
                    delivery=Notice.Delivery.PENDING,
                    **common,
                )
            )
    return rows


def portal_notice(user, *, key: str, kind: str, text_for: Callable[[], str], about: About = About()) -> Notice:
    """A notice in the portal only (staff: a clerk hears of an overdue review)."""
    with translation.override(user.preferred_language or "zh-hans"):
        text = text_for()
    return Notice(
        dedupe_key=key,
        channel=Notice.Channel.PORTAL,
        recipient=user,
        kind=kind,
        text=text,
        reference=about.reference,
        link=about.link,
        station_id=about.station_id,
    )


@transaction.atomic
def save_notices(rows: list[Notice], *, send_now: bool = True) -> list[int]:
    """Store the notices, none twice, and send their SMS after commit (each its own job; or, `send_now` off, by
    one job later: send_pending_sms); returns the ids of those SMS."""
    # On a second run the rows exist already: the upsert changes nothing and still returns their ids.
    saved = Notice.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["dedupe_key"], update_fields=["dedupe_key"], batch_size=1000
    )
    sms_ids = [row.pk for row in saved if row.channel == Notice.Channel.SMS and row.delivery == Notice.Delivery.PENDING]
    if send_now:
        for notice_id in sms_ids:
            send_after_commit(Job(SEND_SMS, notice_id))
    return sms_ids


def send_pending_sms(kind: str) -> None:
    """After commit, one job sends every pending SMS notice of a kind (thousands when an entered holiday year
    moves people's dates): the request that made them enqueues one message, not one per SMS."""
    send_after_commit(Job("notices.tasks.queue_pending_sms", kind))


def pending_sms_ids(kind: str):
    return Notice.objects.filter(kind=kind, channel=Notice.Channel.SMS, delivery=Notice.Delivery.PENDING).values_list(
        "pk", flat=True
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
        # Raised on: the task records a refusal, or retries run out, as a failure staff see (not a silent "failed").
        Notice.objects.filter(pk=notice.pk).update(delivery=Notice.Delivery.FAILED)
        if isinstance(error, PermanentError):
            logger.warning("sms notice=%s refused by the gateway", notice.pk)
        raise
    except Exception:
        Notice.objects.filter(pk=notice.pk).update(delivery=Notice.Delivery.FAILED)
        raise
    Notice.objects.filter(pk=notice.pk).update(delivery=Notice.Delivery.SENT, sent_at=timezone.now())
