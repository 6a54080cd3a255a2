"""The roster jobs keep the promises of every job (SECURITY.md, Jobs), and the beat schedule names a real task."""

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from rosters import tasks

TASKS = [tasks.check_roster, tasks.start_production_of_paid_batches]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_every_roster_job_is_acked_late_and_time_limited(task):
    assert task.acks_late is True and task.reject_on_worker_lost is True
    assert task.time_limit and task.soft_time_limit < task.time_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > task.time_limit


def test_the_dry_run_job_retries_an_unavailable_information_centre_on_the_celery_queue():
    from partners.errors import TransientError
    from sbcard.celery import app

    assert app.amqp.router.route({}, tasks.check_roster.name)["queue"].name == "celery"
    assert TransientError in tasks.check_roster.autoretry_for
    assert tasks.check_roster.retry_backoff and tasks.check_roster.max_retries


def test_the_beat_schedule_runs_the_paid_batches_job():
    entry = settings.CELERY_BEAT_SCHEDULE["start-production-of-paid-batches"]
    assert import_string(entry["task"]) is tasks.start_production_of_paid_batches


@pytest.mark.django_db
def test_an_unavailable_information_centre_leaves_the_batch_checking_for_the_job(agent, partners, monkeypatch):
    from demo.roster_samples import roster_xlsx
    from rosters.models import RosterBatch
    from tests import factories

    from .conftest import upload

    partners["registry"].configure(down=True)
    sent = []
    monkeypatch.setattr("rosters.services._enqueue_check", sent.append)
    batch = upload(agent, roster_xlsx(factories.roster_rows(2, region="330171")))
    assert batch.state == RosterBatch.State.CHECKING and sent == [batch.pk]
    assert not batch.rows.exists()  # nothing half-written
    partners["registry"].configure(down=False)
    from .conftest import known_to_registry

    known_to_registry(partners, factories.roster_rows(2, region="330171"))
    tasks.check_roster.run(batch.pk)
    batch.refresh_from_db()
    assert batch.state == RosterBatch.State.CHECKED and batch.accepted_rows == 2 and batch.rows.count() == 2
