"""Employer registration and approval, the template, the pages and the API, and who may see what."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Employer, Role, User
from applications.models import CardApplication, Status
from demo.photos import make_id_photo
from demo.roster_samples import HEADERS, roster_xlsx
from rosters.models import EmployerDocument, RosterBatch
from rosters.reading import INSURANCE_CHOICES
from tests import factories, oracles

from .conftest import known_to_registry, upload

pytestmark = pytest.mark.django_db


def png(name="scan.png"):
    return SimpleUploadedFile(name, make_id_photo(image_format="PNG"), content_type="image/png")


def test_an_employer_registers_with_its_materials_and_a_clerk_approves_it(client, station, bob_clerk, dave_clerk):
    # given the registration form with a licence that is really a text file
    form = {
        "name": "杭州测试科技有限公司",
        "credit_code": factories.next_credit_code(),
        "station": station.pk,
        "contact_phone": "0571-88888888",
        "agent_name": "郑专员",
        "agent_phone": "13700000001",
        "agent_username": "zheng",
        "password": "Roster-Agent-2026",
        "business_licence": SimpleUploadedFile("licence.pdf", b"just text, not a PDF"),
        "agent_id": png(),
        "bank_agreement": png(),
    }
    response = client.post(reverse("rosters:register"), form)
    assert response.status_code == 400
    assert not Employer.objects.filter(name=form["name"]).exists()

    # when the real licence is uploaded (a PNG named .pdf is judged by its content)
    form.update(business_licence=png("licence.pdf"), agent_id=png(), bank_agreement=png())
    response = client.post(reverse("rosters:register"), form)
    assert response.status_code == 302
    employer = Employer.objects.get(name=form["name"])
    assert not employer.is_approved
    assert set(employer.documents.values_list("kind", flat=True)) == set(EmployerDocument.Kind.values)
    agent = User.objects.get(username="zheng")
    assert agent.role == Role.EMPLOYER_AGENT and agent.employer == employer
    # the agent cannot upload before approval
    page = client.get(reverse("rosters:dashboard"))
    assert 'id="approval"' in page.content.decode()

    # then another station's clerk does not even see it; the station's clerk approves it
    client.force_login(dave_clerk)
    assert client.post(reverse("rosters:station_employers"), {"employer": employer.pk}).status_code == 404
    client.force_login(bob_clerk)
    assert client.get(reverse("rosters:employer_document", args=[employer.pk, "agent_id"])).status_code == 200
    client.post(reverse("rosters:station_employers"), {"employer": employer.pk})
    employer.refresh_from_db()
    assert employer.is_approved and employer.approval.approved_by == bob_clerk


def test_an_invalid_credit_code_is_refused(client, station):
    response = client.post(
        reverse("rosters:register"),
        {"name": "x", "credit_code": "91330106MA0000000X", "station": station.pk, "agent_name": "郑专员",
         "agent_phone": "13700000001", "agent_username": "z2", "password": "Roster-Agent-2026",
         "business_licence": png(), "agent_id": png(), "bank_agreement": png()},
    )  # fmt: skip
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode() or "credit code" in response.content.decode()


def test_the_template_has_chinese_headers_a_drop_down_and_an_example_row(client, agent):
    client.force_login(agent)
    response = client.get(reverse("rosters:template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["B2"].value == oracles.GB11643_EXAMPLE and oracles.is_valid_resident_id(sheet["B2"].value)
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].type == "list"
    assert all(choice in validations[0].formula1 for choice in INSURANCE_CHOICES)
    assert sheet["B3"].number_format == "@"


def test_the_agent_uploads_sees_the_report_and_submits_through_the_pages(client, agent, partners):
    rows = factories.roster_rows(3, region="330141")
    known_to_registry(partners, rows[:2])
    client.force_login(agent)
    assert client.get(reverse("rosters:upload")).status_code == 200

    response = client.post(reverse("rosters:upload"), {"roster": SimpleUploadedFile("名册.xlsx", roster_xlsx(rows))})
    batch = RosterBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rosters:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="accepted-count">2<' in page and 'id="refused-count">1<' in page
    assert rows[2]["id_number"] not in page  # masked on the page
    assert client.get(reverse("rosters:report", args=[batch.pk])).status_code == 200

    client.post(reverse("rosters:submit", args=[batch.pk]))
    assert CardApplication.objects.filter(status=Status.SUBMITTED).count() == 2
    page = client.get(reverse("rosters:batch", args=[batch.pk])).content.decode()
    assert 'id="batch-applications"' in page
    export = load_workbook(io.BytesIO(client.get(reverse("rosters:export", args=[batch.pk])).content)).worksheets[0]
    assert export.max_row == 3


def test_a_bad_file_on_the_page_says_why(client, agent, partners):
    client.force_login(agent)
    response = client.post(reverse("rosters:upload"), {"roster": SimpleUploadedFile("x.csv", b"\xff\xfe\x80\x80")})
    batch = RosterBatch.objects.get()
    assert batch.state == RosterBatch.State.UNREADABLE
    page = client.get(response["Location"]).content.decode()
    assert 'id="file-problem"' in page


def test_an_oversize_file_is_refused_before_it_is_read(client, agent, settings):
    settings.ROSTER_MAX_BYTES = 1000
    client.force_login(agent)
    response = client.post(reverse("rosters:upload"), {"roster": SimpleUploadedFile("x.xlsx", b"PK" + b"\0" * 2000)})
    assert response.status_code == 400
    assert not RosterBatch.objects.exists()


def test_another_employers_agent_and_another_stations_clerk_get_404(client, agent, partners, dave_clerk, station):
    rows = factories.roster_rows(1, region="330142")
    known_to_registry(partners, rows)
    batch = upload(agent, roster_xlsx(rows))
    other_agent = factories.make_agent(factories.make_employer(station))
    citizen = factories.make_citizen()
    names = ["batch", "progress", "report", "payment_notice", "pickup_list"]
    for user in (other_agent, dave_clerk, citizen):
        client.force_login(user)
        for name in names:
            assert client.get(reverse(f"rosters:{name}", args=[batch.pk])).status_code == 404, (user, name)
        assert client.post(reverse("rosters:submit", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.state == RosterBatch.State.CHECKED


def test_the_api_uploads_reports_and_submits(api_client, agent, partners, station):
    rows = factories.roster_rows(2, region="330143")
    known_to_registry(partners, rows[:1])
    api_client.force_authenticate(agent)
    response = api_client.post(
        "/api/v1/roster-batches/", {"roster": SimpleUploadedFile("r.xlsx", roster_xlsx(rows))}, format="multipart"
    )
    assert response.status_code == 201, response.content
    batch_id = response.json()["id"]
    assert response.json()["accepted_rows"] == 1 and response.json()["state"] == "checked"

    refused = api_client.get(f"/api/v1/roster-batches/{batch_id}/rows/?accepted=false").json()
    assert refused["count"] == 1
    assert refused["results"][0]["refusals"][0]["column"] == "身份证号码"
    assert "*" in refused["results"][0]["id_number"]

    response = api_client.post(f"/api/v1/roster-batches/{batch_id}/submit/")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert response.json()["status_counts"] == [
        {"status": "submitted", "label": str(Status.SUBMITTED.label), "count": 1}
    ]
    assert api_client.post(f"/api/v1/roster-batches/{batch_id}/submit/").status_code == 409
    applications = api_client.get(f"/api/v1/roster-batches/{batch_id}/applications/").json()
    assert applications["count"] == 1

    # another employer's agent: not found, and not listed
    api_client.force_authenticate(factories.make_agent(factories.make_employer(station)))
    assert api_client.get(f"/api/v1/roster-batches/{batch_id}/").status_code == 404
    assert api_client.get("/api/v1/roster-batches/").json()["count"] == 0
    # unknown fields are refused
    response = api_client.post(
        "/api/v1/roster-batches/",
        {"roster": SimpleUploadedFile("r.xlsx", roster_xlsx(rows)), "state": "submitted"},
        format="multipart",
    )
    assert response.status_code == 400


def test_a_large_upload_is_checked_by_a_job_whose_progress_the_page_polls(client, agent, partners, settings):
    settings.ROSTER_BACKGROUND_BYTES = 100
    rows = factories.roster_rows(3, region="330144")
    known_to_registry(partners, rows)
    client.force_login(agent)
    from unittest import mock

    with mock.patch("rosters.tasks.check_roster.delay") as delay:
        with mock.patch("django.db.transaction.on_commit", lambda callback: callback()):
            client.post(reverse("rosters:upload"), {"roster": SimpleUploadedFile("r.xlsx", roster_xlsx(rows))})
    batch = RosterBatch.objects.get()
    delay.assert_called_once_with(batch.pk)
    assert batch.state == RosterBatch.State.CHECKING
    page = client.get(reverse("rosters:batch", args=[batch.pk])).content.decode()
    assert 'id="progress"' in page and "rosters/progress.js" in page
    assert client.get(reverse("rosters:progress", args=[batch.pk])).json()["state"] == "checking"

    from rosters.tasks import check_roster

    check_roster.run(batch.pk)  # what the worker runs
    progress = client.get(reverse("rosters:progress", args=[batch.pk])).json()
    assert progress == {"state": "checked", "total_rows": 3, "rows_checked": 3, "percent": 100, "problem": ""}
    check_roster.run(batch.pk)  # redelivered: nothing changes
    assert RosterBatch.objects.get().rows.count() == 3
