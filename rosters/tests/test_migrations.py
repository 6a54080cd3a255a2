"""Migration 0003: rows checked before it (phone encrypted, no hash) still submit after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sbcard.crypto import encrypt, keyed_hash
from tests import oracles

BEFORE = [("rosters", "0002_encrypt_roster_rows")]
AFTER = [("rosters", "0003_rows_ready_for_sql_submission")]


@pytest.mark.django_db(transaction=True)
def test_rows_checked_before_0003_get_a_plain_phone_and_the_id_hash(carol_employer):
    import datetime

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    number = oracles.resident_id("330106", datetime.date(1988, 5, 17), 21)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rosters_rosterbatch (employer_id, station_id, created_by_id, state, file_name, file_format,"
            " encoding, file_sha256, rows_sha256, roster_file, photos_file, total_rows, rows_checked, accepted_rows,"
            " refused_rows, problem, created_at, submitted_count, fee_reference, fee_per_card_yuan, fee_total_yuan,"
            " payment_channel) VALUES (%s, %s, %s, 'checked', 'r.csv', 'csv', '', 'x', '', '', '', 2, 2, 1, 1, '',"
            " %s, 0, '', 0, 0, '')",
            [
                carol_employer.employer_id,
                carol_employer.employer.station_id,
                carol_employer.pk,
                timezone.now(),
            ],
        )
        cursor.execute("SELECT max(id) FROM rosters_rosterbatch")
        ((batch_id,),) = cursor.fetchall()
        for line, id_number, accepted in ((2, number, True), (3, "12345", False)):
            cursor.execute(
                "INSERT INTO rosters_rosterrow (batch_id, line, name, id_number, phone, insurance_type, household_city,"
                " address, accepted, refusals, photo_on_file_at_registry, photo_file, photo_sha256, photo_size_bytes)"
                " VALUES (%s, %s, '张三', %s, %s, 'urban_employee', '杭州市', '某路1号', %s, '[]', %s, '', '', 0)",
                [batch_id, line, encrypt(id_number), encrypt("13800138000"), accepted, True],
            )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT line, phone, id_number_hash, birth_date, sex FROM rosters_rosterrow WHERE batch_id = %s"
            " ORDER BY line",
            [batch_id],
        )
        valid, invalid = cursor.fetchall()
    assert valid[1] == "13800138000" and valid[2] == keyed_hash(number)
    assert str(valid[3]) == "1988-05-17" and valid[4] == "M"  # sequence 021: odd, a man
    assert invalid[1] == "13800138000" and invalid[2] == "" and invalid[3] is None
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest, for the tests after this one
