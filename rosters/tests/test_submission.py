"""Submitting a checked roster: all accepted rows become submitted applications at once, or none do."""

import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from applications.models import CardApplication, Channel, CityPolicy, Person, Photo, Status, StatusEvent
from demo.roster_samples import photos_zip, roster_csv, roster_xlsx
from rosters import services
from rosters.models import BatchApplication, RosterBatch
from sbcard.errors import Conflict, NotPermitted
from tests import factories

from .conftest import known_to_registry, upload

pytestmark = pytest.mark.django_db


def checked_batch(agent, partners, count: int, region: str, *, with_photos: bool = False, offset: int = 0):
    rows = factories.roster_rows(count, region=region, offset=offset)
    known_to_registry(partners, rows, has_id_photo=not with_photos)
    photos = photos_zip([row["id_number"] for row in rows]) if with_photos else None
    return upload(agent, roster_xlsx(rows), photos=photos), rows


def test_submits_every_accepted_row_as_a_roster_application(agent, partners):
    # given a checked roster: two with a photo in the ZIP
    batch, rows = checked_batch(agent, partners, 2, "330111", with_photos=True)
    more, more_rows = checked_batch(agent, partners, 2, "330112")
    assert batch.accepted_rows == 2 and more.accepted_rows == 2

    # when both are submitted
    services.submit_batch(batch.pk, actor=agent)
    services.submit_batch(more.pk, actor=agent)

    # then four applications wait for the station's review, filed by the agent for the employer
    applications = CardApplication.objects.filter(roster_entry__batch__in=[batch, more]).select_related("person")
    assert applications.count() == 4
    for application in applications:
        assert application.status == Status.SUBMITTED
        assert application.channel == Channel.ROSTER
        assert application.employer_id == agent.employer_id
        assert application.applicant_id == agent.pk
        assert application.station_id == agent.employer.station_id
        assert list(application.events.values_list("event", flat=True)) == ["create", "submit"]
    with_photo = applications.filter(roster_entry__batch=batch)
    assert all(a.photo_id and not a.photo_on_file_at_registry for a in with_photo)
    # the centre's ID photo stands in for an upload (rule 18): the submit guard let them through
    assert all(
        a.photo_id is None and a.photo_on_file_at_registry for a in applications.filter(roster_entry__batch=more)
    )
    batch.refresh_from_db()
    assert (batch.state, batch.submitted_count) == (RosterBatch.State.SUBMITTED, 2)


def test_a_roster_submitted_twice_is_not_duplicated(agent, partners):
    batch, rows = checked_batch(agent, partners, 3, "330113")
    services.submit_batch(batch.pk, actor=agent)

    # the same batch again
    with pytest.raises(Conflict) as caught:
        services.submit_batch(batch.pk, actor=agent)
    assert caught.value.code == "already_submitted"
    # the same file again
    with pytest.raises(Conflict) as caught:
        upload(agent, services.read_stored_files(RosterBatch.objects.get(pk=batch.pk))[0])
    assert caught.value.code == "duplicate_roster"
    # the same rows in another file (CSV this time): every row now has an open application
    again = upload(agent, roster_csv(rows), "again.csv")
    assert again.accepted_rows == 0 and again.refused_rows == 3
    with pytest.raises(Conflict):
        services.submit_batch(again.pk, actor=agent)
    assert CardApplication.objects.count() == 3


def test_same_rows_as_a_submitted_batch_are_recognised(agent, partners):
    batch, rows = checked_batch(agent, partners, 2, "330114")
    twin = upload(agent, roster_csv(rows), "twin.csv")  # checked before the first is submitted
    assert twin.rows_sha256 == RosterBatch.objects.get(pk=batch.pk).rows_sha256
    services.submit_batch(batch.pk, actor=agent)
    with pytest.raises(Conflict) as caught:
        services.submit_batch(twin.pk, actor=agent)
    assert caught.value.code == "duplicate_roster"
    assert CardApplication.objects.count() == 2


def test_a_failure_half_way_leaves_no_half_batch(agent, partners, settings):
    batch, _rows = checked_batch(agent, partners, 12, "330115", with_photos=True)
    calls = []

    def fail_after_the_applications_were_created(ids, *args, **kwargs):
        calls.append(len(ids))
        assert CardApplication.objects.count() == 12  # people, photos and drafts are written by now
        raise RuntimeError("the database went away")

    with mock.patch.object(services.workflow, "apply_event_in_bulk", fail_after_the_applications_were_created):
        with pytest.raises(RuntimeError):
            services.submit_batch(batch.pk, actor=agent)

    assert calls == [12]
    assert CardApplication.objects.count() == 0
    assert Person.objects.count() == 0
    assert Photo.objects.count() == 0
    assert StatusEvent.objects.count() == 0
    assert BatchApplication.objects.count() == 0
    batch.refresh_from_db()
    assert batch.state == RosterBatch.State.CHECKED  # and it can be submitted again
    services.submit_batch(batch.pk, actor=agent)
    assert CardApplication.objects.filter(status=Status.SUBMITTED).count() == 12


def test_a_person_who_applied_since_the_check_stops_the_whole_batch(agent, partners, station):
    batch, rows = checked_batch(agent, partners, 3, "330116")
    person = Person.objects.create(
        id_number=rows[1]["id_number"], name=rows[1]["name"], birth_date=datetime.date(1960, 1, 1), sex="F"
    )
    # set-up: an application filed for her at the counter since the check
    CardApplication.objects.create(
        person=person,
        station=station,
        insurance_type="urban_employee",
        household_city="杭州市",
        address="地址",
        phone="13900000001",
        channel=Channel.COUNTER,
    )
    with pytest.raises(Conflict) as caught:
        services.submit_batch(batch.pk, actor=agent)
    assert caught.value.code == "changed_since_check"
    assert CardApplication.objects.filter(channel=Channel.ROSTER).count() == 0


def test_only_an_approved_employers_agent_uploads_and_submits(agent, partners, station, bob_clerk):
    rows = factories.roster_rows(1, region="330117")
    pending = factories.make_agent(factories.make_employer(station, approved=False))
    with pytest.raises(NotPermitted) as caught:
        upload(pending, roster_xlsx(rows))
    assert caught.value.code == "employer_not_approved"
    with pytest.raises(NotPermitted):
        upload(bob_clerk, roster_xlsx(rows))
    batch, _rows = checked_batch(agent, partners, 1, "330118")
    other_agent = factories.make_agent(factories.make_employer(station))
    with pytest.raises(Conflict):
        services.submit_batch(batch.pk, actor=other_agent)
    assert other_agent.role == Role.EMPLOYER_AGENT
    assert CardApplication.objects.count() == 0


def _queries(agent, partners, count: int, region: str) -> tuple[int, int]:
    CityPolicy.current()  # read once per process and kept: not part of what is counted
    rows = factories.roster_rows(count, region=region)
    known_to_registry(partners, rows)
    content = roster_xlsx(rows)
    with CaptureQueriesContext(connection) as dry_run:
        batch = upload(agent, content)
    assert batch.accepted_rows == count
    with CaptureQueriesContext(connection) as submission:
        services.submit_batch(batch.pk, actor=agent)
    return len(dry_run.captured_queries), len(submission.captured_queries)


def test_the_number_of_queries_does_not_grow_with_rows(agent, partners):
    # 40 rows stay under SQLite's limit of 999 parameters a statement, which splits larger INSERTs
    small = _queries(agent, partners, 5, "330121")
    large = _queries(agent, partners, 40, "330122")
    assert CardApplication.objects.count() == 45
    assert large == small, f"queries for 5 rows {small}, for 40 rows {large}"


@pytest.mark.postgres
def test_the_number_of_queries_does_not_grow_with_rows_on_postgresql(agent, partners):
    # both above the size from which history rows go by COPY (sbcard.statemachine.BULK_HISTORY_ROWS)
    small = _queries(agent, partners, 60, "330125")
    large = _queries(agent, partners, 900, "330126")
    assert CardApplication.objects.count() == 960
    assert large == small, f"queries for 60 rows {small}, for 900 rows {large}"


def test_the_number_of_queries_grows_with_chunks_only(agent, partners, settings):
    settings.ROSTER_CHUNK_ROWS = 10
    one_chunk = _queries(agent, partners, 10, "330123")
    three_chunks = _queries(agent, partners, 30, "330124")
    per_chunk = ((three_chunks[0] - one_chunk[0]) / 2, (three_chunks[1] - one_chunk[1]) / 2)
    assert per_chunk[0] <= 8 and per_chunk[1] <= 10, (one_chunk, three_chunks)


def test_the_stored_roster_file_and_rows_are_encrypted(agent, partners):
    from django.db import connection

    rows = factories.roster_rows(2, region="330117")
    known_to_registry(partners, rows, has_id_photo=True)
    batch = upload(agent, roster_csv(rows), "plain.csv")  # a CSV: the numbers are readable in the raw file
    number = rows[0]["id_number"]
    assert number.encode() in roster_csv(rows)  # so the check below can fail

    stored = RosterBatch.objects.get(pk=batch.pk).roster_file
    on_disk = Path(stored.path).read_bytes()  # the raw file, not the storage's decrypting open()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM rosters_rosterrow WHERE batch_id = %s", [batch.pk])
        stored_rows = cursor.fetchall()

    assert number.encode() not in on_disk
    assert all(number not in stored_id and stored_id.startswith("enc1:") for stored_id, _phone in stored_rows)


def test_a_checked_batch_still_submits_after_the_hash_key_is_rotated(agent, partners, settings):
    from django.core.management import call_command

    batch, rows = checked_batch(agent, partners, 2, "330118")
    on_file = Person.objects.create(
        id_number=rows[1]["id_number"], name=rows[1]["name"], birth_date=datetime.date(1990, 1, 1), sex="F"
    )
    settings.ID_HASH_KEY = "the next hash key"
    call_command("rotate_keys", verbosity=0)  # Person's and the roster rows' hashes, under the new key

    services.submit_batch(batch.pk, actor=agent)

    first = Person.objects.get(id_number=rows[0]["id_number"])  # found through the new key's hash
    assert first.applications.get().status == Status.SUBMITTED
    assert Person.objects.count() == 2  # the person on file was matched, not created twice
    assert on_file.applications.get().channel == Channel.ROSTER


def test_a_batch_checked_under_another_hash_key_is_checked_again(agent, partners, settings):
    batch, rows = checked_batch(agent, partners, 2, "330119")
    Person.objects.create(
        id_number=rows[0]["id_number"], name=rows[0]["name"], birth_date=datetime.date(1990, 1, 1), sex="F"
    )
    settings.ID_HASH_KEY = "a key changed without rotate_keys"

    with pytest.raises(Conflict) as caught:
        services.submit_batch(batch.pk, actor=agent)

    assert caught.value.code == "changed_since_check"
    assert Person.objects.count() == 1 and not CardApplication.objects.exists()  # nobody created twice
