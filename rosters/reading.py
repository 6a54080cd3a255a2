"""Reading a roster (XLSX, CSV, or JSON rows from the API) and a ZIP of photos, refusing what is unsafe before
unpacking it.

The roster's columns are the template's Chinese headers (the official form of the 单位办卡人员名册, the
same whatever the portal's language), with the English field names accepted too. A CSV is decoded as
UTF-8 (with or without BOM), then as GB18030, a superset of GBK, which is what Excel in China saves;
a file that is neither is refused rather than stored as mojibake. An XLSX is a ZIP: its members'
declared sizes and compression ratios are checked before anything unpacks it, and a sheet that
contains formulas is refused.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from sbcard.errors import InvalidInput
from sbcard.idnumbers import normalise

# key, the template's header, other headers accepted for the column
COLUMNS = [
    ("name", "姓名", ("name",)),
    ("id_number", "身份证号码", ("公民身份号码", "身份证号", "id_number")),
    ("phone", "手机号码", ("手机号", "联系电话", "phone")),
    ("insurance_type", "参保类型", ("险种", "insurance_type")),
    ("household_city", "户籍所在城市", ("户籍所在地", "household_city")),
    ("address", "联系地址", ("地址", "address")),
]
REQUIRED_KEYS = [key for key, _header, _aliases in COLUMNS]
HEADER_BY_KEY = {key: header for key, header, _aliases in COLUMNS}
KEY_BY_HEADER = {alias.strip().lower(): key for key, header, aliases in COLUMNS for alias in (header, *aliases)}
# The drop-down in the template (the insurance names on the official form), and the codes.
INSURANCE_CHOICES = {
    "城镇职工基本医疗保险": "urban_employee",
    "城乡居民基本医疗保险": "urban_rural_resident",
    "离休干部及建国前老工人": "retired_cadre",
}
INSURANCE_BY_TEXT = {**INSURANCE_CHOICES, **{code: code for code in INSURANCE_CHOICES.values()}}
JSON_FORMAT = "json"
JSON_SUFFIX = ".json"
# The template's example row: 张三 with the GB 11643 standard's own example number, skipped wherever it is left
# in a roster (templates downloaded before the check character was corrected carried ...0022). The name counts
# too: the example number is also a real person's, who may be on a roster.
EXAMPLE_NAME = "张三"
EXAMPLE_ID_NUMBER = "11010519491231002X"
EXAMPLE_ID_NUMBERS = frozenset({EXAMPLE_ID_NUMBER, "110105194912310022"})

FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


@dataclass
class RawRow:
    line: int  # the row number the agent sees in Excel (1 is the header)
    values: dict[str, str]
    problems: list[tuple[str, str]]  # (column key, message) found while reading the cell


@dataclass
class ParsedRoster:
    file_format: str
    encoding: str
    rows: list[RawRow]
    example_rows_skipped: int


def refuse(message: str, code: str, field: str = "roster") -> InvalidInput:
    return InvalidInput(message, code=code, field=field)


# --- ZIP safety -------------------------------------------------------------------------------


def open_zip_safely(data: bytes, *, max_unpacked: int, max_members: int, field: str, what: str) -> zipfile.ZipFile:
    """A ZipFile whose central directory promises nothing dangerous: a count of members, a total unpacked
    size and a compression ratio within limits. Nothing is unpacked here; readers must still read members
    with a limit, since the declared sizes are the sender's word."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise refuse(_("%(what)s is not a readable ZIP file.") % {"what": what}, "zip_unreadable", field) from error
    if len(members) > max_members:
        raise refuse(
            _("%(what)s holds %(count)d files; at most %(limit)d are accepted.")
            % {"what": what, "count": len(members), "limit": max_members},
            "zip_too_many_files",
            field,
        )
    total = sum(member.file_size for member in members)
    if total > max_unpacked:
        raise refuse(
            _("%(what)s would unpack to %(size)d MB; the limit is %(limit)d MB. It was not unpacked.")
            % {"what": what, "size": total // 2**20, "limit": max_unpacked // 2**20},
            "zip_too_large_unpacked",
            field,
        )
    ratio = settings.ZIP_MAX_COMPRESSION_RATIO
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ratio * max(member.compress_size, 1):
            raise refuse(
                _("%(what)s is compressed too strongly to be an ordinary file (a ZIP bomb?). It was not unpacked.")
                % {"what": what},
                "zip_bomb",
                field,
            )
    return archive


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None when it unpacks to more than `limit` whatever its header said."""
    with archive.open(member) as stream:
        data = stream.read(limit + 1)
    return None if len(data) > limit else data


# --- the roster -------------------------------------------------------------------------------


def parse_roster(data: bytes, file_name: str) -> ParsedRoster:
    """The roster's rows with their values as text. Raises InvalidInput for a file that cannot be used."""
    if data[:4] == b"PK\x03\x04":
        return _parse_xlsx(data)
    if file_name.lower().endswith(JSON_SUFFIX):
        return _parse_json(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise refuse(
            _("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx (Excel workbook) or CSV and upload again."),
            "roster_xls",
        )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise refuse(_("The file is not a valid XLSX workbook; save it again in Excel."), "roster_unreadable")
    return _parse_csv(data)


def _parse_json(data: bytes) -> ParsedRoster:
    """Rows sent as JSON (the API): a list of objects keyed like the template's columns (name, id_number, phone,
    insurance_type, household_city, address). Row numbers count the list from 1; they are read as a sheet is."""
    try:
        rows = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise refuse(_("The rows are not valid JSON."), "roster_unreadable") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise refuse(_("The rows must be a list of objects, one per person."), "roster_unreadable")
    keys = sorted({key for row in rows for key in row}) or list(REQUIRED_KEYS)
    records = [keys, *([row.get(key) for key in keys] for row in rows)]
    return _rows_from_records(iter(records), JSON_FORMAT, "utf-8", header_line=0)


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK and GB2312)."""
    if b"\x00" in data:  # UTF-16, a binary file, or a NUL no database column can hold
        raise refuse(
            _("The file is not a text CSV (it may be UTF-16 or binary). In Excel choose “CSV UTF-8” or “CSV”."),
            "roster_encoding",
        )
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
            label = "UTF-8 (BOM)"
        return text, label
    raise refuse(
        _(
            "The CSV file's text encoding is neither UTF-8 nor GBK/GB18030, so the names cannot be read correctly. "
            "Save it from Excel as “CSV UTF-8” and upload again."
        ),
        "roster_encoding",
    )


def _parse_csv(data: bytes) -> ParsedRoster:
    text, encoding = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise refuse(_("The CSV file is malformed (%(error)s).") % {"error": error}, "roster_unreadable") from error
    return _rows_from_records(iter(records), "csv", encoding)


def _parse_xlsx(data: bytes) -> ParsedRoster:
    archive = open_zip_safely(
        data,
        max_unpacked=settings.ROSTER_MAX_UNPACKED_BYTES,
        max_members=2000,
        field="roster",
        what=_("The workbook"),
    )
    sheets = [m for m in archive.infolist() if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")]
    if not sheets:
        raise refuse(_("The file is not a valid XLSX workbook; save it again in Excel."), "roster_unreadable")
    _refuse_formulas(archive, sorted(sheets, key=lambda m: m.filename)[0])
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        records = sheet.iter_rows()
    except (CalamineError, ValueError, OSError) as error:
        raise refuse(_("The workbook cannot be read; save it again in Excel."), "roster_unreadable") from error
    except Exception as error:  # noqa: BLE001 - calamine raises its own errors for damaged files
        raise refuse(_("The workbook cannot be read; save it again in Excel."), "roster_unreadable") from error
    return _rows_from_records(records, "xlsx", "")


def _refuse_formulas(archive: zipfile.ZipFile, sheet: zipfile.ZipInfo) -> None:
    """A roster is data: a formula's value depends on the program that computed it, so it is refused."""
    tail = b""
    with archive.open(sheet) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if FORMULA_TAG.search(window):
                raise refuse(
                    _(
                        "The sheet contains formulas. A roster must hold values only: copy the cells and "
                        "“paste values”, then upload again."
                    ),
                    "roster_formulas",
                )
            tail = window[-8:]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        return value.isoformat()
    return str(value).strip()


def _rows_from_records(records: Iterator, file_format: str, encoding: str, header_line: int = 1) -> ParsedRoster:
    """The rows under the first non-empty record (the header); `header_line` is the number that record would
    have if it came first (a sheet's row 1; 0 for JSON rows, numbered from 1)."""
    header = None
    for line, record in enumerate(records, start=header_line):
        if any(_cell_text(cell) for cell in record):
            header, header_line = record, line
            break
    if header is None:
        raise refuse(_("The roster is empty: no header row and no rows."), "roster_empty")
    columns = _columns(header)
    rows: list[RawRow] = []
    examples = 0
    limit = settings.ROSTER_MAX_ROWS
    for line, record in enumerate(records, start=header_line + 1):
        values, problems = {}, []
        for index, key in columns:
            cell = record[index] if index < len(record) else None
            if key == "id_number" and isinstance(cell, float) and cell >= 1e15:
                # 18 digits do not survive as an Excel number: the last ones become 0.
                problems.append(
                    (
                        key,
                        _(
                            "Excel stored the ID number as a number and lost digits; format the "
                            "column as text and type the number again."
                        ),
                    )
                )
            values[key] = _cell_text(cell)
        if not any(values.values()):
            continue
        if (
            values.get("name", "").strip() == EXAMPLE_NAME
            and normalise(values.get("id_number", "")) in EXAMPLE_ID_NUMBERS
        ):
            examples += 1
            continue
        if len(rows) >= limit:
            raise refuse(
                _("The roster has more than %(limit)d rows; split it into several files.") % {"limit": limit},
                "roster_too_many_rows",
            )
        rows.append(RawRow(line=line, values=values, problems=problems))
    if not rows:
        raise refuse(_("The roster has a header row but no people in it."), "roster_no_rows")
    return ParsedRoster(file_format=file_format, encoding=encoding, rows=rows, example_rows_skipped=examples)


def _columns(header) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    unknown: list[str] = []
    for index, cell in enumerate(header):
        text = _cell_text(cell)
        if not text:
            continue
        key = KEY_BY_HEADER.get(text.lower().replace(" ", ""))
        if key is None:
            unknown.append(text)
        elif key in (k for _i, k in found):
            raise refuse(_("The column “%(column)s” appears twice.") % {"column": text}, "roster_duplicate_column")
        else:
            found.append((index, key))
    expected = "、".join(HEADER_BY_KEY.values())
    if not found:
        raise refuse(
            _("The first row is not a header row. The roster's first row must name the columns: %(columns)s.")
            % {"columns": expected},
            "roster_no_header",
        )
    if unknown:
        raise refuse(
            _("Unknown columns: %(unknown)s. Use the template's columns: %(columns)s.")
            % {"unknown": "、".join(unknown[:10]), "columns": expected},
            "roster_unknown_columns",
        )
    missing = [HEADER_BY_KEY[key] for key in REQUIRED_KEYS if key not in {k for _i, k in found}]
    if missing:
        raise refuse(
            _("Missing columns: %(missing)s. Use the template's columns: %(columns)s.")
            % {"missing": "、".join(missing), "columns": expected},
            "roster_missing_columns",
        )
    return found
