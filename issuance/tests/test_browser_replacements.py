"""Issue 20, points 5 and 6, in a real headless Chromium, each as the role that uses it: a clerk takes a fourth
replacement within 12 months at the window and asks to print it at once; it goes to the review queue with the
history instead, and the clerk approves it saying what was checked (audited). The holder downloads the pickup
certificate, in Chinese and English; a hospital scans its QR code and reads when the new card will be ready.
Screenshots for the README."""

import datetime
import io
import re
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import ServiceStation
from applications.calendar_seed import seed_calendar
from applications.models import CalendarDay, CardApplication, Status
from applications.workdays import forget_calendar
from audit.models import AuditEntry
from issuance.certificates import certificate_token
from issuance.models import CardStatus
from issuance.tests.test_replacement_counts import earlier_replacement
from tests import factories
from tests.browser import DESKTOP, accessibility_problems, chromium_browser, new_page
from tests.test_accessibility import cookies_for

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_a_fourth_replacement_is_reviewed_by_a_clerk_and_its_certificate_checked_by_a_hospital(
    live_server, artifacts_dir
):
    # given the State Council's calendar (a transactional test starts with empty tables: no provisional dates on the
    # README's screenshot), a station that prints cards on the spot, its clerk, and a holder with three replacements
    seed_calendar(CalendarDay)
    forget_calendar()
    station = factories.make_station("S600", "城北")
    ServiceStation.objects.filter(pk=station.pk).update(instant_issuance=True)
    clerk = factories.make_clerk(station, "review-clerk")
    holder = factories.make_citizen("蒋国华")
    card = factories.make_card(holder, station, status=CardStatus.ACTIVE)
    today = timezone.localdate()
    earlier = [earlier_replacement(card, today - datetime.timedelta(days=days)) for days in (300, 190, 75)]
    number = holder.person.id_number

    with chromium_browser() as browser:
        window = new_page(
            browser, viewport=DESKTOP, cookies=cookies_for(clerk, live_server.url, "zh-hans", False), axe=True
        )
        # when the clerk records the written loss report and takes the replacement, asking to print it now
        window.goto(f"{live_server.url}/window/cards/{card.pk}/")
        window.fill("#id_written-presented_id_number", number)
        window.click("form:has(input[value=written_loss]) button")
        window.wait_for_selector("form:has(input[value=replacement])")
        window.fill("#id_replacement-presented_id_number", number)
        window.check("#id_replacement-issue_now")
        window.click("form:has(input[value=replacement]) button")

        # then it waits for the review with the history shown, and nothing is printed
        window.wait_for_selector("#replacement-history")
        history = window.inner_text("#replacement-history")
        problems = accessibility_problems(window)
        window.screenshot(path=str(artifacts_dir / "replacement-review.png"), full_page=True)
        application = CardApplication.objects.get(kind="replacement", person=holder.person, status=Status.SUBMITTED)
        assert application.card_number == ""

        # when the clerk approves it, saying what was checked
        window.fill("#id_approve_note", "本人到场，核对了派出所报案回执")
        window.click("button[name=action][value=approve]")
        window.wait_for_url(f"{live_server.url}/station/queue/")

        # and the holder downloads the pickup certificate from the application page
        holder_page = new_page(browser, cookies=cookies_for(holder, live_server.url, "zh-hans", False))
        download = holder_page.request.get(f"{live_server.url}/applications/{application.pk}/certificate.pdf")
        text = " ".join(PdfReader(io.BytesIO(download.body())).pages[0].extract_text().split())

        # and a hospital scans its QR code
        hospital = new_page(
            browser, viewport=DESKTOP, cookies=cookies_for(None, live_server.url, "zh-hans", False), axe=True
        )
        hospital.goto(f"{live_server.url}/verify/certificate/{certificate_token(application)}/")
        verdict = hospital.inner_text("#verdict")
        new_card = hospital.inner_text("#new-card")
        problems += accessibility_problems(hospital)
        hospital.screenshot(path=str(artifacts_dir / "certificate-check.png"), full_page=True)
        assert window.csp_violations == [] and hospital.csp_violations == []

    assert all(a.reference in history for a in earlier) and "4" in history
    application.refresh_from_db()
    card.refresh_from_db()
    assert application.status == Status.VERIFYING and card.status == CardStatus.REPLACED
    entry = AuditEntry.objects.get(action="replacement_review", object_id=str(application.pk))
    assert entry.actor_id == clerk.pk and "派出所报案回执" in entry.detail
    assert download.headers["content-type"] == "application/pdf"
    assert "社会保障卡领卡证明" in text and "Social Security Card Pickup Certificate" in text
    assert application.reference in verdict
    # the new card: not ready yet, expected at the station on a date (hand-counted dates: test_certificate_bilingual)
    assert station.name in new_card and re.search(r"\d{4}-\d\d-\d\d", new_card)
    assert problems == [], "\n".join(problems)
    DOCS.mkdir(exist_ok=True)
    for name in ("replacement-review.png", "certificate-check.png"):
        shutil.copyfile(artifacts_dir / name, DOCS / name)
