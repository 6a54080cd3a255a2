"""The demo data: every application scenario, a card in each card state, partners that know the people, valid
ID numbers (judged by the standard's formula in tests/oracles.py and by python-stdnum), and the README's demo
logins working as printed."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from stdnum.cn import ric

from applications.models import CardApplication, Person
from demo.management.commands.load_demo import DEMO_PASSWORD
from demo.people import (
    DEMO_CARD_HOLDERS,
    DEMO_CITIZENS,
    REGISTRY_NAMES,
    demo_bank_accounts,
    demo_registry_records,
    resident_id,
)
from issuance.models import Card, CardStatus
from rosters.models import RosterRow
from tests import oracles

pytestmark = pytest.mark.django_db
README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def test_load_demo_is_complete_and_idempotent(demo):
    call_command("load_demo", verbosity=0)  # a second run changes nothing

    assert set(Card.objects.values_list("status", flat=True)) == set(CardStatus.values)
    statuses = set(CardApplication.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "verifying", "cancelled", "collected"} <= statuses
    assert Person.objects.filter(user__isnull=False).count() >= len(DEMO_CITIZENS)


def test_every_demo_id_number_is_valid_under_gb11643(demo):
    numbers = list(Person.objects.values_list("id_number", flat=True))
    numbers += [row.id_number for row in RosterRow.objects.filter(accepted=True)]
    assert len(numbers) > 40
    for number in numbers:
        assert oracles.is_valid_resident_id(number), number
        if _stdnum_knows_the_region(number):  # Hangzhou's codes before the 2021 merger are not in its table
            assert ric.is_valid(number), number


def _stdnum_knows_the_region(number: str) -> bool:
    try:
        return bool(ric.get_birth_place(number))
    except Exception:  # noqa: BLE001 - stdnum raises its own errors, or KeyError, for codes it lacks
        return False


def test_the_information_centre_knows_every_demo_person_as_the_demo_says(demo):
    known = {record["id_number"]: record["name"] for record in demo_registry_records()}
    for person in Person.objects.select_related("user"):
        assert person.id_number in known, person.name
        phone = person.user.phone if person.user else ""
        assert known[person.id_number] == REGISTRY_NAMES.get(phone, person.name)


def test_the_demo_cards_accounts_are_at_the_bank_and_pass_luhn(demo):
    accounts = {account["account_number"] for account in demo_bank_accounts()}
    for card in Card.objects.select_related("application"):
        assert card.application.bank_account_number in accounts
        assert oracles.is_luhn_valid(card.application.bank_account_number)


def test_the_readme_table_shows_the_demo_numbers_and_its_logins_work(demo):
    for phone, name, region, birth, sequence, _scenario in DEMO_CITIZENS + DEMO_CARD_HOLDERS:
        row = next(line for line in README.splitlines() if line.startswith("|") and phone in line)
        assert resident_id(region, birth, sequence) in row, (name, row)
    logins = set(re.findall(r"`((?:1380000\d{4})|clerk\d|agent\d|admin)`", README))
    assert {"13800000001", "13800000026", "clerk1", "clerk2", "agent1", "admin"} <= logins
    for login in logins:
        response = Client().post("/accounts/sign-in/", {"username": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login
