"""Exports neutralise formulas (SECURITY.md 17); /metrics is for staff and names its metrics."""

import csv
import datetime
import io

import pytest
import time_machine
from django.test import override_settings
from openpyxl import load_workbook

from applications.models import CardApplication, Person
from dashboards import summaries
from tests import factories

FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture
def formula_case(db, station):
    """An application past the review limit whose holder's name is a formula."""
    with time_machine.travel(datetime.datetime(2025, 9, 1, 10, tzinfo=datetime.UTC), tick=False):
        application = factories.make_application(factories.make_citizen(), station, submit=True)
    Person.objects.filter(pk=application.person_id).update(name=FORMULA)
    return application


def test_csv_and_xlsx_exports_write_formulas_as_text(client, admin_user, formula_case):
    client.force_login(admin_user)

    response = client.get("/dashboard/export/reviews.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(client.get("/dashboard/export/reviews.xlsx").content))
    cells = [cell.value for row in workbook.active.iter_rows() for cell in row]

    assert response.status_code == 200
    assert rows[1][1] == "'" + FORMULA
    assert "'" + FORMULA in cells and FORMULA not in cells


def test_every_table_exports(client, admin_user, formula_case):
    from dashboards.views import EXPORTS

    summaries.summarise()
    client.force_login(admin_user)
    for table in EXPORTS:
        for file_format in ("csv", "xlsx"):
            response = client.get(f"/dashboard/export/{table}.{file_format}")
            assert response.status_code == 200, (table, file_format)
    assert client.get("/dashboard/export/nothing.csv").status_code == 404


def test_metrics_are_for_staff_only(client, alice_citizen, bob_clerk):
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    client.force_login(alice_citizen)
    assert client.get("/metrics").status_code == 404

    client.force_login(bob_clerk)
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    for name in (
        "sbcard_queue_depth",
        "sbcard_partner_steps_open",
        "sbcard_partner_step_retries",
        "sbcard_partner_steps_unavailable",
        "sbcard_partner_requests_last_hour",
        "sbcard_partner_latency_ms_last_hour_bucket",
        "sbcard_notices_undelivered",
        "sbcard_dashboard_summary_age_seconds",
    ):
        assert f"# TYPE {name.removesuffix('_bucket')} " in text


@override_settings(METRICS_TOKEN="s3cret-token-for-the-scraper")
def test_metrics_accept_the_scraper_token(client, db):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-the-scraper").status_code == 200


def test_partner_latency_is_a_histogram_of_the_last_hour(client, bob_clerk, station, alice_citizen):
    from django.utils import timezone

    from partners.models import PartnerCall

    application = factories.make_application(alice_citizen, station, submit=True)
    now = timezone.now()
    for latency in (40, 120, 900):
        PartnerCall.objects.create(
            partner="bank", operation="open_account", application_id=application.pk, result="ok", latency_ms=latency,
            sent_at=now,
        )  # fmt: skip
    PartnerCall.objects.create(
        partner="bank", operation="open_account", result="ok", latency_ms=5, sent_at=now - datetime.timedelta(hours=2)
    )
    client.force_login(bob_clerk)

    text = client.get("/metrics").content.decode()

    # read back with Prometheus' own parser of the text format
    from prometheus_client.parser import text_string_to_metric_families

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    bucket = "sbcard_partner_latency_ms_last_hour_bucket"
    assert samples[(bucket, (("le", "100"), ("partner", "bank")))] == 1  # 40 ms; 120 and 900 above; 5 too old
    assert samples[(bucket, (("le", "1000"), ("partner", "bank")))] == 3
    assert samples[("sbcard_partner_latency_ms_last_hour_count", (("partner", "bank"),))] == 3
    assert samples[("sbcard_partner_latency_ms_last_hour_sum", (("partner", "bank"),))] == 40 + 120 + 900
    assert CardApplication.objects.count() == 1
