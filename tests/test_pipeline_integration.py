"""The pipeline with a real Celery worker process, real Redis, real PostgreSQL, and the partner simulators
over HTTP: end to end, a worker killed in the middle of the bank call, a bank outage, a mismatch, and
forged callbacks.
"""

import os
import signal

import pytest
import requests
from django.test import Client

from applications.models import CardApplication, PartnerStep, Status
from applications.services import approve_application, submit_application, update_application
from partners.models import PartnerCall
from partners.signing import signed_headers

from . import factories
from .partners import register
from .workers import celery_worker, child_pids, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(partners, live_server):
    return {
        "REGISTRY_URL": partners["registry"].url,
        "BANK_URL": partners["bank"].url,
        "VENDOR_URL": partners["vendor"].url,
        "SMS_URL": partners["sms"].url,
        "PORTAL_BASE_URL": live_server.url,
    }


@pytest.fixture
def submitted(partners):
    station = factories.make_station()
    citizen = factories.make_citizen("郭靖")
    application = factories.make_application(citizen, station, submit=True)
    register(partners, citizen.person)
    return application, factories.make_clerk(station)


def status_is(application, *statuses):
    def check():
        return CardApplication.objects.filter(pk=application.pk, status__in=statuses).exists()

    return check


def test_an_approved_application_travels_to_the_pickup_counter(tmp_path, partners, worker_env, submitted):
    application, clerk = submitted
    with celery_worker(tmp_path, env=worker_env) as worker:
        approve_application(application.pk, actor=clerk)
        wait_for(status_is(application, Status.READY_FOR_PICKUP), what="ready_for_pickup", log=worker.log)
        # the last notice is sent after the status changes
        wait_for(lambda: len(partners["sms"].messages) >= 4, what="the SMS notices", log=worker.log)

    application.refresh_from_db()
    assert [e.to_status for e in application.events.order_by("id")] == [
        "draft",
        "submitted",
        "verifying",
        "opening_account",
        "in_production",
        "ready_for_pickup",
    ]
    assert application.card_number.startswith("H") and len(application.bank_account_number) == 19
    texts = [m["text"] for m in partners["sms"].messages if m["to"] == application.person.user.phone]
    assert len(texts) >= 4
    assert partners["bank"].state()["accounts_opened"] == 1 and partners["vendor"].state()["orders"] == 1


def test_a_worker_killed_during_the_bank_call_still_completes_with_one_account(
    tmp_path, partners, worker_env, submitted
):
    application, clerk = submitted
    partners["bank"].configure(latency_ms=4000)  # the bank acts at once and answers 4 s later
    with celery_worker(tmp_path, env=worker_env, concurrency=1) as worker:
        approve_application(application.pk, actor=clerk)
        wait_for(lambda: partners["bank"].counters["POST /accounts"] >= 1, what="the bank call", log=worker.log)
        assert partners["bank"].state()["accounts_opened"] == 1  # the account exists; the answer is still on its way
        for pid in child_pids(worker.pid):
            os.kill(pid, signal.SIGKILL)  # the pool process running the task dies mid-call
        partners["bank"].configure(latency_ms=0)
        wait_for(
            status_is(application, Status.IN_PRODUCTION, Status.READY_FOR_PICKUP), what="the bank step", log=worker.log
        )
        assert "WorkerLostError" in worker.log.read_text() or "exited with" in worker.log.read_text()

    step = PartnerStep.objects.get(application=application, partner="bank")
    assert step.attempts == 2 and step.outcome == "done"
    accounts = requests.get(
        f"{partners['bank'].url}/_control/accounts", params={"id_number": application.person.id_number}, timeout=5
    ).json()["accounts"]
    assert len(accounts) == 1
    application.refresh_from_db()
    assert application.bank_account_number == accounts[0]["account_number"]


def test_a_bank_outage_is_retried_shown_to_staff_and_completes_without_duplicates(
    tmp_path, partners, worker_env, submitted
):
    application, clerk = submitted
    partners["bank"].configure(down=True)
    staff = Client()
    staff.force_login(clerk)
    with celery_worker(tmp_path, env=worker_env) as worker:
        approve_application(application.pk, actor=clerk)
        wait_for(
            lambda: PartnerStep.objects.filter(application=application, partner="bank").exclude(last_error="").exists(),
            what="a failed bank call",
            log=worker.log,
        )
        page = staff.get("/station/applications/?trouble=1").content.decode()
        assert application.reference in page and "partner-unavailable" in page

        partners["bank"].configure(down=False)
        wait_for(
            status_is(application, Status.IN_PRODUCTION, Status.READY_FOR_PICKUP),
            timeout=90,
            what="the retry after the outage",
            log=worker.log,
        )

    assert partners["bank"].state()["accounts_opened"] == 1
    calls = PartnerCall.objects.filter(application_id=application.pk, partner="bank")
    assert calls.filter(result="transient").count() >= 1 and calls.filter(result="ok").count() == 1
    assert len(set(calls.values_list("idempotency_key", flat=True))) == 1


def test_a_registry_mismatch_is_corrected_and_then_completes(tmp_path, partners, worker_env, submitted):
    application, clerk = submitted
    citizen = application.person.user
    register(partners, application.person, name="郭靖儿")
    with celery_worker(tmp_path, env=worker_env) as worker:
        approve_application(application.pk, actor=clerk)
        wait_for(status_is(application, Status.RETURNED), what="returned", log=worker.log)
        event = application.events.order_by("-id").first()
        assert event.reason_code == "registry_mismatch" and "姓名" in event.reason and "郭靖儿" in event.reason

        update_application(application.pk, actor=citizen, changes={"name": "郭靖儿"})
        submit_application(application.pk, actor=citizen)
        approve_application(application.pk, actor=clerk)
        wait_for(status_is(application, Status.READY_FOR_PICKUP), what="ready_for_pickup", log=worker.log)

    assert PartnerStep.objects.filter(application=application, partner="registry").count() == 2


def test_forged_callbacks_over_http_change_nothing(tmp_path, partners, worker_env, submitted, live_server, settings):
    application, clerk = submitted
    partners["vendor"].configure(stage_seconds=3600)  # keep the real card in production
    with celery_worker(tmp_path, env=worker_env) as worker:
        approve_application(application.pk, actor=clerk)
        wait_for(
            lambda: PartnerStep.objects.filter(application=application, partner="vendor", outcome="done").exists(),
            what="the order",
            log=worker.log,
        )
        step = PartnerStep.objects.get(application=application, partner="vendor")
        body = (
            f'{{"event_id": "forged", "event": "shipped", "idempotency_key": "{step.idempotency_key}",'
            f' "card_number": "FAKE"}}'
        ).encode()
        url = f"{live_server.url}/partners/callbacks/vendor/"
        unsigned = requests.post(url, data=body, timeout=5)
        wrong = requests.post(url, data=body, headers=signed_headers("guess", body), timeout=5)
        stale = requests.post(
            url, data=body, headers=signed_headers(settings.VENDOR_WEBHOOK_SECRET, body, now=1), timeout=5
        )

    assert [unsigned.status_code, wrong.status_code, stale.status_code] == [403, 403, 403]
    application.refresh_from_db()
    assert application.status == Status.IN_PRODUCTION and application.card_number == ""
