"""Issue 17: care mode (关怀模式) is switched from every page's header and remembered in a cookie and on the
user's profile; citizens' pages show one task per screen in it; charts are drawn with larger labels."""

import re

import pytest
from django.test import Client

from accounts.models import User
from applications import services
from tests import factories

pytestmark = pytest.mark.django_db


def main_of(response) -> str:
    """The page's main content, without the header (which holds the sign-out, care mode and language forms)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def is_care(response) -> bool:
    return re.search(r'<html lang="[^"]+" class="care">', response.content.decode()) is not None


def test_every_page_offers_the_switch_and_it_is_remembered_on_the_profile(alice_citizen):
    # given a signed-in citizen on her applications page
    client = Client()
    client.force_login(alice_citizen)
    before = client.get("/me/")

    # when she switches care mode on from the header
    switched = client.post("/accounts/care-mode/", {"care_mode": "on", "next": "/me/"})
    after = client.get("/me/")

    # then the page came back drawn for care mode, the browser and the profile remember it
    assert 'name="care_mode" value="on"' in before.content.decode() and not is_care(before)
    assert switched.status_code == 302 and switched["Location"] == "/me/"
    assert switched.cookies["care_mode"].value == "1" and switched.cookies["care_mode"]["httponly"]
    assert is_care(after) and 'name="care_mode" value="off"' in after.content.decode()
    assert User.objects.get(pk=alice_citizen.pk).care_mode is True


def test_the_profile_brings_care_mode_to_a_new_browser_and_the_browser_choice_wins(alice_citizen):
    # given a citizen whose profile has care mode on, signed in on a new browser and on one where it was
    # switched off
    alice_citizen.care_mode = True
    alice_citizen.save(update_fields=["care_mode"])
    new_browser = Client()
    new_browser.force_login(alice_citizen)
    switched_off_here = Client()
    switched_off_here.force_login(alice_citizen)
    switched_off_here.cookies["care_mode"] = "0"

    # then the new browser draws care mode, the other keeps its own choice
    assert is_care(new_browser.get("/me/"))
    assert not is_care(switched_off_here.get("/me/"))


def test_a_choice_made_before_signing_in_becomes_the_profiles(alice_citizen):
    # given someone who switched care mode on at the sign-in page
    client = Client()
    switched = client.post("/accounts/care-mode/", {"care_mode": "on", "next": "/accounts/sign-in/"})
    page = client.get("/accounts/sign-in/")

    # when she signs in
    client.post("/accounts/sign-in/", {"username": alice_citizen.username, "password": factories.PASSWORD})

    # then the choice is on her profile, for her other devices
    assert switched.cookies["care_mode"].value == "1" and is_care(page)
    assert User.objects.get(pk=alice_citizen.pk).care_mode is True


def test_the_switch_goes_back_only_to_this_site_and_only_by_post():
    client = Client()

    elsewhere = client.post("/accounts/care-mode/", {"care_mode": "on", "next": "https://example.com/"})
    by_get = client.get("/accounts/care-mode/?care_mode=on")

    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/"
    assert by_get.status_code == 405


def test_a_returned_application_shows_one_task_per_screen_in_care_mode(alice_citizen, bob_clerk, station):
    # given an application the station returned for a better photo
    application = factories.make_application(alice_citizen, station, submit=True)
    services.return_application(application.pk, actor=bob_clerk, reason_code="photo", note="背景太暗")
    standard, care = Client(), Client()
    for client in (standard, care):
        client.force_login(alice_citizen)
    care.cookies["care_mode"] = "1"
    url = f"/applications/{application.pk}/"

    # when she opens it in each mode, and in care mode follows the link to correct it
    everything = main_of(standard.get(url))
    status_screen = main_of(care.get(url))
    correction_screen = main_of(care.get(url + "?task=correct"))

    # then the standard page holds every form at once; care mode shows the status with a link to each
    # task, and the correction on a screen of its own
    assert everything.count("<form") == 3  # correction, proxy, withdraw
    assert status_screen.count("<form") == 0 and 'id="progress-heading"' in status_screen
    assert "?task=correct" in status_screen and "?task=proxy" in status_screen and "?task=withdraw" in status_screen
    assert correction_screen.count("<form") == 1 and 'action="?task=correct"' in correction_screen
    assert "背景太暗" in correction_screen and 'id="timeline"' not in correction_screen


def test_charts_are_drawn_with_larger_labels_in_care_mode(admin_user):
    client = Client()
    client.force_login(admin_user)
    standard = client.get("/dashboard/").content.decode()
    client.cookies["care_mode"] = "1"
    care = client.get("/dashboard/").content.decode()

    assert set(re.findall(r'<svg [^>]*font-size="(\d+)"', standard)) == {"10"}
    assert set(re.findall(r'<svg [^>]*font-size="(\d+)"', care)) == {"18"}


def test_the_progress_steps_say_in_words_which_are_done_and_which_is_current(alice_citizen, bob_clerk, station):
    # given an application approved by the station: review done, the information centre's check current
    application = factories.make_application(alice_citizen, station, submit=True)
    services.approve_application(application.pk, actor=bob_clerk)
    client = Client()
    client.force_login(alice_citizen)

    steps = re.findall(
        r"<li class=\"step[^>]*>.*?</li>", client.get(f"/applications/{application.pk}/").content.decode(), re.S
    )

    # then each step carries its state as text (not only a glyph and a colour), the current one aria-current
    assert len(steps) == 5
    assert "已完成：" in steps[0] and "aria-current" not in steps[0]
    assert 'aria-current="step"' in steps[1] and "当前步骤：" in steps[1]
    assert all("尚未开始：" in step for step in steps[2:])
