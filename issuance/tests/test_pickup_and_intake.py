"""Rule 9 (pickup in person or by proxy) and rules 7-8 (phone appointments and walk-ins)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from applications.models import Status
from demo.photos import make_id_photo
from issuance import intake, services
from issuance.models import Appointment, Card, NamedProxy, Pickup, StationDay
from issuance.tasks import remind_appointments
from notices.models import Notice
from sbcard.errors import Conflict, InvalidInput
from tests import factories

pytestmark = pytest.mark.django_db


def authorisation():
    return SimpleUploadedFile("weituoshu.png", make_id_photo(image_format="PNG"), content_type="image/png")


def test_the_holder_collects_with_their_own_id(alice_citizen, bob_clerk, station):
    application = factories.ready_for_pickup(alice_citizen, station)

    with pytest.raises(InvalidInput) as error:
        services.hand_over_card(application.pk, actor=bob_clerk, presented_id_number=factories.next_id_number())
    assert error.value.code == "wrong_id"

    card = services.hand_over_card(application.pk, actor=bob_clerk, presented_id_number=alice_citizen.person.id_number)

    application.refresh_from_db()
    assert application.status == Status.COLLECTED
    assert card.status == "issued" and card.number == application.card_number
    assert Pickup.objects.get(card=card).by_proxy is False


def test_a_proxy_needs_a_signed_authorisation(alice_citizen, bob_clerk, station):
    application = factories.ready_for_pickup(alice_citizen, station)
    proxy = services.ProxyDetails(name="李代领", id_number=factories.next_id_number())

    with pytest.raises(InvalidInput) as error:
        services.hand_over_card(application.pk, actor=bob_clerk, proxy=proxy)
    assert error.value.code == "authorisation_missing"
    application.refresh_from_db()
    assert application.status == Status.READY_FOR_PICKUP and not Card.objects.exists()

    card = services.hand_over_card(application.pk, actor=bob_clerk, proxy=proxy, authorisation=authorisation())

    pickup = Pickup.objects.get(card=card)
    assert pickup.by_proxy and pickup.proxy_name == "李代领" and pickup.proxy_id_number == proxy.id_number
    assert pickup.authorisation.name.endswith(".png")


def test_a_proxy_may_show_their_social_security_card_instead(alice_citizen, bob_clerk, station):
    application = factories.ready_for_pickup(alice_citizen, station)

    card = services.hand_over_card(
        application.pk,
        actor=bob_clerk,
        proxy=services.ProxyDetails(name="李代领", card_number="H12345678"),
        authorisation=authorisation(),
    )

    assert Pickup.objects.get(card=card).proxy_card_number == "H12345678"


def test_a_proxy_named_online_must_be_the_one_who_comes(alice_citizen, bob_clerk, station):
    application = factories.ready_for_pickup(alice_citizen, station)
    named_id = factories.next_id_number()
    services.name_proxy(application.pk, actor=alice_citizen, name="张三", id_number=named_id)

    with pytest.raises(InvalidInput) as error:
        services.hand_over_card(
            application.pk,
            actor=bob_clerk,
            authorisation=authorisation(),
            proxy=services.ProxyDetails(name="李四", id_number=factories.next_id_number()),
        )
    assert error.value.code == "not_the_named_proxy"

    services.hand_over_card(
        application.pk,
        actor=bob_clerk,
        authorisation=authorisation(),
        proxy=services.ProxyDetails(name="张三", id_number=named_id),
    )
    assert NamedProxy.objects.get(application=application).name == "张三"


def test_the_waiting_list_puts_unclaimed_cards_first_and_prints_a_register(
    alice_citizen, eve_citizen, bob_clerk, station
):
    first = factories.ready_for_pickup(alice_citizen, station, batch="B20261127-S100-0001")
    unclaimed = factories.ready_for_pickup(eve_citizen, station, batch="B20261127-S100-0001")
    factories.force_status(unclaimed, Status.UNCLAIMED)
    client = Client()
    client.force_login(bob_clerk)

    page = client.get("/window/pickup/").content.decode()
    register = client.get("/window/pickup/register/B20261127-S100-0001/").content.decode()

    assert page.index(unclaimed.reference) < page.index(first.reference)
    assert 'id="count">2<' in register and first.card_number in register


# --- phone appointments (rule 7) ----------------------------------------------------------------


@pytest.fixture
def caller(partners):
    class Caller:
        id_number = factories.next_id_number()
        name = "周末"

    with partners["registry"].lock:
        partners["registry"].records[Caller.id_number] = {
            "id_number": Caller.id_number,
            "name": "周末",
            "household_city": "杭州市",
        }
    return Caller


@time_machine.travel(datetime.datetime(2026, 9, 29, 2, tzinfo=datetime.UTC))
def test_a_phone_appointment_is_booked_after_the_registry_check_and_sent_by_sms(partners, caller, bob_clerk):
    appointment = intake.book_appointment(
        actor=bob_clerk,
        id_number=caller.id_number,
        name=caller.name,
        phone="13700000001",
        date=datetime.date(2026, 9, 30),
    )

    assert appointment.station == bob_clerk.station
    sms = Notice.objects.get(kind="appointment_booked", channel="sms")
    assert sms.phone == "13700000001" and "2026-09-30" in sms.text


@time_machine.travel(datetime.datetime(2026, 9, 29, 2, tzinfo=datetime.UTC))
def test_no_registry_record_means_register_the_household_first(partners, bob_clerk):
    with pytest.raises(Conflict) as error:
        intake.book_appointment(
            actor=bob_clerk,
            id_number=factories.next_id_number(),
            name="无户籍",
            phone="13700000001",
            date=datetime.date(2026, 9, 30),
        )

    assert error.value.code == "registry_no_record" and "户籍" in error.value.message
    assert not Appointment.objects.exists()


@time_machine.travel(datetime.datetime(2026, 9, 29, 2, tzinfo=datetime.UTC))
def test_a_full_day_is_refused(partners, caller, bob_clerk, station):
    station.daily_appointment_capacity = 1
    station.save()
    bob_clerk.refresh_from_db()
    intake.book_appointment(
        actor=bob_clerk,
        id_number=caller.id_number,
        name=caller.name,
        phone="13700000001",
        date=datetime.date(2026, 9, 30),
    )

    with pytest.raises(Conflict) as error:
        intake.book_appointment(
            actor=bob_clerk,
            id_number=caller.id_number,
            name=caller.name,
            phone="13700000002",
            date=datetime.date(2026, 9, 30),
        )

    assert error.value.code == "day_full"
    assert StationDay.objects.get(station=station).booked == 1


@time_machine.travel(datetime.datetime(2026, 9, 29, 2, tzinfo=datetime.UTC))
def test_a_holiday_cannot_be_booked(partners, caller, bob_clerk):
    with pytest.raises(InvalidInput):
        intake.book_appointment(
            actor=bob_clerk,
            id_number=caller.id_number,
            name=caller.name,
            phone="13700000001",
            date=datetime.date(2026, 10, 2),
        )


def test_the_reminder_goes_the_working_day_before_across_the_holiday(partners, caller, bob_clerk):
    with time_machine.travel(datetime.datetime(2026, 9, 29, 2, tzinfo=datetime.UTC)):
        intake.book_appointment(
            actor=bob_clerk,
            id_number=caller.id_number,
            name=caller.name,
            phone="13700000001",
            date=datetime.date(2026, 10, 8),
        )
    with time_machine.travel(datetime.datetime(2026, 9, 29, 2, tzinfo=datetime.UTC)):
        assert remind_appointments() == 0
    with time_machine.travel(datetime.datetime(2026, 9, 30, 2, tzinfo=datetime.UTC)):  # next working day: 8 Oct
        assert remind_appointments() == 1
        assert remind_appointments() == 0
    assert Notice.objects.filter(kind="appointment_reminder", channel="sms").count() == 1


# --- walk-in (rule 8) ---------------------------------------------------------------------------


def walk_in(clerk, **extra):
    data = {
        "name": "吴天",
        "id_number": extra.pop("id_number"),
        "phone": "13700000009",
        "insurance_type": "urban_employee",
        "household_city": "杭州市",
        "address": "杭州市上城区1号",
        "photo": SimpleUploadedFile("p.jpg", make_id_photo(), content_type="image/jpeg"),
        "documents_checked": True,
    }
    data.update(extra)
    return intake.take_walk_in(actor=clerk, **data)


def test_a_walk_in_goes_straight_to_verification(partners, bob_clerk):
    number = factories.next_id_number()
    with partners["registry"].lock:
        partners["registry"].records[number] = {"id_number": number, "name": "吴天", "household_city": "杭州市"}

    application = walk_in(bob_clerk, id_number=number)

    assert application.status == Status.VERIFYING and application.channel == "counter"
    assert application.photo_id is not None


def test_a_walk_in_needs_the_documents_checked_and_a_matching_record(partners, bob_clerk):
    number = factories.next_id_number()
    with partners["registry"].lock:
        partners["registry"].records[number] = {"id_number": number, "name": "吴田", "household_city": "杭州市"}

    with pytest.raises(InvalidInput):
        walk_in(bob_clerk, id_number=number, documents_checked=False)
    with pytest.raises(Conflict) as error:
        walk_in(bob_clerk, id_number=number)
    assert error.value.code == "registry_mismatch"


def test_the_walk_in_page_shows_the_registry_record_side_by_side(partners, bob_clerk):
    number = factories.next_id_number()
    with partners["registry"].lock:
        partners["registry"].records[number] = {"id_number": number, "name": "吴田", "household_city": "宁波市"}
    client = Client()
    client.force_login(bob_clerk)

    page = client.post(
        "/window/walk-in/",
        {
            "name": "吴天",
            "id_number": number,
            "phone": "13700000009",
            "insurance_type": "urban_employee",
            "household_city": "杭州市",
            "address": "杭州市上城区1号",
            "action": "check",
        },
    ).content.decode()

    assert 'id="registry-comparison"' in page and "吴田" in page and "宁波市" in page
    assert page.count("mark-overdue") == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_handing_over_the_same_card_at_once_one_wins():
    import threading

    from django.db import connection

    station = factories.make_station()
    citizen = factories.make_citizen()
    application = factories.ready_for_pickup(citizen, station)
    clerks = [factories.make_clerk(station), factories.make_clerk(station)]
    barrier = threading.Barrier(2)
    outcomes = []

    def hand_over(clerk):
        try:
            barrier.wait(timeout=10)
            services.hand_over_card(application.pk, actor=clerk, presented_id_number=citizen.person.id_number)
            outcomes.append("handed over")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["handed over", "refused"]
    assert Card.objects.filter(application=application).count() == 1
    assert application.events.filter(event="hand_over").count() == 1
