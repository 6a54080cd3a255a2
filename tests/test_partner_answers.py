"""Partner answers shown as they are (issue 11): no record is "no record", a mismatch shows the partner's value to
the clerk and tells the citizen what to change where, and no partner failure is silent: every job that gives up
is in the staff trouble list with its reason until staff send it again or mark it handled."""

import pytest
from django.test import Client

from applications import pipeline
from applications.models import Status
from applications.services import approve_application, submit_application, update_application
from issuance import services as issuance_services
from issuance.tasks import tell_bank
from notices.tasks import send_sms
from partners.models import PartnerFailure
from sbcard.errors import Conflict
from tests import factories
from tests.partners import register

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def approved(partners, station, bob_clerk):
    citizen = factories.make_citizen("周婕")
    application = factories.make_application(citizen, station, submit=True)
    approve_application(application.pk, actor=bob_clerk)
    application.refresh_from_db()
    return application


def test_the_information_centre_says_no_record_for_someone_it_does_not_know(partners, bob_clerk):
    page = (
        client_for(bob_clerk)
        .post(
            "/window/walk-in/",
            {
                "action": "check",
                "name": "陌生人",
                "id_number": factories.next_id_number(),
                "phone": "13912340000",
                "insurance_type": "urban_employee",
                "household_city": "杭州市",
                "address": "杭州市上城区",
            },
        )
        .content.decode()
    )

    assert page.count("<strong>无记录</strong>") == 2  # name and household city: the centre holds nothing
    assert "户籍登记" in page and "记录一致" not in page


def test_a_bank_mismatch_shows_the_banks_value_and_the_citizen_can_say_the_bank_corrected_it(
    approved, partners, bob_clerk
):
    citizen = approved.person.user
    with partners["bank"].lock:
        partners["bank"].customers[approved.person.id_number] = {"id_number": approved.person.id_number, "name": "周杰"}
    register(partners, approved.person)
    pipeline.verify_with_registry(approved.pk)
    pipeline.open_bank_account(approved.pk)
    approved.refresh_from_db()
    assert approved.status == Status.RETURNED

    detail = client_for(citizen).get(f"/applications/{approved.pk}/").content.decode()
    assert "合作银行登记的姓名为“周杰”，申请填写的是“周婕”" in detail  # what to change, and where
    assert 'id="corrected-at-partner"' in detail
    review = client_for(bob_clerk).get(f"/station/applications/{approved.pk}/").content.decode()
    assert "周杰" in review  # the clerk sees the bank's value

    with pytest.raises(Conflict) as error:  # the same details again would meet the same refusal
        submit_application(approved.pk, actor=citizen)
    assert error.value.code == "same_partner_mismatch" and "周杰" in str(error.value.message)

    response = client_for(citizen).post(f"/applications/{approved.pk}/submit/", {"corrected_at_partner": "1"})

    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Status.SUBMITTED
    submit = approved.events.order_by("-id").first()
    assert submit.reason_code == "corrected_at_bank"
    assert "银行已更正" in client_for(bob_clerk).get(f"/station/applications/{approved.pk}/").content.decode()


def test_correcting_the_name_instead_needs_no_statement(approved, partners):
    citizen = approved.person.user
    register(partners, approved.person, name="周杰")
    pipeline.verify_with_registry(approved.pk)
    approved.refresh_from_db()
    assert approved.status == Status.RETURNED
    assert (
        "市信息服务中心登记的姓名为“周杰”" in client_for(citizen).get(f"/applications/{approved.pk}/").content.decode()
    )

    update_application(approved.pk, actor=citizen, changes={"name": "周杰"})
    submit_application(approved.pk, actor=citizen)

    approved.refresh_from_db()
    assert approved.status == Status.SUBMITTED


def test_a_bank_that_tells_of_no_such_account_is_in_the_trouble_list_until_sent_again(partners, station, bob_clerk):
    citizen = factories.make_citizen()
    card = factories.make_card(citizen, station, status="active")  # its account is unknown to the bank
    issuance_services.report_loss_in_writing(card.pk, actor=bob_clerk, presented_id_number=citizen.person.id_number)
    event = card.events.get(event="report_lost_in_writing")

    tell_bank.apply(args=[event.pk])  # as a worker runs it: the refusal goes through the task's failure handling

    failure = PartnerFailure.objects.get(resolved_at=None)
    assert (failure.partner, failure.operation, failure.code) == ("bank", "loss_written", "unknown_account")
    assert failure.application_id == card.application_id and failure.permanent
    clerk = client_for(bob_clerk)
    trouble = clerk.get("/station/applications/?trouble=1").content.decode()
    assert "no such account" in trouble and card.application.reference in trouble
    assert "no such account" in clerk.get(f"/window/cards/{card.pk}/").content.decode()

    with partners["bank"].lock:  # the bank's record is put right; staff send the notice again
        partners["bank"].accounts[card.application.bank_account_number] = {"id_number": "", "name": "", "key": ""}
    from partners import failures

    response = clerk.post(f"/staff/partner-failures/{failure.pk}/send-again/", {"next": "/station/applications/"})
    assert response.status_code == 302
    failure.refresh_from_db()
    assert failure.resolution == "sent_again" and failure.resolved_by == bob_clerk
    tell_bank.apply(args=[event.pk])
    assert [(n["notice"], n["kind"]) for n in partners["bank"].notices] == [("loss_report", "written")]
    assert not failures.open_failures().exists()


def test_the_demo_card_holders_accounts_are_at_the_bank(partners):
    from django.core.management import call_command

    from issuance.models import Card

    call_command("load_demo", verbosity=0)
    clerk = factories.make_clerk(Card.objects.first().application.station)
    for card in Card.objects.filter(status="active").select_related("person"):
        issuance_services.report_loss_in_writing(card.pk, actor=clerk, presented_id_number=card.person.id_number)
        tell_bank.apply(args=[card.events.get(event="report_lost_in_writing").pk])

    assert not PartnerFailure.objects.exists()
    kinds = [(notice["notice"], notice["kind"]) for notice in partners["bank"].notices]
    assert ("loss_report", "written") in kinds


def test_a_bank_refusal_that_is_not_about_the_applicant_waits_for_staff_not_the_sweeper(approved, partners):
    register(partners, approved.person)
    pipeline.verify_with_registry(approved.pk)
    with partners["bank"].lock:
        partners["bank"].customers[approved.person.id_number] = {
            "id_number": approved.person.id_number,
            "name": approved.person.name,
            "refuse": "customer_blocked",
        }
    from applications.tasks import open_bank_account

    open_bank_account.apply(args=[approved.pk])

    approved.refresh_from_db()
    assert approved.status == Status.OPENING_ACCOUNT  # not returned to the citizen: it is not theirs to fix
    failure = PartnerFailure.objects.get(application_id=approved.pk)
    assert failure.code == "customer_blocked" and failure.permanent
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=1)):
        assert ("applications.tasks.open_bank_account", approved.pk) not in pipeline.stalled_steps()


def test_an_sms_the_gateway_refuses_is_a_failure_staff_see(partners, approved):
    from notices.models import Notice

    notice = Notice.objects.create(
        dedupe_key="t1",
        channel=Notice.Channel.SMS,
        phone="10000000000",  # not a mobile number: the gateway refuses it
        reference=approved.reference,
        kind="submitted",
        text="【社保卡】…",
        delivery=Notice.Delivery.PENDING,
    )

    send_sms.apply(args=[notice.pk])

    failure = PartnerFailure.objects.get(partner="sms")
    assert failure.permanent and failure.task_args == [notice.pk]  # staff see it (no application: notices know none)
