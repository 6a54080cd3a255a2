"""SECURITY.md 8: reads of full personal data, status changes, sign-ins and refusals leave an
append-only audit row (who, when, what, outcome, client address)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from applications.services import approve_application
from audit.models import AuditEntry
from audit.services import person_key
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_clerk_viewing_an_id_number_leaves_a_row(alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    client = Client()
    client.force_login(bob_clerk)

    client.get(f"/station/applications/{application.pk}/", REMOTE_ADDR="10.1.2.3")

    entry = AuditEntry.objects.get(action="read_personal_data")
    assert entry.actor == bob_clerk and entry.object_id == str(application.pk)
    assert entry.person_key == person_key(alice_citizen.person.id_number)
    assert entry.client_address == "10.1.2.3" and entry.outcome == "ok"
    assert alice_citizen.person.id_number not in str(entry.__dict__)


def test_the_api_detail_for_staff_is_audited_and_the_citizens_own_is_not(api_client, alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)

    api_client.force_authenticate(alice_citizen)
    api_client.get(f"/api/v1/applications/{application.pk}/")
    assert not AuditEntry.objects.filter(action="read_personal_data").exists()

    api_client.force_authenticate(bob_clerk)
    body = api_client.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["holder"]["id_number"] == alice_citizen.person.id_number
    assert AuditEntry.objects.filter(action="read_personal_data", actor=bob_clerk).count() == 1


def test_every_status_change_leaves_a_row(alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)

    approve_application(application.pk, actor=bob_clerk)

    entry = AuditEntry.objects.filter(action="status_change").order_by("-id").first()
    assert entry.actor == bob_clerk and "approve: submitted -> verifying" in entry.detail


def test_sign_in_failed_sign_in_and_sign_out(alice_citizen):
    client = Client()
    client.post("/accounts/sign-in/", {"username": alice_citizen.username, "password": "wrong-password"})
    client.post("/accounts/sign-in/", {"username": alice_citizen.username, "password": factories.PASSWORD})
    client.post("/accounts/sign-out/")

    actions = list(AuditEntry.objects.order_by("id").values_list("action", "outcome"))
    assert ("sign_in_failed", "failed") in actions and ("sign_in", "ok") in actions and ("sign_out", "ok") in actions
    failed = AuditEntry.objects.get(action="sign_in_failed")
    assert failed.actor_label == alice_citizen.username and "wrong-password" not in failed.detail


def test_a_refused_look_and_a_refused_action_are_recorded(api_client, alice_citizen, eve_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    eve = Client()
    eve.force_login(eve_citizen)

    assert eve.get(f"/applications/{application.pk}/").status_code == 404
    api_client.force_authenticate(alice_citizen)
    assert api_client.post(f"/api/v1/applications/{application.pk}/approve/").status_code == 403

    refused = AuditEntry.objects.filter(action="refused", outcome="refused")
    assert refused.filter(actor=eve_citizen).exists()
    assert refused.filter(actor=alice_citizen, detail__contains="/approve/").exists()


def test_a_refusal_a_page_shows_as_a_message_is_recorded_once(station):
    pending = factories.make_agent(factories.make_employer(station, approved=False))
    agent = Client()
    agent.force_login(pending)

    answer = agent.post("/employer/rosters/upload/", {"roster": SimpleUploadedFile("r.csv", "姓名\n".encode())})

    assert answer.status_code == 400  # the form again with the reason, not a 403
    refused = AuditEntry.objects.filter(action="refused", outcome="refused", actor=pending)
    assert [entry.detail for entry in refused] == ["400 POST /employer/rosters/upload/ employer_not_approved"]


def test_the_model_refuses_changes(alice_citizen):
    entry = AuditEntry.objects.create(action="sign_in", actor_label="x")

    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.postgres
def test_the_database_refuses_update_and_delete_of_the_audit_table(alice_citizen):
    AuditEntry.objects.create(action="sign_in", actor_label="x")

    for statement in ["UPDATE audit_auditentry SET detail = 'tampered'", "DELETE FROM audit_auditentry"]:
        with pytest.raises(Exception) as error, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        assert "append-only" in str(error.value)
    assert AuditEntry.objects.get().detail != "tampered"


def test_admins_search_the_trail_by_person_or_staff(alice_citizen, bob_clerk, station, admin_user):
    application = factories.make_application(alice_citizen, station, submit=True)
    approve_application(application.pk, actor=bob_clerk)
    client = Client()
    client.force_login(admin_user)

    by_person = client.get("/admin/audit/auditentry/", {"q": alice_citizen.person.id_number}).content.decode()
    by_staff = client.get("/admin/audit/auditentry/", {"q": "bob"}).content.decode()

    assert "status_change" in by_person or "申请状态" in by_person or "status change" in by_person.lower()
    assert "bob" in by_staff
