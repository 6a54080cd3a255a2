"""The summariser: equal to a direct recount, after seeding and after more events; idempotent; a row
committed late (below the cursor) is still folded; two runs at once fold each row once (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import ServiceStation, User
from applications import services
from applications.models import CardApplication, Status, StatusEvent
from dashboards import fold_rules, summaries
from dashboards.models import CITY, Cursor, FoldedApplication, StageWindow, StatusCount
from issuance import services as issuance_services
from tests import factories

from .recount import differences, summarised

NO_DIFFERENCES = {
    "statuses": [],
    "durations": [],
    "seconds": [],
    "flows": [],
    "collected": [],
    "activated": [],
}


def _clerk_of(station_id: int) -> User:
    return User.objects.filter(role="clerk", station_id=station_id).first()


def test_the_summaries_equal_a_recount_after_seeding_and_after_more_events(small_city):
    # given a seeded city, summarised by seed_city
    assert differences() == NO_DIFFERENCES
    events_before = StatusEvent.objects.count()

    # when more happens through the workflow: reviews, returns, pickups, a new application, a station move
    submitted = list(CardApplication.objects.filter(status=Status.SUBMITTED).order_by("id")[:6])
    for application in submitted[:4]:
        services.approve_application(application.pk, actor=_clerk_of(application.station_id))
    for application in submitted[4:]:
        services.return_application(application.pk, actor=_clerk_of(application.station_id), reason_code="photo")
    for application in CardApplication.objects.filter(status=Status.READY_FOR_PICKUP).order_by("id")[:3]:
        issuance_services.hand_over_card(
            application.pk, actor=_clerk_of(application.station_id), presented_id_number=application.person.id_number
        )
    station, other = ServiceStation.objects.order_by("id")[:2]
    factories.make_application(factories.make_citizen(), station, submit=True)
    # a draft summarised at one station, then moved to another without a status change (what happened
    # before a move stays with the station it happened at, so the moved draft has no history yet)
    citizen = factories.make_citizen()
    draft = factories.make_application(citizen, station)
    summaries.summarise()
    services.update_application(draft.pk, actor=citizen, changes={"station": other})
    report = summaries.summarise()

    # then the summaries still equal the recount, the station move included
    assert Cursor.objects.get(name="status_events").folded == StatusEvent.objects.count() > events_before
    assert report.moved == 1
    assert differences() == NO_DIFFERENCES


def test_running_it_twice_changes_nothing(small_city):
    before = summarised()
    cursors = {c.name: (c.high_water, c.folded) for c in Cursor.objects.all()}

    report = summaries.summarise()

    assert (report.status_events, report.card_events, report.moved) == (0, 0, 0)
    assert summarised() == before
    assert {c.name: (c.high_water, c.folded) for c in Cursor.objects.all()} == cursors


def test_folding_in_small_chunks_gives_the_same_as_from_scratch(small_city):
    from_scratch = summarised()  # seed_city's first fold: set-based SQL on PostgreSQL, in memory elsewhere
    summaries.forget_everything()
    # a memory row of an application that does not exist makes the run take the incremental path
    FoldedApplication.objects.create(application_id=-1, station_id=0, last_status="x", created_day="2020-01-01",
                                     since=timezone.now())  # fmt: skip
    summaries.summarise(chunk_rows=1000)
    FoldedApplication.objects.filter(application_id=-1).delete()

    assert differences() == NO_DIFFERENCES
    assert summarised() == from_scratch


def test_an_event_committed_after_a_later_one_was_folded_is_still_folded(db, station, alice_citizen):
    # given two applications; the second one's history is written with higher ids first
    first = factories.make_application(alice_citizen, station)
    second = factories.make_application(factories.make_citizen(), station)
    summaries.summarise()
    top = StatusEvent.objects.order_by("-id").first().pk
    now = timezone.now()
    StatusEvent.objects.create(
        id=top + 5, application=second, event="submit", from_status="draft", to_status="submitted", created_at=now,
        actor_role="citizen",
    )  # fmt: skip
    summaries.summarise()
    assert Cursor.objects.get(name="status_events").gaps  # ids top+1 .. top+4 not seen yet

    # when the lower id commits afterwards (a transaction that started earlier)
    StatusEvent.objects.create(
        id=top + 2, application=first, event="submit", from_status="draft", to_status="submitted", created_at=now,
        actor_role="citizen",
    )  # fmt: skip
    report = summaries.summarise()

    # then it is folded: both count as submitted
    assert report.status_events == 1
    submitted = StatusCount.objects.filter(station_id=CITY, status="submitted").values_list("count", flat=True)
    assert sum(submitted) == 2


def test_the_stage_windows_hold_medians_from_the_histograms(small_city):
    windows = StageWindow.objects.filter(station_id=CITY, days=90)
    assert {w.stage for w in windows} == {"review", "registry", "bank", "vendor", "pickup"}
    for window in windows:
        assert window.count > 0
        assert 0 < window.median_seconds <= window.p90_seconds


def test_a_quantile_is_read_inside_its_bucket():
    # 10 durations in bucket 0 (0-1 h) and 10 in bucket 1 (1-2 h): the median is at the edge, 1 h
    assert fold_rules.quantile({0: 10, 1: 10}, {0: 18000, 1: 54000}, 0.5) == 3600
    assert fold_rules.quantile({1: 10}, {1: 54000}, 0.9) == 3600 + 3240
    assert fold_rules.quantile({}, {}, 0.5) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_fold_each_event_once():
    from django.core.management import call_command

    call_command("seed_city", people=600, no_summarise=True, verbosity=0)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            summaries.summarise(chunk_rows=2000)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert differences() == NO_DIFFERENCES
    assert Cursor.objects.get(name="status_events").folded == StatusEvent.objects.count()
