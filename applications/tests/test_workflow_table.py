"""The whole application table: every (status, event, role) in it succeeds, every one outside is refused."""

import pytest

from accounts.access import ADMIN, CLERK, EMPLOYER_AGENT, HOLDER, ROLES, SYSTEM
from accounts.models import ServiceStation
from applications.models import CardApplication, Channel, Status, StatusEvent
from applications.workflow import EVENTS, TABLE, apply_event
from sbcard.errors import Conflict, InvalidInput, NotPermitted
from tests import factories

CASES = [(status.value, event, role) for status in Status for event in EVENTS for role in ROLES]


@pytest.fixture
def world(db):
    station = factories.make_station()
    employer = factories.make_employer(station)
    citizen = factories.make_citizen()
    application = factories.make_application(citizen, station)
    CardApplication.objects.filter(pk=application.pk).update(employer=employer)
    actors = {
        HOLDER: citizen,
        CLERK: factories.make_clerk(station),
        EMPLOYER_AGENT: factories.make_agent(employer),
        ADMIN: factories.make_admin(),
        SYSTEM: None,
    }
    return application, actors


@pytest.mark.parametrize(("status", "event", "role"), CASES, ids=["-".join(case) for case in CASES])
def test_transition_table(world, status, event, role):
    # given an application in `status`, complete, and an actor with `role` towards it
    application, actors = world
    if event == "accept_at_counter":
        CardApplication.objects.filter(pk=application.pk).update(channel=Channel.COUNTER)
    if event == "issue_at_station":  # its guard: a replacement at a station that prints cards on the spot
        CardApplication.objects.filter(pk=application.pk).update(kind="replacement")
        ServiceStation.objects.filter(pk=application.station_id).update(instant_issuance=True)
    factories.force_status(application, status)
    events_before = StatusEvent.objects.filter(application=application).count()
    transition = TABLE.get((status, event))
    allowed = transition is not None and role in transition.roles

    # when the event is fired
    def fire():
        return apply_event(application.pk, event, actor=actors[role], reason_code="other", reason="测试原因")

    # then it moves exactly as the table says, or nothing changes
    if allowed:
        fire()
        application.refresh_from_db()
        assert application.status == transition.target
        assert StatusEvent.objects.filter(application=application).count() == events_before + 1
        last = StatusEvent.objects.filter(application=application).last()
        assert (last.from_status, last.to_status, last.event, last.actor_role) == (
            status,
            transition.target,
            event,
            role,
        )
    else:
        with pytest.raises((Conflict, NotPermitted)) as error:
            fire()
        expected = NotPermitted if transition is not None else Conflict
        assert isinstance(error.value, expected)
        application.refresh_from_db()
        assert application.status == status
        assert StatusEvent.objects.filter(application=application).count() == events_before


def test_a_stranger_cannot_fire_anything(world):
    application, _actors = world
    stranger = factories.make_citizen()
    other_clerk = factories.make_clerk(factories.make_station())
    factories.force_status(application, Status.SUBMITTED)

    for actor, event in [(stranger, "withdraw"), (other_clerk, "approve")]:
        with pytest.raises(NotPermitted):
            apply_event(application.pk, event, actor=actor)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_submit_without_a_photo_says_what_is_missing(db):
    station = factories.make_station()
    citizen = factories.make_citizen()
    application = factories.make_application(citizen, station, with_photo=False)

    with pytest.raises(Conflict) as error:
        apply_event(application.pk, "submit", actor=citizen)

    assert error.value.code == "incomplete"
    assert "照片" in error.value.message or "photo" in error.value.message


def test_return_needs_a_reason(world):
    application, actors = world
    factories.force_status(application, Status.SUBMITTED)

    with pytest.raises(InvalidInput):
        apply_event(application.pk, "return", actor=actors[CLERK])

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_deactivated_clerk_can_do_nothing(world):
    application, actors = world
    factories.force_status(application, Status.SUBMITTED)
    clerk = actors[CLERK]
    clerk.is_active = False
    clerk.save()

    with pytest.raises(NotPermitted):
        apply_event(application.pk, "approve", actor=clerk)
