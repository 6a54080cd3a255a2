"""The incremental summariser: folds new rows of the two append-only logs into the dashboard tables.

StatusEvent (every application status change) and CardEvent (every card status change) only ever get
new rows, with increasing ids. Each run reads the rows past its cursor, in id order, and adds what they
mean to small tables:

- StatusCount: applications now in each status, per station and creation day (totals and ageing);
- StageDuration: how long each stage took (review, registry, bank, vendor, pickup), as histograms per
  day, stage and station, from which StageWindow keeps the 30- and 90-day median and 90th percentile;
- DailyFlow: applications in, cards delivered and collected, returns, cancellations, replacements per day;
- ActivationCohort: cards collected per month and station, and how many of those were activated.

It writes nothing anywhere else and needs no hook in the workflow: it only reads the logs. A Celery beat
job runs it every minute (`dashboards.tasks.summarise`), so the figures are at most about a minute old;
pages show the time of the last run. Runs are serialised by a row lock on the cursor (`select_for_update`;
SQLite's IMMEDIATE transactions do the same), so two runs at once fold each row exactly once, and a run
with nothing new changes nothing but the time of the run.
"""

import bisect
import datetime
import io
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg2.extras import execute_values

from applications.models import CardApplication, StatusEvent
from issuance.models import Card, CardEvent

from .fold_rules import (
    BUCKET_EDGES_SECONDS,
    FLOW_BY_KIND_CREATED,
    FLOW_BY_TARGET,
    RECEIVED_SOURCES,
    RECEIVED_TARGETS,
    STAGE_EXITS,
    STATION_MOVABLE,
    quantile,
)
from .fresh_sql import fold_from_scratch
from .models import (
    CITY,
    ActivationCohort,
    Cursor,
    DailyFlow,
    FoldedApplication,
    StageDuration,
    StageWindow,
    StatusCount,
)

logger = logging.getLogger("dashboards.summaries")

STATUS_LOG = "status_events"
CARD_LOG = "card_events"
CHUNK_ROWS = 100_000
# A missing id is looked for again on every run for this long; past it, its transaction rolled back.
GAP_SECONDS = 3600
WINDOW_DAYS = (30, 90)

_TZ = ZoneInfo(settings.TIME_ZONE)


@dataclass
class Report:
    status_events: int = 0
    card_events: int = 0
    moved: int = 0
    windows: bool = False
    seconds: float = 0.0


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(_TZ).date()


def _moment(value) -> datetime.datetime | None:
    """A timestamp from a raw cursor: aware on PostgreSQL, a naive UTC string on SQLite."""
    if value is None or isinstance(value, datetime.datetime):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value
    return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)


def _day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


# --- the run ---------------------------------------------------------------------------------------


def summarise(*, chunk_rows: int = CHUNK_ROWS, progress: Callable[[str, int, int], None] | None = None) -> Report:
    """Fold every new row of both logs, then refresh the stage windows. Safe to run at any time."""
    started = time.monotonic()
    report = Report()
    with transaction.atomic():
        status_cursor, card_cursor = _lock_cursor(STATUS_LOG), _lock_cursor(CARD_LOG)
        if status_cursor.high_water == 0 and card_cursor.high_water == 0 and not FoldedApplication.objects.exists():
            # Nothing folded yet (a new or re-seeded database): fold the whole history at once and write each
            # summary once, instead of adding to the same rows chunk after chunk. On PostgreSQL that is a few
            # set-based statements (fresh_sql.py); elsewhere the same fold in memory.
            if connection.vendor == "postgresql":
                fold_from_scratch(status_cursor, card_cursor, report, progress)
            else:
                _fold_from_scratch(status_cursor, card_cursor, chunk_rows, progress, report)
    durations_added = report.status_events > 0
    for log in (STATUS_LOG, CARD_LOG):
        while True:
            count, more, added = _fold_next_chunk(log, chunk_rows)
            durations_added |= added
            setattr(report, log, getattr(report, log) + count)
            if progress and count:
                progress(log, getattr(report, log), count)
            if not more:
                break
    with transaction.atomic():
        cursor = _lock_cursor(STATUS_LOG)
        report.moved = _follow_station_moves()
        today = timezone.localdate()
        if durations_added or report.moved or cursor.windows_day != today or not StageWindow.objects.exists():
            recompute_windows(today)
            cursor.windows_day = today
            report.windows = True
        now = timezone.now()
        cursor.ran_at = now
        cursor.save(update_fields=["ran_at", "windows_day"])
        Cursor.objects.filter(name=CARD_LOG).update(ran_at=now)
    report.seconds = time.monotonic() - started
    return report


def last_run() -> datetime.datetime | None:
    """When the figures were last brought up to date: the older of the two logs' last runs."""
    times = list(Cursor.objects.filter(name__in=[STATUS_LOG, CARD_LOG]).values_list("ran_at", flat=True))
    if len(times) < 2 or any(t is None for t in times):
        return None
    return min(times)


def forget_everything() -> None:
    """Empty the summaries and rewind the cursors: the next run folds both logs from the start."""
    with transaction.atomic():
        for model in (FoldedApplication, StatusCount, StageDuration, StageWindow, DailyFlow, ActivationCohort):
            model.objects.all().delete()
        Cursor.objects.all().delete()


def _lock_cursor(name: str) -> Cursor:
    try:
        with transaction.atomic():
            Cursor.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by a concurrent run
    return Cursor.objects.select_for_update().get(name=name)


def _fold_next_chunk(log: str, chunk_rows: int) -> tuple[int, bool, bool]:
    """One transaction: lock the cursor, read the rows past it (and the late ones), add them, move it on."""
    with transaction.atomic():
        cursor = _lock_cursor(log)
        late, new = _read(cursor, log, chunk_rows)
        rows = sorted(late + new, key=lambda row: row[0])
        fold = _Fold(_load_states({row[1] for row in rows}) if log == STATUS_LOG else {})
        if log == STATUS_LOG:
            fold.status_rows(rows)
        else:
            fold.card_rows(rows)
        fold.write_increments()
        _advance(cursor, late, new)
    return len(rows), len(new) == chunk_rows, bool(fold.durations)


def _fold_from_scratch(status_cursor: Cursor, card_cursor: Cursor, chunk_rows: int, progress, report: Report) -> None:
    fold = _Fold({})
    for log, cursor in ((STATUS_LOG, status_cursor), (CARD_LOG, card_cursor)):
        while True:
            late, new = _read(cursor, log, chunk_rows)
            rows = sorted(late + new, key=lambda row: row[0])
            if log == STATUS_LOG:
                fold.status_rows(rows)
            else:
                fold.card_rows(rows)
            _advance(cursor, late, new, save=False)
            setattr(report, log, getattr(report, log) + len(rows))
            if progress and rows:
                progress(log, getattr(report, log), len(rows))
            if len(new) < chunk_rows:
                break
        cursor.save(update_fields=["high_water", "gaps", "folded"])
    fold.write_fresh()


def _read(cursor: Cursor, log: str, chunk_rows: int) -> tuple[list, list]:
    """The rows of the gaps that became visible, and up to chunk_rows rows past the high-water mark."""
    gaps = [gap for gap in cursor.gaps if time.time() - gap[2] < GAP_SECONDS]
    late = []
    if gaps:
        where = "(" + " OR ".join(["e.id BETWEEN %s AND %s"] * len(gaps)) + ")"
        late = _fetch(log, where, [bound for first, last, _seen in gaps for bound in (first, last)])
    new = _fetch(log, "e.id > %s", [cursor.high_water], limit=chunk_rows)
    return late, new


def _advance(cursor: Cursor, late: list, new: list, *, save: bool = True) -> None:
    """Move the high-water mark past the new rows; remember the ids below it that are not visible yet."""
    now_epoch = time.time()
    found = sorted(row[0] for row in late)
    remaining = []
    for first, last, seen in cursor.gaps:
        if now_epoch - seen < GAP_SECONDS:
            remaining += [[a, b, seen] for a, b in _holes(first, last, [i for i in found if first <= i <= last])]
    if new:
        ids = [row[0] for row in new]
        remaining += [[a, b, now_epoch] for a, b in _holes(cursor.high_water + 1, ids[-1], ids)]
        cursor.high_water = ids[-1]
    cursor.gaps = remaining
    cursor.folded += len(late) + len(new)
    if save:
        cursor.save(update_fields=["high_water", "gaps", "folded"])


def _holes(first: int, last: int, present: list[int]) -> list[tuple[int, int]]:
    """The ranges of ids from first to last (inclusive) that are not in the sorted list `present`."""
    holes = []
    expected = first
    for value in present:
        if value > expected:
            holes.append((expected, value - 1))
        expected = max(expected, value + 1)
    if expected <= last:
        holes.append((expected, last))
    return holes


def _fetch(log: str, where: str, params: list, limit: int | None = None) -> list[tuple]:
    if log == STATUS_LOG:
        sql = (
            "SELECT e.id, e.application_id, e.event, e.from_status, e.to_status, e.created_at, "  # noqa: S608 - table and column names from the models; values are parameters
            "a.station_id, a.kind, a.created_at "
            f"FROM {StatusEvent._meta.db_table} e JOIN {CardApplication._meta.db_table} a ON a.id = e.application_id "
            f"WHERE {where} ORDER BY e.id"
        )
    else:
        sql = (
            "SELECT e.id, e.event, c.issued_at, a.station_id "  # noqa: S608 - table and column names from the models; values are parameters
            f"FROM {CardEvent._meta.db_table} e JOIN {Card._meta.db_table} c ON c.id = e.card_id "
            f"JOIN {CardApplication._meta.db_table} a ON a.id = c.application_id "
            f"WHERE {where} ORDER BY e.id"
        )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- folding ---------------------------------------------------------------------------------------


class _Fold:
    """What a run of log rows adds to the summaries.

    `states` is each application as the summariser last saw it (FoldedApplication); folding moves it on.
    Status events come in id order, which is each application's own order (its row is locked while an
    event is written), so an application's events are folded in the order they happened.
    """

    def __init__(self, states: dict[int, tuple]):
        self.states = states
        self.before: dict[int, tuple | None] = {}
        self.durations = defaultdict(lambda: [0, 0])
        self.flows = defaultdict(int)
        self.collected = defaultdict(int)
        self.activated = defaultdict(int)

    def status_rows(self, rows: list[tuple]) -> None:
        states, before = self.states, self.before
        durations, flows, collected = self.durations, self.flows, self.collected
        stage_exits, flow_by_target, flow_by_kind = STAGE_EXITS, FLOW_BY_TARGET, FLOW_BY_KIND_CREATED
        edges = BUCKET_EDGES_SECONDS
        created_days: dict[int, datetime.date] = {}
        for _id, application_id, event, source, target, at, station, kind, created in rows:
            at = _moment(at)
            day = local_day(at)
            state = states.get(application_id)
            if application_id not in before:
                before[application_id] = state
            stage = stage_exits.get((source, event))
            if stage is not None and state is not None:
                start = state[4] if stage == "pickup" else state[3]
                if start is not None:
                    seconds = max(0, int((at - start).total_seconds()))
                    bucket = bisect.bisect_left(edges, seconds)
                    for where in (station, CITY):
                        cell = durations[(day, stage, where, bucket)]
                        cell[0] += 1
                        cell[1] += seconds
            flow = flow_by_target.get(target)
            if flow:
                flows[(day, station, flow)] += 1
                flows[(day, CITY, flow)] += 1
                if flow == "collected":
                    month = day.replace(day=1)
                    collected[(month, station)] += 1
                    collected[(month, CITY)] += 1
            if source in RECEIVED_SOURCES and target in RECEIVED_TARGETS:
                flows[(day, station, "received")] += 1
                flows[(day, CITY, "received")] += 1
            if event == "create" and kind in flow_by_kind:
                flows[(day, station, flow_by_kind[kind])] += 1
                flows[(day, CITY, flow_by_kind[kind])] += 1
            if state is not None:
                created_day = state[2]
            else:
                created_day = created_days.get(application_id)
                if created_day is None:
                    created_day = created_days[application_id] = local_day(_moment(created))
            ready_since = at if target == "ready_for_pickup" else (state[4] if state is not None else None)
            states[application_id] = (station, target, created_day, at, ready_since)

    def card_rows(self, rows: list[tuple]) -> None:
        """An activation counts for the month and station the card was collected in."""
        for _id, event, issued_at, station in rows:
            if event != "activate":
                continue
            month = local_day(_moment(issued_at)).replace(day=1)
            self.activated[(month, station)] += 1
            self.activated[(month, CITY)] += 1

    def counts(self) -> dict[tuple, int]:
        """How StatusCount changes: each application moves from where it was counted to where it is now."""
        counts = defaultdict(int)
        for application_id, old in self.before.items():
            station, status, created_day = self.states[application_id][:3]
            if old is not None:
                if old[:3] == (station, status, created_day):
                    continue
                counts[(old[0], old[1], old[2])] -= 1
                counts[(CITY, old[1], old[2])] -= 1
            counts[(station, status, created_day)] += 1
            counts[(CITY, status, created_day)] += 1
        return counts

    def _tables(self):
        durations = ((key, tuple(value)) for key, value in self.durations.items())
        cohorts = defaultdict(lambda: [0, 0])
        for key, count in self.collected.items():
            cohorts[key][0] += count
        for key, count in self.activated.items():
            cohorts[key][1] += count
        return [
            (StatusCount, ("station_id", "status", "created_day"), ("count",), self.counts().items(), 2),
            (StageDuration, ("day", "stage", "station_id", "bucket"), ("count", "seconds"), durations, 0),
            (DailyFlow, ("day", "station_id", "metric"), ("count",), self.flows.items(), 0),
            (
                ActivationCohort,
                ("month", "station_id"),
                ("collected", "activated"),
                ((key, tuple(value)) for key, value in cohorts.items()),
                0,
            ),
        ]

    def write_increments(self) -> None:
        for model, keys, values, items, date_key in self._tables():
            _add(model, keys, values, items, date_key=date_key)
        _save_states({application_id: self.states[application_id] for application_id in self.before})

    def write_fresh(self) -> None:
        """Into empty tables: plain inserts (COPY on PostgreSQL), no conflicts to resolve."""
        ops = connection.ops
        for model, keys, values, items, date_key in self._tables():
            rows = []
            for key, value in items:
                value = value if isinstance(value, tuple) else (value,)
                if any(value):
                    key = list(key)
                    key[date_key] = ops.adapt_datefield_value(key[date_key])
                    rows.append((*key, *value))
            _insert(model._meta.db_table, keys + values, rows)
        _insert(
            FoldedApplication._meta.db_table,
            ("application_id", "station_id", "last_status", "created_day", "since", "ready_since"),
            _state_rows(self.states),
        )


def _follow_station_moves() -> int:
    """A draft or returned online application may move to another station without a status change:
    move its count too (one indexed pass over the summariser's drafts and returned applications)."""
    folded, applications = FoldedApplication._meta.db_table, CardApplication._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.application_id, f.station_id, a.station_id, f.last_status, f.created_day FROM {folded} f "  # noqa: S608 - table and column names from the models; values are parameters
            f"JOIN {applications} a ON a.id = f.application_id "
            "WHERE f.last_status IN (%s, %s) AND a.station_id <> f.station_id",
            list(STATION_MOVABLE),
        )
        moved = cursor.fetchall()
    if not moved:
        return 0
    counts = defaultdict(int)
    for _application_id, old_station, new_station, status, created_day in moved:
        counts[(old_station, status, _day(created_day))] -= 1
        counts[(new_station, status, _day(created_day))] += 1
    _add(StatusCount, ("station_id", "status", "created_day"), ("count",), counts.items(), date_key=2)
    for application_id, _old, new_station, _status, _created in moved:
        FoldedApplication.objects.filter(application_id=application_id).update(station_id=new_station)
    return len(moved)


def recompute_windows(today: datetime.date) -> None:
    """StageWindow from the last 90 days of StageDuration (one grouped read, at most once a run)."""
    recent = {days: today - datetime.timedelta(days=days) for days in WINDOW_DAYS}
    longest = max(WINDOW_DAYS)
    table = StageDuration._meta.db_table
    flags = ", ".join(f"CASE WHEN day > %s THEN 1 ELSE 0 END AS in_{days}" for days in WINDOW_DAYS)
    group = ", ".join(f"in_{days}" for days in WINDOW_DAYS)
    sql = (
        f"SELECT station_id, stage, bucket, {flags}, SUM(count), SUM(seconds) FROM {table} "  # noqa: S608 - table and column names from the models; values are parameters
        f"WHERE day > %s GROUP BY station_id, stage, bucket, {group}"
    )
    params = [connection.ops.adapt_datefield_value(recent[days]) for days in WINDOW_DAYS]
    params.append(connection.ops.adapt_datefield_value(recent[longest]))
    histograms: dict[tuple, list[dict]] = defaultdict(lambda: [defaultdict(int), defaultdict(int)])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for station, stage, bucket, *rest in cursor.fetchall():
            flags_row, count, seconds = rest[: len(WINDOW_DAYS)], rest[-2], rest[-1]
            for days, inside in zip(WINDOW_DAYS, flags_row, strict=True):
                if inside:
                    counts, sums = histograms[(station, stage, days)]
                    counts[bucket] += int(count)
                    sums[bucket] += int(seconds)
    windows = []
    for (station, stage, days), (counts, sums) in histograms.items():
        total = sum(counts.values())
        windows.append(
            StageWindow(
                station_id=station,
                stage=stage,
                days=days,
                count=total,
                median_seconds=quantile(counts, sums, 0.5),
                p90_seconds=quantile(counts, sums, 0.9),
                mean_seconds=int(sum(sums.values()) / total) if total else None,
            )
        )
    StageWindow.objects.all().delete()
    StageWindow.objects.bulk_create(windows, batch_size=2000)


# --- reading and writing in bulk -------------------------------------------------------------------


def _load_states(application_ids: set[int]) -> dict[int, tuple]:
    states = {}
    ids = sorted(application_ids)
    table = FoldedApplication._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            cursor.execute(
                f"SELECT application_id, station_id, last_status, created_day, since, ready_since FROM {table} "  # noqa: S608 - table and column names from the models; values are parameters
                f"WHERE application_id IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            for application_id, station, status, created_day, since, ready_since in cursor.fetchall():
                states[application_id] = (station, status, _day(created_day), _moment(since), _moment(ready_since))
    return states


def _state_rows(states: dict[int, tuple]) -> list[tuple]:
    ops = connection.ops
    return [
        (
            application_id,
            station,
            status,
            ops.adapt_datefield_value(created_day),
            ops.adapt_datetimefield_value(since),
            ops.adapt_datetimefield_value(ready_since),
        )
        for application_id, (station, status, created_day, since, ready_since) in states.items()
    ]


def _save_states(states: dict[int, tuple]) -> None:
    _upsert(
        FoldedApplication._meta.db_table,
        ("application_id", "station_id", "last_status", "created_day", "since", "ready_since"),
        ("application_id",),
        "station_id = excluded.station_id, last_status = excluded.last_status, created_day = excluded.created_day, "
        "since = excluded.since, ready_since = excluded.ready_since",
        _state_rows(states),
    )


def _add(model, key_columns: tuple, value_columns: tuple, items, *, date_key: int, zero: tuple = ()) -> None:
    """Add to counters: insert the keys not there yet (the `zero` counters at 0), add to those that are."""
    ops = connection.ops
    rows = []
    for key, values in items:
        values = values if isinstance(values, tuple) else (values,)
        if not any(values):
            continue
        key = list(key)
        key[date_key] = ops.adapt_datefield_value(key[date_key])
        rows.append((*key, *values, *(0 for _column in zero)))
    if not rows:
        return
    table = model._meta.db_table
    qn = ops.quote_name
    updates = ", ".join(f"{qn(column)} = {table}.{qn(column)} + excluded.{qn(column)}" for column in value_columns)
    _upsert(table, key_columns + value_columns + zero, key_columns, updates, rows)


def _upsert(table: str, columns: tuple, conflict: tuple, updates: str, rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    head = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608 - table and column names from the models; values are parameters
    tail = f" ON CONFLICT ({', '.join(qn(c) for c in conflict)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            execute_values(cursor.cursor, head + "%s" + tail, rows, page_size=5000)
        else:
            cursor.executemany(head + "(" + ", ".join(["%s"] * len(columns)) + ")" + tail, rows)


def _insert(table: str, columns: tuple, rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":

        def text(value) -> str:
            if value is None:
                return "\\N"
            if isinstance(value, datetime.datetime):
                return value.isoformat()
            return str(value)

        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(text(value) for value in row) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608 - table and column names from the models; values are parameters
            rows,
        )
