"""The pickup desk in a real headless Chromium: a clerk finds the card and hands it to a proxy."""

import pytest

from applications.models import CardApplication, Status
from demo.photos import make_id_photo
from issuance.models import Pickup

from . import factories
from .browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/station/queue/")


def test_a_clerk_hands_a_card_to_a_proxy(live_server, tmp_path, artifacts_dir):
    # given a card waiting at the station, and a proxy with a signed authorisation
    station = factories.make_station("S400", "城东")
    factories.make_clerk(station, "desk-clerk")
    holder = factories.make_citizen("钱满满")
    application = factories.ready_for_pickup(holder, station, batch="B20261127-S400-0001")
    scan = tmp_path / "weituoshu.png"
    scan.write_bytes(make_id_photo(image_format="PNG"))
    proxy_id = factories.next_id_number()

    with chromium_page() as page:
        sign_in(page, live_server.url, "desk-clerk")
        # when the clerk searches by the holder's ID number
        page.goto(f"{live_server.url}/window/pickup/")
        page.fill("input[name=id_number]", holder.person.id_number)
        page.click("form.panel button[type=submit]")  # a POST: the ID number stays out of the URL
        page.wait_for_selector("#found")
        assert application.reference in page.inner_text("#found")
        page.click("#found a.button")

        # and a proxy without the authorisation is refused with the reason
        page.check("input[name=by_proxy]")
        page.fill("input[name=proxy_name]", "孙代领")
        page.fill("input[name=proxy_id_number]", proxy_id)
        page.click("#hand-over-form button[type=submit]")
        page.wait_for_selector("#field-authorisation .error")
        refusal = page.inner_text("#field-authorisation .error")

        # then with the scan the card is handed over
        page.check("input[name=by_proxy]")
        page.fill("input[name=proxy_name]", "孙代领")
        page.fill("input[name=proxy_id_number]", proxy_id)
        page.set_input_files("input[name=authorisation]", str(scan))
        page.screenshot(path=str(artifacts_dir / "pickup-desk-proxy.png"), full_page=True)
        page.click("#hand-over-form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/window/pickup/")
        assert page.csp_violations == []  # the page works under the Content Security Policy

    assert "委托书" in refusal or "authorisation" in refusal
    application = CardApplication.objects.get(pk=application.pk)
    assert application.status == Status.COLLECTED
    pickup = Pickup.objects.get(application=application)
    assert pickup.by_proxy and pickup.proxy_name == "孙代领" and pickup.proxy_id_number == proxy_id
