"""One test per promise in SECURITY.md, named after it (issue 7). Each is a short, direct check of the
promise; the fuller tests behind each are listed in the README's security table."""

import datetime
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from applications import workflow
from applications.models import PartnerStep, Status, StatusEvent, VendorCallback
from audit.models import AuditEntry
from demo.photos import make_id_photo
from partners.signing import signed_headers
from sbcard.errors import Conflict, InvalidInput, NotPermitted

from . import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_01_object_level_access_someone_elses_record_is_a_404_and_lists_hold_only_in_scope_rows(
    api_client, alice_citizen, eve_citizen, station
):
    application = factories.make_application(alice_citizen, station, submit=True)
    api_client.force_authenticate(eve_citizen)

    assert api_client.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/applications/{application.pk}/withdraw/").status_code == 404
    assert api_client.get("/api/v1/applications/").json()["results"] == []
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_02_field_level_writes_a_citizen_cannot_set_status_station_fees_or_card_numbers(
    api_client, alice_citizen, station
):
    application = factories.make_application(alice_citizen, station)
    api_client.force_authenticate(alice_citizen)

    for field, value in [
        ("status", "collected"),
        ("card_number", "H1"),
        ("bank_account_number", "1"),
        ("fee_total_yuan", 0),
    ]:
        response = api_client.patch(f"/api/v1/applications/{application.pk}/", {field: value}, format="json")
        assert response.status_code == 400 and field in response.json()["errors"]
    application.refresh_from_db()
    assert (application.status, application.card_number) == (Status.DRAFT, "")


def test_03_only_the_transitions_in_the_table_by_the_roles_in_the_table(alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)

    with pytest.raises(NotPermitted):
        workflow.apply_event(application.pk, "approve", actor=alice_citizen)
    with pytest.raises(Conflict):
        workflow.apply_event(application.pk, "hand_over", actor=bob_clerk)
    assert not StatusEvent.objects.filter(application=application, event__in=["approve", "hand_over"]).exists()


def test_04_login_failures_lock_out_idle_sessions_expire_logout_kills_and_deactivation_ends_sessions(
    alice_citizen, bob_clerk
):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 2, tzinfo=datetime.UTC)) as traveller:
        locked = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            locked.post("/accounts/sign-in/", {"username": alice_citizen.username, "password": "no"})
        assert (
            locked.post(
                "/accounts/sign-in/", {"username": alice_citizen.username, "password": factories.PASSWORD}
            ).status_code
            == 429
        )
        idle = signed_in(bob_clerk)
        traveller.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        assert idle.get("/station/queue/").status_code == 302
    clerk = signed_in(bob_clerk)
    bob_clerk.is_active = False
    bob_clerk.save()
    assert clerk.get("/station/queue/").status_code == 302


def test_05_passwords_pass_djangos_validators_including_the_common_password_list():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password1")
    validate_password("Lanting-Xu-2026")


def test_06_id_numbers_phones_and_bank_accounts_are_masked_where_the_viewer_has_no_need(
    alice_citizen, bob_clerk, station
):
    application = factories.make_application(alice_citizen, station, submit=True)
    number = alice_citizen.person.id_number

    for client, url in [
        (signed_in(alice_citizen), f"/applications/{application.pk}/"),
        (signed_in(bob_clerk), "/station/queue/"),
        (signed_in(bob_clerk), "/api/v1/applications/"),
    ]:
        page = client.get(url).content.decode()
        assert number not in page
    listed = signed_in(bob_clerk).get("/api/v1/applications/").json()["results"][0]["holder"]["id_number"]
    assert listed == number[:6] + "********" + number[-4:]
    assert number in signed_in(bob_clerk).get(f"/station/applications/{application.pk}/").content.decode()


def test_07_no_personal_data_in_urls_logs_or_task_arguments(
    alice_citizen, bob_clerk, station, caplog, django_capture_on_commit_callbacks
):
    application = factories.make_application(alice_citizen, station, submit=True)

    with django_capture_on_commit_callbacks() as callbacks:
        workflow.apply_event(application.pk, "approve", actor=bob_clerk)
    pickup = signed_in(bob_clerk).get("/window/pickup/")
    arguments = [repr(getattr(callback, "args", "")) for callback in callbacks]

    assert all(
        alice_citizen.person.id_number not in text and alice_citizen.phone not in text
        for text in arguments + [record.getMessage() for record in caplog.records]
    )
    assert b'method="post"' in pickup.content  # the ID-number search goes in a POST body, not the URL


def test_07_the_admin_finds_a_person_by_id_number_in_a_post_not_a_url(alice_citizen, admin_user):
    admin = signed_in(admin_user)
    number = alice_citizen.person.id_number

    found = admin.post("/admin/applications/person/find/", {"id_number": number})
    listing = admin.get("/admin/applications/person/")
    stranger = factories.next_id_number()
    unknown = admin.post("/admin/applications/person/find/", {"id_number": stranger}, follow=True)
    invalid = admin.post("/admin/applications/person/find/", {"id_number": "12345"}, follow=True)

    assert found.status_code == 302
    assert found["Location"] == f"/admin/applications/person/{alice_citizen.person.pk}/change/"
    assert b'id="searchbar"' not in listing.content and b'method="post"' in listing.content
    assert unknown.status_code == 200 and "没有" in unknown.content.decode()
    assert invalid.status_code == 200 and b'<li class="error">' in invalid.content


def test_08_reads_of_full_personal_data_and_status_changes_leave_an_append_only_audit_row(
    alice_citizen, bob_clerk, station
):
    application = factories.make_application(alice_citizen, station, submit=True)

    signed_in(bob_clerk).get(f"/station/applications/{application.pk}/")
    workflow.apply_event(application.pk, "approve", actor=bob_clerk)

    assert AuditEntry.objects.filter(actor=bob_clerk, action="read_personal_data").exists()
    assert AuditEntry.objects.filter(actor=bob_clerk, action="status_change").exists()
    with pytest.raises(RuntimeError):
        AuditEntry.objects.first().delete()


def test_09_responses_carrying_personal_data_send_cache_control_no_store(alice_citizen, station):
    application = factories.make_application(alice_citizen, station)

    for url in [f"/applications/{application.pk}/", f"/api/v1/applications/{application.pk}/", "/me/"]:
        assert "no-store" in signed_in(alice_citizen).get(url)["Cache-Control"]


def test_10_uploads_size_first_type_by_content_pixel_bomb_refused_exif_stripped():
    from applications.photos import check_photo

    def refused(data, name="p.jpg"):
        with pytest.raises(InvalidInput) as error:
            check_photo(SimpleUploadedFile(name, data))
        return error.value.code

    bomb = bytearray(make_id_photo())
    sof = next(i for i in range(len(bomb) - 1) if bomb[i] == 0xFF and bomb[i + 1] in (0xC0, 0xC2))
    bomb[sof + 5 : sof + 9] = (20000).to_bytes(2, "big") * 2
    assert refused(bytes(bomb)) == "image_too_many_pixels"
    assert refused(make_id_photo(image_format="PNG")) == "photo_not_jpeg"
    assert refused(make_id_photo() + b"\0" * 50_000) == "file_too_large"
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"
    checked = check_photo(SimpleUploadedFile("p.jpg", make_id_photo(exif=exif.tobytes())))
    assert not Image.open(io.BytesIO(checked.content)).getexif()


def test_11_jobs_after_commit_idempotent_acks_late_visibility_timeout_above_time_limits(
    partners, alice_citizen, bob_clerk, station
):
    from applications import pipeline
    from applications.tasks import open_bank_account, verify_with_registry
    from tests.partners import register

    application = factories.make_application(alice_citizen, station, submit=True)
    workflow.apply_event(application.pk, "approve", actor=bob_clerk)
    register(partners, alice_citizen.person)
    pipeline.verify_with_registry(application.pk)
    pipeline.verify_with_registry(application.pk)

    assert partners["registry"].counters["POST /lookup"] == 1
    for task in (verify_with_registry, open_bank_account):
        assert task.acks_late and task.reject_on_worker_lost and task.time_limit
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > task.time_limit


def test_12_transient_faults_retry_then_staff_see_the_case_permanent_refusals_carry_a_reason(
    partners, alice_citizen, bob_clerk, station
):
    from applications import pipeline
    from partners.errors import TransientError
    from tests.partners import register

    application = factories.make_application(alice_citizen, station, submit=True)
    workflow.apply_event(application.pk, "approve", actor=bob_clerk)
    register(partners, alice_citizen.person, name="别的名字")
    partners["registry"].configure(down=True)
    with pytest.raises(TransientError):
        pipeline.verify_with_registry(application.pk)
    pipeline.mark_partner_unavailable(application.pk, "registry", "registry answered 503")
    assert PartnerStep.objects.get(application=application).unavailable_since is not None
    assert "partner-unavailable" in signed_in(bob_clerk).get("/station/applications/").content.decode()

    partners["registry"].configure(down=False)
    pipeline.verify_with_registry(application.pk)
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert "姓名" in application.events.order_by("-id").first().reason


def test_13_partner_callbacks_are_signed_unsigned_forged_stale_or_replayed_change_nothing(db):
    body = json.dumps({"event_id": "x", "event": "shipped", "idempotency_key": "00000000-0000-4000-8000-000000000000"})
    post = Client().post
    stale = signed_headers(settings.VENDOR_WEBHOOK_SECRET, body.encode(), now=time.time() - 3600)

    for headers in [{}, signed_headers("wrong", body.encode()), stale]:
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        assert post("/partners/callbacks/vendor/", body, content_type="application/json", **meta).status_code == 403
    assert not VendorCallback.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_14_every_transition_locks_its_row_two_clerks_at_once_one_wins():
    import threading

    from django.db import connection

    station = factories.make_station()
    application = factories.make_application(factories.make_citizen(), station, submit=True)
    clerks = [factories.make_clerk(station) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def approve(clerk):
        try:
            barrier.wait(timeout=10)
            workflow.apply_event(application.pk, "approve", actor=clerk)
            outcomes.append("won")
        except Conflict:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(clerk,)) for clerk in clerks]
    [thread.start() for thread in threads]
    [thread.join(timeout=30) for thread in threads]
    assert sorted(outcomes) == ["lost", "won"]
    assert StatusEvent.objects.filter(application=application, event="approve").count() == 1


def test_15_production_settings_pass_check_deploy_debug_off_secrets_from_the_environment(tmp_path):
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "PRODUCTION", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sbcard.settings",
            "SECRET_KEY": "s" * 20 + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "sbcard.example.gov.cn",
            "VENDOR_WEBHOOK_SECRET": os.urandom(16).hex(),
            "BANK_CALLBACK_SECRET": os.urandom(16).hex(),
            "ID_HASH_KEY": os.urandom(32).hex(),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ECARD_SIGNING_KEYS": Fernet.generate_key().decode().rstrip("="),  # 32 random bytes, base64url
            "VAR_DIR": str(tmp_path),
        }
    )
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stderr
    assert "no issues" in deploy.stdout and "WARNING" not in deploy.stderr + deploy.stdout

    # The web server (wsgi) with DEBUG off and no SECRET_KEY refuses to start.
    missing = {key: value for key, value in env.items() if key != "SECRET_KEY"}
    refused = subprocess.run(
        [sys.executable, "-c", "import sbcard.wsgi"], cwd=ROOT, env=missing, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    assert settings.DEBUG is False  # the suite runs as production does
    page = Client().get("/no/such/page/")
    assert page.status_code == 404 and b"Traceback" not in page.content


@pytest.mark.django_db(transaction=True)
def test_16_the_openapi_schema_is_fuzzed_no_5xx_schema_conformance_auth_never_ignored(live_server, partners):
    # A short pass as a citizen over every operation; tests/test_api_fuzz.py does every role, more examples.
    import schemathesis

    from .test_api_fuzz import fuzz

    token = factories.api_token(factories.make_citizen())
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        fuzz(operation, live_server.url, {"Authorization": f"Bearer {token}"})
    assert len(operations) > 30


def test_17_exports_neutralise_formula_injection():
    from openpyxl import Workbook, load_workbook

    from sbcard.exports import safe_cell

    workbook = Workbook()
    workbook.active.append([safe_cell(v) for v in ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "fine"]])
    out = io.BytesIO()
    workbook.save(out)
    values = [cell.value for cell in load_workbook(io.BytesIO(out.getvalue())).active[1]]

    assert all(not str(value).startswith(("=", "+", "-", "@", "\t")) for value in values)
    assert values[-1] == "fine"
