"""Citizens apply, correct and withdraw through the API; clerks review. Bad input is a clear 4xx."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import CardApplication, Person, Status, StatusEvent
from demo.photos import make_id_photo

from . import factories
from .partners import last_sms_code

pytestmark = pytest.mark.django_db


def jpeg(**options):
    return SimpleUploadedFile("p.jpg", make_id_photo(**options), content_type="image/jpeg")


# --- sign up ------------------------------------------------------------------------------------


def test_sign_up_creates_a_citizen_linked_to_their_person(api_client, partners):
    number = factories.next_id_number()
    assert (
        api_client.post(
            "/api/v1/auth/phone-code/", {"phone": "13700001234", "purpose": "sign_up"}, format="json"
        ).status_code
        == 202
    )

    response = api_client.post(
        "/api/v1/auth/sign-up/",
        {
            "name": "孙悟空",
            "id_number": number,
            "phone": "13700001234",
            "password": "Huaguo-Shan-2026",
            "code": last_sms_code(partners, "13700001234"),
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    person = Person.objects.get(id_number=number)
    assert person.user.username == "13700001234"
    assert person.name == "孙悟空"


@pytest.mark.parametrize(
    ("field", "value", "chinese"),
    [
        ("id_number", "11010519491231002" + "7", "校验"),  # the standard's example with a wrong check character
        ("id_number", "110105198502301234", "出生日期"),
        ("name", "   ", "姓名"),
        ("phone", "12345", "手机号"),
    ],
)
def test_sign_up_refuses_bad_values_naming_the_field_in_chinese(api_client, field, value, chinese):
    body = {
        "name": "孙悟空",
        "id_number": factories.next_id_number(),
        "phone": "13700001234",
        "password": "Huaguo-Shan-2026",
    }
    body[field] = value

    response = api_client.post("/api/v1/auth/sign-up/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert chinese in " ".join(response.json()["errors"][field])
    assert not Person.objects.exists()


def test_error_messages_are_english_under_en(api_client):
    response = api_client.post(
        "/api/v1/auth/sign-up/",
        {"name": "Sun", "id_number": "12345", "phone": "13700001234", "password": "Huaguo-Shan-2026", "code": "1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "18 characters" in response.json()["errors"]["id_number"][0]


def test_sign_up_refuses_a_weak_password(api_client):
    response = api_client.post(
        "/api/v1/auth/sign-up/",
        {
            "name": "孙悟空",
            "id_number": factories.next_id_number(),
            "phone": "13700001234",
            "password": "password",
            "code": "123456",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["field"] == "password"


def test_token_authentication(api_client, alice_citizen):
    token = api_client.post(
        "/api/v1/auth/token/", {"username": alice_citizen.username, "password": factories.PASSWORD}, format="json"
    ).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/auth/me/").json()["role"] == "citizen"

    assert api_client.delete("/api/v1/auth/token/").status_code == 204
    assert api_client.get("/api/v1/auth/me/").status_code == 401


# --- applying -----------------------------------------------------------------------------------


def test_citizen_applies_uploads_a_photo_and_submits(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)

    created = api_client.post("/api/v1/applications/", factories.application_body(station), format="json")
    assert created.status_code == 201, created.content
    application_id = created.json()["id"]
    with_photo = api_client.post(f"/api/v1/applications/{application_id}/photo/", {"photo": jpeg()}, format="multipart")
    response = api_client.post(f"/api/v1/applications/{application_id}/submit/", format="json")

    assert with_photo.status_code == 200 and with_photo.json()["has_photo"] is True
    body = response.json()
    assert body["status"] == "submitted"
    assert body["card_colour"] == "blue"
    assert body["holder"]["id_number"].count("*") == 8
    assert [entry["status"] for entry in body["timeline"]] == ["draft", "submitted"]
    assert body["current_step_deadline"]
    assert body["forecast"][0]["state"] == "current"


def test_a_form_encoded_body_is_a_415_and_a_json_photo_too(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    draft = factories.make_application(alice_citizen, station, with_photo=False)

    form = api_client.post("/api/v1/applications/", factories.application_body(station), format="multipart")
    json_photo = api_client.post(f"/api/v1/applications/{draft.pk}/photo/", {"photo": "x"}, format="json")

    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    assert json_photo.status_code == 415
    assert CardApplication.objects.count() == 1


@pytest.mark.parametrize(
    ("photo", "code"),
    [
        ({"size": (300, 400)}, "photo_dimensions"),
        ({"background": (80, 80, 80)}, "photo_background"),
        ({"image_format": "PNG"}, "photo_not_jpeg"),
    ],
)
def test_a_bad_photo_is_a_400_and_nothing_is_saved(api_client, alice_citizen, station, photo, code):
    api_client.force_authenticate(alice_citizen)
    draft = factories.make_application(alice_citizen, station, with_photo=False)

    response = api_client.post(f"/api/v1/applications/{draft.pk}/photo/", {"photo": jpeg(**photo)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["field"] == "photo"
    draft.refresh_from_db()
    assert draft.photo_id is None


def test_an_oversized_photo_is_refused(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    draft = factories.make_application(alice_citizen, station, with_photo=False)
    big = SimpleUploadedFile("p.jpg", make_id_photo() + b"\0" * 50_000, content_type="image/jpeg")

    response = api_client.post(f"/api/v1/applications/{draft.pk}/photo/", {"photo": big}, format="multipart")

    assert response.status_code == 400
    assert "40" in response.json()["detail"]


def test_a_second_open_application_is_a_409_naming_the_open_one(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    first = factories.make_application(alice_citizen, station, submit=True)

    response = api_client.post("/api/v1/applications/", factories.application_body(station), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_open_application"
    assert first.reference in response.json()["detail"]
    assert CardApplication.objects.count() == 1


def test_submitting_without_a_photo_is_a_409_saying_what_is_missing(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    application = factories.make_application(alice_citizen, station, with_photo=False)

    response = api_client.post(f"/api/v1/applications/{application.pk}/submit/")

    assert response.status_code == 409
    assert "照片" in response.json()["detail"]
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_citizen_cannot_set_status_or_station_fields_through_patch(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    application = factories.make_application(alice_citizen, station)

    response = api_client.patch(
        f"/api/v1/applications/{application.pk}/", {"status": "collected", "address": "新地址1号"}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.address != "新地址1号"


def test_a_citizen_cannot_approve_their_own_application(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    application = factories.make_application(alice_citizen, station, submit=True)

    response = api_client.post(f"/api/v1/applications/{application.pk}/approve/")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not StatusEvent.objects.filter(application=application, event="approve").exists()


def test_approving_a_draft_is_a_409(api_client, alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station)
    api_client.force_authenticate(bob_clerk)

    response = api_client.post(f"/api/v1/applications/{application.pk}/approve/")

    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_returned_then_corrected_then_resubmitted(api_client, alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    api_client.force_authenticate(bob_clerk)

    returned = api_client.post(
        f"/api/v1/applications/{application.pk}/return/",
        {"reason_code": "address", "note": "请写到门牌号"},
        format="json",
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"

    api_client.force_authenticate(alice_citizen)
    detail = api_client.get(f"/api/v1/applications/{application.pk}/").json()
    assert detail["correction"]["field"] == "address"
    assert "门牌号" in detail["correction"]["reason"]

    assert (
        api_client.patch(
            f"/api/v1/applications/{application.pk}/",
            {"address": "杭州市上城区望江路100号3幢2单元501室"},
            format="json",
        ).status_code
        == 200
    )
    resubmitted = api_client.post(f"/api/v1/applications/{application.pk}/submit/")
    assert resubmitted.json()["status"] == "submitted"
    assert [e["status"] for e in resubmitted.json()["timeline"]] == ["draft", "submitted", "returned", "submitted"]


def test_return_with_an_unknown_reason_is_a_400(api_client, alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    api_client.force_authenticate(bob_clerk)

    response = api_client.post(f"/api/v1/applications/{application.pk}/return/", {"reason_code": "nope"}, format="json")

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_withdraw(api_client, alice_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    api_client.force_authenticate(alice_citizen)

    response = api_client.post(f"/api/v1/applications/{application.pk}/withdraw/")

    assert response.json()["status"] == "cancelled"
    # a new application is possible once the old one is closed
    assert (
        api_client.post("/api/v1/applications/", factories.application_body(station), format="json").status_code == 201
    )


# --- guardians (rules 16, 17) -------------------------------------------------------------------


def test_guardian_applies_for_a_child_with_proof(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    child_id = factories.next_id_number(datetime.date(2015, 6, 1))
    proof = SimpleUploadedFile(
        "proof.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )

    created = api_client.post(
        "/api/v1/applications/",
        factories.application_body(station, relationship="mother", holder_name="小明", holder_id_number=child_id),
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/applications/{created.json()['id']}"
    assert api_client.post(f"{url}/guardian-proof/", {"guardian_proof": proof}, format="multipart").status_code == 200
    assert api_client.post(f"{url}/photo/", {"photo": jpeg()}, format="multipart").status_code == 200
    response = api_client.post(f"{url}/submit/", format="json")

    assert response.status_code == 200, response.content
    application = CardApplication.objects.get()
    assert application.person.id_number == child_id
    assert application.applicant == alice_citizen
    assert application.status == Status.SUBMITTED


def test_guardian_cannot_apply_for_someone_16_or_older(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)

    response = api_client.post(
        "/api/v1/applications/",
        factories.application_body(
            station,
            relationship="father",
            holder_name="大明",
            holder_id_number=factories.next_id_number(datetime.date(2000, 1, 1)),
        ),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "holder_too_old"
    assert not CardApplication.objects.exists()


def test_a_guardian_application_is_not_submitted_without_a_proof(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    body = factories.application_body(
        station,
        relationship="mother",
        holder_name="小明",
        holder_id_number=factories.next_id_number(datetime.date(2015, 6, 1)),
        submit=True,
    )

    response = api_client.post("/api/v1/applications/", body, format="json")

    assert response.status_code == 409
    assert "监护" in response.json()["detail"]
    assert not CardApplication.objects.exists()


def test_a_pre_school_child_gets_no_photo_and_can_submit_without_one(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    today = timezone.localdate()
    toddler = factories.make_ward_application(alice_citizen, station, today.replace(year=today.year - 3))

    refused = api_client.post(f"/api/v1/applications/{toddler.pk}/photo/", {"photo": jpeg()}, format="multipart")
    submitted = api_client.post(f"/api/v1/applications/{toddler.pk}/submit/")

    assert refused.status_code == 400
    assert refused.json()["code"] == "photo_not_needed"
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"


def test_a_proof_that_is_not_a_document_is_refused(api_client, alice_citizen, station):
    api_client.force_authenticate(alice_citizen)
    application = factories.make_ward_application(alice_citizen, station, datetime.date(2014, 1, 1))

    response = api_client.post(
        f"/api/v1/applications/{application.pk}/guardian-proof/",
        {"guardian_proof": SimpleUploadedFile("proof.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "document_type"


# --- the clerk's queue --------------------------------------------------------------------------


def test_queue_is_oldest_first_with_working_days_and_marks(api_client, bob_clerk, station, other_station):
    import time_machine

    citizens = [factories.make_citizen() for _ in range(3)]
    with time_machine.travel(datetime.datetime(2026, 9, 24, 2, tzinfo=datetime.UTC)):  # Thu before National Day
        old = factories.make_application(citizens[0], station, submit=True)
    with time_machine.travel(datetime.datetime(2026, 10, 9, 2, tzinfo=datetime.UTC)):
        newer = factories.make_application(citizens[1], station, submit=True)
    elsewhere = factories.make_application(citizens[2], other_station, submit=True)
    api_client.force_authenticate(bob_clerk)

    with time_machine.travel(datetime.datetime(2026, 10, 15, 2, tzinfo=datetime.UTC)):
        rows = api_client.get("/api/v1/station/queue/").json()["results"]

    assert [row["id"] for row in rows] == [old.pk, newer.pk]
    assert elsewhere.pk not in [row["id"] for row in rows]
    # Thu 24 Sep -> 15 Oct: 25 Sep is Mid-Autumn and 1-7 Oct National Day; 28, 29, 30 Sep,
    # 8, 9, 10 (Sat, made up), 12, 13, 14, 15 Oct = 10 working days
    assert rows[0]["working_days_waiting"] == 10
    assert rows[0]["review_mark"] == "overdue"
    # 9 Oct -> 15 Oct: 10 (Sat, made up), 12, 13, 14, 15 = 5
    assert rows[1]["working_days_waiting"] == 5
    assert rows[1]["review_mark"] == "near"


def test_a_huge_page_size_is_a_400(api_client, bob_clerk):
    api_client.force_authenticate(bob_clerk)

    response = api_client.get("/api/v1/applications/?page_size=1000000")

    assert response.status_code == 400
    assert response.json()["field"] == "page_size"
