"""Issue 17: an older citizen takes the main journey in care mode (关怀模式) on a phone, in Chinese: switches it
on in the header, signs in, applies with a photo, submits and follows the status. Every screen keeps care
mode's promises (20 px text, 7:1 contrast, 44 px targets, no sideways scrolling) and axe's WCAG rules."""

import datetime

import pytest
from django.core.management import call_command

from accounts.models import User
from applications.models import CardApplication, Status
from dashboards.summaries import summarise
from demo.photos import make_id_photo

from . import factories
from .browser import DESKTOP, PHONE, accessibility_problems, chromium_browser, chromium_page, new_page
from .test_accessibility import cookies_for

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]


def test_an_older_citizen_applies_and_follows_the_status_in_care_mode_on_a_phone(live_server, tmp_path, artifacts_dir):
    # given a citizen born in 1952 with an account, a station and her ID photo on the phone
    factories.make_station("S310", "市民中心")
    citizen = factories.make_citizen("孙秀英", birth_date=datetime.date(1952, 3, 8))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make_id_photo())
    findings, text_sizes = [], {}

    with chromium_page(viewport=PHONE, axe=True) as page:

        def check(screen: str) -> None:
            text_sizes[screen] = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            findings.extend(f"{screen}: {problem}" for problem in accessibility_problems(page, care=True))

        # when she switches care mode on from the header of the sign-in page
        page.goto(f"{live_server.url}/accounts/sign-in/")
        standard_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        page.click("button[name=care_mode][value=on]")
        page.wait_for_selector("html.care")
        check("sign in")

        # and signs in
        page.fill("input[name=username]", citizen.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/me/")
        check("my applications")

        # and applies with her photo
        page.click("main a[href='/apply/']")
        page.fill("input[name=household_city]", "杭州市")
        page.fill("input[name=address]", "杭州市上城区望江路100号")
        page.set_input_files("input[name=photo]", str(photo))
        page.wait_for_selector(".photo-check.ok")
        check("apply")
        page.click("button[name=action][value=submit]")

        # then her application's screen shows the status and the steps, and nothing else to do at once
        page.wait_for_selector("#current-status")
        status = page.inner_text("#current-status")
        current_step = page.inner_text("[aria-current=step]")
        forms_in_main = page.locator("main form").count()
        page.screenshot(path=str(artifacts_dir / "care-mode-status.png"), full_page=True)
        check("status")

        # and its history is one tap away
        page.click("main a[href='?task=history']")
        history = page.inner_text("#timeline")
        check("history")
        assert page.csp_violations == []

    application = CardApplication.objects.get(person=citizen.person)
    assert application.status == Status.SUBMITTED and application.photo is not None
    assert "提交" in status and "当前步骤" in current_step and "审核" in current_step
    assert forms_in_main == 0
    assert "提交" in history
    assert standard_size == 16 and set(text_sizes.values()) == {20}
    assert findings == [], "\n".join(findings)
    assert User.objects.get(pk=citizen.pk).care_mode is True  # the choice made before signing in is hers now


def test_charts_in_care_mode_keep_their_labels_large_and_apart_on_a_phone(live_server):
    # given the demo city, summarised, and its administrator
    call_command("load_demo", verbosity=0)
    summarise()
    admin = User.objects.get(username="admin")
    findings, sizes, labels = [], set(), {}

    with chromium_browser() as browser:
        for care, viewport in ((False, DESKTOP), (True, PHONE)):
            cookies = cookies_for(admin, live_server.url, "en", care)  # English: the longest labels
            page = new_page(browser, viewport=viewport, cookies=cookies)
            for url in ("/dashboard/", "/dashboard/bottleneck/", "/dashboard/flow/"):
                # when each dashboard's charts are drawn
                page.goto(live_server.url + url)
                drawn = page.eval_on_selector_all(
                    "figure.chart",
                    """figures => figures.map(figure => {
                        const texts = [...figure.querySelectorAll("svg text")].map(text => {
                            const box = text.getBoundingClientRect();
                            return {text: text.textContent, box: [box.left, box.top, box.right, box.bottom],
                                    size: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a};
                        });
                        return {id: figure.id, texts};
                    })""",
                )
                # then no two labels of a chart overlap, and in care mode each is drawn at 18 px or more
                for chart in drawn:
                    for index, first in enumerate(chart["texts"]):
                        for second in chart["texts"][index + 1 :]:
                            (l1, t1, r1, b1), (l2, t2, r2, b2) = first["box"], second["box"]
                            if min(r1, r2) - max(l1, l2) > 1 and min(b1, b2) - max(t1, t2) > 1:
                                findings.append(f"{url} #{chart['id']}: {first['text']!r} overlaps {second['text']!r}")
                    if care:
                        sizes |= {round(text["size"], 1) for text in chart["texts"]}
                        labels[chart["id"]] = [text["text"] for text in chart["texts"]]
            page.context.close()

    assert findings == [], "\n".join(findings)
    assert min(sizes) >= 18
    assert labels["ageing-chart"][-4:] == ["0–7 days", "8–30 days", "31–60 days", "over 60 days"]
    assert "Information centre check" in labels["stage-chart-30"]  # wrapped in lines, read as one label
