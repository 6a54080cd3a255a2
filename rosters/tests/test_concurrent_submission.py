"""The same roster submitted twice at the same moment (a double click, two tabs): one batch of applications."""

import threading

import pytest
from django.db import connection

from applications.models import CardApplication, StatusEvent
from demo.roster_samples import roster_csv, roster_xlsx
from rosters import services
from rosters.models import RosterBatch
from sbcard.errors import Conflict
from tests import factories

from .conftest import known_to_registry, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*calls, causes: list | None = None) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("submitted")
        except Conflict as error:
            outcomes.append(error.code)
            if causes is not None:
                causes.append(type(error.__cause__).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_one_batch_submitted_twice_at_once_is_submitted_once(partners):
    station = factories.make_station()
    agent = factories.make_agent(factories.make_employer(station))
    rows = factories.roster_rows(20, region="330161")
    known_to_registry(partners, rows)
    batch = upload(agent, roster_xlsx(rows))

    outcomes = at_once(*[lambda: services.submit_batch(batch.pk, actor=agent)] * 2)

    assert outcomes == ["already_submitted", "submitted"]
    assert CardApplication.objects.count() == 20
    assert StatusEvent.objects.filter(event="submit").count() == 20


def test_two_files_with_the_same_people_submitted_at_once_make_one_application_each(partners):
    station = factories.make_station()
    agent = factories.make_agent(factories.make_employer(station))
    rows = factories.roster_rows(20, region="330162")
    known_to_registry(partners, rows)
    first = upload(agent, roster_xlsx(rows))
    second = upload(agent, roster_csv(rows), "copy.csv")  # checked before either is submitted

    outcomes = at_once(
        lambda: services.submit_batch(first.pk, actor=agent), lambda: services.submit_batch(second.pk, actor=agent)
    )

    assert outcomes[-1] == "submitted" and outcomes[0] != "submitted"
    assert CardApplication.objects.count() == 20
    assert RosterBatch.objects.filter(state=RosterBatch.State.SUBMITTED).count() == 1


def test_two_employers_filing_the_same_people_in_opposite_orders_do_not_deadlock(partners):
    station = factories.make_station()
    first_agent = factories.make_agent(factories.make_employer(station))
    second_agent = factories.make_agent(factories.make_employer(station))
    rows = factories.roster_rows(300, region="330163")
    known_to_registry(partners, rows)
    first = upload(first_agent, roster_xlsx(rows))
    second = upload(second_agent, roster_csv(list(reversed(rows))), "reversed.csv")

    causes = []
    outcomes = at_once(
        lambda: services.submit_batch(first.pk, actor=first_agent),
        lambda: services.submit_batch(second.pk, actor=second_agent),
        causes=causes,
    )

    assert outcomes == ["duplicate_open_application", "submitted"]  # a clear answer, never a 500
    assert causes == ["IntegrityError"]  # the second waited for the first: no deadlock was broken
    assert CardApplication.objects.count() == 300
