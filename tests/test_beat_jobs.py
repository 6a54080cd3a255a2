"""The periodic jobs, with time travel across real Chinese holidays."""

import datetime

import pytest
import time_machine

from applications.models import CardApplication, Escalation, Status
from applications.tasks import check_review_deadlines, escalate_overdue_applications
from issuance.models import Card
from issuance.tasks import mark_unclaimed_cards, remind_activation, report_unclaimed
from notices.models import Notice

from . import factories

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=10):
    return time_machine.travel(datetime.datetime(year, month, day, hour - 8, tzinfo=datetime.UTC))


def test_review_limit_counts_working_days_across_national_day(alice_citizen, bob_clerk, station):
    with at(2026, 9, 28):
        application = factories.make_application(alice_citizen, station, submit=True)
    # 7 working days after Mon 28 Sep is Tue 13 Oct (Oct 1-7 off, Sat 10 Oct worked).
    with at(2026, 10, 13):
        assert check_review_deadlines() == 0
    with at(2026, 10, 14):
        assert check_review_deadlines() == 1
        assert check_review_deadlines() == 0  # told once
    notice = Notice.objects.get(recipient=bob_clerk, kind="review_overdue")
    assert application.reference in notice.text


def test_the_review_job_does_nothing_on_a_holiday(alice_citizen, station):
    with at(2026, 9, 1):
        factories.make_application(alice_citizen, station, submit=True)
    with at(2026, 10, 5):  # National Day holiday
        assert check_review_deadlines() == 0


def test_a_card_not_collected_in_30_days_becomes_unclaimed_and_is_reported(
    partners, alice_citizen, station, django_capture_on_commit_callbacks, monkeypatch
):
    application = factories.make_application(alice_citizen, station, submit=True)
    with at(2026, 11, 1):
        factories.force_status(application, Status.READY_FOR_PICKUP)
        CardApplication.objects.filter(pk=application.pk).update(
            status_changed_at=datetime.datetime.now(tz=datetime.UTC)
        )
    with at(2026, 11, 30):
        assert mark_unclaimed_cards() == 0
    # the report is a partner call of its own (retried like the others): run it as the worker would
    monkeypatch.setattr(report_unclaimed, "delay", lambda application_id: report_unclaimed(application_id))
    with at(2026, 12, 2), django_capture_on_commit_callbacks(execute=True):
        assert mark_unclaimed_cards() == 1
    application.refresh_from_db()
    assert application.status == Status.UNCLAIMED
    reports = partners["registry"].unclaimed_reports
    assert [r["reference"] for r in reports] == [application.reference]


def test_older_than_two_months_goes_to_the_escalation_queue(alice_citizen, station):
    with at(2026, 8, 1):
        stuck = factories.make_application(alice_citizen, station, submit=True)
        factories.force_status(stuck, Status.OPENING_ACCOUNT)
    with at(2026, 9, 15):
        assert escalate_overdue_applications() == 0
    with at(2026, 10, 2):
        assert escalate_overdue_applications() == 1
        assert escalate_overdue_applications() == 0
    case = Escalation.objects.get(application=stuck)
    assert stuck.reference in case.summary and case.handler is None


def test_unactivated_cards_get_a_reminder_after_a_week(alice_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    with at(2026, 11, 2):
        Card.objects.create(
            number="H1",
            application=application,
            person=alice_citizen.person,
            issued_at=datetime.datetime.now(tz=datetime.UTC),
        )
    with at(2026, 11, 5):
        assert remind_activation() == 0
    with at(2026, 11, 10):
        assert remind_activation() == 1
        assert remind_activation() == 0
    assert Notice.objects.filter(kind="activation_reminder", channel="portal", recipient=alice_citizen).count() == 1
    assert Notice.objects.filter(kind="activation_reminder", channel="sms").count() == 1
