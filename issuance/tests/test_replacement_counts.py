"""Issue 20, point 5: replacement counts (SSA counts replacement cards, three a year). A fourth replacement within 12
months — or beyond the city's own limit — goes to a clerk's review with the history shown, not straight to
production; the clerk's decision, with what they checked, is audited. The dates are counted by hand below."""

import datetime

import pytest
import time_machine
from django.test import Client

from applications import services as application_services
from applications.models import ApplicationKind, CardApplication, CityPolicy, Status
from applications.notifications import notify_status_changes
from audit.models import AuditEntry
from issuance import services
from issuance.models import CardStatus
from notices.models import Notice
from sbcard.errors import InvalidInput
from tests import factories

pytestmark = pytest.mark.django_db


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 2, 0, tzinfo=datetime.UTC), tick=False)


def earlier_replacement(card, when: datetime.date, status=Status.COLLECTED) -> CardApplication:
    """Test set-up: a replacement the holder had on `when`, long since done (its path there skipped)."""
    with at(when.year, when.month, when.day):
        application = application_services.start_application(
            actor=card.person.user,
            holder=card.person,
            station=card.application.station,
            insurance_type=card.application.insurance_type,
            household_city="杭州市",
            address="杭州市上城区望江路100号",
            phone=card.application.phone,
            kind=ApplicationKind.REPLACEMENT,
        )
    return factories.force_status(application, status)


@pytest.fixture
def active_card(alice_citizen, station):
    return factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)


def lose_and_replace_at_the_station(card, clerk, **options) -> CardApplication:
    number = card.person.id_number
    services.report_loss_in_writing(card.pk, actor=clerk, presented_id_number=number)
    return services.apply_for_replacement(card.pk, actor=clerk, presented_id_number=number, **options)


def test_a_fourth_replacement_within_12_months_waits_for_a_review_with_the_history_and_the_decision_is_audited(
    alice_citizen, bob_clerk, active_card, station
):
    # given three replacements in the last 12 months: 20 Nov 2025, 3 Mar 2026 and 1 Jul 2026 (one more, on
    # 19 Nov 2025, is 12 months and a day before 20 Nov 2026 and does not count; a cancelled one made no card)
    from accounts.models import ServiceStation

    ServiceStation.objects.filter(pk=station.pk).update(instant_issuance=True)  # a station that prints at once
    bob_clerk.refresh_from_db()
    earlier = [earlier_replacement(active_card, datetime.date(*day)) for day in ((2025, 11, 20), (2026, 3, 3))]
    earlier_replacement(active_card, datetime.date(2025, 11, 19))
    earlier_replacement(active_card, datetime.date(2026, 5, 5), status=Status.CANCELLED)
    earlier.append(earlier_replacement(active_card, datetime.date(2026, 7, 1)))

    # when the card is lost again on 20 Nov 2026 and the clerk takes the replacement, asking to print it at once
    with at(2026, 11, 20):
        application = lose_and_replace_at_the_station(active_card, bob_clerk, issue_now=True)

    # then it is not accepted, not printed, and the old card not yet retired: it waits in the review queue
    assert application.status == Status.SUBMITTED and application.card_number == ""
    active_card.refresh_from_db()
    assert active_card.status == CardStatus.REPORTED_LOST
    clerk = Client()
    clerk.force_login(bob_clerk)
    queue = clerk.get("/station/queue/").content.decode()
    assert application.reference in queue and "badge overdue" in queue
    # with the history on the review page: the three that count, not the older or cancelled ones
    review = clerk.get(f"/station/applications/{application.pk}/").content.decode()
    history = review.split('id="replacement-history"', 1)[1].split("</section>", 1)[0]
    assert [a.reference for a in earlier if a.reference in history] == [a.reference for a in earlier]
    assert history.count("<tr>") == 1 + 3  # the header and the three
    assert 'name="note"' in review
    # and the holder is told why (the job the referral sends after commit, run here)
    notify_status_changes([application.events.get(event="refer_for_review").pk])
    notice = Notice.objects.get(kind="submitted", recipient=alice_citizen, channel="portal")
    assert application.reference in notice.text and "12" in notice.text

    # when the clerk approves without saying what they checked, then with it
    with pytest.raises(InvalidInput) as refused:
        application_services.approve_application(application.pk, actor=bob_clerk)
    assert refused.value.code == "review_note_required"
    application_services.approve_application(application.pk, actor=bob_clerk, note="查看了派出所报案回执")

    # then it goes on to production, the old card stops, and the decision is in the audit trail with the history
    application.refresh_from_db()
    active_card.refresh_from_db()
    assert application.status == Status.VERIFYING and active_card.status == CardStatus.REPLACED
    (entry,) = AuditEntry.objects.filter(action=AuditEntry.Action.REPLACEMENT_REVIEW, object_id=str(application.pk))
    assert entry.actor == bob_clerk and entry.person_key == alice_citizen.person.id_number_hash
    assert entry.detail.startswith("approved: replacement 4 in 12 months (limit 3)")
    assert all(a.reference in entry.detail for a in earlier) and "派出所报案回执" in entry.detail


def test_a_third_replacement_is_accepted_at_once_and_the_citys_limit_moves_the_review(bob_clerk, active_card):
    with at(2026, 11, 20):
        for day in ((2026, 2, 2), (2026, 6, 6)):
            earlier_replacement(active_card, datetime.date(*day))
        third = lose_and_replace_at_the_station(active_card, bob_clerk)
    assert third.status == Status.VERIFYING  # two earlier: within the limit of 3

    # a city that allows one replacement a year reviews the second
    policy = CityPolicy.current()
    policy.replacements_allowed_in_12_months = 1
    policy.save()
    holder = active_card.person.user
    second_card = factories.make_card(holder, bob_clerk.station, status=CardStatus.ACTIVE)
    CardApplication.objects.filter(pk=third.pk).update(status=Status.CANCELLED)  # its card never made: not counted
    with at(2026, 11, 21):
        second = lose_and_replace_at_the_station(second_card, bob_clerk)
    assert second.status == Status.SUBMITTED


def test_an_online_fourth_replacement_is_reviewed_through_the_api_with_a_note(api_client, alice_citizen, bob_clerk):
    station = bob_clerk.station
    card = factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)
    for day in ((2026, 1, 5), (2026, 4, 6), (2026, 8, 3)):
        earlier_replacement(card, datetime.date(*day))
    with at(2026, 11, 20):
        services.report_loss_orally(card.pk, actor=alice_citizen, channel="online")
        application = services.apply_for_replacement(card.pk, actor=alice_citizen)
        application_services.submit_application(application.pk, actor=alice_citizen)

        api_client.force_authenticate(bob_clerk)
        detail = api_client.get(f"/api/v1/applications/{application.pk}/").json()
        refused = api_client.post(f"/api/v1/applications/{application.pk}/approve/", {}, format="json")
        approved = api_client.post(
            f"/api/v1/applications/{application.pk}/approve/", {"note": "本人到场说明情况"}, format="json"
        )

    assert detail["replacement_history"]["number"] == 4 and detail["replacement_history"]["needs_review"]
    assert len(detail["replacement_history"]["earlier"]) == 3
    assert refused.status_code == 400 and refused.json()["code"] == "review_note_required"
    assert approved.status_code == 200 and approved.json()["status"] == "verifying"
    assert AuditEntry.objects.filter(action="replacement_review", object_id=str(application.pk)).count() == 1
