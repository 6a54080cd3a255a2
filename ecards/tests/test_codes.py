"""The e-card's code against outside truth: RFC 8037's own Ed25519 example (its key, thumbprint and signed JWS), and
PyJWT — an independent JOSE implementation a hospital could use — verifying our codes with nothing but the key set
published at /.well-known/sbcard-ecard-key."""

import datetime
import json

import jwt
import pytest
import time_machine
from django.test import Client

from ecards.codes import TOKEN_TYPE, issue_code, read_code
from issuance.models import CardStatus
from sbcard import jws
from tests import factories

# RFC 8037, appendix A.1 (the key), A.3 (its thumbprint) and A.4 (the JWS of "Example of Ed25519 signing").
RFC_PRIVATE = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC_PUBLIC = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


def test_signing_reproduces_rfc_8037s_example_and_its_key_and_thumbprint():
    key = jws.SigningKey.from_text(RFC_PRIVATE)

    assert jws.encode(key.public_bytes) == RFC_PUBLIC
    assert key.kid == RFC_THUMBPRINT
    assert jws.sign(b"Example of Ed25519 signing", key) == RFC_JWS
    header, payload = jws.verify(RFC_JWS, {key.kid: key.public_bytes})
    assert header == {"alg": "EdDSA"} and payload == b"Example of Ed25519 signing"


@pytest.mark.parametrize(
    "token, reason",
    [
        (RFC_JWS[:-2] + ("AA" if not RFC_JWS.endswith("AA") else "BA"), "bad_signature"),
        ("eyJhbGciOiJub25lIn0.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.", "malformed"),  # alg "none", no signature
        ("eyJhbGciOiJIUzI1NiJ9." + RFC_JWS.split(".", 1)[1], "wrong_algorithm"),  # HS256 named instead
        ("not a token", "malformed"),
        ("eyJhbGciOiJFZERTQSJ9=." + RFC_JWS.split(".", 1)[1], "padding"),
        ("é.é.é", "not_base64url"),
    ],
)
def test_a_token_altered_or_of_another_algorithm_is_refused(token, reason):
    key = jws.SigningKey.from_text(RFC_PRIVATE)
    with pytest.raises(jws.BadToken) as refused:
        jws.verify(token, {key.kid: key.public_bytes})
    assert refused.value.reason == reason


def test_pyjwt_verifies_our_codes_with_the_published_keys_alone(db, station):
    # given a card's code and the key set as a hospital downloads it
    citizen = factories.make_citizen("何美玲")
    card = factories.make_card(citizen, station, status=CardStatus.ACTIVE)
    code = issue_code(card)
    key_set = Client().get("/.well-known/sbcard-ecard-key").json()

    # when PyJWT checks it, with the key the code's header names
    kid = jwt.get_unverified_header(code.token)["kid"]
    (jwk,) = [key for key in key_set["keys"] if key["kid"] == kid]
    public_key = jwt.PyJWK.from_dict(jwk).key
    claims = jwt.decode(code.token, public_key, algorithms=["EdDSA"])

    # then it is genuine, names the card, shows only the masked name, and lives 90 seconds
    assert jwt.get_unverified_header(code.token)["typ"] == TOKEN_TYPE
    assert claims["sub"] == f"card:{card.pk}" and claims["name"] == "何*玲"
    assert claims["exp"] - claims["iat"] == 90
    assert citizen.person.id_number not in json.dumps(claims) and card.number not in json.dumps(claims)
    # and a key set is what RFC 7517 describes: public members only
    assert set(jwk) == {"kty", "crv", "x", "kid", "use", "alg"} and jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"


def test_pyjwt_refuses_a_code_once_it_has_expired_and_so_do_we(db, station):
    card = factories.make_card(factories.make_citizen(), station, status=CardStatus.ACTIVE)
    start = datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        code = issue_code(card)
    (jwk,) = Client().get("/.well-known/sbcard-ecard-key").json()["keys"]
    public_key = jwt.PyJWK.from_dict(jwk).key

    with time_machine.travel(start + datetime.timedelta(seconds=89), tick=False):
        assert read_code(code.token).is_current
        jwt.decode(code.token, public_key, algorithms=["EdDSA"])
    with time_machine.travel(start + datetime.timedelta(seconds=91), tick=False):
        assert not read_code(code.token).is_current
        with pytest.raises(jwt.ExpiredSignatureError):
            jwt.decode(code.token, public_key, algorithms=["EdDSA"])


def test_a_code_signed_by_someone_elses_key_is_not_genuine(db, station, settings):
    card = factories.make_card(factories.make_citizen(), station, status=CardStatus.ACTIVE)
    settings.ECARD_SIGNING_KEYS = [RFC_PRIVATE]  # the RFC's key is public: anyone can sign with it
    forged = issue_code(card).token
    settings.ECARD_SIGNING_KEYS = ["A" * 43]

    with pytest.raises(jws.BadToken) as refused:
        read_code(forged)
    assert refused.value.reason == "unknown_key"


def test_after_a_rotation_a_code_signed_with_the_old_key_still_checks_out(db, station, settings):
    card = factories.make_card(factories.make_citizen(), station, status=CardStatus.ACTIVE)
    settings.ECARD_SIGNING_KEYS = [RFC_PRIVATE]
    before = issue_code(card).token
    settings.ECARD_SIGNING_KEYS = ["A" * 43, RFC_PRIVATE]  # the new key first, the old one still published

    after = issue_code(card).token
    keys = Client().get("/.well-known/sbcard-ecard-key").json()["keys"]

    assert read_code(before).card_id == read_code(after).card_id == card.pk
    assert [key["kid"] for key in keys][1] == RFC_THUMBPRINT
    assert jwt.get_unverified_header(after)["kid"] == keys[0]["kid"] != RFC_THUMBPRINT
