"""Each role against each endpoint, on someone else's records: out of scope is a 404 and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from applications.models import CardApplication, StatusEvent
from demo.photos import make_id_photo

from . import factories

pytestmark = pytest.mark.django_db

API_ENDPOINTS = [
    ("get", "/api/v1/applications/{id}/", None),
    ("patch", "/api/v1/applications/{id}/", {"address": "别处1号"}),
    ("post", "/api/v1/applications/{id}/submit/", None),
    ("post", "/api/v1/applications/{id}/withdraw/", None),
    ("post", "/api/v1/applications/{id}/approve/", None),
    ("post", "/api/v1/applications/{id}/return/", {"reason_code": "photo"}),
    ("post", "/api/v1/applications/{id}/cancel/", {"reason": "x"}),
    ("post", "/api/v1/applications/{id}/photo/", "photo"),
    ("post", "/api/v1/applications/{id}/guardian-proof/", "proof"),
]
PAGES = [
    ("get", "/applications/{id}/"),
    ("get", "/applications/{id}/photo/"),
    ("post", "/applications/{id}/withdraw/"),
    ("post", "/applications/{id}/submit/"),
    ("get", "/station/applications/{id}/"),
    ("post", "/station/applications/{id}/"),
]


@pytest.fixture
def world(station, other_station):
    alice = factories.make_citizen("王小丽")
    application = factories.make_application(alice, station, submit=True)
    personas = {
        "alice_citizen": alice,
        "eve_citizen": factories.make_citizen("赵大伟"),
        "bob_clerk": factories.make_clerk(station),
        "dave_clerk": factories.make_clerk(other_station),
        "carol_employer": factories.make_agent(factories.make_employer(station)),
        "admin": factories.make_admin(),
    }
    return application, personas


OUT_OF_SCOPE = ["eve_citizen", "dave_clerk", "carol_employer"]


def snapshot(application):
    application.refresh_from_db()
    return (application.status, application.address, application.photo_id, StatusEvent.objects.count())


def body_for(kind):
    if kind == "photo":
        return {"photo": SimpleUploadedFile("p.jpg", make_id_photo(), content_type="image/jpeg")}, "multipart"
    if kind == "proof":
        return {"guardian_proof": SimpleUploadedFile("p.png", make_id_photo(image_format="PNG"))}, "multipart"
    return kind, "json"


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
@pytest.mark.parametrize(("method", "url", "payload"), API_ENDPOINTS)
def test_api_out_of_scope_is_404_and_nothing_changes(api_client, world, persona, method, url, payload):
    application, personas = world
    before = snapshot(application)
    api_client.force_authenticate(personas[persona])
    data, fmt = body_for(payload)

    response = getattr(api_client, method)(url.format(id=application.pk), data, format=fmt)

    assert response.status_code == 404
    assert snapshot(application) == before


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_pages_out_of_scope_are_404(world, persona, method, url):
    application, personas = world
    before = snapshot(application)
    client = Client()
    client.force_login(personas[persona])

    response = getattr(client, method)(url.format(id=application.pk), {"action": "approve"})

    assert response.status_code == 404
    assert snapshot(application) == before


def test_anonymous_gets_401_from_the_api_and_a_login_redirect_from_pages(api_client, world):
    application, _personas = world

    assert api_client.get(f"/api/v1/applications/{application.pk}/").status_code in (401, 403)
    assert api_client.get("/api/v1/applications/").status_code in (401, 403)
    response = Client().get(f"/applications/{application.pk}/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice_citizen", {"get": 200, "approve": 403, "return": 403, "cancel": 403, "withdraw": 200}),
        ("bob_clerk", {"get": 200, "patch": 403, "submit": 409, "withdraw": 403, "approve": 200}),
        ("admin", {"get": 200, "approve": 403, "cancel": 200}),
    ],
)
def test_in_scope_roles_get_what_the_table_allows(api_client, world, persona, expected):
    application, personas = world
    api_client.force_authenticate(personas[persona])
    urls = {
        "get": ("get", "/api/v1/applications/{id}/", None),
        "patch": ("patch", "/api/v1/applications/{id}/", {"address": "别处1号"}),
        "submit": ("post", "/api/v1/applications/{id}/submit/", None),
        "withdraw": ("post", "/api/v1/applications/{id}/withdraw/", None),
        "approve": ("post", "/api/v1/applications/{id}/approve/", None),
        "return": ("post", "/api/v1/applications/{id}/return/", {"reason_code": "photo"}),
        "cancel": ("post", "/api/v1/applications/{id}/cancel/", {"reason": "重复申请"}),
    }
    for name, code in expected.items():
        method, url, payload = urls[name]
        factories.force_status(application, "submitted")
        response = getattr(api_client, method)(url.format(id=application.pk), payload, format="json")
        assert response.status_code == code, (name, response.content)


def test_lists_hold_only_in_scope_rows(api_client, world, other_station):
    application, personas = world
    elsewhere = factories.make_application(personas["eve_citizen"], other_station, submit=True)

    def ids(persona):
        api_client.force_authenticate(personas[persona])
        return {row["id"] for row in api_client.get("/api/v1/applications/").json()["results"]}

    assert ids("alice_citizen") == {application.pk}
    assert ids("eve_citizen") == {elsewhere.pk}
    assert ids("bob_clerk") == {application.pk}
    assert ids("dave_clerk") == {elsewhere.pk}
    assert ids("carol_employer") == set()
    assert ids("admin") == {application.pk, elsewhere.pk}
    assert CardApplication.objects.count() == 2


def test_a_citizen_cannot_open_the_clerk_queue(world):
    _application, personas = world
    client = Client()
    client.force_login(personas["alice_citizen"])

    assert client.get("/station/queue/").status_code == 404
