"""Who sees which dashboard (a clerk their own station, admins the city, everyone else a 404) and the
filters that are refused with a 400 before anything is read."""

import pytest
from django.urls import reverse

from tests import factories

PAGES = ["dashboards:overview", "dashboards:deadlines", "dashboards:bottleneck", "dashboards:flow"]
API = ["overview", "deadlines", "bottleneck", "flow", "activation"]


@pytest.mark.parametrize("name", PAGES)
def test_a_clerk_sees_their_station_and_gets_a_404_for_another(client, bob_clerk, other_station, station, name):
    client.force_login(bob_clerk)

    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse(name), {"station": station.pk}).status_code == 200
    assert client.get(reverse(name), {"station": other_station.pk}).status_code == 404
    assert client.get(reverse(name), {"station": 999999}).status_code == 404


@pytest.mark.parametrize("name", API)
def test_the_api_scopes_like_the_pages(api_client, bob_clerk, admin_user, other_station, name):
    url = f"/api/v1/dashboard/{name}/"
    api_client.force_authenticate(bob_clerk)
    assert api_client.get(url).status_code == 200
    assert api_client.get(url, {"station": other_station.pk}).status_code == 404
    api_client.force_authenticate(admin_user)
    assert api_client.get(url, {"station": other_station.pk}).status_code == 200
    response = api_client.get(url, {"station": 999999})
    assert response.status_code == 400 and response.json()["field"] == "station"


@pytest.mark.parametrize("who", ["alice_citizen", "carol_employer"])
def test_citizens_and_employer_agents_get_a_404(client, api_client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    api_client.force_authenticate(user)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404
    assert client.get("/dashboard/export/statuses.csv").status_code == 404
    for name in API:
        assert api_client.get(f"/api/v1/dashboard/{name}/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2025-02-30"},
        {"date_from": "2025-10-10", "date_to": "2025-10-01"},
        {"date_from": "2020-01-01", "date_to": "2025-01-01"},
        {"date_to": "2999-01-01"},
        {"station": "abc"},
        {"page_size": "101"},
        {"page_size": "0"},
        {"page": "100000"},
    ],
)
def test_impossible_filters_are_a_400_with_a_message(client, api_client, admin_user, query):
    client.force_login(admin_user)
    page = client.get(reverse("dashboards:flow"), query)
    api_client.force_authenticate(admin_user)
    api = api_client.get("/api/v1/dashboard/flow/", query)

    assert page.status_code == 400 and b'id="bad-query"' in page.content
    assert api.status_code == 400 and api.json()["detail"]


def test_an_admin_naming_an_unknown_station_gets_a_400(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("dashboards:overview"), {"station": 999999})
    assert response.status_code == 400


def test_the_list_behind_a_figure_refuses_unknown_statuses_and_ages(client, admin_user, station, alice_citizen):
    factories.make_application(alice_citizen, station, submit=True)
    client.force_login(admin_user)
    url = reverse("dashboards:applications")

    assert client.get(url, {"status": "submitted", "age": "0-7"}).status_code == 200
    assert client.get(url, {"status": "lost"}).status_code == 400
    assert client.get(url, {"status": "submitted", "age": "1-2"}).status_code == 400
    assert client.get(url).status_code == 400
    assert client.get(reverse("dashboards:deadline_list", args=["reviews"]), {"page": 3}).status_code == 400
