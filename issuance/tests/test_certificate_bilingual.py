"""Issue 20, point 6: the pickup certificate (领卡证明) in Chinese and English on one page, read back by an
independent PDF reader (pypdf); and its check page says when the new card is ready. Dates counted by hand on the
State Council's 2026 schedule (National Day 1-7 October, Saturday 10 October a working day)."""

import datetime
import io

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from applications.workflow import apply_event
from issuance import services
from issuance.certificates import certificate_pdf, certificate_token
from issuance.models import CardStatus
from tests import factories

pytestmark = pytest.mark.django_db


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 2, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def replacement(alice_citizen, bob_clerk, station):
    card = factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)
    with at(2026, 9, 28):  # a Monday
        services.report_loss_in_writing(card.pk, actor=bob_clerk, presented_id_number=alice_citizen.person.id_number)
        return services.apply_for_replacement(
            card.pk, actor=bob_clerk, presented_id_number=alice_citizen.person.id_number
        )


def test_the_certificate_is_one_page_in_chinese_and_english(replacement):
    with at(2026, 9, 28):
        pdf = PdfReader(io.BytesIO(certificate_pdf(replacement)))

    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    # 15 working days from Mon 28 September: 29, 30 Sep, 8, 9, 10 (Sat), 12-16, 19-23 October
    for chinese, english in [
        ("社会保障卡领卡证明", "Social Security Card Pickup Certificate"),
        ("持卡人：王小丽", "Holder: 王小丽"),
        (f"补卡申请编号：{replacement.reference}", f"Replacement application: {replacement.reference}"),
        ("新卡预计制成：2026年10月23日（15个工作日）", "New card expected: 2026-10-23 (15 working days)"),
        ("可在定点医疗机构就医", "designated medical institutions"),
    ]:
        assert chinese in text and english in text, (chinese, english)
    assert replacement.person.id_number not in text  # masked in both languages
    assert pdf.metadata.title.startswith("领卡证明 Pickup certificate")


def test_the_check_page_says_when_the_new_card_is_expected_and_then_that_it_is_ready(replacement, station):
    token = certificate_token(replacement)
    # accepted on 28 Sep: the information centre 2 working days (29, 30 Sep), the bank 3 (8, 9, 10 Oct), then
    # production 15 (12-16, 19-23, 26-30 Oct): expected at the station by Friday 30 October
    with at(2026, 9, 28):
        page = Client().get(f"/verify/certificate/{token}/").content.decode()
        answer = Client().get(f"/api/v1/certificates/{token}/").json()
    assert "2026-10-30" in page.split('id="new-card"', 1)[1].split("</dd>", 1)[0]
    assert (answer["current"], answer["new_card_ready"], answer["new_card_date"]) == (True, False, "2026-10-30")
    assert answer["new_card_station"] == station.name

    # when the vendor delivers it early, on Tuesday 20 October
    with at(2026, 10, 20):
        for event in ("registry_confirmed", "account_opened", "card_shipped"):
            apply_event(replacement.pk, event, actor=None)
    with at(2026, 10, 21):
        page = Client().get(f"/verify/certificate/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        answer = Client().get(f"/api/v1/certificates/{token}/").json()

    # then the page says it is ready, and where, and the certificate still stands in for it until collected
    new_card = page.split('id="new-card"', 1)[1].split("</dd>", 1)[0]
    assert "Ready for pickup" in new_card and "2026-10-20" in new_card and station.name in new_card
    assert (answer["current"], answer["new_card_ready"], answer["new_card_date"]) == (True, True, "2026-10-20")
