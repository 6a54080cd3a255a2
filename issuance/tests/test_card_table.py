"""The whole card table: each transition in it moves for its roles and for no other; every (status, event) pair
outside it is refused, for every role (in memory: no database is needed to say no)."""

import pytest

from accounts.access import ADMIN, CLERK, HOLDER, SYSTEM, VERIFIER
from accounts.models import Role, User
from applications.models import CardApplication, CityPolicy
from issuance.lifecycle import CARD_EVENTS, CARD_MACHINE, CARD_TABLE, CARD_TRANSITIONS, apply_card_event
from issuance.models import Card, CardEvent, CardStatus
from sbcard.errors import Conflict, NotPermitted
from tests import factories

ROLES = (HOLDER, CLERK, ADMIN, VERIFIER, SYSTEM)


@pytest.fixture
def world(db):
    station = factories.make_station()
    citizen = factories.make_citizen()
    card = factories.make_card(citizen, station)
    actors = {
        HOLDER: citizen,
        CLERK: factories.make_clerk(station),
        ADMIN: factories.make_admin(),
        VERIFIER: factories.make_verifier(),  # a pharmacy checks e-cards; it changes no card
        SYSTEM: None,
    }
    return card, actors


@pytest.mark.parametrize("transition", CARD_TRANSITIONS, ids=lambda t: f"{t.source}-{t.event}")
def test_each_card_transition_moves_for_its_roles_and_for_no_other(world, transition):
    card, actors = world
    for role in ROLES:
        # given the card in the transition's status
        Card.objects.filter(pk=card.pk).update(status=transition.source)
        before = CardEvent.objects.filter(card=card).count()

        # when this role fires the event, then it moves as the table says, or nothing changes
        if role in transition.roles:
            apply_card_event(card.pk, transition.event, actor=actors[role])
            card.refresh_from_db()
            assert card.status == transition.target, role
            last = CardEvent.objects.filter(card=card).last()
            assert (last.from_status, last.to_status, last.event, last.actor_role) == (
                transition.source,
                transition.target,
                transition.event,
                role,
            )
        else:
            with pytest.raises(NotPermitted):
                apply_card_event(card.pk, transition.event, actor=actors[role])
            card.refresh_from_db()
            assert card.status == transition.source, role
            assert CardEvent.objects.filter(card=card).count() == before


def test_every_pair_outside_the_card_table_is_refused_for_every_role():
    actors = {
        HOLDER: User(pk=1, role=Role.CITIZEN, is_active=True),
        CLERK: User(pk=2, role=Role.CLERK, station_id=1, is_active=True),
        ADMIN: User(pk=4, role=Role.ADMIN, is_active=True),
        SYSTEM: None,
    }
    application = CardApplication(station_id=1, applicant_id=1)
    outside = [(s.value, e) for s in CardStatus for e in CARD_EVENTS if (s.value, e) not in CARD_TABLE]
    assert len(outside) > 30  # most pairs are not transitions
    for status, event in outside:
        card = Card(status=status, application=application)
        for role, actor in actors.items():
            refusal = CARD_MACHINE.refusal(card, event, actor=actor)
            assert isinstance(refusal, Conflict) and refusal.code == "transition_not_allowed", (status, event, role)


def test_a_clerk_of_another_station_cannot_touch_the_card(world):
    card, _actors = world
    outsider = factories.make_clerk(factories.make_station())

    with pytest.raises(NotPermitted):
        apply_card_event(card.pk, "activate", actor=outsider)


@pytest.mark.parametrize("undo_allowed", [True, False])
def test_unreporting_a_written_report_follows_the_city_policy(world, undo_allowed):
    card, actors = world

    policy = CityPolicy.current()
    policy.formal_loss_report_can_be_undone = undo_allowed
    policy.save()
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REPORTED_LOST)

    if undo_allowed:
        apply_card_event(card.pk, "unreport", actor=actors[CLERK])
        card.refresh_from_db()
        assert card.status == CardStatus.ACTIVE
    else:
        with pytest.raises(Conflict) as error:
            apply_card_event(card.pk, "unreport", actor=actors[CLERK])
        assert "final" in error.value.message or "补" in error.value.message or "挂失" in error.value.message
        card.refresh_from_db()
        assert card.status == CardStatus.REPORTED_LOST


# Issue 20: the e-card stops the moment the card is reported lost, replaced or exchanged, and works again on unreport
# (and when an oral report lapses). Written out here from the issue, event by event, for every transition.
ECARD_AFTER_EVENT = {
    "activate": "active",
    "report_lost_orally": "suspended",
    "confirm_loss_in_writing": "suspended",
    "report_lost_in_writing": "suspended",
    "lapse_oral_report": "active",
    "unreport": "active",
    "replace": "replaced",
    "exchange": "replaced",
}


def test_the_ecard_state_follows_every_transition_of_the_card_table():
    assert {t.event for t in CARD_TRANSITIONS} == set(ECARD_AFTER_EVENT)
    for transition in CARD_TRANSITIONS:
        after = Card(status=transition.target)
        assert after.ecard_state == ECARD_AFTER_EVENT[transition.event], transition
    assert Card(status=CardStatus.ISSUED).ecard_state == "active"  # handed over: usable before bank activation
