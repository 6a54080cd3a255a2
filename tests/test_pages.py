"""The server-rendered pages: sign up, apply, follow, correct; the clerk's queue and review."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from applications.models import CardApplication, Person, Status
from demo.photos import make_id_photo

from . import factories
from .partners import last_sms_code

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def apply_form(station, **extra):
    return {
        "insurance_type": "urban_rural_resident",
        "station": station.pk,
        "household_city": "杭州市",
        "address": "杭州市西湖区文三路90号",
        "phone": "13911112222",
        "action": "submit",
        **extra,
    }


def test_sign_up_page_creates_the_account_and_signs_in(partners):
    number = factories.next_id_number()
    client = Client()
    form = {"name": "林黛玉", "id_number": number, "phone": "13600001111"}
    client.post("/accounts/sign-up/", {**form, "action": "send_code"})

    response = client.post(
        "/accounts/sign-up/",
        {
            **form,
            "code": last_sms_code(partners, "13600001111"),
            "password": "Xiaoxiang-Guan-77",
            "password_again": "Xiaoxiang-Guan-77",
            "action": "sign_up",
        },
    )

    assert response.status_code == 302
    assert Person.objects.get(id_number=number).user.username == "13600001111"
    assert client.get("/me/").status_code == 200


def test_sign_up_page_shows_the_id_error_next_to_the_field():
    response = Client().post(
        "/accounts/sign-up/",
        {
            "name": "林黛玉",
            "id_number": "110105198502301234",
            "phone": "13600001111",
            "password": "Xiaoxiang-Guan-77",
            "password_again": "Xiaoxiang-Guan-77",
        },
    )

    assert response.status_code == 400
    assert "出生日期" in response.content.decode()
    assert not Person.objects.exists()


def test_apply_page_submits_with_a_photo(alice_citizen, station):
    client = signed_in(alice_citizen)

    response = client.post("/apply/", apply_form(station, photo=SimpleUploadedFile("a.jpg", make_id_photo())))

    application = CardApplication.objects.get()
    assert response.status_code == 302
    assert application.status == Status.SUBMITTED
    assert application.card_colour == "green"
    page = client.get(response["Location"]).content.decode()
    assert application.reference in page
    assert 'id="timeline"' in page


def test_apply_page_refuses_a_bad_photo_with_the_rule_and_saves_nothing(alice_citizen, station):
    client = signed_in(alice_citizen)

    response = client.post(
        "/apply/", apply_form(station, photo=SimpleUploadedFile("a.jpg", make_id_photo(size=(400, 500))))
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "358" in page and "400" in page
    assert not CardApplication.objects.exists()


def test_the_progress_page_shows_the_deadline_in_working_days(alice_citizen, station):
    with time_machine.travel(datetime.datetime(2026, 9, 28, 2, tzinfo=datetime.UTC)):
        application = factories.make_application(alice_citizen, station, submit=True)
        page = signed_in(alice_citizen).get(f"/applications/{application.pk}/").content.decode()

    # 7 working days after Mon 28 Sep across the National Day week
    assert "2026-10-13" in page


def test_a_returned_application_shows_what_to_correct_and_can_be_resubmitted(alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    clerk = signed_in(bob_clerk)
    clerk.post(
        f"/station/applications/{application.pk}/", {"action": "return", "reason_code": "photo", "note": "背景太暗"}
    )
    application.refresh_from_db()
    assert application.status == Status.RETURNED

    citizen = signed_in(alice_citizen)
    page = citizen.get(f"/applications/{application.pk}/").content.decode()
    assert "背景太暗" in page and 'id="correction"' in page and "field-photo" in page

    response = citizen.post(
        f"/applications/{application.pk}/",
        {
            "name": alice_citizen.person.name,
            "insurance_type": "urban_employee",
            "household_city": "杭州市",
            "address": application.address,
            "phone": application.phone,
            "action": "submit",
            "photo": SimpleUploadedFile("b.jpg", make_id_photo(shirt=(10, 10, 10))),
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_clerk_queue_marks_the_review_limit(bob_clerk, station):
    citizen = factories.make_citizen()
    with time_machine.travel(datetime.datetime(2026, 9, 24, 2, tzinfo=datetime.UTC)):
        factories.make_application(citizen, station, submit=True)
    with time_machine.travel(datetime.datetime(2026, 10, 15, 2, tzinfo=datetime.UTC)):
        page = signed_in(bob_clerk).get("/station/queue/").content.decode()

    assert "mark-overdue" in page


def test_the_clerk_approves_from_the_review_page(alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    clerk = signed_in(bob_clerk)

    page = clerk.get(f"/station/applications/{application.pk}/").content.decode()
    assert alice_citizen.person.id_number in page  # the clerk needs the full number here

    clerk.post(f"/station/applications/{application.pk}/", {"action": "approve"})
    application.refresh_from_db()
    assert application.status == Status.VERIFYING


def test_the_citizen_pages_never_show_the_full_id_number(alice_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    client = signed_in(alice_citizen)

    for url in ["/me/", f"/applications/{application.pk}/"]:
        assert alice_citizen.person.id_number not in client.get(url).content.decode()


def test_withdraw_from_the_page(alice_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)

    signed_in(alice_citizen).post(f"/applications/{application.pk}/withdraw/")

    application.refresh_from_db()
    assert application.status == Status.CANCELLED


def test_pages_with_personal_data_are_not_cached(alice_citizen, station):
    application = factories.make_application(alice_citizen, station)

    response = signed_in(alice_citizen).get(f"/applications/{application.pk}/")

    assert "no-store" in response["Cache-Control"]


def test_english_is_available():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = client.get("/").content.decode()

    assert "Sign up" in page
    assert Client().get("/").content.decode().count("注册") >= 1
