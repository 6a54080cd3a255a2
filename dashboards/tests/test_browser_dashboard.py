"""The dashboard in a real headless Chromium on a small seeded city: the charts are drawn from the
figures (one bar per status, heights in proportion), the pages work under the CSP, and a screenshot is
kept for the README (docs/dashboard.png)."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from dashboards.models import CITY, StatusCount
from tests import factories
from tests.browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs"
PEOPLE = 4000  # small enough for a test (seconds); `seed_city --people 30000` gives the demo city


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_the_city_dashboard_draws_its_charts_from_the_figures(live_server, artifacts_dir):
    # given a seeded city, summarised
    call_command("seed_city", people=PEOPLE, verbosity=0)
    expected = {}
    for row in StatusCount.objects.filter(station_id=CITY):
        expected[row.status] = expected.get(row.status, 0) + row.count

    with chromium_page(viewport={"width": 1100, "height": 900}) as page:
        sign_in(page, live_server.url, "city-admin")
        # when the admin opens the dashboard
        page.goto(f"{live_server.url}/dashboard/")
        page.wait_for_selector("#status-chart rect.bar")
        bars = page.eval_on_selector_all(
            "#status-chart rect.bar",
            "els => els.map(e => [Number(e.dataset.value), e.getBBox().width])",
        )
        table = page.eval_on_selector_all(
            "#status-table tr[data-status]",
            "rows => rows.map(r => [r.dataset.status, Number(r.cells[1].innerText), r.classList.contains('open')])",
        )
        freshness = page.inner_text("#freshness")
        page.screenshot(path=str(artifacts_dir / "dashboard.png"), full_page=True)

        # and the other pages
        page.goto(f"{live_server.url}/dashboard/bottleneck/")
        stage_bars = page.locator("#stage-chart-30 rect.bar").count()
        page.goto(f"{live_server.url}/dashboard/flow/")
        daily_bars = page.locator("#daily-chart rect.bar").count()
        activation_dots = page.locator("#activation-chart circle.dot").count()
        page.screenshot(path=str(artifacts_dir / "dashboard-flow.png"), full_page=True)
        page.goto(f"{live_server.url}/dashboard/deadlines/")
        page.screenshot(path=str(artifacts_dir / "dashboard-deadlines.png"), full_page=True)
        assert page.csp_violations == []

    # then the table has every status with the summarised figure, and the chart one bar per open status
    # with the same figure, bar lengths in proportion to the figures
    assert len(table) == 11
    assert {status: count for status, count, _open in table} == {s: expected.get(s, 0) for s, _c, _o in table}
    open_rows = [count for _status, count, is_open in table if is_open]
    assert len(bars) == len(open_rows) == 9
    assert [value for value, _width in bars] == open_rows
    ratios = [width / value for value, width in bars if value > 0]
    assert len(ratios) >= 6 and max(ratios) - min(ratios) < 0.05 * max(ratios)
    assert re.search(r"\d\d:\d\d:\d\d", freshness)  # "as of HH:MM:SS"
    assert stage_bars == 10  # five stages, median and 90th percentile
    assert daily_bars == 90 * 2  # the default range: 90 days, in and out
    assert activation_dots >= 20
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(artifacts_dir / "dashboard.png", DOCS / "dashboard.png")
