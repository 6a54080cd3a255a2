"""The GB 11643 standard's own example number, 11010519491231002X, and real-looking numbers typed as people type
them, end to end through the web pages: sign up, apply, the roster, the service window and the pickup desk.
The portal once refused about ten in eleven real numbers at each of these steps (issue 11)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from applications import pipeline
from applications.models import CardApplication, Person, Status
from demo.photos import make_id_photo
from demo.roster_samples import roster_xlsx
from issuance.models import Card
from rosters import services as roster_services
from tests import factories, oracles
from tests.partners import last_sms_code, register

pytestmark = pytest.mark.django_db
EXAMPLE = oracles.GB11643_EXAMPLE  # a woman born 31 December 1949 in Chaoyang District, Beijing
TYPED_FULL_WIDTH = "１１０１０５　１９４９１２３１　００２ｘ"  # as a Chinese input method types it


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_example_number_signs_up_applies_and_collects_her_card(partners, station, bob_clerk):
    # Sign up, typing the number in full-width characters with spaces and a lowercase x.
    web = Client()
    details = {"name": "林秀英", "id_number": TYPED_FULL_WIDTH, "phone": "13712340001"}
    sent = web.post("/accounts/sign-up/", {**details, "action": "send_code"})
    assert sent.status_code == 200, sent.content.decode()[:2000]
    code = last_sms_code(partners, details["phone"])
    signed_up = web.post(
        "/accounts/sign-up/",
        {**details, "code": code, "password": "Lin-Xiuying-1949", "password_again": "Lin-Xiuying-1949"},
    )
    assert signed_up.status_code == 302, signed_up.content.decode()[:3000]
    person = Person.objects.get(id_number=EXAMPLE)
    assert (person.birth_date, person.sex) == (datetime.date(1949, 12, 31), "F")

    # Apply online with a photo, and submit.
    applied = web.post(
        "/apply/",
        {
            "insurance_type": "urban_rural_resident",
            "station": station.pk,
            "household_city": "杭州市",
            "address": "杭州市上城区望江路100号",
            "phone": details["phone"],
            "photo": SimpleUploadedFile("photo.jpg", make_id_photo(), content_type="image/jpeg"),
            "action": "submit",
        },
    )
    assert applied.status_code == 302, applied.content.decode()[:3000]
    application = CardApplication.objects.get(person=person)
    assert application.status == Status.SUBMITTED

    # The station approves; the information centre, the bank and the vendor answer over HTTP.
    register(partners, person)
    assert (
        client_for(bob_clerk).post(f"/station/applications/{application.pk}/", {"action": "approve"}).status_code == 302
    )
    pipeline.verify_with_registry(application.pk)
    pipeline.open_bank_account(application.pk)
    pipeline.order_card(application.pk)
    CardApplication.objects.filter(pk=application.pk).update(card_number="H00000001")  # the vendor's callback
    from applications import workflow

    workflow.apply_event(application.pk, "card_shipped", actor=None)

    # The pickup desk finds her card by the old 15-digit number, and she collects it with her ID card.
    clerk = client_for(bob_clerk)
    desk = clerk.post("/window/pickup/", {"id_number": oracles.GB11643_EXAMPLE_15}, follow=True).content.decode()
    assert "林秀英" in desk and "11010519491231002X" not in desk  # found, and the number stays masked in lists
    assert "110105********002X" in desk  # told the 15 digits were taken as the 18-digit form
    handed = clerk.post(f"/window/pickup/{application.pk}/", {"presented_id_number": "110105-19491231-002x"})
    assert handed.status_code == 302, handed.content.decode()[:3000]
    assert Card.objects.get(application=application).person == person


def test_a_walk_in_with_an_old_15_digit_number_is_accepted_and_told_of_the_upgrade(partners, bob_clerk):
    number = oracles.resident_id("440304", datetime.date(1962, 8, 15), 37)
    old15 = number[:6] + number[8:17]  # the same person's first-generation card: YYMMDD, no check character
    with partners["registry"].lock:
        partners["registry"].records[number] = {"id_number": number, "name": "陈国强", "household_city": "深圳市"}

    response = client_for(bob_clerk).post(
        "/window/walk-in/",
        {
            "action": "accept",
            "name": "陈国强",
            "id_number": old15,
            "phone": "13912340002",
            "insurance_type": "urban_employee",
            "household_city": "深圳市",
            "address": "深圳市福田区",
            "photo": SimpleUploadedFile("photo.jpg", make_id_photo(), content_type="image/jpeg"),
            "documents_checked": "on",
        },
        follow=True,
    )

    assert response.status_code == 200
    application = CardApplication.objects.get(person__id_number=number)
    assert application.status == Status.VERIFYING and application.person.id_number == number
    assert "升级为18位号码" in response.content.decode()


def test_a_guardian_gives_the_childs_number_with_spaces(partners, station):
    mother = factories.make_citizen("王丽")
    child_number = oracles.resident_id("330106", datetime.date(2019, 6, 1), 42)
    spaced = f"{child_number[:6]} {child_number[6:14]} {child_number[14:]}"

    response = client_for(mother).post(
        "/apply/?for=child",
        {
            "for": "child",
            "holder_name": "王小明",
            "holder_id_number": spaced,
            "relationship": "mother",
            "guardian_proof": SimpleUploadedFile("proof.png", make_id_photo(image_format="PNG"), "image/png"),
            "insurance_type": "urban_rural_resident",
            "station": station.pk,
            "household_city": "杭州市",
            "address": "杭州市上城区望江路100号",
            "phone": mother.phone,
            "action": "save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Person.objects.get(id_number=child_number).name == "王小明"


def test_a_roster_of_real_numbers_and_the_example_is_accepted_and_submitted(partners, carol_employer):
    rows = factories.roster_rows(9, region="310104", first_birth=datetime.date(1989, 9, 9))
    rows.append({**rows[0], "name": "林秀英", "id_number": EXAMPLE.lower(), "phone": "13912340003"})
    rows.append({**rows[0], "name": "陈国强", "id_number": "440304620815037", "phone": "13912340004"})  # 15 digits
    for row in rows:
        number = oracles.resident_id("440304", datetime.date(1962, 8, 15), 37) if len(row["id_number"]) == 15 else None
        with partners["registry"].lock:
            partners["registry"].records[number or row["id_number"].upper()] = {
                "id_number": number or row["id_number"].upper(),
                "name": row["name"],
                "household_city": "上海市",
                "has_id_photo": True,
            }

    batch, _new = roster_services.upload_roster(
        actor=carol_employer, roster=SimpleUploadedFile("名册.xlsx", roster_xlsx(rows)), photos=None
    )

    assert (batch.accepted_rows, batch.refused_rows) == (11, 0), list(batch.rows.values_list("refusals", flat=True))
    assert "15" in batch.problem  # the agent is told which row was upgraded
    roster_services.submit_batch(batch.pk, actor=carol_employer)
    numbers = set(Person.objects.filter(applications__roster_entry__batch=batch).values_list("pk", flat=True))
    assert len(numbers) == 11
    assert Person.objects.filter(id_number=EXAMPLE).exists()
    assert Person.objects.filter(id_number=oracles.resident_id("440304", datetime.date(1962, 8, 15), 37)).exists()
    assert User.objects.filter(pk=carol_employer.pk).exists()
