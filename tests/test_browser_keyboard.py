"""Issue 17: the main journeys with the keyboard alone (no mouse, no click), in a real headless Chromium: a
citizen signs in and applies with a photo; a clerk approves an application and hands over a card. Every page
starts with the skip link, and the focus is visible wherever it goes."""

import re

import pytest

from applications.models import CardApplication, Status
from demo.photos import make_id_photo
from issuance.models import Pickup

from . import factories
from .browser import chromium_page, skip_to_content, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(base_url: str, path: str) -> re.Pattern:
    """The page at path, whether or not the skip link added #content to the address on the way."""
    return re.compile(re.escape(base_url + path) + "(#content)?$")


def sign_in_by_keyboard(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/")
    skip_to_content(page)
    assert tab_to(page, "input[name=username]") == 1  # the first thing in the content
    page.keyboard.type(username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")


def test_a_citizen_applies_with_the_keyboard_alone(live_server, tmp_path):
    # given a citizen with an account, a station, and her photo on disk
    factories.make_station("S320", "市民中心")
    citizen = factories.make_citizen("吴敏")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make_id_photo())

    with chromium_page() as page:
        # when she signs in and opens the form from her page
        sign_in_by_keyboard(page, live_server.url, citizen.username)
        page.wait_for_url(at(live_server.url, "/me/"))
        skip_to_content(page)
        tab_to(page, "main a[href='/apply/']")
        page.keyboard.press("Enter")
        page.wait_for_url(at(live_server.url, "/apply/"))

        # and fills it in, choosing the insurance type with the arrow keys and the photo from the file chooser
        tab_to(page, "select[name=insurance_type]")
        page.keyboard.press("ArrowDown")
        chosen = page.eval_on_selector("select[name=insurance_type]", "select => select.selectedIndex")
        tab_to(page, "input[name=household_city]")
        page.keyboard.type("杭州市")
        tab_to(page, "input[name=address]")
        page.keyboard.type("杭州市西湖区文三路1号")
        tab_to(page, "input[name=photo]")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(photo))
        page.wait_for_selector(".photo-check.ok")
        tab_to(page, "button[name=action][value=submit]")
        page.keyboard.press("Enter")

        # then the application is submitted and its page shows it
        page.wait_for_selector("#current-status")
        assert page.csp_violations == []

    application = CardApplication.objects.get(person=citizen.person)
    assert application.status == Status.SUBMITTED
    assert chosen == 1 and application.insurance_type == "urban_rural_resident"
    assert application.address == "杭州市西湖区文三路1号" and application.photo is not None


def test_a_clerk_approves_and_hands_over_a_card_with_the_keyboard_alone(live_server):
    # given a clerk, an application waiting for review and a card waiting for its holder
    station = factories.make_station("S330", "城西")
    factories.make_clerk(station, "keyboard-clerk")
    waiting = factories.make_application(factories.make_citizen("冯波"), station, submit=True)
    holder = factories.make_citizen("韩雪")
    ready = factories.ready_for_pickup(holder, station)

    with chromium_page() as page:
        # when the clerk signs in, opens the application from the queue and approves it
        sign_in_by_keyboard(page, live_server.url, "keyboard-clerk")
        page.wait_for_url(at(live_server.url, "/station/queue/"))
        skip_to_content(page)
        tab_to(page, f"main a[href='/station/applications/{waiting.pk}/']")
        page.keyboard.press("Enter")
        page.wait_for_url(at(live_server.url, f"/station/applications/{waiting.pk}/"))
        skip_to_content(page)
        tab_to(page, "button[name=action][value=approve]")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # and goes to the service window from the menu, finds the card by the holder's ID number
        tab_to(page, "nav a[href='/window/']")
        page.keyboard.press("Enter")
        page.wait_for_url(at(live_server.url, "/window/"))
        skip_to_content(page)
        tab_to(page, "input[name=id_number]")
        page.keyboard.type(holder.person.id_number)
        page.keyboard.press("Enter")
        page.wait_for_selector("#found")

        # and hands it over to the holder, who shows her ID card
        tab_to(page, "#found a.button")
        page.keyboard.press("Enter")
        page.wait_for_url(at(live_server.url, f"/window/pickup/{ready.pk}/"))
        skip_to_content(page)
        tab_to(page, "input[name=presented_id_number]")
        page.keyboard.type(holder.person.id_number)
        tab_to(page, "#hand-over-form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(at(live_server.url, "/window/pickup/"))
        assert page.csp_violations == []

    # then the application was approved and the card is collected by its holder
    assert CardApplication.objects.get(pk=waiting.pk).status != Status.SUBMITTED
    assert CardApplication.objects.get(pk=ready.pk).status == Status.COLLECTED
    assert Pickup.objects.get(application=ready).by_proxy is False
