"""XLSX files the portal hands out: the roster template, the dry-run report and the batch export.

Every text cell goes through `safe_cell`: a value that a spreadsheet would run as a formula (starting
with = + - @, a tab or a carriage return) is written as text with a leading quote (SECURITY.md 17).
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from applications.models import CardApplication, Status
from sbcard.exports import safe_cell
from sbcard.idnumbers import mask_resident_id

from .models import RosterBatch, RosterRow
from .reading import COLUMNS, EXAMPLE_ID_NUMBER, EXAMPLE_NAME, INSURANCE_CHOICES

INSURANCE_NAME_BY_CODE = {code: text for text, code in INSURANCE_CHOICES.items()}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
ERROR_FILL = PatternFill("solid", fgColor="FDE2E2")


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_template() -> bytes:
    """Chinese headers, text-formatted ID and phone columns, a drop-down of insurance types, an example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名册"
    headers = [header for _key, header, _aliases in COLUMNS]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    example = [
        EXAMPLE_NAME,
        EXAMPLE_ID_NUMBER,
        "13800138000",
        "城镇职工基本医疗保险",
        "杭州市",
        "杭州市滨江区江南大道3850号",
    ]
    sheet.append(example)
    for column, width in zip("ABCDEF", (12, 22, 15, 26, 16, 36), strict=True):
        sheet.column_dimensions[column].width = width
        for row in range(2, 5002):
            if column in "BC":
                sheet[f"{column}{row}"].number_format = "@"  # text: 18 digits do not survive as a number
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(INSURANCE_CHOICES) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="参保类型",
        error="请从下拉列表中选择参保类型。",
    )
    sheet.add_data_validation(choices)
    choices.add("D2:D100001")
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    for line in (
        "每行一人；第一行为表头，请勿修改列名。",
        "身份证号码为18位（末位可为X），请以文本格式填写。",
        "参保类型请从下拉列表选择。",
        f"第2行为示例行（身份证号码 {EXAMPLE_ID_NUMBER}，即国家标准GB 11643的示例号码），上传时会自动跳过，可删除。",
        "照片：信息中心已有身份证照片的人员无需照片；其他人员请将照片（JPG，358×441像素，不超过40KB即40,960字节，白底）"
        f"以身份证号码命名（如 {EXAMPLE_ID_NUMBER}.jpg），打包为一个ZIP文件上传。",
        "可保存为 XLSX 或 CSV（UTF-8 或 GBK 编码）。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    return _save(workbook)


def _write_rows(sheet, rows) -> None:
    for row in rows:
        sheet.append([safe_cell(value) for value in row])


def _header(sheet, labels: list[str]) -> None:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = HEADER_FONT
        cells.append(cell)
    sheet.append(cells)


def dry_run_report(batch: RosterBatch, *, refused_only: bool = False) -> bytes:
    """The roster as checked, with the row number, the result and an error column: fix it and upload again."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("检查结果")
    _header(
        sheet,
        [_("Row"), *[header for _key, header, _aliases in COLUMNS], _("Result"), _("Errors")],
    )
    rows = RosterRow.objects.filter(batch=batch).order_by("line")
    if refused_only:
        rows = rows.filter(accepted=False)
    accepted, refused = _("Accepted"), _("Refused")
    for row in rows.iterator(chunk_size=2000):
        values = [
            row.line,
            row.name,
            row.id_number,
            row.phone,
            INSURANCE_NAME_BY_CODE.get(row.insurance_type, row.insurance_type),
            row.household_city,
            row.address,
            accepted if row.accepted else refused,
            row.reasons_text,
        ]
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if not row.accepted:
                cell.fill = ERROR_FILL
            cells.append(cell)
        sheet.append(cells)
    return _save(workbook)


def batch_export(batch: RosterBatch, expected: dict) -> bytes:
    """Each person's status and expected date. ID numbers masked: the agent filed them and has them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(batch.reference)
    _header(
        sheet,
        [_("Row"), _("Application"), _("Name"), _("ID number"), _("Status"), _("Since"), _("Expected"), _("Card")],
    )
    applications = (
        CardApplication.objects.filter(roster_entry__batch=batch)
        .select_related("person", "roster_entry")
        .order_by("roster_entry__line")
    )
    rows = (
        (
            application.roster_entry.line,
            application.reference,
            application.person.name,
            mask_resident_id(application.person.id_number),
            str(Status(application.status).label),
            timezone.localtime(application.status_changed_at).strftime("%Y-%m-%d"),
            str(expected.get(application.status) or ""),
            application.card_number[-4:] if application.card_number else "",
        )
        for application in applications.iterator(chunk_size=2000)
    )
    _write_rows(sheet, rows)
    return _save(workbook)
