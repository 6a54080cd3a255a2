"""Many applications through one event at once: same table, all or nothing, queries per batch not per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import CardApplication, Status, StatusEvent
from applications.workflow import apply_event_in_bulk
from sbcard.errors import Conflict
from tests import factories

pytestmark = pytest.mark.django_db


def roster(size: int):
    station = factories.make_station()
    employer = factories.make_employer(station)
    agent = factories.make_agent(employer)
    applications = [factories.make_application(factories.make_citizen(), station) for _ in range(size)]
    CardApplication.objects.filter(pk__in=[a.pk for a in applications]).update(employer=employer)
    return agent, [a.pk for a in applications]


def test_submits_a_whole_roster_with_history(django_capture_on_commit_callbacks):
    agent, ids = roster(5)

    with django_capture_on_commit_callbacks() as callbacks:
        apply_event_in_bulk(ids, "submit", actor=agent)

    assert set(CardApplication.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SUBMITTED}
    assert StatusEvent.objects.filter(application_id__in=ids, event="submit", actor_role="employer_agent").count() == 5
    assert len(callbacks) == 1  # one notice job for the whole batch, after commit


def test_one_refused_row_changes_nothing():
    agent, ids = roster(3)
    factories.force_status(CardApplication.objects.get(pk=ids[1]), Status.CANCELLED)

    with pytest.raises(Conflict) as error:
        apply_event_in_bulk(ids, "submit", actor=agent)

    assert CardApplication.objects.get(pk=ids[1]).reference in error.value.message
    assert set(CardApplication.objects.filter(pk__in=[ids[0], ids[2]]).values_list("status", flat=True)) == {"draft"}
    assert not StatusEvent.objects.filter(event="submit").exists()


def test_the_number_of_queries_does_not_grow_with_the_rows():
    def queries_for(size: int) -> int:
        agent, ids = roster(size)
        with CaptureQueriesContext(connection) as captured:
            apply_event_in_bulk(ids, "submit", actor=agent)
        return len(captured)

    assert queries_for(2) == queries_for(30)


def test_a_stranger_cannot_submit_someone_elses_roster():
    _agent, ids = roster(2)
    outsider = factories.make_agent(factories.make_employer(factories.make_station()))

    with pytest.raises(Conflict):
        apply_event_in_bulk(ids, "submit", actor=outsider)


def test_notices_and_audit_rows_are_for_exactly_the_changes_made(django_capture_on_commit_callbacks, monkeypatch):
    import time_machine

    from audit.models import AuditEntry
    from audit.services import person_key

    agent, ids = roster(3)
    clerk = factories.make_clerk(CardApplication.objects.get(pk=ids[0]).station)
    sent = []
    monkeypatch.setattr("sbcard.jobs.send_job", lambda job: sent.append(job.argument) if "notify" in job.task else None)
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):  # every step at the same instant
        apply_event_in_bulk(ids, "submit", actor=agent)
        apply_event_in_bulk(ids, "return", actor=clerk, reason="照片不清晰")
        with django_capture_on_commit_callbacks(execute=True):
            apply_event_in_bulk(ids, "submit", actor=agent)

    second_submit = list(StatusEvent.objects.filter(event="submit").order_by("pk").values_list("pk", flat=True))[3:]
    assert sent == [second_submit]  # not the first submit's rows, written at the same instant
    audited = AuditEntry.objects.filter(detail="submit: returned -> submitted").order_by("object_id")
    people = CardApplication.objects.filter(pk__in=ids).select_related("person").order_by("pk")
    assert [(e.object_id, e.person_key) for e in audited] == [
        (str(a.pk), person_key(a.person.id_number)) for a in people
    ]
