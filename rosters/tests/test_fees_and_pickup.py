"""A batch's fee (rule 6): the payment notice, payment confirmed by a clerk or by the bank's signed callback,
production after payment, the pickup date; then the batch's cards collected together by the agent (rule 9)."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.models import CardApplication, CityPolicy, Status
from applications.workdays import add_working_days
from demo.photos import make_id_photo
from demo.roster_samples import roster_xlsx
from issuance.models import Pickup
from partners.signing import signed_headers
from rosters import services
from rosters.documents import payment_notice_pdf, pickup_list_pdf
from rosters.models import BankPayment, RosterBatch
from sbcard.errors import NotPermitted
from tests import factories

from .conftest import known_to_registry, upload


@pytest.fixture
def city_charges_fee(db):
    policy = CityPolicy.current()
    policy.charges_card_fee = True
    policy.card_fee_yuan = 20
    policy.save()
    return policy


def submitted_batch(agent, partners, count: int, region: str) -> RosterBatch:
    rows = factories.roster_rows(count, region=region)
    known_to_registry(partners, rows)
    batch = upload(agent, roster_xlsx(rows))
    return services.submit_batch(batch.pk, actor=agent)


def batch_ids(batch) -> list[int]:
    return list(CardApplication.objects.filter(roster_entry__batch=batch).order_by("pk").values_list("pk", flat=True))


def to_awaiting_payment(ids, clerk) -> None:
    """Through the table: the clerk approves; the centre and the bank answer (the system)."""
    workflow.apply_event_in_bulk(ids, "approve", actor=clerk)
    workflow.apply_event_in_bulk(ids, "registry_confirmed", actor=None)
    workflow.apply_event_in_bulk(ids, "payment_requested", actor=None)


def statuses(batch) -> set[str]:
    return set(CardApplication.objects.filter(roster_entry__batch=batch).values_list("status", flat=True))


def callback(client, payload: dict, headers: dict | None = None, secret: str | None = None):
    from django.conf import settings

    body = json.dumps(payload).encode()
    if headers is None:
        headers = signed_headers(secret or settings.BANK_CALLBACK_SECRET, body)
    return client.post(
        reverse("rosters:bank_payment_callback"),
        data=body,
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.django_db
def test_the_fee_is_twenty_yuan_a_card_with_a_payment_notice(agent, partners, city_charges_fee):
    batch = submitted_batch(agent, partners, 3, "330131")
    assert batch.fee_reference.startswith("JF")
    assert (batch.fee_per_card_yuan, batch.fee_total_yuan) == (20, 60)
    pdf = payment_notice_pdf(batch)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


@pytest.mark.django_db
def test_no_fee_where_the_city_charges_none(agent, partners):
    batch = submitted_batch(agent, partners, 1, "330132")
    assert batch.fee_reference == "" and not batch.charges_fee


@pytest.mark.django_db
def test_a_clerk_confirms_payment_and_production_starts_with_the_pickup_date(
    agent, partners, city_charges_fee, bob_clerk, dave_clerk
):
    batch = submitted_batch(agent, partners, 4, "330133")
    ids = batch_ids(batch)
    to_awaiting_payment(ids[:3], bob_clerk)  # one is still at the bank
    assert services.batch_stage(batch)[0] == Status.AWAITING_PAYMENT

    with pytest.raises(NotPermitted):
        services.confirm_payment(batch.pk, actor=dave_clerk, channel="clerk")  # another station's clerk
    services.confirm_payment(batch.pk, actor=bob_clerk, channel="clerk")

    batch.refresh_from_db()
    assert batch.paid_at is not None and batch.payment_confirmed_by == bob_clerk
    assert batch.pickup_date == add_working_days(timezone.localdate(), 20)
    assert CardApplication.objects.filter(pk__in=ids[:3], status=Status.IN_PRODUCTION).count() == 3
    # the last one reaches awaiting_payment after the payment: the periodic job moves it on
    to_awaiting_payment(ids[3:], bob_clerk)
    from rosters.tasks import start_production_of_paid_batches

    assert start_production_of_paid_batches() == 1
    assert statuses(batch) == {Status.IN_PRODUCTION}
    assert services.start_production_of_paid_batches() == 0


@pytest.mark.django_db
def test_the_banks_signed_callback_confirms_payment_once(client, agent, partners, city_charges_fee, bob_clerk):
    batch = submitted_batch(agent, partners, 2, "330134")
    to_awaiting_payment(batch_ids(batch), bob_clerk)
    payload = {"event_id": "PAY-1", "reference": batch.fee_reference, "amount_yuan": 40}

    # unsigned, wrongly signed, stale: refused, nothing changes
    assert callback(client, payload, headers={}).status_code == 403
    assert callback(client, payload, secret="not-the-secret").status_code == 403
    from django.conf import settings

    stale = signed_headers(settings.BANK_CALLBACK_SECRET, json.dumps(payload).encode(), now=time.time() - 3600)
    assert callback(client, payload, headers=stale).status_code == 403
    assert not BankPayment.objects.exists()
    assert statuses(batch) == {Status.AWAITING_PAYMENT}

    # a good one: paid, production starts
    response = callback(client, payload)
    assert response.status_code == 202 and response.json()["status"] == "confirmed"
    batch.refresh_from_db()
    assert batch.paid_at is not None and batch.payment_channel == "bank" and batch.payment_confirmed_by is None
    assert statuses(batch) == {Status.IN_PRODUCTION}
    paid_at = batch.paid_at

    # replayed: nothing changes
    response = callback(client, payload)
    assert response.status_code == 200 and response.json()["status"] == "duplicate"
    assert BankPayment.objects.count() == 1
    batch.refresh_from_db()
    assert batch.paid_at == paid_at


@pytest.mark.django_db
def test_a_wrong_amount_or_reference_changes_nothing(client, agent, partners, city_charges_fee, bob_clerk):
    batch = submitted_batch(agent, partners, 2, "330135")
    to_awaiting_payment(batch_ids(batch), bob_clerk)
    response = callback(client, {"event_id": "PAY-2", "reference": batch.fee_reference, "amount_yuan": 20})
    assert response.json()["status"] == "amount_mismatch"
    assert callback(client, {"event_id": "PAY-3", "reference": "JFNOSUCH", "amount_yuan": 40}).status_code == 404
    batch.refresh_from_db()
    assert batch.paid_at is None and statuses(batch) == {Status.AWAITING_PAYMENT}


@pytest.mark.django_db(transaction=True)
def test_the_bank_simulator_calls_back_over_http(live_server, partners, settings):
    # given a batch waiting for its fee, and the bank simulator knowing the callback secret
    settings.PORTAL_BASE_URL = live_server.url
    secret = partners["bank"].callback_secret
    partners["bank"].callback_secret = settings.BANK_CALLBACK_SECRET
    station = factories.make_station("S931")
    agent = factories.make_agent(factories.make_employer(station))
    clerk = factories.make_clerk(station)
    policy = CityPolicy.current()
    policy.charges_card_fee = True
    policy.save()
    try:
        batch = submitted_batch(agent, partners, 2, "330136")
        to_awaiting_payment(batch_ids(batch), clerk)

        # when the agent pays at the bank
        from rosters.payments import pay_at_bank

        pay_at_bank(batch)

        # then the bank's signed callback reaches the portal and production starts
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not RosterBatch.objects.get(pk=batch.pk).paid_at:
            time.sleep(0.1)  # waiting on a real HTTP call from another thread
        assert RosterBatch.objects.get(pk=batch.pk).payment_channel == "bank"
        assert statuses(batch) == {Status.IN_PRODUCTION}
    finally:
        partners["bank"].callback_secret = secret


@pytest.mark.django_db
def test_the_agent_collects_the_batchs_cards_together(client, agent, partners, bob_clerk, dave_clerk):
    # given a batch whose cards have reached the station
    batch = submitted_batch(agent, partners, 3, "330137")
    ids = batch_ids(batch)
    workflow.apply_event_in_bulk(ids, "approve", actor=bob_clerk)
    workflow.apply_event_in_bulk(ids, "registry_confirmed", actor=None)
    workflow.apply_event_in_bulk(ids, "account_opened", actor=None)
    for index, application_id in enumerate(ids):
        CardApplication.objects.filter(pk=application_id).update(card_number=f"H9{index:07d}")
    workflow.apply_event_in_bulk(ids, "card_shipped", actor=None)
    assert services.batch_stage(batch)[0] == Status.READY_FOR_PICKUP

    # the agent prints the pickup list
    client.force_login(agent)
    response = client.get(reverse("rosters:pickup_list", args=[batch.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert pickup_list_pdf(batch).startswith(b"%PDF")

    # another station's clerk cannot hand them over; the batch's station's clerk does
    agent_id_number = factories.next_id_number()
    signed_list = SimpleUploadedFile("list.png", make_id_photo(image_format="PNG"), content_type="image/png")
    with pytest.raises(NotPermitted):
        services.hand_over_batch(batch.pk, actor=dave_clerk, proxy_id_number=agent_id_number, authorisation=None)
    agent.full_name = "郑专员"
    agent.save()
    count = services.hand_over_batch(
        batch.pk, actor=bob_clerk, proxy_id_number=agent_id_number, authorisation=signed_list
    )

    # then every card is collected, the agent recorded as proxy
    assert count == 3
    assert statuses(batch) == {Status.COLLECTED}
    pickups = Pickup.objects.filter(application_id__in=ids)
    assert pickups.count() == 3
    assert {(p.by_proxy, p.proxy_name, p.proxy_id_number) for p in pickups} == {(True, "郑专员", agent_id_number)}
    assert len({p.authorisation.name for p in pickups}) == 1
    assert services.batch_stage(batch)[0] == Status.COLLECTED
