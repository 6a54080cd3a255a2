# ruff: noqa: S311 - synthetic data: the random module is what is wanted, nothing here is a secret
"""Dropping and rebuilding indexes, foreign keys and sequences around the bulk load, as pg_restore does."""

import queue
import re
import threading
import time

import psycopg2
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection


class LoadingMixin:
    def _drop_indexes(self, models_loaded: list) -> dict:
        """Keys, foreign keys and indexes of the loaded tables (and foreign keys pointing at them), dropped now
        and rebuilt after the load, as pg_restore does: keeping them would cost an index insert per row and
        index, and a deferred trigger per row and foreign key."""
        tables = [model._meta.db_table for model in models_loaded]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
                "FROM pg_constraint c WHERE (c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('f', 'u', 'p')) "
                "OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s))",
                [tables, tables],
            )
            constraints = cursor.fetchall()
            constraint_names = {name for _table, name, _definition, _type in constraints}
            cursor.execute(
                "SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)",
                [tables],
            )
            indexes = [row for row in cursor.fetchall() if row[1] not in constraint_names]
            order = {"f": 0, "u": 1, "p": 2}  # foreign keys before the keys they point at
            for table, name, _definition, _kind in sorted(constraints, key=lambda c: order[c[3]]):
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for _table, name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        self.say(f"dropped {len(constraints)} keys and constraints and {len(indexes)} indexes for the load")
        return {"constraints": constraints, "indexes": indexes}

    def _restore_indexes(self, saved: dict) -> None:
        started = time.monotonic()
        keys = [(t, n, d) for t, n, d, kind in saved["constraints"] if kind == "p"]
        uniques = [(t, n, d) for t, n, d, kind in saved["constraints"] if kind == "u"]
        foreign = [(t, n, d) for t, n, d, kind in saved["constraints"] if kind == "f"]
        self._run_in_parallel(
            sorted([f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in keys], key=self._size_of, reverse=True),
            parallel=2,
        )
        statements = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in uniques]
        statements += [definition for _t, _n, definition in saved["indexes"]]
        self._run_in_parallel(sorted(statements, key=self._size_of, reverse=True), parallel=2)
        self.say(f"rebuilt {len(keys)} primary keys and {len(statements)} indexes in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        with connection.cursor() as cursor:
            for table, name, definition in foreign:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.say(f"checked and restored {len(foreign)} foreign keys in {time.monotonic() - started:.1f}s")

    def _size_of(self, statement: str) -> int:
        """Biggest tables first, so that the two connections finish together."""
        return max((table.count for table in self.tables if re.search(rf"\b{table.name}\b", statement)), default=0)

    def _run_in_parallel(self, statements: list[str], parallel: int) -> None:
        """The loaded data is committed by the COPY connections already; index builds go two at a time."""
        work: queue.Queue = queue.Queue()
        for statement in statements:
            work.put(statement)
        errors = []

        def worker():
            raw = psycopg2.connect(**connection.get_connection_params())
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem TO '512MB'")
                while True:
                    try:
                        statement = work.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        cursor.execute(statement)
                    except Exception as error:  # noqa: BLE001 - reported below
                        errors.append(f"{statement}: {error}")
            raw.close()

        threads = [threading.Thread(target=worker) for _ in range(parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise CommandError("rebuilding indexes failed: " + "; ".join(errors))

    def _reset_sequences(self, models_loaded: list) -> None:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_loaded):
                cursor.execute(statement)

    # --- stations, staff, employers, batches -----------------------------------------------------
