"""Two clerks approving the same application at the same moment: exactly one wins (real PostgreSQL)."""

import threading

import pytest
from django.db import connection

from applications.models import Status, StatusEvent
from applications.services import approve_application
from sbcard.errors import Conflict

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_clerks_approving_at_once_one_wins():
    # given a submitted application and two clerks of its station
    station = factories.make_station()
    citizen = factories.make_citizen()
    application = factories.make_application(citizen, station, submit=True)
    clerks = [factories.make_clerk(station), factories.make_clerk(station)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(clerk):
        try:
            barrier.wait(timeout=10)
            approve_application(application.pk, actor=clerk)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    # when both approve at the same moment
    threads = [threading.Thread(target=approve, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one succeeds and one history row is written
    assert sorted(outcomes) == ["approved", "refused"]
    application.refresh_from_db()
    assert application.status == Status.VERIFYING
    assert StatusEvent.objects.filter(application=application, event="approve").count() == 1


def test_two_requests_creating_the_same_application_one_wins():
    from applications.services import start_application

    station = factories.make_station()
    citizen = factories.make_citizen()
    barrier = threading.Barrier(2)
    outcomes = []

    def create():
        try:
            barrier.wait(timeout=10)
            start_application(
                actor=citizen,
                holder=citizen.person,
                station=station,
                insurance_type="urban_employee",
                household_city="杭州市",
                address="望江路1号",
                phone=citizen.phone,
            )
            outcomes.append("created")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created", "refused"]
    assert citizen.person.applications.count() == 1
