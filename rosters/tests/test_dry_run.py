"""The dry run: every row checked against the rules, the records and the information centre, with a report."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Status
from demo.photos import make_id_photo
from demo.roster_samples import roster_csv, roster_xlsx
from rosters.models import RosterBatch, RosterRow
from rosters.sheets import dry_run_report
from tests import factories

from .conftest import known_to_registry, upload

pytestmark = pytest.mark.django_db


def refusals_by_line(batch) -> dict[int, list[dict]]:
    return {row.line: row.refusals for row in RosterRow.objects.filter(batch=batch, accepted=False)}


def test_accepts_good_rows_and_reports_each_bad_cell_with_its_column(agent, partners):
    # given a roster with one good row and one row wrong in four cells
    rows = factories.roster_rows(3, region="330102")
    known_to_registry(partners, rows)
    rows[1].update(phone="1380013800", insurance_type="商业保险", name="张3")
    rows[1]["id_number"] = rows[1]["id_number"][:-1] + ("0" if rows[1]["id_number"][-1] != "0" else "1")
    rows[2]["household_city"] = ""

    # when it is checked
    batch = upload(agent, roster_xlsx(rows))

    # then
    assert batch.state == RosterBatch.State.CHECKED
    assert (batch.total_rows, batch.accepted_rows, batch.refused_rows) == (3, 1, 2)
    refused = refusals_by_line(batch)
    assert sorted(refused) == [3, 4]
    assert {r["column"] for r in refused[3]} == {"姓名", "身份证号码", "手机号码", "参保类型"}
    assert [r["column"] for r in refused[4]] == ["户籍所在城市"]
    assert all(r["message"] for r in refused[3])


def test_refuses_duplicates_in_the_file_open_applications_and_card_holders(agent, partners, station):
    # given people who already have an open application or hold a card
    rows = factories.roster_rows(4, region="330103")
    known_to_registry(partners, rows)
    citizen = factories.make_citizen("王小丽")
    open_row = {**rows[1], "id_number": citizen.person.id_number, "name": citizen.person.name}
    factories.make_application(citizen, station, submit=True)
    holder = factories.make_citizen("赵大伟")
    collected = factories.force_status(factories.make_application(holder, station), Status.COLLECTED)
    from issuance.models import Card

    Card.objects.create(
        number="H00000001",
        application=collected,
        person=holder.person,
        issued_at=collected.created_at,
        status_changed_at=collected.created_at,
    )
    holder_row = {**rows[2], "id_number": holder.person.id_number, "name": holder.person.name}
    known_to_registry(partners, [open_row, holder_row])
    roster = [rows[0], open_row, holder_row, rows[3], dict(rows[0])]

    # when
    batch = upload(agent, roster_xlsx(roster))

    # then
    refused = refusals_by_line(batch)
    assert sorted(refused) == [3, 4, 6]
    assert "row 2" in refused[6][0]["message"] or "2" in refused[6][0]["message"]
    assert refused[3][0]["column"] == "身份证号码"
    assert refused[4][0]["column"] == "身份证号码"
    assert batch.accepted_rows == 2


def test_asks_the_information_centre_in_one_request_per_chunk(agent, partners, settings):
    settings.ROSTER_CHUNK_ROWS = 10
    rows = factories.roster_rows(25, region="330104")
    known_to_registry(partners, rows[:-2])
    known_to_registry(partners, [{**rows[-2], "name": "别的名字"}])

    batch = upload(agent, roster_xlsx(rows))

    assert partners["registry"].counters["POST /lookup-batch"] == 3
    assert partners["registry"].counters["POST /lookup"] == 0
    refused = refusals_by_line(batch)
    assert refused[25][0]["column"] == "姓名"  # the centre knows her under another name
    assert refused[26][0]["column"] == "身份证号码"  # no household record
    assert batch.accepted_rows == 23


def test_photos_come_from_the_zip_unless_the_centre_has_the_id_photo(agent, partners):
    # given three people the centre has without an ID photo, and one with
    rows = factories.roster_rows(4, region="330105")
    known_to_registry(partners, rows[:3], has_id_photo=False)
    known_to_registry(partners, rows[3:], has_id_photo=True)
    photos = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(photos, "w") as archive:
        archive.writestr(f"{rows[0]['id_number']}.jpg", make_id_photo())
        archive.writestr(f"../../etc/{rows[1]['id_number']}.JPG", make_id_photo(size=(300, 400)))
        archive.writestr("readme.txt", "not a photo")

    # when
    batch = upload(agent, roster_xlsx(rows), photos=photos.getvalue())

    # then: row 2 has a good photo, row 3 a wrong one, row 4 none, row 5 needs none
    refused = refusals_by_line(batch)
    assert sorted(refused) == [3, 4]
    assert refused[3][0]["column"] == "照片" and "300 × 400" in refused[3][0]["message"]
    assert refused[4][0]["column"] == "照片"
    good = RosterRow.objects.get(batch=batch, line=2)
    assert good.photo_file.startswith(f"roster-photos/{batch.pk}/") and ".." not in good.photo_file
    assert RosterRow.objects.get(batch=batch, line=5).photo_on_file_at_registry is True
    assert "1" in batch.problem  # one file in the ZIP is not named by an ID number


def test_a_photo_zip_bomb_is_refused_before_unpacking(agent, partners, settings):
    rows = factories.roster_rows(1, region="330105", offset=10)
    known_to_registry(partners, rows, has_id_photo=False)
    settings.PHOTO_ZIP_MAX_BYTES = 30 * 1024 * 1024
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{rows[0]['id_number']}.jpg", b"\xff\xd8\xff" + b"\0" * (40 * 1024 * 1024))

    batch = upload(agent, roster_xlsx(rows), photos=out.getvalue())

    assert batch.state == RosterBatch.State.UNREADABLE
    assert not RosterRow.objects.filter(batch=batch).exists()


def test_a_pre_school_child_needs_no_photo(agent, partners):
    today = timezone.localdate()
    rows = factories.roster_rows(1, region="330106", first_birth=today.replace(year=today.year - 3))
    known_to_registry(partners, rows, has_id_photo=False)
    batch = upload(agent, roster_csv(rows), "roster.csv")
    assert batch.accepted_rows == 1


def test_the_report_downloads_with_an_error_column_and_no_formulas(agent, partners):
    # given a row whose name and address are formulas
    rows = factories.roster_rows(2, region="330107")
    known_to_registry(partners, rows)
    rows[1]["name"] = '=HYPERLINK("http://evil.example","点我")'
    rows[0]["address"] = "@SUM(A1:A9)"
    batch = upload(agent, roster_csv(rows), "roster.csv")

    # when the report is downloaded
    sheet = load_workbook(io.BytesIO(dry_run_report(batch))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]

    # then the refused row carries its reasons in the last column, and no cell is a formula
    assert values[0][-1] and values[0][2] == "身份证号码"
    refused = next(row for row in values[1:] if row[0] == 3)
    assert "姓名" in refused[-1]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    assert refused[1].startswith("'=HYPERLINK")


def test_an_unreadable_file_makes_an_unreadable_batch_with_the_reason(agent, partners):
    batch = upload(agent, b"\xff\xfe\x80\x80,1\n", "roster.csv")
    assert batch.state == RosterBatch.State.UNREADABLE
    assert "UTF-8" in batch.problem


def test_the_same_file_again_gives_back_its_batch(agent, partners):
    rows = factories.roster_rows(2, region="330108")
    known_to_registry(partners, rows)
    content = roster_xlsx(rows)
    first = upload(agent, content)
    again = upload(agent, content)
    assert again.pk == first.pk
    assert RosterBatch.objects.count() == 1
