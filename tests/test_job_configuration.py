"""The promises every job keeps (SECURITY.md, Jobs), checked on the tasks themselves."""

import pytest
from django.conf import settings

from applications import tasks as application_tasks
from applications.models import Status
from applications.services import approve_application
from issuance import tasks as issuance_tasks
from notices import tasks as notice_tasks

from . import factories

PARTNER_TASKS = [
    application_tasks.verify_with_registry,
    application_tasks.open_bank_account,
    application_tasks.order_card,
    issuance_tasks.report_unclaimed,
]
ALL_TASKS = PARTNER_TASKS + [
    application_tasks.receive_shipment,
    application_tasks.notify_status_changes,
    issuance_tasks.notify_card_event,
    notice_tasks.send_sms,
]


@pytest.mark.parametrize("task", ALL_TASKS, ids=lambda t: t.name)
def test_every_job_is_acked_late_and_time_limited(task):
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit


@pytest.mark.parametrize("task", PARTNER_TASKS, ids=lambda t: t.name)
def test_partner_steps_retry_with_backoff_on_their_own_queue(task):
    from sbcard.celery import app

    assert app.amqp.router.route({}, task.name)["queue"].name == "partners"
    assert task.retry_backoff and task.retry_jitter and task.retry_backoff_max <= 600 and task.max_retries


def test_the_visibility_timeout_exceeds_the_longest_task():
    longest = max([settings.CELERY_TASK_TIME_LIMIT] + [task.time_limit for task in ALL_TASKS])
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


@pytest.mark.django_db
def test_jobs_are_enqueued_only_after_commit(
    alice_citizen, bob_clerk, station, django_capture_on_commit_callbacks, monkeypatch
):
    application = factories.make_application(alice_citizen, station, submit=True)
    sent = []
    monkeypatch.setattr("sbcard.jobs.send_job", lambda job: sent.append(job.task))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve_application(application.pk, actor=bob_clerk)
        assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert sent == ["applications.tasks.verify_with_registry", "applications.tasks.notify_status_changes"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transition_enqueues_nothing(alice_citizen, bob_clerk, station, monkeypatch):
    from django.db import transaction

    application = factories.make_application(alice_citizen, station, submit=True)
    sent = []
    monkeypatch.setattr("sbcard.jobs.send_job", lambda job: sent.append(job.task))

    with pytest.raises(RuntimeError), transaction.atomic():
        approve_application(application.pk, actor=bob_clerk)
        raise RuntimeError("something later in the request failed")

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert sent == []


@pytest.mark.parametrize(
    ("task", "queue"),
    [(notice_tasks.send_sms, "notices"), (issuance_tasks.mark_unclaimed_cards, "celery")],
    ids=lambda value: getattr(value, "name", value),
)
def test_notices_and_periodic_jobs_have_queues_of_their_own(task, queue):
    from sbcard.celery import app

    assert app.amqp.router.route({}, task.name)["queue"].name == queue
