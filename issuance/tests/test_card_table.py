"""The whole card table: every (status, event, role) in it succeeds, every one outside is refused."""

import pytest

from accounts.access import ADMIN, CLERK, HOLDER, SYSTEM
from applications.models import CityPolicy
from issuance.lifecycle import CARD_EVENTS, CARD_TABLE, apply_card_event
from issuance.models import CardEvent, CardStatus
from sbcard.errors import Conflict, NotPermitted
from tests import factories

ROLES = (HOLDER, CLERK, ADMIN, SYSTEM)
CASES = [(status.value, event, role) for status in CardStatus for event in CARD_EVENTS for role in ROLES]


@pytest.fixture
def world(db):
    station = factories.make_station()
    citizen = factories.make_citizen()
    card = factories.make_card(citizen, station)
    actors = {HOLDER: citizen, CLERK: factories.make_clerk(station), ADMIN: factories.make_admin(), SYSTEM: None}
    return card, actors


@pytest.mark.parametrize(("status", "event", "role"), CASES, ids=["-".join(case) for case in CASES])
def test_card_transition_table(world, status, event, role):
    card, actors = world
    from issuance.models import Card

    Card.objects.filter(pk=card.pk).update(status=status)
    before = CardEvent.objects.filter(card=card).count()
    transition = CARD_TABLE.get((status, event))
    allowed = transition is not None and role in transition.roles

    if allowed:
        apply_card_event(card.pk, event, actor=actors[role])
        card.refresh_from_db()
        assert card.status == transition.target
        last = CardEvent.objects.filter(card=card).last()
        assert (last.from_status, last.to_status, last.event, last.actor_role) == (
            status,
            transition.target,
            event,
            role,
        )
    else:
        with pytest.raises((Conflict, NotPermitted)) as error:
            apply_card_event(card.pk, event, actor=actors[role])
        assert isinstance(error.value, NotPermitted if transition is not None else Conflict)
        card.refresh_from_db()
        assert card.status == status
        assert CardEvent.objects.filter(card=card).count() == before


def test_a_clerk_of_another_station_cannot_touch_the_card(world):
    card, _actors = world
    outsider = factories.make_clerk(factories.make_station())

    with pytest.raises(NotPermitted):
        apply_card_event(card.pk, "activate", actor=outsider)


@pytest.mark.parametrize("undo_allowed", [True, False])
def test_unreporting_a_written_report_follows_the_city_policy(world, undo_allowed):
    card, actors = world
    from issuance.models import Card

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
