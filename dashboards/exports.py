"""Every dashboard table as CSV or XLSX.

Cells go through sbcard.exports.safe_cell, the project's one formula-injection guard: text starting with
= + - @, a tab or a carriage return is written with a leading quote, so a spreadsheet shows it as text
(SECURITY.md 17). Long lists stream (CSV) or are written row by row (XLSX write-only mode), and stop at
EXPORT_MAX_ROWS with a last row that says so.
"""

import csv
import datetime
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sbcard.exports import safe_cell

EXPORT_MAX_ROWS = 100_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _rows(header: list[str], rows):
    yield header
    for count, row in enumerate(rows):
        if count >= EXPORT_MAX_ROWS:
            yield [_("Stopped at %(count)d rows: narrow the list (one station) to export the rest.") % {"count": count}]
            return
        yield [safe_cell(_text(value)) for value in row]


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM, so that spreadsheet programs read the Chinese text as UTF-8
        for row in _rows(header, rows):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: list[str], rows) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    for row in _rows(header, rows):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
