"""Ageing buckets and the deadline lists on hand-made cases, with time travel across a real holiday
(National Day 2025: 1-8 October off, Sunday 28 September a make-up working day)."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from applications.models import CardApplication, Escalation, Status
from dashboards import queries, summaries
from dashboards.queries import Scope
from issuance.models import LossReport
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def submitted_on(day: str, station) -> CardApplication:
    with time_machine.travel(at(day), tick=False):
        return factories.make_application(factories.make_citizen(), station, submit=True)


def test_ageing_puts_open_applications_in_buckets_by_days_since_creation(db, station):
    # given applications created 0, 7, 8, 30, 31, 60 and 61 days before 10 October 2025
    today = datetime.date(2025, 10, 10)
    for age in (0, 7, 8, 30, 31, 60, 61):
        submitted_on((today - datetime.timedelta(days=age)).isoformat(), station)
    with time_machine.travel(at("2025-10-10", 12), tick=False):
        summaries.summarise()

        # when the ageing is read that day
        rows = {row["status"]: row for row in queries.ageing(Scope(station))}

    # then the buckets are 0-7, 8-30, 31-60, over 60 days
    assert rows["submitted"]["buckets"] == [2, 2, 2, 1]
    assert queries.ageing(Scope(None), today)[1]["buckets"] == [2, 2, 2, 1]  # the city row agrees


def test_reviews_past_7_working_days_count_working_days_across_national_day(db, station):
    # given one application submitted Friday 19 September and one Monday 29 September 2025
    late = submitted_on("2025-09-19", station)
    in_time = submitted_on("2025-09-29", station)

    # when the list is read on Friday 10 October (11 calendar days after the second, but only 3 working days:
    # 30 September, 9 and 10 October; the first waited 10 working days, Sunday 28 September included)
    with time_machine.travel(at("2025-10-10", 15), tick=False):
        reviews = list(queries.deadline_queryset("reviews", Scope(station)))

    # then only the first is past the limit
    assert reviews == [late]
    assert in_time not in reviews


def test_unclaimed_cards_and_oral_reports_about_to_lapse(db, station, alice_citizen, eve_citizen):
    with time_machine.travel(at("2025-09-01"), tick=False):
        waiting = factories.ready_for_pickup(alice_citizen, station)
    with time_machine.travel(at("2025-09-25"), tick=False):
        recent = factories.ready_for_pickup(eve_citizen, station)
    card = factories.make_card(factories.make_citizen(), station, status="pre_reported_lost")
    owner = card.person.user
    due = LossReport.objects.create(
        card=card, kind="oral", channel="hotline", reported_by=owner, written_deadline=datetime.date(2025, 10, 9),
        created_at=at("2025-09-29"),
    )  # fmt: skip
    later = LossReport.objects.create(
        card=card, kind="oral", channel="hotline", reported_by=owner, written_deadline=datetime.date(2025, 10, 13),
        created_at=at("2025-10-09"),
    )  # fmt: skip
    confirmed = LossReport.objects.create(
        card=card, kind="oral", channel="hotline", reported_by=owner, written_deadline=datetime.date(2025, 10, 9),
        created_at=at("2025-09-29"), confirmed_at=at("2025-09-30"),
    )  # fmt: skip

    with time_machine.travel(at("2025-10-09", 9), tick=False):
        unclaimed = list(queries.deadline_queryset("unclaimed", Scope(station)))
        lapsing = list(queries.deadline_queryset("oral-loss", Scope(station)))

    # a card waiting since 1 September is past 30 days, one waiting since 25 September is not
    assert waiting in unclaimed and recent not in unclaimed
    # due today (9 October) is about to lapse; next working day is 10 October, so 13 October is not yet;
    # a confirmed report never lapses
    assert lapsing == [due]
    assert later not in lapsing and confirmed not in lapsing


def test_the_escalation_list_shows_who_handles_each_case(db, station, other_station, bob_clerk):
    mine = submitted_on("2025-07-01", station)
    theirs = submitted_on("2025-07-01", other_station)
    Escalation.objects.create(application=mine, summary="督办", handler=bob_clerk)
    Escalation.objects.create(application=theirs, summary="督办")

    with time_machine.travel(at("2025-10-10"), tick=False):
        lists = {item.kind: item for item in queries.deadlines(Scope(station))}
        city = {item.kind: item for item in queries.deadlines(Scope(None))}
        row = queries.deadline_row("escalations", lists["escalations"].rows[0], datetime.date(2025, 10, 10))

    assert lists["escalations"].count == 1 and city["escalations"].count == 2
    assert row["handler"] == str(bob_clerk) and row["days"] == 101
    assert mine.status == Status.SUBMITTED
