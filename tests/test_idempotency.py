"""Idempotency-Key (issue 19): a client that sends a creating POST again, after a timeout, gets the first answer
and nothing is created twice; the same key for another request is refused; keys belong to their user."""

import datetime
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from accounts.models import IdempotentRequest
from applications.models import CardApplication
from applications.sample_photos import make_id_photo

from . import factories

pytestmark = pytest.mark.django_db


def post(client, url, body, key, **extra):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_the_same_key_and_body_get_the_first_answer_and_one_application(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    key = str(uuid.uuid4())

    first = post(api_client, "/api/v1/applications/", factories.application_body(station), key)
    # the same JSON, its keys in another order: the same request
    again = post(api_client, "/api/v1/applications/", dict(reversed(factories.application_body(station).items())), key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert CardApplication.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422_and_changes_nothing(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    key = str(uuid.uuid4())
    post(api_client, "/api/v1/applications/", factories.application_body(station), key)

    other = post(
        api_client, "/api/v1/applications/", factories.application_body(station, address="杭州市西湖区1号"), key
    )

    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert CardApplication.objects.get().address == "杭州市上城区望江路100号"


def test_keys_belong_to_their_user(api_client, alice_citizen, eve_citizen, station):
    key = str(uuid.uuid4())
    api_client.force_authenticate(alice_citizen)
    alices = post(api_client, "/api/v1/applications/", factories.application_body(station), key)
    api_client.force_authenticate(eve_citizen)

    eves = post(api_client, "/api/v1/applications/", factories.application_body(station), key)

    assert (alices.status_code, eves.status_code) == (201, 201)
    assert alices.json()["id"] != eves.json()["id"]
    assert eves.json()["holder"]["name"] == eve_citizen.person.name


def test_a_refused_request_is_not_remembered_so_the_corrected_one_can_use_the_key(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    key = str(uuid.uuid4())

    refused = post(api_client, "/api/v1/applications/", factories.application_body(station, phone="123"), key)
    corrected = post(api_client, "/api/v1/applications/", factories.application_body(station), key)

    assert (refused.status_code, corrected.status_code) == (400, 201)


def test_a_retried_upload_is_recognised_whatever_its_multipart_boundary(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    draft = factories.make_application(alice_citizen, station, with_photo=False)
    photo = make_id_photo()
    key = str(uuid.uuid4())

    answers = []
    for boundary in ("first-try-boundary", "retry-boundary-xyz"):
        body = encode_multipart(boundary, {"photo": SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg")})
        answers.append(
            api_client.generic(
                "POST",
                f"/api/v1/applications/{draft.pk}/photo/",
                body,
                content_type=f"multipart/form-data; boundary={boundary}",
                HTTP_IDEMPOTENCY_KEY=key,
            )
        )

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[1]["Idempotent-Replayed"] == "true"


def test_a_key_still_in_use_is_a_409(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    key = str(uuid.uuid4())
    first = post(api_client, "/api/v1/applications/", factories.application_body(station), key)
    # as if the first request were still running: its answer not stored yet
    IdempotentRequest.objects.filter(key=key).update(status_code=None, body="")

    again = post(api_client, "/api/v1/applications/", factories.application_body(station), key)

    assert first.status_code == 201
    assert again.status_code == 409 and again.json()["code"] == "idempotency_key_in_use"
    assert CardApplication.objects.count() == 1


def test_a_key_is_forgotten_after_a_day(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    key = str(uuid.uuid4())
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        first = post(api_client, "/api/v1/applications/", factories.application_body(station), key)
        api_client.post(f"/api/v1/applications/{first.json()['id']}/withdraw/", format="json")
        traveller.shift(datetime.timedelta(hours=25))
        later = post(api_client, "/api/v1/applications/", factories.application_body(station), key)

    assert later.status_code == 201 and not later.has_header("Idempotent-Replayed")
    assert later.json()["id"] != first.json()["id"]


def test_a_bad_key_is_a_400(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)

    response = post(api_client, "/api/v1/applications/", factories.application_body(station), "x" * 256)

    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"
    assert not CardApplication.objects.exists()


def test_the_stored_answer_is_encrypted(api_client, alice_citizen, station):
    from django.db import connection

    api_client.force_authenticate(alice_citizen)
    answer = post(api_client, "/api/v1/applications/", factories.application_body(station), str(uuid.uuid4())).json()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {IdempotentRequest._meta.db_table}")  # noqa: S608 - the model's own table
        (stored,) = cursor.fetchone()
    assert answer["reference"] not in stored and answer["holder"]["name"] not in stored
