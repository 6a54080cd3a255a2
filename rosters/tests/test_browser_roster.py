"""An employer agent uploads a GBK CSV roster with photos, reads the dry-run report and submits (Chromium)."""

import pytest

from applications.models import CardApplication, Status
from demo.roster_samples import photos_zip, roster_csv
from rosters.models import RosterBatch
from tests import factories
from tests.browser import chromium_page

from .conftest import known_to_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_uploads_a_roster_reads_the_report_and_submits(live_server, partners, tmp_path, artifacts_dir):
    # given an approved employer's agent, and a GBK roster of four: one with 堃 in the name, one bad phone,
    # one the information centre does not know, one whose photo comes in the ZIP
    station = factories.make_station("S950", "高新区")
    agent = factories.make_agent(factories.make_employer(station))
    rows = factories.roster_rows(4, region="330151")
    rows[0]["name"] = "王堃"
    rows[1]["phone"] = "12345"
    known_to_registry(partners, [rows[0], rows[1]])
    known_to_registry(partners, [rows[3]], has_id_photo=False)
    roster = tmp_path / "名册.csv"
    roster.write_bytes(roster_csv(rows, encoding="gbk"))
    photos = tmp_path / "照片.zip"
    photos.write_bytes(photos_zip([rows[3]["id_number"]]))

    with chromium_page(viewport={"width": 390, "height": 844}) as page:
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{live_server.url}/accounts/sign-in/")
        page.fill("input[name=username]", agent.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit].primary")
        page.goto(f"{live_server.url}/employer/rosters/upload/")

        # when the agent uploads the roster and the photos
        page.set_input_files("input[name=roster]", str(roster))
        page.set_input_files("input[name=photos]", str(photos))
        page.click("#check-button")
        page.wait_for_selector("#summary")

        # then the dry-run report shows the counts and each refused row with its column
        accepted = page.inner_text("#accepted-count")
        refused = page.inner_text("#refused-count")
        table = page.inner_text("#refused-rows")
        page.screenshot(path=str(artifacts_dir / "roster-dry-run-report.png"), full_page=True)

        # and the agent submits the accepted rows
        page.click("#submit-button")
        page.wait_for_selector("#batch-applications")
        people = page.inner_text("#batch-applications")
        page.screenshot(path=str(artifacts_dir / "roster-batch-submitted.png"), full_page=True)

    assert (accepted, refused) == ("2", "2")
    assert "手机号码" in table and "身份证号码" in table
    assert "王堃" in people  # decoded from GBK, not mojibake
    batch = RosterBatch.objects.get()
    assert batch.encoding == "GB18030"
    applications = CardApplication.objects.filter(roster_entry__batch=batch)
    assert applications.count() == 2 and {a.status for a in applications} == {Status.SUBMITTED}
    assert applications.get(person__id_number=rows[3]["id_number"]).photo_id is not None
