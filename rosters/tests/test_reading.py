"""Reading rosters: XLSX made with openpyxl, CSV in UTF-8 (BOM) and GBK/GB18030, and the files refused."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from demo.roster_samples import HEADERS, roster_csv, roster_xlsx
from rosters.reading import decode_csv, parse_roster
from sbcard.errors import InvalidInput
from tests import factories

RARE_NAMES = ["刘䶮", "王堃", "𠮷野家"]  # 䶮 needs GB18030; 堃 is in GBK; 𠮷 is outside the BMP and not in GBK


def rows_with(names):
    rows = factories.roster_rows(len(names), region="330110")
    for row, name in zip(rows, names, strict=True):
        row["name"] = name
    return rows


def refusal(data: bytes, name: str = "roster.xlsx") -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_roster(data, name)
    return caught.value


def test_reads_an_xlsx_made_with_openpyxl_with_rare_characters():
    rows = rows_with(RARE_NAMES)
    parsed = parse_roster(roster_xlsx(rows), "roster.xlsx")
    assert parsed.file_format == "xlsx"
    assert [row.values["name"] for row in parsed.rows] == RARE_NAMES
    assert [row.values["id_number"] for row in parsed.rows] == [row["id_number"] for row in rows]
    assert [row.line for row in parsed.rows] == [2, 3, 4]


def test_reads_a_utf8_csv_with_bom_and_every_rare_character():
    data = roster_csv(rows_with(RARE_NAMES), encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = parse_roster(data, "roster.csv")
    assert parsed.encoding == "UTF-8 (BOM)"
    assert [row.values["name"] for row in parsed.rows] == RARE_NAMES


def test_reads_a_utf8_csv_without_bom():
    parsed = parse_roster(roster_csv(rows_with(["王堃"]), encoding="utf-8"), "roster.csv")
    assert parsed.encoding == "UTF-8"
    assert parsed.rows[0].values["name"] == "王堃"


def test_a_gbk_file_carries_kun_but_cannot_carry_yan_or_ji():
    # 𠮷 (outside the BMP) and 䶮 (CJK extension A, added in GB18030) have no GBK code
    for name in ("𠮷野家", "刘䶮"):
        with pytest.raises(UnicodeEncodeError):
            roster_csv(rows_with([name]), encoding="gbk")
    data = roster_csv(rows_with(["王堃", "张伟"]), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # so the reader must detect it, not assume UTF-8
    parsed = parse_roster(data, "roster.csv")
    assert parsed.encoding == "GB18030"
    assert [row.values["name"] for row in parsed.rows] == ["王堃", "张伟"]


def test_a_gb18030_file_carries_every_rare_character():
    data = roster_csv(rows_with(RARE_NAMES), encoding="gb18030")
    parsed = parse_roster(data, "roster.csv")
    assert [row.values["name"] for row in parsed.rows] == RARE_NAMES


def test_an_undecodable_csv_is_refused_not_stored_as_mojibake():
    data = "姓名,身份证号码\n".encode() + b"\xff\xfe\x80\x80,1\n"
    error = refusal(data, "roster.csv")
    assert error.code == "roster_encoding"
    with pytest.raises(InvalidInput):
        decode_csv(b"\xa1")  # half a GBK character


def test_a_utf16_file_is_refused_with_advice():
    error = refusal(roster_csv(rows_with(["张伟"]), encoding="utf-16"), "roster.csv")
    assert error.code == "roster_encoding"


def test_a_nul_deep_inside_a_csv_is_refused_not_a_server_error():
    data = roster_csv(factories.roster_rows(300, region="330111")) + "张伟\x00,1\n".encode()  # well past the first 4 KB
    assert len(data) > 4096
    error = refusal(data, "roster.csv")
    assert error.code == "roster_encoding"


def test_a_file_without_a_header_row_is_refused():
    rows = factories.roster_rows(2, region="330110")
    data = roster_xlsx(rows[1:], headers=list(rows[0].values()))
    error = refusal(data)
    assert error.code == "roster_no_header"
    assert "身份证号码" in str(error.message)


def test_unknown_and_missing_columns_are_named():
    rows = factories.roster_rows(1, region="330110")
    error = refusal(roster_xlsx(rows, headers=[*HEADERS[:5], "备注"]))
    assert error.code == "roster_unknown_columns"
    assert "备注" in str(error.message)
    error = refusal(roster_csv([{"name": "张伟"}], headers=["姓名"]), "roster.csv")
    assert error.code == "roster_missing_columns"
    assert "身份证号码" in str(error.message)


def test_a_sheet_with_formulas_is_refused():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["张伟", '=CONCATENATE("3301","06199001010012")', "13800138000", "x", "杭州市", "地址"])
    out = io.BytesIO()
    workbook.save(out)
    assert refusal(out.getvalue()).code == "roster_formulas"


def test_an_id_number_stored_as_an_excel_number_is_reported_on_its_row():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["张伟", 330106199001010012, "13800138000", "城镇职工基本医疗保险", "杭州市", "地址"])
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse_roster(out.getvalue(), "roster.xlsx")
    assert parsed.rows[0].problems and parsed.rows[0].problems[0][0] == "id_number"


def test_a_zip_bomb_posing_as_a_workbook_is_refused_before_unpacking(settings):
    settings.ROSTER_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 200 * 1024  # a tiny file that would unpack to 60 MB
    assert refusal(data).code == "zip_too_large_unpacked"
    settings.ROSTER_MAX_UNPACKED_BYTES = 500 * 1024 * 1024
    assert refusal(data).code == "zip_bomb"  # within the size limit, but compressed a thousandfold


def test_an_old_xls_and_an_empty_file_are_refused():
    assert refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "roster.xls").code == "roster_xls"
    assert refusal(roster_csv([]), "roster.csv").code == "roster_no_rows"


def test_too_many_rows_are_refused(settings):
    settings.ROSTER_MAX_ROWS = 3
    assert refusal(roster_xlsx(factories.roster_rows(4, region="330110"))).code == "roster_too_many_rows"


def test_the_template_example_row_and_empty_rows_are_skipped():
    rows = factories.roster_rows(1, region="330110")
    example = {**rows[0], "name": "张三", "id_number": "11010519491231002x"}  # the template's row, as left in
    old_example = {**rows[0], "name": "张三", "id_number": "110105194912310022"}  # an older template's row
    real = {**rows[0], "name": "林秀英", "id_number": "11010519491231002X"}  # the example number is a person's too
    parsed = parse_roster(roster_xlsx([example, {}, old_example, rows[0], real]), "roster.xlsx")
    assert parsed.example_rows_skipped == 2
    assert [row.line for row in parsed.rows] == [5, 6]
