"""A hospital's or pharmacy's check of an e-card: genuine or not, the card's state (derived from the card table:
stopped the moment the card is reported lost, replaced or exchanged, working again on unreport), the masked name
and photo; every check recorded, seen by the holder, and a stopped e-card shown told to its holder at once."""

import base64
import datetime

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEntry
from ecards.codes import issue_code
from ecards.models import ECardCheck
from issuance import services as card_services
from issuance.models import CardStatus
from notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacist(db):
    return factories.make_verifier(factories.make_institution("仁心大药房"), name="王药师")


@pytest.fixture
def card(alice_citizen, station):
    return factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)


def check(api_client, verifier, token):
    api_client.force_authenticate(verifier)
    return api_client.post("/api/v1/ecard-checks/", {"code": token}, format="json")


def code_for(citizen, card) -> tuple[int, dict]:
    holder = Client()
    holder.force_login(citizen)
    response = holder.get(f"/api/v1/ecards/{card.pk}/code/")
    return response.status_code, response.json()


def test_a_fresh_code_is_valid_with_the_masked_name_and_the_photo_and_the_holder_sees_who_checked(
    api_client, pharmacist, alice_citizen, card
):
    # given the holder's code, from the API the e-card page uses
    status, code = code_for(alice_citizen, card)
    assert status == 200 and code["qr_svg"].startswith("<svg")

    # when the pharmacist checks it
    answer = check(api_client, pharmacist, code["token"])

    # then it is genuine and valid, with the masked name (王小丽 -> 王*丽) and the photo on file
    assert answer.status_code == 201
    body = answer.json()
    assert body["valid"] and body["genuine"] and body["outcome"] == "valid" and body["state"] == "active"
    assert body["holder_name"] == "王*丽" and alice_citizen.person.id_number not in answer.content.decode()
    with card.application.photo.image.open("rb") as stored:
        assert base64.b64decode(body["photo_jpeg"]) == stored.read()
    assert base64.b64decode(body["photo_jpeg"])[:3] == b"\xff\xd8\xff"  # a JPEG
    # and the check is recorded, audited (staff saw a photo), and the holder sees where and by whom
    recorded = ECardCheck.objects.get(pk=body["check_id"])
    assert (recorded.card_id, recorded.verifier_id, recorded.outcome) == (card.pk, pharmacist.pk, "valid")
    assert AuditEntry.objects.filter(
        action="read_personal_data", actor=pharmacist, object_id=str(recorded.pk), person_key=card.person.id_number_hash
    ).exists()
    holder = Client()
    holder.force_login(alice_citizen)
    page = holder.get(f"/ecard/{card.pk}/").content.decode()
    assert "仁心大药房" in page and "王药师" in page
    checks = holder.get(f"/api/v1/ecards/{card.pk}/checks/").json()["results"]
    assert [(c["institution"], c["checked_by"], c["outcome"]) for c in checks] == [("仁心大药房", "王药师", "valid")]


def test_the_ecard_stops_at_a_loss_report_works_again_on_unreport_and_a_stopped_one_shown_is_reported(
    api_client, pharmacist, alice_citizen, bob_clerk, card
):
    # given a code taken just before the card is reported lost
    _status, before = code_for(alice_citizen, card)
    card_services.report_loss_orally(card.pk, actor=alice_citizen, channel="online")

    # then no new code is given, and the old one, still unexpired, checks as genuine but stopped
    status, refused = code_for(alice_citizen, card)
    assert status == 409 and refused["code"] == "ecard_stopped"
    answer = check(api_client, pharmacist, before["token"]).json()
    assert (answer["outcome"], answer["valid"], answer["state"]) == ("stopped", False, "suspended")
    assert answer["photo_jpeg"] is None
    # and the holder hears of it at once, by SMS too
    told = Notice.objects.filter(kind="ecard_stopped_shown", recipient=alice_citizen)
    assert {n.channel for n in told} == {"portal", "sms"} and "仁心大药房" in told.first().text

    # when the loss report is withdrawn at the station
    card_services.unreport_loss(card.pk, actor=bob_clerk, presented_id_number=alice_citizen.person.id_number)

    # then the e-card works again
    status, after = code_for(alice_citizen, card)
    assert status == 200
    assert check(api_client, pharmacist, after["token"]).json()["outcome"] == "valid"


@pytest.mark.parametrize("change", ["replacement", "exchange"])
def test_a_replaced_or_exchanged_card_has_a_stopped_ecard(
    api_client, pharmacist, alice_citizen, bob_clerk, card, change
):
    _status, before = code_for(alice_citizen, card)
    number = alice_citizen.person.id_number
    if change == "replacement":
        card_services.report_loss_in_writing(card.pk, actor=bob_clerk, presented_id_number=number)
        card_services.apply_for_replacement(card.pk, actor=bob_clerk, presented_id_number=number)
    else:
        card_services.apply_for_exchange(card.pk, actor=bob_clerk, reason="damaged")
    card.refresh_from_db()

    assert card.status == (CardStatus.REPLACED if change == "replacement" else CardStatus.EXCHANGED)
    assert code_for(alice_citizen, card)[0] == 409
    assert check(api_client, pharmacist, before["token"]).json()["state"] == "replaced"


def test_an_expired_code_and_a_forged_one_show_nothing_of_the_holder(api_client, pharmacist, card):
    start = datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        token = issue_code(card).token
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        expired = check(api_client, pharmacist, token).json()
    forged = check(api_client, pharmacist, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")).json()

    assert (expired["outcome"], expired["genuine"], expired["holder_name"], expired["photo_jpeg"]) == (
        "expired",
        True,
        "",
        None,
    )
    assert (forged["outcome"], forged["genuine"], forged["holder_name"]) == ("forged", False, "")
    assert ECardCheck.objects.filter(outcome="forged", card=None).count() == 1  # recorded too


def test_only_hospital_and_pharmacy_staff_of_an_active_institution_check(
    api_client, alice_citizen, bob_clerk, admin_user, card
):
    token = issue_code(card).token
    for user in (alice_citizen, bob_clerk, admin_user):
        assert check(api_client, user, token).status_code == 403
    closed = factories.make_verifier()
    closed.institution.is_active = False
    closed.institution.save()
    assert check(api_client, closed, token).status_code == 403
    assert ECardCheck.objects.count() == 0


def test_the_check_page_shows_the_verdict_and_the_photo(pharmacist, alice_citizen, card):
    staff = Client()
    staff.force_login(pharmacist)
    token = issue_code(card).token

    page = staff.post("/ecard/verify/", {"code": token}).content.decode()
    empty = staff.post("/ecard/verify/", {"code": ""})

    assert "王*丽" in page and 'src="data:image/jpeg;base64,' in page and 'id="result"' in page
    assert alice_citizen.person.id_number not in page
    assert empty.status_code == 400
    assert Client().get("/ecard/verify/").status_code == 302  # sign in first
    citizen = Client()
    citizen.force_login(alice_citizen)
    assert citizen.get("/ecard/verify/").status_code == 404
