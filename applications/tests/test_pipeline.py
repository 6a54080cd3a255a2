"""The partner steps against the simulators over real HTTP, one step at a time (no worker here)."""

import datetime

import pytest
import time_machine
from django.test import Client

from applications import pipeline
from applications.models import CityPolicy, PartnerStep, Status, StatusEvent
from partners.errors import TransientError
from partners.models import PartnerCall
from tests import factories, oracles
from tests.partners import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(partners):
    """An application just approved by its station's clerk (so in `verifying`), its holder registered."""
    station = factories.make_station()
    citizen = factories.make_citizen("钱多多")
    application = factories.make_application(citizen, station, submit=True)
    clerk = factories.make_clerk(station)
    from applications.services import approve_application

    approve_application(application.pk, actor=clerk)
    register(partners, citizen.person)
    application.refresh_from_db()
    return application


def status_of(application) -> str:
    application.refresh_from_db()
    return application.status


# --- registry -----------------------------------------------------------------------------------


def test_registry_match_moves_on_to_the_bank(approved, partners):
    pipeline.verify_with_registry(approved.pk)

    assert status_of(approved) == Status.OPENING_ACCOUNT
    assert partners["registry"].counters["POST /lookup"] == 1
    assert PartnerStep.objects.get(application=approved, partner="registry").outcome == "done"


def test_registry_mismatch_returns_the_application_naming_the_field(approved, partners):
    register(partners, approved.person, name="钱朵朵")

    pipeline.verify_with_registry(approved.pk)

    assert status_of(approved) == Status.RETURNED
    event = StatusEvent.objects.filter(application=approved).last()
    assert event.reason_code == "registry_mismatch"
    assert "姓名" in event.reason and "钱朵朵" in event.reason  # the field, and the value the centre holds
    assert event.reason_detail == {
        "partner": "registry",
        "field": "name",
        "held": "钱朵朵",
        "sent": approved.person.name,
    }


def test_no_registry_record_says_register_the_household_first(approved, partners):
    with partners["registry"].lock:
        partners["registry"].records.clear()

    pipeline.verify_with_registry(approved.pk)

    assert status_of(approved) == Status.RETURNED
    event = StatusEvent.objects.filter(application=approved).last()
    assert event.reason_code == "registry_no_record"
    assert "户籍" in event.reason


def test_running_a_step_twice_calls_the_partner_once(approved, partners):
    pipeline.verify_with_registry(approved.pk)
    pipeline.verify_with_registry(approved.pk)  # a redelivered task

    assert partners["registry"].counters["POST /lookup"] == 1
    assert StatusEvent.objects.filter(application=approved, event="registry_confirmed").count() == 1


# --- bank ---------------------------------------------------------------------------------------


def test_bank_opens_a_19_digit_luhn_account_and_production_starts(approved, partners):
    pipeline.verify_with_registry(approved.pk)

    pipeline.open_bank_account(approved.pk)

    approved.refresh_from_db()
    assert approved.status == Status.IN_PRODUCTION
    assert len(approved.bank_account_number) == 19 and oracles.is_luhn_valid(approved.bank_account_number)


def test_with_a_card_fee_the_application_waits_for_payment(approved, partners):
    policy = CityPolicy.current()
    policy.charges_card_fee = True
    policy.save()
    pipeline.verify_with_registry(approved.pk)

    pipeline.open_bank_account(approved.pk)

    assert status_of(approved) == Status.AWAITING_PAYMENT


def test_bank_mismatch_returns_the_application_with_the_field(approved, partners):
    pipeline.verify_with_registry(approved.pk)
    with partners["bank"].lock:
        partners["bank"].customers[approved.person.id_number] = {
            "id_number": approved.person.id_number,
            "name": "钱夕夕",
        }

    pipeline.open_bank_account(approved.pk)

    assert status_of(approved) == Status.RETURNED
    event = StatusEvent.objects.filter(application=approved).last()
    assert event.event == "bank_refused" and "姓名" in event.reason


def test_bank_outage_retries_with_the_same_key_and_opens_one_account(approved, partners):
    pipeline.verify_with_registry(approved.pk)
    partners["bank"].configure(down=True)

    with pytest.raises(TransientError):
        pipeline.open_bank_account(approved.pk)

    step = PartnerStep.objects.get(application=approved, partner="bank")
    assert step.outcome == "open" and "503" in step.last_error
    assert status_of(approved) == Status.OPENING_ACCOUNT

    partners["bank"].configure(down=False)
    pipeline.open_bank_account(approved.pk)

    assert status_of(approved) == Status.IN_PRODUCTION
    keys = set(
        PartnerCall.objects.filter(application_id=approved.pk, partner="bank").values_list("idempotency_key", flat=True)
    )
    assert keys == {str(step.idempotency_key)}
    assert partners["bank"].state()["accounts_opened"] == 1


def test_the_same_key_never_opens_a_second_account(approved, partners):
    # The bank answered but the answer was lost (a killed worker): the retry sends the same key.
    pipeline.verify_with_registry(approved.pk)
    started = pipeline.begin_step(approved.pk, "bank")
    _application, step = started
    from partners.bank.client import BankClient

    first = BankClient().open_account(
        id_number=approved.person.id_number,
        name=approved.person.name,
        phone=approved.phone,
        idempotency_key=str(step.idempotency_key),
        application_id=approved.pk,
    )
    pipeline.open_bank_account(approved.pk)

    approved.refresh_from_db()
    assert approved.bank_account_number == first
    assert partners["bank"].state()["accounts_opened"] == 1


def test_when_retries_run_out_staff_see_partner_unavailable_and_the_step_is_resumed(approved, partners):
    pipeline.verify_with_registry(approved.pk)
    partners["bank"].configure(down=True)
    with pytest.raises(TransientError):
        pipeline.open_bank_account(approved.pk)

    pipeline.mark_partner_unavailable(approved.pk, "bank", "bank answered 503")

    clerk = factories.make_clerk(approved.station)
    client = Client()
    client.force_login(clerk)
    assert "partner-unavailable" in client.get("/station/applications/?trouble=1").content.decode()
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=15)):
        assert ("applications.tasks.open_bank_account", approved.pk) in pipeline.stalled_steps()

    partners["bank"].configure(down=False)
    pipeline.open_bank_account(approved.pk)
    assert PartnerStep.objects.get(application=approved, partner="bank").unavailable_since is None


# --- vendor -------------------------------------------------------------------------------------


def test_order_is_placed_once(approved, partners):
    pipeline.verify_with_registry(approved.pk)
    pipeline.open_bank_account(approved.pk)

    pipeline.order_card(approved.pk)
    pipeline.order_card(approved.pk)

    assert partners["vendor"].counters["POST /orders"] == 1
    assert partners["vendor"].state()["orders"] == 1
    assert status_of(approved) == Status.IN_PRODUCTION


def test_an_order_the_vendor_forgot_is_sent_again_with_the_same_key(approved, partners):
    pipeline.verify_with_registry(approved.pk)
    pipeline.open_bank_account(approved.pk)
    pipeline.order_card(approved.pk)
    with partners["vendor"].lock:  # the vendor simulator restarted: its orders are gone
        partners["vendor"].reset()

    assert pipeline.unshipped_orders() == [approved.pk]
    pipeline.resend_order(approved.pk)

    key = str(PartnerStep.objects.get(application=approved, partner="vendor").idempotency_key)
    assert list(partners["vendor"].by_key) == [key]
