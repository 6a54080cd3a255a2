"""The pickup certificate (领卡证明, rule 13): while the replacement is made, it lets the holder be treated
(and reimbursed by hand). One page in Chinese and English, each line in both, so a hospital's foreign staff and a
holder abroad read it too. A QR code on it opens a page that any hospital can use to check that the certificate is
genuine and still current, and when the new card is (or will be) ready.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.utils import simpleSplit

from applications.models import ApplicationKind, CardApplication, CityPolicy, Status
from applications.progress import forecast
from applications.workdays import add_working_days, chinese_date, describe_date
from sbcard.errors import Conflict
from sbcard.idnumbers import mask_resident_id
from sbcard.pdf import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, draw_qr, render

SALT = "sbcard.pickup-certificate"
GRACE_DAYS = 30  # valid until the new card is due, and a month more for the holder to collect it


@dataclass(frozen=True)
class NewCard:
    """When the replacement card is ready: waiting at the station since a day, or expected on one."""

    ready: bool
    date: datetime.date | None
    station: str


def new_card(application: CardApplication) -> NewCard:
    station = application.station.name
    if application.status in (Status.READY_FOR_PICKUP, Status.UNCLAIMED, Status.COLLECTED):
        arrived = application.events.filter(to_status=Status.READY_FOR_PICKUP).order_by("-created_at").first()
        return NewCard(True, timezone.localdate(arrived.created_at) if arrived else None, station)
    if application.status == Status.CANCELLED:
        return NewCard(False, None, station)
    steps = {step.status: step for step in forecast(application)}
    return NewCard(False, steps[Status.READY_FOR_PICKUP].expected_date, station)


@dataclass(frozen=True)
class CertificateCheck:
    genuine: bool
    current: bool
    reason: str
    application: CardApplication | None = None
    valid_until: datetime.date | None = None
    new_card: NewCard | None = None


def valid_until(application: CardApplication) -> datetime.date:
    start = timezone.localdate(application.created_at)
    due = add_working_days(start, CityPolicy.current().replacement_working_days)
    return due + datetime.timedelta(days=GRACE_DAYS)


def certificate_token(application: CardApplication) -> str:
    return signing.dumps({"a": application.pk, "u": valid_until(application).isoformat()}, salt=SALT, compress=True)


def certificate_url(application: CardApplication) -> str:
    return settings.PORTAL_BASE_URL + reverse("issuance:verify_certificate", args=[certificate_token(application)])


def check_certificate(token: str) -> CertificateCheck:
    """Genuine: signed by this portal. Current: the replacement is still being made and the date has not passed."""
    try:
        payload = signing.loads(token, salt=SALT)
        application_id, until = int(payload["a"]), datetime.date.fromisoformat(payload["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return CertificateCheck(False, False, _("This certificate was not issued by the social security card portal."))
    application = CardApplication.objects.select_related("person", "station").filter(pk=application_id).first()
    if application is None:
        return CertificateCheck(True, False, _("The application behind this certificate no longer exists."))
    card = new_card(application)
    if application.status == Status.COLLECTED:
        return CertificateCheck(
            True,
            False,
            _("The new card has been collected; this certificate is no longer valid."),
            application,
            until,
            card,
        )
    if application.status == Status.CANCELLED:
        return CertificateCheck(
            True, False, _("The replacement was cancelled; this certificate is not valid."), application, until, card
        )
    if timezone.localdate() > until:
        return CertificateCheck(
            True, False, _("This certificate expired on %(date)s.") % {"date": until}, application, until, card
        )
    if card.ready:
        reason = _(
            "Genuine and current: the holder's new card is ready for pickup; until it is collected this "
            "certificate stands in for it."
        )
    else:
        reason = _("Genuine and current: the holder's replacement card is being made.")
    return CertificateCheck(True, True, reason, application, until, card)


def certificate_pdf(application: CardApplication) -> bytes:
    """One A4 page, every line in Chinese and then in English (the English smaller, under it)."""
    if application.kind != ApplicationKind.REPLACEMENT or application.status in (Status.COLLECTED, Status.CANCELLED):
        raise Conflict(_("A pickup certificate is issued only for a replacement that is still being made."))
    url = certificate_url(application)
    until = valid_until(application)
    working_days = CityPolicy.current().replacement_working_days
    due = add_working_days(timezone.localdate(application.created_at), working_days)
    applied = timezone.localdate(application.created_at)
    person = application.person
    station = f"{application.station.name}（{application.station.address}）"
    with translation.override("en"):
        due_en, until_en = describe_date(due), describe_date(until)
    facts = [
        (f"持卡人：{person.name}", f"Holder: {person.name}"),
        (
            f"公民身份号码：{mask_resident_id(person.id_number)}",
            f"Resident ID number: {mask_resident_id(person.id_number)}",
        ),
        (f"补卡申请编号：{application.reference}", f"Replacement application: {application.reference}"),
        (f"受理网点：{station}", f"Accepted at: {station}"),
        (f"受理日期：{applied:%Y年%m月%d日}", f"Accepted on: {applied.isoformat()}"),
        (
            f"新卡预计制成：{chinese_date(due)}（{working_days}个工作日）",
            f"New card expected: {due_en} ({working_days} working days)",
        ),
        (f"本证明有效期至：{chinese_date(until)}", f"This certificate is valid until: {until_en}"),
    ]
    explanation = [
        "持卡人的社会保障卡已挂失并申请补办。补卡期间，持卡人凭本证明及本人身份证",
        "可在定点医疗机构就医，医疗费用先行垫付后按规定手工报销。",
        "医疗机构可扫描右上方二维码核验本证明的真伪、是否仍在有效期内及新卡何时制成。",
    ]
    explanation_en = (
        "The holder's social security card has been reported lost and a replacement applied for. Until the new card "
        "is ready, the holder may be treated at designated medical institutions on showing this certificate and "
        "their resident ID card, paying first and claiming reimbursement by hand as the rules provide. Medical "
        "institutions can scan the QR code at the top right to check that this certificate is genuine and current, "
        "and when the new card is ready."
    )

    def draw(canvas, font):
        top = PAGE_HEIGHT - MARGIN
        width = PAGE_WIDTH - 2 * MARGIN
        canvas.setFont(font, 20)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 10, "社会保障卡领卡证明")
        canvas.setFont(font, 12)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 30, "Social Security Card Pickup Certificate")
        qr_size = 120
        draw_qr(canvas, url, x=PAGE_WIDTH - MARGIN - qr_size, y=top - 60 - qr_size, size=qr_size)
        y = top - 64
        for chinese, english in facts:
            canvas.setFont(font, 12)
            canvas.drawString(MARGIN, y, chinese)
            canvas.setFont(font, 9)
            canvas.drawString(MARGIN, y - 13, english)
            y -= 34
        y -= 6
        canvas.setFont(font, 12)
        for line in explanation:
            canvas.drawString(MARGIN, y, line)
            y -= 20
        y -= 4
        canvas.setFont(font, 9)
        for line in simpleSplit(explanation_en, font, 9, width):
            canvas.drawString(MARGIN, y, line)
            y -= 13
        canvas.setFont(font, 10)
        canvas.drawString(MARGIN, MARGIN + 34, "（本证明由社会保障卡服务平台生成，经办网点盖章后有效）")
        canvas.setFont(font, 9)
        canvas.drawString(
            MARGIN, MARGIN + 20, "(Issued by the social security card portal; valid with the station's seal.)"
        )

    return render(draw, title=f"领卡证明 Pickup certificate {application.reference}")
