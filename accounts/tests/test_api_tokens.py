"""API tokens (issue 19): `Authorization: Bearer` as HTTP bearer clients send it ("Token" still works), tokens
that expire, and an owner who lists and revokes theirs. Only a hash of a token is stored."""

import datetime

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def ask_for_token(client, user, *, remote_addr: str = "127.0.0.1", **fields):
    body = {"username": user.username, "password": factories.PASSWORD, **fields}
    return client.post(TOKEN_URL, body, format="json", REMOTE_ADDR=remote_addr)


def as_bearer(token: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
    return client


def test_a_token_works_as_bearer_and_as_token_and_only_its_hash_is_stored(api_client, alice_citizen):
    response = ask_for_token(api_client, alice_citizen, name="HR system")

    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["prefix"] == token[:8] and response.json()["name"] == "HR system"
    assert as_bearer(token).get("/api/v1/auth/me/").json()["role"] == "citizen"
    assert as_bearer(token, "Token").get("/api/v1/auth/me/").json()["role"] == "citizen"
    assert as_bearer(token, "bearer").get("/api/v1/auth/me/").status_code == 200  # the scheme is case-insensitive
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 - the model's own table
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored


def test_a_missing_or_wrong_token_is_a_401_that_names_the_bearer_scheme(api_client):
    anonymous = api_client.get("/api/v1/auth/me/")
    wrong = as_bearer("not-a-token").get("/api/v1/auth/me/")

    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    assert wrong.status_code == 401 and wrong.json()["code"] == "authentication_failed"


def test_a_token_expires_and_the_answer_says_so(api_client, alice_citizen, settings):
    settings.API_TOKEN_DAYS = 30
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token = ask_for_token(api_client, alice_citizen, expires_in_days=7).json()["token"]
        traveller.shift(datetime.timedelta(days=6, hours=23))
        assert as_bearer(token).get("/api/v1/auth/me/").status_code == 200
        traveller.shift(datetime.timedelta(hours=2))
        expired = as_bearer(token).get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"
    assert "2026-03-09" in expired.json()["detail"]


def test_a_token_cannot_outlive_the_citys_limit(api_client, alice_citizen, settings):
    settings.API_TOKEN_DAYS = 30

    too_long = ask_for_token(api_client, alice_citizen, expires_in_days=31)

    assert too_long.status_code == 400 and too_long.json()["field"] == "expires_in_days"


def test_the_owner_lists_and_revokes_their_tokens_and_nobody_elses(api_client, alice_citizen, eve_citizen):
    laptop = ask_for_token(api_client, alice_citizen, name="laptop").json()
    script = ask_for_token(api_client, alice_citizen, name="script").json()
    eves = ask_for_token(api_client, eve_citizen).json()
    alice = as_bearer(laptop["token"])

    listed = alice.get("/api/v1/auth/tokens/").json()
    assert [(t["name"], t["current"]) for t in listed["results"]] == [("script", False), ("laptop", True)]
    assert all("token" not in t for t in listed["results"])

    assert alice.delete(f"/api/v1/auth/tokens/{eves['id']}/").status_code == 404
    assert as_bearer(eves["token"]).get("/api/v1/auth/me/").status_code == 200
    assert alice.delete(f"/api/v1/auth/tokens/{script['id']}/").status_code == 204
    assert as_bearer(script["token"]).get("/api/v1/auth/me/").status_code == 401
    assert alice.delete(TOKEN_URL).status_code == 204  # revokes the token of the request itself
    assert as_bearer(laptop["token"]).get("/api/v1/auth/me/").status_code == 401


def test_a_stale_token_in_the_header_does_not_stop_asking_for_a_new_one(alice_citizen):
    client = as_bearer("revoked-long-ago")

    response = ask_for_token(client, alice_citizen)

    assert response.status_code == 201


def test_a_wrong_password_is_a_400_and_the_lockout_a_429_with_retry_after(api_client, alice_citizen, settings):
    wrong = api_client.post(
        TOKEN_URL, {"username": alice_citizen.username, "password": "nope"}, format="json", REMOTE_ADDR="10.0.0.9"
    )
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api_client.post(
            TOKEN_URL, {"username": alice_citizen.username, "password": "nope"}, format="json", REMOTE_ADDR="10.0.0.9"
        )

    locked = ask_for_token(api_client, alice_citizen, remote_addr="10.0.0.9")

    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not ApiToken.objects.exists()
