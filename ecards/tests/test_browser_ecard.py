"""Issue 20, point 1, in a real headless Chromium: a holder opens her e-card on a 390 px phone in care mode; the QR
code, read off the screen by an independent decoder (zxing-cpp), holds a code that PyJWT verifies with the key set
fetched from /.well-known/sbcard-ecard-key; the name and number stay masked until she taps "show"; a minute later
the code has changed by itself. A pharmacist scans it (the scanner types it into the check page): valid, with the
masked name and her photo. She reports the card lost: the e-card stops, and the code she showed a moment ago is
refused; the loss report withdrawn, it works again. She sees who checked it and when. Screenshots for the README."""

import io
import json
import shutil
import urllib.request
from pathlib import Path

import jwt
import pytest
import zxingcpp
from PIL import Image

from issuance import services as card_services
from issuance.models import CardStatus
from tests import factories
from tests.browser import DESKTOP, PHONE, accessibility_problems, chromium_browser, new_page
from tests.test_accessibility import cookies_for

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def decode_qr(locator) -> str:
    """The text of the one QR code in the element's screenshot."""
    image = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    (found,) = zxingcpp.read_barcodes(image)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text


def test_a_holder_shows_her_ecard_on_a_phone_and_a_pharmacy_checks_it(live_server, artifacts_dir):
    # given a card holder with an active card, her station's clerk, and a pharmacist
    station = factories.make_station("S500", "城西")
    clerk = factories.make_clerk(station, "ecard-clerk")
    holder = factories.make_citizen("何美玲")
    card = factories.make_card(holder, station, status=CardStatus.ACTIVE)
    pharmacist = factories.make_verifier(factories.make_institution("仁心大药房"), name="王药师")
    number = holder.person.id_number
    with urllib.request.urlopen(f"{live_server.url}/.well-known/sbcard-ecard-key") as answer:  # noqa: S310
        keys = {key["kid"]: jwt.PyJWK.from_dict(key).key for key in json.load(answer)["keys"]}

    def verified(token: str) -> dict:
        return jwt.decode(token, keys[jwt.get_unverified_header(token)["kid"]], algorithms=["EdDSA"])

    with chromium_browser() as browser:
        phone = new_page(browser, viewport=PHONE, cookies=cookies_for(None, live_server.url, "zh-hans", True), axe=True)
        phone.clock.install()  # the page's own timers: a minute passes when the test says so

        # when she signs in on her phone, in care mode, and opens her e-card
        phone.goto(f"{live_server.url}/accounts/sign-in/")
        phone.fill("input[name=username]", holder.username)
        phone.fill("input[name=password]", factories.PASSWORD)
        phone.click("main button[type=submit]")
        phone.wait_for_url(f"{live_server.url}/me/")
        phone.click("nav a[href='/ecard/']")
        phone.click(f"main a[href='/ecard/{card.pk}/']")

        # then the QR code holds a code signed with the city's key, for her card, with her name masked
        first = decode_qr(phone.locator("#ecard-qr"))
        claims = verified(first)
        assert claims["sub"] == f"card:{card.pk}" and claims["name"] == "何*玲"
        assert "何*玲" in phone.inner_text(".ecard-details") and number not in phone.content()
        problems = accessibility_problems(phone, care=True)
        phone.screenshot(path=str(artifacts_dir / "ecard.png"), full_page=True)

        # and tapping "show" shows the name and the numbers, tapping again hides them
        phone.click("[data-show-toggle]")
        phone.wait_for_function("n => document.querySelector('.ecard-details').innerText.includes(n)", arg=number)
        shown = phone.inner_text(".ecard-details")
        phone.click("[data-show-toggle]")
        phone.wait_for_function("n => !document.querySelector('.ecard-details').innerText.includes(n)", arg=number)
        assert "何美玲" in shown and card.number in shown

        # and a minute later the code has changed by itself
        before = phone.inner_html("#ecard-qr")
        phone.clock.fast_forward(61_000)
        phone.wait_for_function("old => document.querySelector('#ecard-qr').innerHTML !== old", arg=before)
        second = decode_qr(phone.locator("#ecard-qr"))
        assert second != first and verified(second)["jti"] != claims["jti"]

        # when the pharmacist scans it: the scanner types the code into the check page and presses Enter
        desk = new_page(
            browser, viewport=DESKTOP, cookies=cookies_for(pharmacist, live_server.url, "zh-hans", False), axe=True
        )
        desk.goto(f"{live_server.url}/ecard/verify/")
        desk.locator("#id_code").press_sequentially(second, delay=0)
        desk.keyboard.press("Enter")
        desk.wait_for_selector("#result")

        # then it is valid, with the masked name and her photo (358 × 441) to compare
        verdict = desk.inner_text("#result")
        photo_width = desk.eval_on_selector("#result-photo", "img => img.naturalWidth")
        problems += accessibility_problems(desk)
        desk.screenshot(path=str(artifacts_dir / "ecard-verify.png"), full_page=True)
        assert "何*玲" in verdict and number not in desk.content() and photo_width == 358

        # when she reports the card lost (care mode: one task per screen)
        phone.goto(f"{live_server.url}/cards/?card={card.pk}&task=report-lost")
        phone.click("main button.danger")
        phone.goto(f"{live_server.url}/ecard/{card.pk}/")

        # then her e-card shows no code, and the code she showed a moment ago is refused at the pharmacy
        stopped = phone.inner_text("#ecard-stopped")
        assert phone.locator("#ecard-qr").count() == 0
        desk.locator("#id_code").press_sequentially(second, delay=0)
        desk.keyboard.press("Enter")
        desk.wait_for_selector("#result-state")
        refused = desk.inner_text("#result")

        # when the loss report is withdrawn at the station, then the e-card works again
        card_services.unreport_loss(card.pk, actor=clerk, presented_id_number=number)
        phone.reload()
        third = decode_qr(phone.locator("#ecard-qr"))
        checks = phone.inner_text("#checks")
        assert phone.csp_violations == [] and desk.csp_violations == []

    assert "挂失" in stopped  # the page speaks Chinese: "the card is reported lost, so its e-card is stopped too"
    assert "请勿受理" in refused and "已挂失" in refused  # "do not accept it": suspended
    assert verified(third)["sub"] == f"card:{card.pk}"
    # and she sees who checked it: the pharmacy, its staff member, twice
    assert checks.count("仁心大药房") == 2 and "王药师" in checks
    assert problems == [], "\n".join(problems)
    DOCS.mkdir(exist_ok=True)
    for name in ("ecard.png", "ecard-verify.png"):
        shutil.copyfile(artifacts_dir / name, DOCS / name)
