"""The permission matrix for cards and the service window: out of scope is a 404 and nothing changes."""

import pytest
from django.test import Client

from issuance.models import Card, CardEvent, LossReport

from . import factories

pytestmark = pytest.mark.django_db

CARD_API = [
    ("get", "/api/v1/cards/{card}/", None),
    ("post", "/api/v1/cards/{card}/activate/", {}),
    ("post", "/api/v1/cards/{card}/swipe-limit/", {"swipe_limit": 3}),
    ("post", "/api/v1/cards/{card}/report-lost/", {"channel": "online"}),
    ("post", "/api/v1/cards/{card}/report-lost-in-writing/", {"presented_id_number": "x"}),
    ("post", "/api/v1/cards/{card}/unreport/", {"presented_id_number": "x"}),
    ("post", "/api/v1/cards/{card}/replacement/", {}),
    ("post", "/api/v1/cards/{card}/exchange/", {"reason": "damaged"}),
    ("post", "/api/v1/applications/{ready}/hand-over/", {"presented_id_number": "x"}),
    # the e-card: the card seen as a code
    ("get", "/api/v1/ecards/{card}/", None),
    ("get", "/api/v1/ecards/{card}/shown/", None),
    ("get", "/api/v1/ecards/{card}/code/", None),
    ("get", "/api/v1/ecards/{card}/checks/", None),
]
CARD_PAGES = [
    ("get", "/window/cards/{card}/"),
    ("post", "/window/cards/{card}/"),
    ("post", "/cards/{card}/report-lost/"),
    ("post", "/cards/{card}/swipe-limit/"),
    ("get", "/window/pickup/{ready}/"),
    ("post", "/window/pickup/{ready}/"),
    ("post", "/applications/{ready}/proxy/"),
    ("get", "/applications/{ready}/certificate.pdf"),
    ("get", "/ecard/{card}/"),
]
PERSONAS = ["eve_citizen", "dave_clerk", "carol_employer", "frank_pharmacist"]


@pytest.fixture
def world(station, other_station):
    alice = factories.make_citizen("王小丽")
    card = factories.make_card(alice, station, status="active")
    ready = factories.ready_for_pickup(alice, station)
    personas = {
        "eve_citizen": factories.make_citizen("赵大伟"),
        "dave_clerk": factories.make_clerk(other_station),
        "carol_employer": factories.make_agent(factories.make_employer(station)),
        "frank_pharmacist": factories.make_verifier(),
    }
    return card, ready, personas


def snapshot(card, ready):
    card.refresh_from_db()
    ready.refresh_from_db()
    return (
        card.status,
        card.swipe_limit,
        ready.status,
        CardEvent.objects.count(),
        LossReport.objects.count(),
        Card.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "url", "payload"), CARD_API)
def test_card_api_out_of_scope_is_404(api_client, world, persona, method, url, payload):
    card, ready, personas = world
    before = snapshot(card, ready)
    api_client.force_authenticate(personas[persona])

    response = getattr(api_client, method)(url.format(card=card.pk, ready=ready.pk), payload, format="json")

    assert response.status_code == 404
    assert snapshot(card, ready) == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "url"), CARD_PAGES)
def test_card_pages_out_of_scope_are_404(world, persona, method, url):
    card, ready, personas = world
    before = snapshot(card, ready)
    client = Client()
    client.force_login(personas[persona])

    response = getattr(client, method)(url.format(card=card.pk, ready=ready.pk), {"action": "activate"})

    assert response.status_code == 404
    assert snapshot(card, ready) == before


def test_the_window_pages_are_for_clerks_only(world):
    _card, _ready, personas = world
    client = Client()
    client.force_login(personas["eve_citizen"])

    for url in ["/window/", "/window/appointments/", "/window/walk-in/", "/window/pickup/", "/window/cards/"]:
        assert client.get(url).status_code == 404, url


def test_a_citizen_cannot_activate_their_own_card_or_hand_it_over(api_client, station):
    alice = factories.make_citizen()
    card = factories.make_card(alice, station)
    ready = factories.ready_for_pickup(alice, station)
    api_client.force_authenticate(alice)

    assert api_client.post(f"/api/v1/cards/{card.pk}/activate/", {}, format="json").status_code == 403
    response = api_client.post(
        f"/api/v1/applications/{ready.pk}/hand-over/",
        {"presented_id_number": alice.person.id_number},
        format="multipart",
    )
    assert response.status_code == 403
    card.refresh_from_db()
    assert card.status == "issued"


def test_the_certificate_check_is_public_and_says_when_forged(api_client, db):
    response = api_client.get("/api/v1/certificates/not-a-real-token/")

    assert response.status_code == 404
    assert response.json()["genuine"] is False
