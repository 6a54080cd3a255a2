"""Generated rosters and photo ZIPs for the demo data, tests and benchmarks (never real people)."""

import csv
import datetime
import io
import zipfile

from openpyxl import Workbook

from demo.people import sample_person
from demo.photos import make_id_photo
from rosters.reading import COLUMNS
from sbcard.idnumbers import make_resident_id

HEADERS = [header for _key, header, _aliases in COLUMNS]


def sample_rows(
    count: int,
    *,
    region: str = "330106",
    first_birth: datetime.date = datetime.date(1960, 1, 1),
    offset: int = 0,
    make_number=make_resident_id,
) -> list[dict]:
    """`count` people with valid, distinct ID numbers: 1,000 a birth date, one birth date a day from `first_birth`.
    `make_number(region, birth_date, sequence)` builds each number (the tests pass their own)."""
    rows = []
    for index in range(offset, offset + count):
        rows.append(
            {
                **sample_person(index, region=region, first_birth=first_birth, make_number=make_number),
                "phone": f"139{index % 100_000_000:08d}",
                "insurance_type": "城镇职工基本医疗保险",
                "household_city": "杭州市",
                "address": f"杭州市滨江区江南大道{index % 5000 + 1}号",
            }
        )
    return rows


def _records(rows: list[dict], headers: list[str] | None) -> list[list]:
    keys = [key for key, _header, _aliases in COLUMNS]
    return [headers or HEADERS] + [[row.get(key, "") for key in keys] for row in rows]


def roster_xlsx(rows: list[dict], *, headers: list[str] | None = None, extra: list[list] | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员名册")
    for record in _records(rows, headers) + (extra or []):
        sheet.append(record)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_csv(rows: list[dict], *, encoding: str = "utf-8-sig", headers: list[str] | None = None) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerows(_records(rows, headers))
    return text.getvalue().encode(encoding)


def photos_zip(id_numbers: list[str], *, photo: bytes | None = None) -> bytes:
    """One generated ID photo per number, named `<ID number>.jpg`, in one ZIP."""
    photo = photo or make_id_photo()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in id_numbers:
            archive.writestr(f"photos/{number}.jpg", photo)
    return out.getvalue()
