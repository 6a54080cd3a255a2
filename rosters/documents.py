"""Printable PDFs of a batch: the payment notice (缴费通知书, rule 6) and the pickup list the agent signs."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.workdays import chinese_date
from sbcard.errors import Conflict
from sbcard.idnumbers import mask_resident_id
from sbcard.pdf import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, draw_qr, render

from .models import RosterBatch
from .services import collectable_applications

LINE = 20
ROWS_PER_PAGE = 32


def payment_notice_pdf(batch: RosterBatch) -> bytes:
    if not batch.charges_fee:
        raise Conflict(_("This batch has no fee to pay."), code="no_fee")

    def draw(canvas, font):
        top = PAGE_HEIGHT - MARGIN
        canvas.setFont(font, 20)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 10, "社会保障卡制卡费缴费通知书")
        canvas.setFont(font, 12)
        lines = [
            f"缴费单位：{batch.employer.name}",
            f"统一社会信用代码：{batch.employer.credit_code}",
            f"批次编号：{batch.reference}",
            f"缴费参考号：{batch.fee_reference}",
            f"制卡人数：{batch.submitted_count} 人",
            f"收费标准：每卡 {batch.fee_per_card_yuan} 元",
            f"应缴金额：{batch.fee_total_yuan} 元（人民币）",
            f"受理网点：{batch.station.name}（{batch.station.address}）",
            f"开具日期：{timezone.localdate():%Y年%m月%d日}",
            "",
            "请持本通知书到合作银行缴费，或通过银行转账并注明缴费参考号。",
            "缴费确认后开始制卡，约20个工作日后可到受理网点批量领卡。",
        ]
        if batch.paid_at:
            lines.append(
                f"已于 {timezone.localtime(batch.paid_at):%Y年%m月%d日} 缴费，"
                f"预计领卡日期：{chinese_date(batch.pickup_date)}"
            )
        y = top - 60
        for line in lines:
            canvas.drawString(MARGIN, y, line)
            y -= LINE + 4
        draw_qr(
            canvas, f"{batch.fee_reference}:{batch.fee_total_yuan}", x=PAGE_WIDTH - MARGIN - 110, y=top - 170, size=100
        )

    return render(draw, title=f"缴费通知书 {batch.reference}")


def pickup_list_pdf(batch: RosterBatch) -> bytes:
    """The cards of the batch waiting at the station, with a line for the agent's signature (rule 9)."""
    applications = list(collectable_applications(batch))
    if not applications:
        raise Conflict(_("No card of this batch is waiting at the station."), code="nothing_to_collect")
    agent = batch.created_by

    def heading(canvas, font, page: int) -> float:
        top = PAGE_HEIGHT - MARGIN
        canvas.setFont(font, 18)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 10, "社会保障卡单位批量领卡清单")
        canvas.setFont(font, 10)
        canvas.drawString(MARGIN, top - 36, f"单位：{batch.employer.name}    批次：{batch.reference}    第 {page} 页")
        canvas.drawString(
            MARGIN,
            top - 52,
            f"领卡网点：{batch.station.name}    共 {len(applications)} 张    {timezone.localdate():%Y-%m-%d}",
        )
        y = top - 80
        for x, text in ((0, "序号"), (40, "行号"), (80, "姓名"), (180, "公民身份号码"), (330, "卡号"), (430, "核对")):
            canvas.drawString(MARGIN + x, y, text)
        return y - 18

    def draw(canvas, font):
        page = 1
        y = heading(canvas, font, page)
        for index, application in enumerate(applications, start=1):
            if y < MARGIN + 90:
                canvas.showPage()
                page += 1
                y = heading(canvas, font, page)
            canvas.drawString(MARGIN, y, str(index))
            canvas.drawString(MARGIN + 40, y, str(application.roster_entry.line))
            canvas.drawString(MARGIN + 80, y, application.person.name)
            canvas.drawString(MARGIN + 180, y, mask_resident_id(application.person.id_number))
            canvas.drawString(MARGIN + 330, y, application.card_number)
            canvas.drawString(MARGIN + 430, y, "□")
            y -= 16
        y = max(y - 20, MARGIN + 40)
        canvas.setFont(font, 11)
        canvas.drawString(
            MARGIN, y, f"领卡经办人：{agent.full_name or agent.username}    签名：________________    日期：__________"
        )
        canvas.drawString(MARGIN, y - 20, "本人受单位委托领取上列社会保障卡，已当面核对无误。")

    return render(draw, title=f"领卡清单 {batch.reference}")
