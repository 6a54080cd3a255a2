"""Filing many applications at once from rows another app holds (an employer's roster): people, photos and
draft applications with their first history rows, in SQL, in a fixed number of statements however many rows.

The caller owns its rows and describes them as a `RowSource`: SQL naming its table with the alias `r` and
the columns listed in `ROW_COLUMNS`. This module owns everything written: the rules (one open application of
a kind per person, the name on file) and the INSERTs. No ID number is decrypted: the rows hold them encrypted
as Person does, with the same keyed hash.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from sbcard.bulk import insert_select
from sbcard.errors import Conflict

from . import workflow
from .models import OPEN_STATUSES, ApplicationKind, CardApplication, Channel, Person, Photo

# What each row must give, as columns of `r`: the person, their application, and the photo they brought.
ROW_COLUMNS = (
    "line",  # the row's number in the caller's file, for messages and the order of the result
    "id_number",  # encrypted as Person.id_number is
    "id_number_hash",
    "name",
    "birth_date",
    "sex",
    "phone",
    "insurance_type",
    "household_city",
    "address",
    "photo_file",  # '' when the row brought none
    "photo_size_bytes",
    "photo_sha256",
    "photo_on_file_at_registry",
)


@dataclass(frozen=True)
class RowSource:
    """The caller's rows: its table (read as `r`), the condition that picks them, and its parameters."""

    table: str
    where: str
    params: list

    @property
    def rows(self) -> str:
        return f"FROM {self.table} r WHERE {self.where}"

    def with_person(self) -> str:
        """The rows joined with their person on file."""
        person = Person._meta.db_table
        return f"FROM {self.table} r JOIN {person} p ON p.id_number_hash = r.id_number_hash WHERE {self.where}"


def lines_changed_since_check(source: RowSource) -> list[int]:
    """Lines whose person is on file under another name or has an open first application now: filed since the
    caller checked them (by another batch, or online)."""
    person, application = Person._meta.db_table, CardApplication._meta.db_table
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.line {source.rows} AND EXISTS (SELECT 1 FROM {person} p"  # noqa: S608 - tables from the models
            " WHERE p.id_number_hash = r.id_number_hash"
            f" AND (p.name <> r.name OR EXISTS (SELECT 1 FROM {application} a WHERE a.person_id = p.id"
            f" AND a.kind = %s AND a.status IN ({open_statuses})))) ORDER BY r.line",
            [*source.params, ApplicationKind.NEW, *sorted(OPEN_STATUSES)],
        )
        return [line for (line,) in cursor.fetchall()]


def file_applications(source: RowSource, *, actor, station_id: int, employer_id: int | None) -> list[tuple[int, int]]:
    """Create the rows' people (those not on file yet), photos and draft first applications, each with its first
    history row, in the caller's transaction. Returns (line, application id) in line order.

    Raises Conflict when a row's person changed since the caller's check (nothing is written then)."""
    changed = lines_changed_since_check(source)
    if changed:
        raise Conflict(
            _(
                "Since the check, rows %(lines)s changed (a new application or card, or another name); "
                "run the check again."
            )
            % {"lines": ", ".join(str(line) for line in changed[:20])},
            code="changed_since_check",
        )
    person, photo = Person._meta.db_table, Photo._meta.db_table
    with_person = source.with_person()
    # Every writer inserts in the order of the hash, so two batches sharing people wait for each other
    # instead of deadlocking.
    insert_select(
        Person,
        expressions={
            column: f"r.{column}" for column in ("id_number", "id_number_hash", "name", "birth_date", "sex", "phone")
        },
        constants={},
        source=f"{source.rows} AND NOT EXISTS (SELECT 1 FROM {person} p WHERE p.id_number_hash = r.id_number_hash)"  # noqa: S608
        " ORDER BY r.id_number_hash",
        params=source.params,
    )
    insert_select(
        Photo,
        expressions={
            "person_id": "p.id",
            "image": "r.photo_file",
            "size_bytes": "r.photo_size_bytes",
            "sha256": "r.photo_sha256",
        },
        constants={"width": 358, "height": 441, "uploaded_by_id": actor.pk},
        source=f"{with_person} AND r.photo_file <> '' ORDER BY r.id_number_hash",
        params=source.params,
    )
    created = insert_select(
        CardApplication,
        expressions={
            "person_id": "p.id",
            "insurance_type": "r.insurance_type",
            "household_city": "r.household_city",
            "address": "r.address",
            "phone": "r.phone",
            "photo_on_file_at_registry": "r.photo_on_file_at_registry",
            "photo_id": f"CASE WHEN r.photo_file <> '' THEN (SELECT max(ph.id) FROM {photo} ph"  # noqa: S608
            " WHERE ph.person_id = p.id AND ph.image = r.photo_file) END",
        },
        constants={
            "applicant_id": actor.pk,
            "kind": ApplicationKind.NEW,
            "channel": Channel.ROSTER,
            "station_id": station_id,
            "employer_id": employer_id,
        },
        source=f"{with_person} ORDER BY r.id_number_hash",
        params=source.params,
        returning=("id", "person_id"),
    )
    # Each row's line, by its person. Matched here rather than by a join on the new applications: the
    # planner's statistics do not know of rows this transaction wrote, and guess a join of them badly.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, r.line {with_person}", source.params)  # noqa: S608
        line_of_person = dict(cursor.fetchall())
    filed = sorted((line_of_person[person_id], application_id) for application_id, person_id in created)
    workflow.record_creation_in_bulk([application_id for _line, application_id in filed], actor=actor)
    return filed
