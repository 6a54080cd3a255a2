"""Every status change tells the holder, and whoever applied for them, in the portal and by SMS (rule 21)."""

import datetime

import pytest
from django.test import Client
from django.utils import translation

from applications import notifications
from applications.services import approve_application, return_application
from notices import services
from notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


def last_event(application):
    return application.events.order_by("-id").first()


def notify(status_event_id: int) -> list[int]:
    return notifications.notify_status_changes([status_event_id])


def test_a_status_change_gives_the_holder_a_portal_notice_and_an_sms(partners, alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    approve_application(application.pk, actor=bob_clerk)

    sms_ids = notify(last_event(application).pk)

    portal = Notice.objects.get(channel="portal", recipient=alice_citizen)
    assert application.reference in portal.text and "审核" in portal.text
    assert len(sms_ids) == 1
    services.send_sms(sms_ids[0])
    services.send_sms(sms_ids[0])  # a second run sends nothing more
    sent = partners["sms"].messages
    assert len(sent) == 1 and sent[0]["to"] == alice_citizen.phone and sent[0]["text"].startswith("【社保卡】")
    assert Notice.objects.get(pk=sms_ids[0]).delivery == "sent"


def test_running_the_notice_job_twice_creates_no_duplicates(alice_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)

    notify(last_event(application).pk)
    notify(last_event(application).pk)

    assert Notice.objects.filter(reference=application.reference).count() == 2  # one portal, one SMS


def test_a_returned_application_notice_says_what_to_correct(alice_citizen, bob_clerk, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    return_application(application.pk, actor=bob_clerk, reason_code="address", note="请补充门牌号")

    notify(last_event(application).pk)

    assert "请补充门牌号" in Notice.objects.get(channel="portal").text


def test_a_return_reason_reads_in_the_holders_language(alice_citizen, bob_clerk, station):
    from applications.progress import timeline

    alice_citizen.preferred_language = "en"
    alice_citizen.save(update_fields=["preferred_language"])
    application = factories.make_application(alice_citizen, station, submit=True)
    return_application(application.pk, actor=bob_clerk, reason_code="address", note="请补充门牌号")  # in Chinese

    notify(last_event(application).pk)

    portal = Notice.objects.get(channel="portal").text
    assert "The address is incomplete. 请补充门牌号" in portal  # the label in English, the clerk's note as written
    with translation.override("en"):
        assert timeline(application)[-1].reason == "The address is incomplete. 请补充门牌号"
    with translation.override("zh-hans"):
        assert timeline(application)[-1].reason.startswith("地址")


def test_sms_off_means_portal_notices_only(alice_citizen, station):
    alice_citizen.sms_notices_enabled = False
    alice_citizen.save()
    application = factories.make_application(alice_citizen, station, submit=True)

    assert notify(last_event(application).pk) == []
    assert Notice.objects.filter(channel="sms").count() == 0
    assert Notice.objects.filter(channel="portal").count() == 1


def test_the_guardian_is_told_about_the_childs_application_with_the_name_masked(alice_citizen, station):
    application = factories.make_ward_application(
        alice_citizen, station, datetime.date(2022, 3, 3)
    )  # pre-school: no photo
    from applications.services import submit_application

    submit_application(application.pk, actor=alice_citizen)

    notify(last_event(application).pk)

    notice = Notice.objects.get(channel="portal", recipient=alice_citizen)
    assert "小*" in notice.text and "小测" not in notice.text


def test_an_english_user_gets_english(alice_citizen, station):
    alice_citizen.preferred_language = "en"
    alice_citizen.save()
    application = factories.make_application(alice_citizen, station, submit=True)

    notify(last_event(application).pk)

    assert "has been submitted" in Notice.objects.get(channel="portal").text


def test_the_citizen_reads_notices_and_turns_sms_off(alice_citizen, station):
    application = factories.make_application(alice_citizen, station, submit=True)
    notify(last_event(application).pk)
    client = Client()
    client.force_login(alice_citizen)

    page = client.get("/notices/").content.decode()
    client.post("/notices/sms/", {})

    assert application.reference in page
    alice_citizen.refresh_from_db()
    assert alice_citizen.sms_notices_enabled is False
    assert Notice.objects.get(channel="portal").read_at is not None


def test_staff_see_the_sms_sent_for_their_station_only(alice_citizen, eve_citizen, bob_clerk, station, other_station):
    mine = factories.make_application(alice_citizen, station, submit=True)
    theirs = factories.make_application(eve_citizen, other_station, submit=True)
    notify(last_event(mine).pk)
    notify(last_event(theirs).pk)
    client = Client()
    client.force_login(bob_clerk)

    page = client.get("/staff/sms/").content.decode()

    assert mine.reference in page and theirs.reference not in page
    assert alice_citizen.phone not in page  # masked
    assert Client().get("/staff/sms/").status_code == 302
