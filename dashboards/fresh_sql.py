"""The first fold of a whole history on PostgreSQL, set-based (used once, after seed_city or a rebuild).

The same definitions as summaries._Fold (fold_rules.py), written as SQL so that PostgreSQL reads the 20
million status events of a 3-million-person city in a few sorted passes (and both cores) instead of
streaming them through Python: the time entered each status is the previous event's (LAG over each
application's events in id order), the card's arrival is the latest earlier event into ready_for_pickup,
buckets are width_bucket(seconds - 1, edges) = bisect_left(edges, seconds). Tests check both paths against a recount.
"""

import time

from django.conf import settings
from django.db import connection

from applications.models import CardApplication, StatusEvent
from issuance.models import Card, CardEvent

from . import fold_rules
from .models import CITY, ActivationCohort, DailyFlow, FoldedApplication, StageDuration, StatusCount

# How far below the top the first fold looks for ids not visible yet (transactions in flight); older holes
# are rolled-back transactions and never fill.
RECENT_IDS = 100_000


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def fold_from_scratch(status_cursor, card_cursor, report, progress=None) -> None:
    tz = settings.TIME_ZONE
    events, applications = StatusEvent._meta.db_table, CardApplication._meta.db_table
    edges = "ARRAY[" + ",".join(str(edge) for edge in fold_rules.BUCKET_EDGES_SECONDS) + "]::bigint[]"
    stage_case = (
        "CASE "
        + " ".join(
            f"WHEN from_status = {_literal(source)} AND event = {_literal(event)} THEN {_literal(stage)}"
            for (source, event), stage in fold_rules.STAGE_EXITS.items()
        )
        + " END"
    )
    flow_case = (
        "CASE "
        + " ".join(
            f"WHEN to_status = {_literal(target)} THEN {_literal(flow)}"
            for target, flow in fold_rules.FLOW_BY_TARGET.items()
        )
        + " END"
    )
    received = (
        f"from_status IN ({', '.join(_literal(s) for s in fold_rules.RECEIVED_SOURCES)}) "
        f"AND to_status IN ({', '.join(_literal(s) for s in fold_rules.RECEIVED_TARGETS)})"
    )
    kind_case = (
        "CASE "
        + " ".join(
            f"WHEN event = 'create' AND kind = {_literal(kind)} THEN {_literal(flow)}"
            for kind, flow in fold_rules.FLOW_BY_KIND_CREATED.items()
        )
        + " END"
    )
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS dash_fold")  # left by an earlier fold in the same transaction
        cursor.execute(f"SELECT max(id) FROM {events}")  # noqa: S608 - a table name from the model
        high = cursor.fetchone()[0] or 0
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE dash_fold ON COMMIT DROP AS
            SELECT e.id, e.application_id, e.event, e.from_status, e.to_status, e.created_at,
                   a.station_id, a.kind,
                   (e.created_at AT TIME ZONE %s)::date AS day,
                   (a.created_at AT TIME ZONE %s)::date AS created_day,
                   lag(e.created_at) OVER w AS entered,
                   max(CASE WHEN e.to_status = 'ready_for_pickup' THEN e.created_at END)
                       OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ready,
                   lead(e.id) OVER w IS NULL AS last
            FROM {events} e JOIN {applications} a ON a.id = e.application_id
            WHERE e.id <= %s
            WINDOW w AS (PARTITION BY e.application_id ORDER BY e.id)
            """,  # noqa: S608
            [tz, tz, high],
        )
        folded = cursor.rowcount
        _say(progress, "status_events", folded, started)
        cursor.execute(
            f"""
            INSERT INTO {FoldedApplication._meta.db_table}
                (application_id, station_id, last_status, created_day, since, ready_since)
            SELECT application_id, station_id, to_status, created_day, created_at,
                   CASE WHEN to_status = 'ready_for_pickup' THEN created_at ELSE ready END
            FROM dash_fold WHERE last
            """  # noqa: S608
        )
        cursor.execute(
            f"""
            INSERT INTO {StatusCount._meta.db_table} (station_id, status, created_day, count)
            SELECT CASE WHEN grouping(station_id) = 1 THEN {CITY} ELSE station_id END, last_status, created_day,
                   count(*)
            FROM {FoldedApplication._meta.db_table}
            GROUP BY GROUPING SETS ((station_id, last_status, created_day), (last_status, created_day))
            """  # noqa: S608
        )
        cursor.execute(
            f"""
            INSERT INTO {StageDuration._meta.db_table} (day, stage, station_id, bucket, count, seconds)
            SELECT day, stage, CASE WHEN grouping(station_id) = 1 THEN {CITY} ELSE station_id END, bucket,
                   count(*), sum(seconds)
            FROM (
                SELECT day, stage, station_id, seconds, width_bucket(seconds - 1, {edges}) AS bucket
                FROM (
                    SELECT day, station_id, stage,
                           greatest(0, floor(extract(epoch FROM created_at
                               - CASE WHEN stage = 'pickup' THEN ready ELSE entered END)))::bigint AS seconds
                    FROM (SELECT *, {stage_case} AS stage FROM dash_fold) staged
                    WHERE stage IS NOT NULL AND entered IS NOT NULL
                ) timed
                WHERE seconds IS NOT NULL
            ) bucketed
            GROUP BY GROUPING SETS ((day, stage, station_id, bucket), (day, stage, bucket))
            """  # noqa: S608
        )
        cursor.execute(
            f"""
            INSERT INTO {DailyFlow._meta.db_table} (day, station_id, metric, count)
            SELECT day, CASE WHEN grouping(station_id) = 1 THEN {CITY} ELSE station_id END, metric, count(*)
            FROM (
                SELECT day, station_id, {flow_case} AS metric FROM dash_fold
                UNION ALL SELECT day, station_id, 'received' FROM dash_fold WHERE {received}
                UNION ALL SELECT day, station_id, {kind_case} FROM dash_fold
            ) flows
            WHERE metric IS NOT NULL
            GROUP BY GROUPING SETS ((day, station_id, metric), (day, metric))
            """  # noqa: S608
        )
        cursor.execute(f"SELECT coalesce(max(id), 0), count(*) FROM {CardEvent._meta.db_table}")  # noqa: S608
        card_high, card_rows = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO {ActivationCohort._meta.db_table} (month, station_id, collected, activated)
            SELECT month, CASE WHEN grouping(station_id) = 1 THEN {CITY} ELSE station_id END,
                   sum(collected), sum(activated)
            FROM (
                SELECT date_trunc('month', day)::date AS month, station_id, 1 AS collected, 0 AS activated
                FROM dash_fold WHERE to_status = 'collected'
                UNION ALL
                SELECT date_trunc('month', (c.issued_at AT TIME ZONE %s)::date)::date, a.station_id, 0, 1
                FROM {CardEvent._meta.db_table} e JOIN {Card._meta.db_table} c ON c.id = e.card_id
                JOIN {applications} a ON a.id = c.application_id
                WHERE e.event = 'activate' AND e.id <= %s
            ) cohorts
            GROUP BY GROUPING SETS ((month, station_id), (month))
            """,  # noqa: S608
            [tz, card_high],
        )
        _say(progress, "card_events", card_rows, started)
        status_cursor.high_water, status_cursor.folded = high, folded
        status_cursor.gaps = _recent_gaps(cursor, events, high)
        card_cursor.high_water, card_cursor.folded = card_high, card_rows
        card_cursor.gaps = _recent_gaps(cursor, CardEvent._meta.db_table, card_high)
        cursor.execute("DROP TABLE dash_fold")
    status_cursor.save(update_fields=["high_water", "gaps", "folded"])
    card_cursor.save(update_fields=["high_water", "gaps", "folded"])
    report.status_events, report.card_events = folded, card_rows


def _recent_gaps(cursor, table: str, high: int) -> list:
    cursor.execute(
        f"SELECT prev + 1, id - 1 FROM (SELECT id, lag(id) OVER (ORDER BY id) AS prev FROM {table} "  # noqa: S608
        "WHERE id > %s AND id <= %s) ids WHERE id - prev > 1",
        [max(0, high - RECENT_IDS), high],
    )
    now = time.time()
    return [[first, last, now] for first, last in cursor.fetchall()]


def _say(progress, log: str, count: int, started: float) -> None:
    if progress:
        progress(log, count, count)
