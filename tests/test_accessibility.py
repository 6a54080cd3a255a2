"""Issue 17: every page each role uses passes axe-core's WCAG 2.0/2.1 A and AA rules in Chinese, in English
and in care mode (关怀模式), with unique ids, no label or description pointing at nothing, and no sideways
scrolling at 320 CSS px (1280 px at 400 % zoom). Care mode also keeps its own promises: text contrast of 7:1
(axe's AAA contrast rule) and targets of at least 44 × 44 px. The demo data gives every page something to
show; forms are also checked showing their errors."""

from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from applications.models import CardApplication, Status
from dashboards.summaries import summarise
from issuance.certificates import certificate_token
from issuance.models import Card, CardStatus
from rosters.models import RosterBatch

from . import factories
from .browser import DESKTOP, PHONE, accessibility_problems, chromium_browser, new_page

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

# (language, care mode, viewport): care mode on a phone, in English (longer words than Chinese); the care
# journey test (test_care_mode.py) takes it in Chinese.
MODES = [("zh-hans", False, DESKTOP), ("en", False, DESKTOP), ("en", True, PHONE)]
# Forms sent empty, to check them showing their errors: (page, the button that sends it).
SENT_EMPTY = {
    "/accounts/sign-up/": "button[value=sign_up]",
    "/window/walk-in/": "button[value=accept]",
    "/ecard/verify/": "#check-form button",
    "/ecard/family/": "button[value=ask]",
}
# Pages that answer a bad request with a sentence, and the status they answer with.
REFUSED = {"/dashboard/flow/?date_from=someday": 400}


@dataclass
class Visit:
    user: User | None
    urls: list[str]
    care_only: list[str] = field(default_factory=list)  # the screens care mode splits pages into
    standard_only: list[str] = field(default_factory=list)  # pages care mode leaves as they are (the admin)


def visits() -> list[Visit]:
    """Every page a role uses, on the demo data and a few more cases (a card waiting with a proxy to name,
    a citizen with two cards on one page)."""
    call_command("load_demo", verbosity=0)
    central = User.objects.get(username="clerk1").station
    returned = CardApplication.objects.get(status=Status.RETURNED, person__name="王芳")
    submitted = CardApplication.objects.filter(status=Status.SUBMITTED, station=central).first()
    waiting_holder = factories.make_citizen("钱满满")
    waiting = factories.ready_for_pickup(waiting_holder, central, batch="B20261127-S001-0001")
    two_cards = factories.make_citizen("两张卡")
    first_card = factories.make_card(two_cards, central, status=CardStatus.ACTIVE)
    factories.make_card(two_cards, central, status=CardStatus.ACTIVE)
    replacement = CardApplication.objects.get(kind="replacement", person__name="邓志远")
    active = Card.objects.get(status=CardStatus.ACTIVE, person__name="何美玲")
    lost = Card.objects.get(status=CardStatus.PRE_REPORTED_LOST)
    son = Card.objects.get(person__name="郑小川")
    frequent = CardApplication.objects.get(kind="replacement", person__name="蒋国华", status=Status.SUBMITTED)
    batches = {batch.file_name.split("-")[1].split(".")[0]: batch.pk for batch in RosterBatch.objects.all()}
    summarise()  # the dashboards' figures
    anonymous = [
        "/",
        "/accounts/sign-in/",
        "/accounts/sign-in/code/",
        "/accounts/sign-up/",
        "/employers/register/",
        f"/verify/certificate/{certificate_token(replacement)}/",
    ]
    citizen = ["/me/", "/apply/", "/apply/?for=child", f"/applications/{returned.pk}/", "/notices/", "/accounts/phone/"]
    clerk = [
        "/station/queue/",
        "/station/applications/",
        f"/station/applications/{submitted.pk}/",
        f"/station/applications/{returned.pk}/",
        "/staff/escalations/",
        "/window/",
        "/window/appointments/",
        "/window/walk-in/",
        "/window/pickup/",
        f"/window/pickup/{waiting.pk}/",
        "/window/pickup/register/B20261127-S001-0001/",
        "/window/cards/",
        f"/window/cards/{active.pk}/",
        f"/window/cards/{lost.pk}/",
        "/staff/sms/",
        f"/station/applications/{frequent.pk}/",
    ]
    stations = [
        "/station/rosters/",
        "/station/employers/",
        f"/rosters/{batches['submitted']}/",
        f"/rosters/{batches['ready_for_pickup']}/",
    ]
    agent = [
        "/employer/",
        "/employer/rosters/upload/",
        f"/rosters/{batches['dry_run']}/",
        f"/rosters/{batches['awaiting_payment']}/",
    ]
    dashboards = [
        "/dashboard/",
        "/dashboard/deadlines/",
        "/dashboard/deadlines/reviews/",
        "/dashboard/bottleneck/",
        "/dashboard/flow/",
        "/dashboard/applications/?status=submitted",
        "/dashboard/flow/?date_from=someday",
    ]
    return [
        Visit(None, anonymous),
        Visit(
            User.objects.get(username="13800000003"),
            citizen,
            care_only=[f"/applications/{returned.pk}/?task=correct", f"/applications/{returned.pk}/?task=history"],
        ),
        Visit(
            waiting_holder,
            [f"/applications/{waiting.pk}/"],
            care_only=[f"/applications/{waiting.pk}/?task=proxy", f"/applications/{waiting.pk}/?task=withdraw"],
        ),
        Visit(
            two_cards,
            ["/cards/"],
            care_only=[f"/cards/?card={first_card.pk}&task={task}" for task in ("limit", "exchange", "report-lost")]
            + ["/notices/?task=sms"],
        ),
        Visit(User.objects.get(username="13800000025"), [f"/applications/{replacement.pk}/", "/cards/"]),
        Visit(
            User.objects.get(username="13800000022"),
            ["/ecard/", f"/ecard/{active.pk}/", f"/ecard/{active.pk}/?show=1", f"/ecard/{son.pk}/", "/ecard/family/"],
        ),
        Visit(User.objects.get(username="13800000023"), [f"/ecard/{lost.pk}/"]),
        Visit(User.objects.get(username="13800000021"), ["/ecard/family/"]),
        Visit(User.objects.get(username="pharmacy1"), ["/ecard/verify/"]),
        Visit(User.objects.get(username="clerk1"), clerk),
        Visit(User.objects.get(username="clerk2"), stations),
        Visit(User.objects.get(username="agent1"), agent),
        Visit(
            User.objects.get(username="admin"),
            dashboards,
            standard_only=["/admin/", "/admin/applications/cardapplication/", "/admin/applications/person/"],
        ),
    ]


def cookies_for(user: User | None, base_url: str, language: str, care: bool) -> list[dict]:
    cookies = [
        {"name": "django_language", "value": language, "url": base_url},
        {"name": "care_mode", "value": "1" if care else "0", "url": base_url},
    ]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url})
    return cookies


def test_every_page_each_role_uses_passes_axe_in_both_languages_and_in_care_mode(live_server):
    # given the demo data and a page list for each kind of user
    plan = visits()
    findings, checked = [], 0

    # when each user's pages are opened in Chinese, in English and in care mode, and checked as they are
    with chromium_browser() as browser:
        for language, care, viewport in MODES:
            for visit in plan:
                cookies = cookies_for(visit.user, live_server.url, language, care)
                page = new_page(browser, viewport=viewport, cookies=cookies, axe=True)
                urls = visit.urls + (visit.care_only if care else visit.standard_only)
                for url in urls:
                    where = f"[{language}{' care' if care else ''}] {visit.user or 'anonymous'} {url}"
                    response = page.goto(live_server.url + url)
                    assert response.status == REFUSED.get(url, 200), where
                    findings += [f"{where}: {problem}" for problem in accessibility_problems(page, care=care)]
                    checked += 1
                    if url in SENT_EMPTY:
                        with page.expect_navigation():
                            page.click(SENT_EMPTY[url])
                        assert page.locator("[aria-invalid=true]").count() > 0, where
                        problems = accessibility_problems(page, care=care)
                        findings += [f"{where} (sent empty): {problem}" for problem in problems]
                        checked += 1
                assert page.csp_violations == []
                page.context.close()

    # then nothing is found on any of them
    assert checked > 150
    assert findings == [], "\n".join(findings)


# Swagger UI's own, reported upstream and listed in the README: each operation's header is a control (it
# opens the operation) holding other controls (copy the path, lock icon): swagger-api/swagger-ui#9576.
SWAGGER_UI_UPSTREAM = ("nested-interactive", ".opblock-summary-control")


def test_the_api_documentation_passes_axe_but_for_one_swagger_ui_upstream_issue(live_server):
    findings, upstream = [], 0
    with chromium_browser() as browser:
        for language in ("zh-hans", "en"):
            # given the API documentation page, with an operation opened
            page = new_page(browser, cookies=cookies_for(None, live_server.url, language, False), axe=True)
            page.goto(live_server.url + "/api/docs/")
            page.wait_for_selector(".swagger-ui .info")
            page.locator(".opblock-summary-control").first.click()
            page.wait_for_selector(".opblock-body")
            page.wait_for_load_state("networkidle")
            # when it is checked
            lang = page.evaluate("document.documentElement.lang")
            for problem in accessibility_problems(page, care=False):
                if problem.startswith(SWAGGER_UI_UPSTREAM[0]) and SWAGGER_UI_UPSTREAM[1] in problem:
                    upstream += 1
                else:
                    findings.append(f"[{language}] {problem}")
            # then the page says its language (English, as its text is in any), and nothing but the known
            # upstream issue is found
            assert lang == "en"
            page.context.close()
    assert findings == [], "\n".join(findings)
    assert upstream > 0  # still there: when Swagger UI fixes it, drop the exception and the README line
