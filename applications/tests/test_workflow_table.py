"""The whole application table: each transition in it moves for its roles and for no other; every (status,
event) pair outside it is refused, for every role (in memory: no database is needed to say no)."""

import pytest

from accounts.access import ADMIN, CLERK, EMPLOYER_AGENT, HOLDER, ROLES, SYSTEM, VERIFIER
from accounts.models import Role, ServiceStation, User
from applications.models import CardApplication, Channel, CityPolicy, Status, StatusEvent
from applications.workflow import EVENTS, MACHINE, TABLE, TRANSITIONS, apply_event
from sbcard.errors import Conflict, InvalidInput, NotPermitted
from tests import factories


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
        VERIFIER: factories.make_verifier(),  # hospital or pharmacy staff: no part in any application
        SYSTEM: None,
    }
    return application, actors


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}-{t.event}")
def test_each_transition_moves_for_its_roles_and_for_no_other(world, transition):
    # given an application in the transition's status, complete, and an actor of each role towards it
    application, actors = world
    if transition.event == "accept_at_counter":
        CardApplication.objects.filter(pk=application.pk).update(channel=Channel.COUNTER)
    if transition.event == "refer_for_review":  # its guard: a counter replacement beyond the city's yearly limit
        CardApplication.objects.filter(pk=application.pk).update(channel=Channel.COUNTER, kind="replacement")
        policy = CityPolicy.current()
        policy.replacements_allowed_in_12_months = 0
        policy.save()
    if transition.event == "issue_at_station":  # its guard: a replacement at a station that prints on the spot
        CardApplication.objects.filter(pk=application.pk).update(kind="replacement")
        ServiceStation.objects.filter(pk=application.station_id).update(instant_issuance=True)

    for role in ROLES:
        factories.force_status(application, transition.source)
        events_before = StatusEvent.objects.filter(application=application).count()

        # when this role fires the event
        def fire(role=role):
            return apply_event(
                application.pk, transition.event, actor=actors[role], reason_code="other", reason="测试原因"
            )

        # then it moves exactly as the table says, or nothing changes
        if role in transition.roles:
            fire()
            application.refresh_from_db()
            assert application.status == transition.target, role
            assert StatusEvent.objects.filter(application=application).count() == events_before + 1
            last = StatusEvent.objects.filter(application=application).last()
            assert (last.from_status, last.to_status, last.event, last.actor_role) == (
                transition.source,
                transition.target,
                transition.event,
                role,
            )
        else:
            with pytest.raises(NotPermitted):
                fire()
            application.refresh_from_db()
            assert application.status == transition.source, role
            assert StatusEvent.objects.filter(application=application).count() == events_before


def test_every_pair_outside_the_table_is_refused_for_every_role():
    # given an application in each status, in memory: the refusal reads only the record and the actor
    station = ServiceStation(pk=1, code="S1", name="站", address="路")
    actors = {
        HOLDER: User(pk=1, role=Role.CITIZEN, is_active=True),
        CLERK: User(pk=2, role=Role.CLERK, station_id=1, is_active=True),
        EMPLOYER_AGENT: User(pk=3, role=Role.EMPLOYER_AGENT, employer_id=1, is_active=True),
        ADMIN: User(pk=4, role=Role.ADMIN, is_active=True),
        SYSTEM: None,
    }
    outside = [(status.value, event) for status in Status for event in EVENTS if (status.value, event) not in TABLE]
    assert len(outside) > 100  # most pairs are not transitions
    for status, event in outside:
        application = CardApplication(status=status, station=station, employer_id=1, applicant_id=1)
        for role, actor in actors.items():
            # when the event is fired, then it is refused as not possible now, whoever fires it
            refusal = MACHINE.refusal(application, event, actor=actor, reason_code="other")
            assert isinstance(refusal, Conflict) and refusal.code == "transition_not_allowed", (status, event, role)


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
