"""Rosters by API (issue 19): an HR system sends its staff as JSON rows. The dry run and its report are the file
upload's own; photos come one per row, then the batch is checked again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.photos import make_id_photo
from demo.roster_samples import roster_xlsx
from rosters.models import RosterBatch, RosterRow
from rosters.reading import INSURANCE_CHOICES
from tests import factories

from .conftest import known_to_registry, upload

pytestmark = pytest.mark.django_db
ROWS_URL = "/api/v1/roster-batches/rows/"


def as_json_rows(rows: list[dict]) -> list[dict]:
    """The sample rows as the API takes them: the insurance type as its code, not the form's Chinese name."""
    return [
        {**row, "insurance_type": INSURANCE_CHOICES.get(row["insurance_type"], row["insurance_type"])} for row in rows
    ]


def jpeg(**options) -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", make_id_photo(**options), content_type="image/jpeg")


def report(batch_id: int, first_line: int) -> dict[int, list[tuple[str, str]]]:
    """Each row's refusals, the rows numbered from 1 whatever the source (a sheet's first row is its header)."""
    return {
        row.line - first_line + 1: sorted((r["column"], r["message"]) for r in row.refusals)
        for row in RosterRow.objects.filter(batch_id=batch_id).order_by("line")
    }


def test_json_rows_get_the_same_checks_and_report_as_the_same_rows_in_a_file(api_client, agent, partners):
    # given rows wrong in every way the file upload knows: check character, name, phone, empty cell, a duplicate
    rows = factories.roster_rows(6, region="330105")
    known_to_registry(partners, rows)
    rows[1]["id_number"] = rows[1]["id_number"][:-1] + ("0" if rows[1]["id_number"][-1] != "0" else "1")
    rows[2].update(name="张3", phone="1380013800")
    rows[3]["household_city"] = ""
    rows[5] = dict(rows[0])
    api_client.force_authenticate(agent)

    # when they are sent as JSON, and the same rows uploaded as a workbook
    response = api_client.post(ROWS_URL, {"rows": as_json_rows(rows)}, format="json")
    from_file = upload(agent, roster_xlsx(rows))

    # then the dry run's verdicts are the file's, row by row, and the counts too
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["file_format"], body["total_rows"]) == ("checked", "json", 6)
    assert (body["accepted_rows"], body["refused_rows"]) == (from_file.accepted_rows, from_file.refused_rows) == (2, 4)
    by_json, by_file = report(body["id"], first_line=1), report(from_file.pk, first_line=2)
    assert {line: [column for column, _m in found] for line, found in by_json.items()} == {
        line: [column for column, _m in found] for line, found in by_file.items()
    }
    assert {line: by_json[line] for line in range(1, 6)} == {line: by_file[line] for line in range(1, 6)}
    # the duplicate's message names where the number came first, in each source's own numbering
    assert "1" in by_json[6][0][1] and "2" in by_file[6][0][1]
    refused = api_client.get(f"/api/v1/roster-batches/{body['id']}/rows/?accepted=false").json()
    assert [row["line"] for row in refused["results"]] == [2, 3, 4, 6]
    assert all("*" in row["id_number"] for row in refused["results"])


def test_rows_without_a_photo_get_one_each_then_pass_a_second_check_and_are_submitted(api_client, agent, partners):
    # given two people the information centre has no ID photo of
    rows = factories.roster_rows(2, region="330106")
    known_to_registry(partners, rows, has_id_photo=False)
    api_client.force_authenticate(agent)
    batch = api_client.post(ROWS_URL, {"rows": as_json_rows(rows)}, format="json").json()
    assert batch["accepted_rows"] == 0
    url = f"/api/v1/roster-batches/{batch['id']}"
    first = api_client.get(f"{url}/rows/").json()["results"][0]
    assert first["refusals"][0]["column"] == "照片" and "1" in first["refusals"][0]["message"]

    # when row 1 gets a good photo (row 2 a bad one, refused at once) and the batch is checked again
    uploaded = api_client.post(f"{url}/rows/1/photo/", {"photo": jpeg()}, format="multipart")
    bad = api_client.post(f"{url}/rows/2/photo/", {"photo": jpeg(size=(300, 400))}, format="multipart")
    checked = api_client.post(f"{url}/check/", format="json")

    # then row 1 is accepted, row 2 still waits for its photo, and the accepted row is submitted
    assert uploaded.status_code == 200 and uploaded.json()["line"] == 1
    assert bad.status_code == 400 and bad.json()["code"] == "photo_dimensions"
    assert checked.status_code == 200, checked.content
    assert (checked.json()["state"], checked.json()["accepted_rows"], checked.json()["refused_rows"]) == (
        "checked",
        1,
        1,
    )
    submitted = api_client.post(f"{url}/submit/", format="json")
    assert submitted.status_code == 200 and submitted.json()["submitted_count"] == 1
    applications = api_client.get(f"{url}/applications/").json()["results"]
    assert [(a["line"], a["status"]) for a in applications] == [(1, "submitted")]
    assert applications[0]["name"] == rows[0]["name"]
    # a submitted batch takes no more photos or checks
    assert api_client.post(f"{url}/rows/2/photo/", {"photo": jpeg()}, format="multipart").status_code == 409
    assert api_client.post(f"{url}/check/", format="json").status_code == 409


def test_the_same_rows_again_give_their_batch_back(api_client, agent, partners):
    rows = factories.roster_rows(2, region="330108")
    known_to_registry(partners, rows)
    api_client.force_authenticate(agent)

    first = api_client.post(ROWS_URL, {"rows": as_json_rows(rows)}, format="json")
    again = api_client.post(ROWS_URL, {"rows": as_json_rows(rows)}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert RosterBatch.objects.count() == 1


def test_rows_of_the_wrong_shape_are_a_400_naming_the_row_and_nothing_is_stored(api_client, agent):
    api_client.force_authenticate(agent)
    good = as_json_rows(factories.roster_rows(1, region="330109"))[0]

    unknown = api_client.post(ROWS_URL, {"rows": [good, {**good, "status": "submitted"}]}, format="json")
    missing = api_client.post(ROWS_URL, {"rows": [{k: v for k, v in good.items() if k != "phone"}]}, format="json")
    empty = api_client.post(ROWS_URL, {"rows": []}, format="json")
    bad_insurance = api_client.post(ROWS_URL, {"rows": [{**good, "insurance_type": "商业保险"}]}, format="json")
    as_form = api_client.post(ROWS_URL, {"rows": "x"}, format="multipart")

    assert unknown.status_code == 400 and "rows.1.status" in unknown.json()["errors"]
    assert missing.status_code == 400 and "rows.0.phone" in missing.json()["errors"]
    assert empty.status_code == 400 and empty.json()["field"].startswith("rows")
    assert bad_insurance.status_code == 400 and bad_insurance.json()["field"] == "rows.0.insurance_type"
    assert as_form.status_code == 415
    assert not RosterBatch.objects.exists()


def test_a_photo_for_a_row_that_does_not_exist_is_refused(api_client, agent, partners):
    rows = factories.roster_rows(1, region="330110")
    known_to_registry(partners, rows)
    api_client.force_authenticate(agent)
    batch = api_client.post(ROWS_URL, {"rows": as_json_rows(rows)}, format="json").json()

    response = api_client.post(
        f"/api/v1/roster-batches/{batch['id']}/rows/9/photo/", {"photo": jpeg()}, format="multipart"
    )

    assert response.status_code == 400 and response.json()["code"] == "no_such_row"


def test_another_employers_agent_cannot_add_photos_or_check(api_client, agent, partners, station):
    rows = factories.roster_rows(1, region="330111")
    known_to_registry(partners, rows, has_id_photo=False)
    api_client.force_authenticate(agent)
    batch = api_client.post(ROWS_URL, {"rows": as_json_rows(rows)}, format="json").json()

    api_client.force_authenticate(factories.make_agent(factories.make_employer(station)))
    photo = api_client.post(
        f"/api/v1/roster-batches/{batch['id']}/rows/1/photo/", {"photo": jpeg()}, format="multipart"
    )
    check = api_client.post(f"/api/v1/roster-batches/{batch['id']}/check/", format="json")

    assert (photo.status_code, check.status_code) == (404, 404)
