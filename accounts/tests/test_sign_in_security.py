"""SECURITY.md 4, 5 and issue 7: SMS codes, lockout, session expiry and rotation, deactivation, passwords."""

import datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import PhoneCode, User
from accounts.phone_codes import send_code, use_code
from accounts.services import change_phone
from applications.services import sign_up_citizen
from sbcard.errors import Conflict, InvalidInput
from tests import factories
from tests.partners import last_sms_code

pytestmark = pytest.mark.django_db
PHONE = "13712345678"


def test_sign_up_needs_the_code_sent_to_the_phone(partners):
    send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_UP)
    code = last_sms_code(partners, PHONE)
    details = {"name": "方圆", "id_number": factories.next_id_number(), "phone": PHONE, "password": "Fang-Yuan-2026"}

    with pytest.raises(InvalidInput):
        sign_up_citizen(**details, code="000000" if code != "000000" else "111111")
    user = sign_up_citizen(**details, code=code)

    assert user.username == PHONE and user.person.phone == PHONE


def test_a_code_is_single_use_and_expires_after_ten_minutes(partners):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)) as traveller:
        send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN)
        code = last_sms_code(partners, PHONE)
        use_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN, code=code)
        with pytest.raises(InvalidInput):
            use_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN, code=code)

        send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN)
        code = last_sms_code(partners, PHONE)
        traveller.shift(datetime.timedelta(minutes=11))
        with pytest.raises(InvalidInput):
            use_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN, code=code)


def test_at_most_five_codes_a_phone_an_hour(partners):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)) as traveller:
        for _ in range(5):
            send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN)
        with pytest.raises(Conflict):
            send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN)
        traveller.shift(datetime.timedelta(minutes=61))
        send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN)
    assert len(partners["sms"].messages) == 6


def test_five_wrong_tries_burn_the_code(partners):
    send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN)
    code = last_sms_code(partners, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            use_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN, code=wrong)

    with pytest.raises(InvalidInput):
        use_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_IN, code=code)


def test_a_citizen_signs_in_with_phone_and_code(partners, alice_citizen):
    client = Client()
    client.post("/accounts/sign-in/code/", {"phone": alice_citizen.phone, "action": "send_code"})

    response = client.post(
        "/accounts/sign-in/code/",
        {
            "phone": alice_citizen.phone,
            "code": last_sms_code(partners, alice_citizen.phone),
            "action": "sign_in",
        },
    )

    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_a_phone_change_is_confirmed_by_a_code_to_the_new_number(partners, alice_citizen):
    new_phone = "13911119999"
    send_code(phone=new_phone, purpose=PhoneCode.Purpose.CHANGE_PHONE)

    change_phone(alice_citizen, new_phone=new_phone, code=last_sms_code(partners, new_phone))

    alice_citizen.refresh_from_db()
    assert alice_citizen.phone == new_phone and alice_citizen.username == new_phone


def test_codes_are_stored_only_as_hashes(partners):
    send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_UP)
    code = last_sms_code(partners, PHONE)
    stored = PhoneCode.objects.get()
    assert code not in stored.code_hash and PHONE not in stored.phone_key


# --- lockout (SECURITY.md 4) --------------------------------------------------------------------


def fail(client, username, address="10.0.0.1"):
    return client.post(
        "/accounts/sign-in/", {"username": username, "password": "not-the-password"}, REMOTE_ADDR=address
    )


def test_repeated_failures_lock_the_account_and_cool_off(alice_citizen):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)) as traveller:
        client = Client()
        for _ in range(5):
            fail(client, alice_citizen.username)
        locked = client.post(
            "/accounts/sign-in/",
            {"username": alice_citizen.username, "password": factories.PASSWORD},
            REMOTE_ADDR="10.0.0.2",
        )
        assert locked.status_code == 429  # the right password from another address: the account is locked
        assert "锁定" in locked.content.decode() or "locked" in locked.content.decode()

        traveller.shift(datetime.timedelta(minutes=16))
        ok = client.post(
            "/accounts/sign-in/",
            {"username": alice_citizen.username, "password": factories.PASSWORD},
            REMOTE_ADDR="10.0.0.2",
        )
        assert ok.status_code == 302


def test_repeated_failures_lock_the_client_address_too(alice_citizen, eve_citizen):
    client = Client()
    for index in range(5):
        fail(client, f"1390000{index:04d}", address="10.9.9.9")

    response = client.post(
        "/accounts/sign-in/", {"username": eve_citizen.username, "password": factories.PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )

    assert response.status_code == 429


def test_the_api_token_endpoint_locks_out_too(api_client, alice_citizen):
    for _ in range(5):
        api_client.post(
            "/api/v1/auth/token/",
            {"username": alice_citizen.username, "password": "nope"},
            format="json",
            REMOTE_ADDR="10.0.0.3",
        )

    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": alice_citizen.username, "password": factories.PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.3",
    )

    assert response.status_code == 429 and response.json()["code"] == "locked_out"


# --- sessions (SECURITY.md 4) -------------------------------------------------------------------


def sign_in(client, user):
    return client.post("/accounts/sign-in/", {"username": user.username, "password": factories.PASSWORD})


def test_an_idle_session_expires(alice_citizen):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)) as traveller:
        client = Client()
        sign_in(client, alice_citizen)
        traveller.shift(datetime.timedelta(minutes=20))
        assert client.get("/me/").status_code == 200  # activity keeps it alive
        traveller.shift(datetime.timedelta(minutes=31))
        assert client.get("/me/").status_code == 302


def test_the_session_key_rotates_at_sign_in_and_sign_out_ends_it(alice_citizen):
    client = Client()
    client.get("/accounts/sign-in/")
    before = client.session.session_key
    sign_in(client, alice_citizen)
    after = client.cookies["sessionid"].value
    assert after != before

    client.post("/accounts/sign-out/")
    stale = Client()
    stale.cookies["sessionid"] = after
    assert stale.get("/me/").status_code == 302


def test_deactivating_a_clerk_ends_their_sessions_and_tokens(api_client, bob_clerk):
    client = Client()
    sign_in(client, bob_clerk)
    token = api_client.post(
        "/api/v1/auth/token/", {"username": bob_clerk.username, "password": factories.PASSWORD}, format="json"
    ).json()["token"]
    assert client.get("/station/queue/").status_code == 200

    User.objects.filter(pk=bob_clerk.pk).update(is_active=False)

    assert client.get("/station/queue/").status_code == 302
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/auth/me/").status_code == 401


@pytest.mark.parametrize("password", ["password123", "12345678", "qwertyuiop"])
def test_common_and_numeric_passwords_are_refused(partners, password):
    send_code(phone=PHONE, purpose=PhoneCode.Purpose.SIGN_UP)

    with pytest.raises(InvalidInput) as error:
        sign_up_citizen(
            name="方圆",
            id_number=factories.next_id_number(),
            phone=PHONE,
            password=password,
            code=last_sms_code(partners, PHONE),
        )

    assert error.value.field == "password"
