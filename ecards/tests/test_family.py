"""Family e-cards: a guardian holds their children's under 16 through the proof of guardianship on file, and
relatives' with the relative's consent by an SMS code sent to the phone on file for them (the SMS gateway simulator
over HTTP); at most 8 in all; either side can end it and the other is told."""

import datetime

import pytest
import time_machine
from django.test import Client

from applications.models import CardApplication, Status
from ecards import services
from ecards.access import wallet
from ecards.models import FamilyLink
from issuance.models import Card, CardStatus
from notices.models import Notice
from sbcard.errors import Conflict, InvalidInput
from tests import factories
from tests.partners import last_sms_code

pytestmark = pytest.mark.django_db


def give_card(application: CardApplication) -> Card:
    """Test set-up: the application's card handed over (status put in place, as factories.make_card does)."""
    number = f"W{application.pk:08d}"
    CardApplication.objects.filter(pk=application.pk).update(status=Status.COLLECTED, card_number=number)
    return Card.objects.create(
        number=number,
        application=application,
        person=application.person,
        issued_at=datetime.datetime.now(tz=datetime.UTC),
    )


def relative_with_card(station, name="陈建华", birth_date=datetime.date(1960, 5, 1)):
    relative = factories.make_citizen(name, birth_date=birth_date)
    factories.make_card(relative, station, status=CardStatus.ACTIVE)
    return relative


def test_a_guardian_holds_a_childs_ecard_through_the_proof_on_file_until_the_child_turns_16(alice_citizen, station):
    # given a child's card applied for by the guardian with a proof of guardianship (born 1 March 2012)
    with time_machine.travel(datetime.datetime(2026, 2, 1, 2, tzinfo=datetime.UTC), tick=False):
        application = factories.make_ward_application(alice_citizen, station, datetime.date(2012, 3, 1))
        card = give_card(application)
        other = factories.make_citizen("别人")

        # then the guardian's wallet has it, and its page opens; another citizen's does not
        entries = wallet(alice_citizen)
        assert [(e.relation, e.card and e.card.pk) for e in entries] == [("self", None), ("child", card.pk)]
        guardian = Client()
        guardian.force_login(alice_citizen)
        assert guardian.get(f"/ecard/{card.pk}/").status_code == 200
        stranger = Client()
        stranger.force_login(other)
        assert stranger.get(f"/ecard/{card.pk}/").status_code == 404
        assert stranger.get(f"/api/v1/ecards/{card.pk}/code/").status_code == 404

    # when the child turns 16 (1 March 2028), the e-card leaves the guardian's phone
    with time_machine.travel(datetime.datetime(2028, 3, 1, 2, tzinfo=datetime.UTC), tick=False):
        assert [e.relation for e in wallet(alice_citizen)] == ["self"]
        guardian.force_login(alice_citizen)
        assert guardian.get(f"/ecard/{card.pk}/").status_code == 404


def test_without_a_proof_on_file_there_is_no_childs_ecard(alice_citizen, station):
    application = factories.make_ward_application(alice_citizen, station, datetime.date(2015, 6, 1))
    CardApplication.objects.filter(pk=application.pk).update(guardian_proof="")
    give_card(application)

    assert [e.relation for e in wallet(alice_citizen)] == ["self"]


def test_a_relative_consents_by_the_code_sent_to_their_phone_on_file_and_can_take_it_back(
    partners, alice_citizen, station
):
    # given a relative with a card and an account (their phone confirmed by SMS)
    relative = relative_with_card(station)
    asker = Client()
    asker.force_login(alice_citizen)

    # when the citizen asks to hold the relative's e-card
    sent = asker.post(
        "/ecard/family/",
        {
            "action": "ask",
            "relative-name": "陈建华",
            "relative-id_number": relative.person.id_number,
            "relative-relationship": "parent",
        },
    )
    link = FamilyLink.objects.get(holder=alice_citizen)

    # then a code goes to the relative's phone, worded for passing on, and nothing is held yet
    assert sent.status_code == 302 and link.state == "pending"
    with partners["sms"].lock:
        (message,) = [m["text"] for m in partners["sms"].messages if m["to"] == relative.phone]
    assert "王*丽" in message and last_sms_code(partners, relative.phone) in message
    assert [e.relation for e in wallet(alice_citizen)] == ["self"]

    # when a wrong code is entered, then the right one
    wrong = asker.post("/ecard/family/", {"action": "confirm", "link": link.pk, "consent-code": "000000"})
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.content.decode()
    code = last_sms_code(partners, relative.phone)
    asker.post("/ecard/family/", {"action": "confirm", "link": link.pk, "consent-code": code})

    # then the relative's e-card is held, and the relative is told
    link.refresh_from_db()
    assert link.state == "active" and link.consented_at is not None
    assert [e.relation for e in wallet(alice_citizen)] == ["self", "relative"]
    assert Notice.objects.filter(kind="ecard_family_started", recipient=relative, channel="sms").exists()

    # when the relative takes it back from their own family page
    own = Client()
    own.force_login(relative)
    assert "王*丽" in own.get("/ecard/family/").content.decode()
    own.post("/ecard/family/", {"action": "end", "link": link.pk})

    # then it is gone from the asker's phone, and the asker is told
    assert [e.relation for e in wallet(alice_citizen)] == ["self"]
    assert Notice.objects.filter(kind="ecard_family_ended", recipient=alice_citizen).exists()


def test_a_code_sent_for_one_request_does_not_confirm_another(partners, alice_citizen, eve_citizen, station):
    relative = relative_with_card(station)
    alices, _code = services.request_family_link(
        actor=alice_citizen, name="陈建华", id_number=relative.person.id_number, relationship="parent"
    )
    eves, _code = services.request_family_link(
        actor=eve_citizen, name="陈建华", id_number=relative.person.id_number, relationship="other"
    )
    code_for_alice = last_sms_code(partners, relative.phone)  # the latest SMS: the one for Eve's request

    with pytest.raises(InvalidInput):
        services.confirm_family_link(alices.pk, actor=alice_citizen, code=code_for_alice)
    services.confirm_family_link(eves.pk, actor=eve_citizen, code=code_for_alice)
    with pytest.raises(Conflict):  # and nobody confirms a request that is not theirs
        services.confirm_family_link(alices.pk, actor=eve_citizen, code=code_for_alice)


def test_refusals_a_child_by_sms_oneself_an_unknown_name_and_a_ninth_ecard(partners, alice_citizen, station):
    child = factories.make_citizen("小孩", birth_date=datetime.date(2015, 1, 1))
    factories.make_card(child, station, status=CardStatus.ACTIVE)
    ask = dict(actor=alice_citizen, relationship="other")

    with pytest.raises(InvalidInput) as refused:
        services.request_family_link(name="小孩", id_number=child.person.id_number, **ask)
    assert refused.value.code == "child_needs_guardianship"
    factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)
    with pytest.raises(InvalidInput) as refused:
        services.request_family_link(name="王小丽", id_number=alice_citizen.person.id_number, **ask)
    assert refused.value.code == "own_card"
    relative = relative_with_card(station)
    with pytest.raises(InvalidInput) as refused:
        services.request_family_link(name="陈建国", id_number=relative.person.id_number, **ask)
    assert refused.value.code == "no_card"

    # three children through their proofs, five relatives by consent: eight in all
    for year in (2012, 2014, 2018):
        give_card(factories.make_ward_application(alice_citizen, station, datetime.date(year, 1, 1)))
    for index in range(5):
        other = relative_with_card(station, name=f"亲属{'一二三四五'[index]}")
        link, _code = services.request_family_link(name=other.person.name, id_number=other.person.id_number, **ask)
        services.confirm_family_link(link.pk, actor=alice_citizen, code=last_sms_code(partners, other.phone))
    assert len(wallet(alice_citizen)) == 9  # their own and eight others

    with pytest.raises(Conflict) as refused:
        services.request_family_link(name="陈建华", id_number=relative.person.id_number, **ask)
    assert refused.value.code == "too_many_ecards"


def test_the_family_api_asks_confirms_and_ends(partners, api_client, alice_citizen, station):
    relative = relative_with_card(station)
    api_client.force_authenticate(alice_citizen)

    asked = api_client.post(
        "/api/v1/ecard-family/",
        {"name": "陈建华", "id_number": relative.person.id_number, "relationship": "parent"},
        format="json",
    )
    link_id = asked.json()["id"]
    wrong = api_client.post(f"/api/v1/ecard-family/{link_id}/confirm/", {"code": "12345"}, format="json")
    confirmed = api_client.post(
        f"/api/v1/ecard-family/{link_id}/confirm/", {"code": last_sms_code(partners, relative.phone)}, format="json"
    )
    api_client.force_authenticate(relative)
    theirs = api_client.get("/api/v1/ecard-family/").json()["results"]
    ended = api_client.post(f"/api/v1/ecard-family/{link_id}/end/", {}, format="json")

    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    assert asked.json()["code_sent_to"] == relative.phone[:3] + "****" + relative.phone[-4:]
    assert wrong.status_code == 400 and wrong.json()["field"] == "code"
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "active"
    assert [(link["held_by_me"], link["holder_name"]) for link in theirs] == [(False, "王*丽")]
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
