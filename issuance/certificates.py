"""The pickup certificate (领卡证明, rule 13): while the replacement is made, it lets the holder be treated
(and reimbursed by hand). A QR code on it opens a page that any hospital can use to check that the
certificate is genuine and still current.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationKind, CardApplication, CityPolicy, Status
from applications.workdays import add_working_days, chinese_date
from sbcard.errors import Conflict
from sbcard.idnumbers import mask_resident_id
from sbcard.pdf import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, draw_qr, render

SALT = "sbcard.pickup-certificate"
GRACE_DAYS = 30  # valid until the new card is due, and a month more for the holder to collect it


@dataclass(frozen=True)
class CertificateCheck:
    genuine: bool
    current: bool
    reason: str
    application: CardApplication | None = None
    valid_until: datetime.date | None = None


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
    if application.status == Status.COLLECTED:
        return CertificateCheck(
            True, False, _("The new card has been collected; this certificate is no longer valid."), application, until
        )
    if application.status == Status.CANCELLED:
        return CertificateCheck(
            True, False, _("The replacement was cancelled; this certificate is not valid."), application, until
        )
    if timezone.localdate() > until:
        return CertificateCheck(
            True, False, _("This certificate expired on %(date)s.") % {"date": until}, application, until
        )
    return CertificateCheck(
        True, True, _("Genuine and current: the holder's replacement card is being made."), application, until
    )


def certificate_pdf(application: CardApplication) -> bytes:
    if application.kind != ApplicationKind.REPLACEMENT or application.status in (Status.COLLECTED, Status.CANCELLED):
        raise Conflict(_("A pickup certificate is issued only for a replacement that is still being made."))
    url = certificate_url(application)
    until = valid_until(application)
    due = add_working_days(timezone.localdate(application.created_at), CityPolicy.current().replacement_working_days)
    person = application.person

    def draw(canvas, font):
        top = PAGE_HEIGHT - MARGIN
        canvas.setFont(font, 20)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 10, "社会保障卡领卡证明")
        canvas.setFont(font, 12)
        lines = [
            f"持卡人：{person.name}",
            f"公民身份号码：{mask_resident_id(person.id_number)}",
            f"补卡申请编号：{application.reference}",
            f"受理网点：{application.station.name}（{application.station.address}）",
            f"受理日期：{timezone.localdate(application.created_at):%Y年%m月%d日}",
            f"新卡预计制成：{chinese_date(due)}（15个工作日）",
            f"本证明有效期至：{chinese_date(until)}",
            "",
            "持卡人的社会保障卡已挂失并申请补办。补卡期间，持卡人凭本证明及本人身份证",
            "可在定点医疗机构就医，医疗费用先行垫付后按规定手工报销。",
            "医疗机构可扫描右侧二维码核验本证明的真伪及是否仍在有效期内。",
        ]
        y = top - 60
        for line in lines:
            canvas.drawString(MARGIN, y, line)
            y -= 22
        draw_qr(canvas, url, x=PAGE_WIDTH - MARGIN - 120, y=top - 200, size=120)
        canvas.setFont(font, 10)
        canvas.drawString(MARGIN, MARGIN + 20, "（本证明由社会保障卡服务平台生成，经办网点盖章后有效）")

    return render(draw, title=f"领卡证明 {application.reference}")
