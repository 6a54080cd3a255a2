"""Issue 7: the Content Security Policy allows no inline script, and no page of ours needs one."""

import pytest
from django.test import Client

from . import factories
from .browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_work_under_the_policy_with_no_violations(live_server, admin_user):
    station = factories.make_station()
    citizen = factories.make_citizen()
    application = factories.make_application(citizen, station, submit=True)
    clerk = factories.make_clerk(station, "csp-clerk")
    pages = {
        None: ["/", "/accounts/sign-in/", "/accounts/sign-up/", "/api/docs/"],
        citizen: ["/me/", "/apply/", f"/applications/{application.pk}/", "/cards/", "/notices/"],
        clerk: ["/station/queue/", f"/station/applications/{application.pk}/", "/window/", "/window/pickup/"],
        admin_user: ["/admin/", "/admin/applications/person/"],
    }
    with chromium_page() as page:
        for user, urls in pages.items():
            page.context.clear_cookies()
            if user is not None:
                client = Client()
                client.force_login(user)
                page.context.add_cookies(
                    [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
                )
            for url in urls:
                response = page.goto(live_server.url + url, wait_until="networkidle")
                assert response.status == 200, url
                assert "script-src 'self'" in response.headers["content-security-policy"]
        page.goto(live_server.url + "/api/docs/")
        page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # the docs page's script ran
        page.wait_for_load_state("networkidle")  # no request still open on the live server at teardown
    assert page.csp_violations == []


def test_an_inline_script_would_be_blocked(live_server):
    from playwright.sync_api import Error

    with chromium_page() as page:
        page.goto(live_server.url + "/accounts/sign-in/")
        with pytest.raises(Error) as blocked:
            page.add_script_tag(content="window.__inline_ran = true")
        ran = page.evaluate("window.__inline_ran === true")
    assert ran is False
    assert "Content Security Policy" in str(blocked.value)
