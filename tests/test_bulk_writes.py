"""sbcard.bulk: rows written without model instances read back exactly as the ORM would have written them."""

import datetime

import pytest
from django.utils import timezone

from applications.models import StatusEvent
from rosters.models import RosterBatch, RosterRow
from sbcard.bulk import insert_rows, insert_select
from sbcard.crypto import encrypt
from tests.factories import make_application

pytestmark = pytest.mark.django_db


def _batch(agent) -> RosterBatch:
    return RosterBatch.objects.create(
        employer=agent.employer, station=agent.employer.station, created_by=agent, file_name="r.csv", file_format="csv"
    )


def test_awkward_text_none_json_and_times_survive_the_copy(carol_employer, alice_citizen, station):
    batch = _batch(carol_employer)
    awkward = "a\tb\nc\\d\re 䶮𠮷 \\N"
    when = timezone.now().replace(microsecond=123456)
    written = insert_rows(
        RosterRow,
        ("batch_id", "line", "name", "id_number", "address", "birth_date", "accepted", "refusals"),
        [
            (batch.pk, 2, awkward, encrypt("110105194912310021"), "", datetime.date(1990, 1, 31), True, []),
            (batch.pk, 3, "王五", "", awkward, None, False, [{"column": "姓名", "message": awkward}]),
        ],
    )

    assert written == 2
    first, second = RosterRow.objects.filter(batch=batch).order_by("line")
    assert first.name == awkward and first.id_number == "110105194912310021"
    assert first.birth_date == datetime.date(1990, 1, 31) and first.accepted is True and first.refusals == []
    assert second.address == awkward and second.birth_date is None and second.accepted is False
    assert second.refusals == [{"column": "姓名", "message": awkward}]
    # columns not given get the field's default, as Model() would
    assert second.photo_file == "" and second.photo_size_bytes == 0 and second.sex == ""
    event_time = when
    application = make_application(alice_citizen, station, with_photo=False)
    insert_rows(
        StatusEvent,
        ("application_id", "event", "to_status", "actor_role", "created_at"),
        [(application.pk, "bulk_test", "draft", "holder", event_time)],
    )
    assert StatusEvent.objects.get(application=application, event="bulk_test").created_at == event_time


def test_an_unknown_column_or_a_required_one_left_out_is_refused():
    with pytest.raises(ValueError, match="no column"):
        insert_rows(RosterRow, ("batch_id", "colour"), [])
    with pytest.raises(ValueError, match="batch"):
        insert_select(RosterRow, expressions={"line": "1"}, constants={}, source="")


def test_insert_select_copies_rows_and_returns_what_was_asked(carol_employer):
    batch = _batch(carol_employer)
    insert_rows(RosterRow, ("batch_id", "line", "name"), [(batch.pk, line, f"名{line}") for line in (2, 3, 4)])
    table = RosterRow._meta.db_table

    returned = insert_select(
        RosterRow,
        expressions={"line": "r.line + 100", "name": "r.name"},
        constants={"batch_id": batch.pk, "accepted": True},
        source=f"FROM {table} r WHERE r.batch_id = %s AND r.line > %s",  # noqa: S608 - a test's own table name
        params=[batch.pk, 2],
        returning=("line", "name"),
    )

    assert sorted(returned) == [(103, "名3"), (104, "名4")]
    assert RosterRow.objects.filter(batch=batch, accepted=True).count() == 2
