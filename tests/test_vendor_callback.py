"""Vendor callbacks are signed: unsigned, wrongly signed, stale or replayed callbacks change nothing."""

import json
import time

import pytest
from django.test import Client

from applications import pipeline
from applications.models import PartnerStep, Status, VendorCallback
from partners.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers

from . import factories
from .partners import register

pytestmark = pytest.mark.django_db
URL = "/partners/callbacks/vendor/"


@pytest.fixture
def ordered(partners, station):
    from applications.services import approve_application

    citizen = factories.make_citizen("冯宝宝")
    application = factories.make_application(citizen, station, submit=True)
    approve_application(application.pk, actor=factories.make_clerk(station))
    register(partners, citizen.person)
    pipeline.verify_with_registry(application.pk)
    pipeline.open_bank_account(application.pk)
    pipeline.order_card(application.pk)
    application.refresh_from_db()
    assert application.status == Status.IN_PRODUCTION
    return application


def shipped_body(application, **extra) -> bytes:
    step = PartnerStep.objects.get(application=application, partner="vendor")
    body = {
        "event_id": f"{step.result_reference}:shipped",
        "event": "shipped",
        "order_id": step.result_reference,
        "idempotency_key": str(step.idempotency_key),
        "reference": application.reference,
        "card_number": "H00000042",
        "batch_number": "B20261127-S100-0001",
        "reason": "",
        **extra,
    }
    return json.dumps(body).encode()


def post(body: bytes, headers: dict):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return Client().post(URL, body, content_type="application/json", **meta)


def test_a_signed_callback_puts_the_card_at_the_station(ordered, settings, django_capture_on_commit_callbacks):
    body = shipped_body(ordered)

    with django_capture_on_commit_callbacks() as callbacks:
        response = post(body, signed_headers(settings.VENDOR_WEBHOOK_SECRET, body))
    assert response.status_code == 202
    assert len(callbacks) == 1  # receive_shipment, enqueued after commit
    pipeline.receive_shipment(VendorCallback.objects.get().pk)

    ordered.refresh_from_db()
    assert ordered.status == Status.READY_FOR_PICKUP
    assert ordered.card_number == "H00000042"
    assert ordered.card_batch_number == "B20261127-S100-0001"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "0" * 64},
        "wrong-secret",
        "stale",
    ],
    ids=["unsigned", "bad-signature", "wrong-secret", "stale"],
)
def test_bad_callbacks_are_refused_and_change_nothing(ordered, settings, headers):
    body = shipped_body(ordered)
    if headers == "wrong-secret":
        headers = signed_headers("not-the-secret", body)
    elif headers == "stale":
        headers = signed_headers(settings.VENDOR_WEBHOOK_SECRET, body, now=time.time() - 3600)

    response = post(body, headers)

    assert response.status_code == 403
    assert not VendorCallback.objects.exists()
    ordered.refresh_from_db()
    assert ordered.status == Status.IN_PRODUCTION and ordered.card_number == ""


def test_a_tampered_body_fails_the_signature(ordered, settings):
    body = shipped_body(ordered)
    headers = signed_headers(settings.VENDOR_WEBHOOK_SECRET, body)

    response = post(body.replace(b"H00000042", b"H99999999"), headers)

    assert response.status_code == 403


def test_a_replayed_callback_changes_nothing(ordered, settings):
    body = shipped_body(ordered)
    assert post(body, signed_headers(settings.VENDOR_WEBHOOK_SECRET, body)).status_code == 202
    pipeline.receive_shipment(VendorCallback.objects.get().pk)
    events_before = ordered.events.count()

    replay = post(body, signed_headers(settings.VENDOR_WEBHOOK_SECRET, body))

    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    assert VendorCallback.objects.count() == 1
    pipeline.receive_shipment(VendorCallback.objects.get().pk)  # a second run of the job does nothing either
    assert ordered.events.count() == events_before


def test_production_failure_returns_the_application_with_the_reason(ordered, settings):
    body = shipped_body(ordered, event="failed", event_id="x:failed", card_number="", reason="芯片写入失败")
    post(body, signed_headers(settings.VENDOR_WEBHOOK_SECRET, body))

    pipeline.receive_shipment(VendorCallback.objects.get().pk)

    ordered.refresh_from_db()
    assert ordered.status == Status.RETURNED
    event = ordered.events.order_by("-id").first()
    assert event.reason_code == "production_failed" and "芯片写入失败" in event.reason


def test_a_malformed_but_signed_body_is_a_400(settings):
    body = b"{not json"
    assert post(body, signed_headers(settings.VENDOR_WEBHOOK_SECRET, body)).status_code == 400


def test_an_unknown_order_is_a_404(settings, db):
    body = json.dumps(
        {"event_id": "e", "event": "shipped", "idempotency_key": "6f1c0d8e-0000-4000-8000-000000000000"}
    ).encode()
    assert post(body, signed_headers(settings.VENDOR_WEBHOOK_SECRET, body)).status_code == 404
