"""The demo data: every application scenario, a card in each card state, and partners that know the people."""

import pytest
from django.core.management import call_command

from applications.models import CardApplication, Person
from demo.people import DEMO_CITIZENS, demo_registry_records, resident_id
from issuance.models import Card, CardStatus

pytestmark = pytest.mark.django_db


def test_load_demo_is_complete_and_idempotent():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # a second run changes nothing

    assert set(Card.objects.values_list("status", flat=True)) == set(CardStatus.values)
    statuses = set(CardApplication.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "verifying", "cancelled", "collected"} <= statuses
    assert Person.objects.filter(user__isnull=False).count() >= len(DEMO_CITIZENS)


def test_the_information_centre_knows_every_demo_citizen():
    known = {record["id_number"] for record in demo_registry_records()}
    for _phone, _name, region, birth, sequence, _scenario in DEMO_CITIZENS:
        assert resident_id(region, birth, sequence) in known
