"""A citizen signs up, applies with a photo, submits and sees the status, in a real headless Chromium."""

import pytest

from applications.models import CardApplication, Person, Status
from demo.photos import make_id_photo

from . import factories
from .browser import chromium_page
from .partners import last_sms_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_signs_up_applies_and_sees_the_status(live_server, partners, tmp_path, artifacts_dir):
    # given a station and a photo on disk
    station = factories.make_station("S300", "市民中心")
    good_photo = tmp_path / "photo.jpg"
    good_photo.write_bytes(make_id_photo())
    wrong_size = tmp_path / "wrong.jpg"
    wrong_size.write_bytes(make_id_photo(size=(300, 400)))
    id_number = factories.next_id_number()

    with chromium_page(viewport={"width": 390, "height": 844}) as page:
        # when the citizen signs up on a phone-sized screen
        page.goto(f"{live_server.url}/accounts/sign-up/")
        page.fill("input[name=name]", "欧阳娜娜")
        page.fill("input[name=id_number]", id_number)
        page.fill("input[name=phone]", "13512345678")
        page.click("button[name=action][value=send_code]")
        page.wait_for_selector(".messages")
        page.fill("input[name=code]", last_sms_code(partners, "13512345678"))
        page.fill("input[name=password]", "Lanting-Xu-2026")
        page.fill("input[name=password_again]", "Lanting-Xu-2026")
        page.click("button[name=action][value=sign_up]")
        page.wait_for_url(f"{live_server.url}/me/")

        # and opens the form, picks a wrong photo first
        page.click("a[href='/apply/']:not(nav a)")
        page.select_option("select[name=insurance_type]", "urban_employee")
        page.select_option("select[name=station]", str(station.pk))
        page.fill("input[name=household_city]", "杭州市")
        page.fill("input[name=address]", "杭州市上城区望江路100号")
        page.set_input_files("input[name=photo]", str(wrong_size))
        page.wait_for_selector(".photo-check.error")
        assert "300 × 400" in page.inner_text(".photo-check")

        # then a good one, and submits
        page.set_input_files("input[name=photo]", str(good_photo))
        page.wait_for_selector(".photo-check.ok")
        page.click("button[name=action][value=submit]")
        page.wait_for_selector("#current-status")

        # then the progress page shows the status, the timeline and the expected date
        status_text = page.inner_text("#current-status")
        timeline_text = page.inner_text("#timeline")
        page.screenshot(path=str(artifacts_dir / "citizen-application-submitted.png"), full_page=True)
        assert page.csp_violations == []  # the page works under the Content Security Policy

    application = CardApplication.objects.get(person=Person.objects.get(id_number=id_number))
    assert application.status == Status.SUBMITTED
    assert status_text == str(Status.SUBMITTED.label) or "等待审核" in status_text
    assert "提交" in timeline_text
    assert application.photo is not None
