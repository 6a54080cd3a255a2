"""Rule 10: the bank reports an activation at a branch over real HTTP, signed; forged or replayed reports
change nothing."""

import json

import pytest
import requests

from issuance.models import Card, CardStatus
from partners.signing import signed_headers
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bank_reports_an_activation_and_a_replay_changes_nothing(live_server, partners, settings):
    card = factories.make_card(factories.make_citizen(), factories.make_station())
    callback = f"{live_server.url}/partners/callbacks/bank/activation/"

    answer = requests.post(
        f"{partners['bank'].url}/_control/activate",
        json={
            "card_number": card.number,
            "swipe_limit": 3,
            "callback_url": callback,
        },
        timeout=10,
    ).json()

    assert answer["delivered"] is True
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and card.swipe_limit == 3
    assert card.events.get().actor_role == "system"

    body = json.dumps({"event_id": answer["event_id"], "event": "activated", "card_number": card.number}).encode()
    replay = requests.post(callback, data=body, headers=signed_headers(settings.BANK_CALLBACK_SECRET, body), timeout=10)
    assert replay.json()["status"] == "duplicate"
    assert card.events.count() == 1


def test_a_forged_activation_is_refused(live_server, partners):
    card = factories.make_card(factories.make_citizen(), factories.make_station())
    body = json.dumps({"event_id": "forged", "card_number": card.number}).encode()

    response = requests.post(
        f"{live_server.url}/partners/callbacks/bank/activation/",
        data=body,
        headers=signed_headers("guessed", body),
        timeout=10,
    )

    assert response.status_code == 403
    assert Card.objects.get(pk=card.pk).status == CardStatus.ISSUED


def test_an_activation_reported_without_a_limit_takes_the_citys_default(live_server, partners):
    from applications.models import CityPolicy

    policy = CityPolicy.current()
    policy.default_swipe_limit = 5  # a city that chose 5, not the usual 2 (rule 10)
    policy.save()
    card = factories.make_card(factories.make_citizen(), factories.make_station())

    answer = requests.post(
        f"{partners['bank'].url}/_control/activate",
        json={"card_number": card.number, "callback_url": f"{live_server.url}/partners/callbacks/bank/activation/"},
        timeout=10,
    ).json()

    assert answer["delivered"] is True
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and card.swipe_limit == 5


def test_the_bank_callbacks_age_limit_is_the_banks_own_setting(live_server, settings):
    import time

    card = factories.make_card(factories.make_citizen(), factories.make_station())
    url = f"{live_server.url}/partners/callbacks/bank/activation/"

    def post(event_id: str, age_seconds: int):
        body = json.dumps({"event_id": event_id, "card_number": card.number}).encode()
        headers = signed_headers(settings.BANK_CALLBACK_SECRET, body, now=int(time.time()) - age_seconds)
        return requests.post(url, data=body, headers=headers, timeout=10)

    settings.VENDOR_WEBHOOK_MAX_AGE_SECONDS, settings.BANK_CALLBACK_MAX_AGE_SECONDS = 3600, 60
    assert post("old", 120).status_code == 403  # older than the bank's 60 s, though the vendor's hour would allow it
    settings.VENDOR_WEBHOOK_MAX_AGE_SECONDS, settings.BANK_CALLBACK_MAX_AGE_SECONDS = 1, 600
    assert post("recent", 120).status_code == 200  # within the bank's 10 minutes, past the vendor's second
    assert Card.objects.get(pk=card.pk).status == CardStatus.ACTIVE
