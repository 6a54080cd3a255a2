# ruff: noqa: S311 - synthetic data: the random module is what is wanted, nothing here is a secret
"""Writing the synthetic city fast: PostgreSQL COPY from one thread per table (executemany on SQLite)."""

import datetime
import io
import json
import queue
import threading
import uuid

import psycopg2
from django.core.management.base import CommandError
from django.db import connection, models

from sbcard.crypto import keyed_hash
from sbcard.idnumbers import canonical

NULL = "\\N"  # COPY's text format for a missing value
CHUNK_LINES = 20_000


class Sink:
    """Where the generated lines go. PostgreSQL: COPY, one thread and connection per table. SQLite: executemany."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        # Inside a caller's transaction (a test) every row must go through that transaction's connection:
        # other connections would wait for its locks. Outside one, a connection per table runs in parallel.
        self.threaded = self.postgres and not connection.in_atomic_block
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def open(self, table: "Table") -> None:
        if not self.threaded:
            return
        table.queue = queue.Queue(maxsize=6)
        thread = threading.Thread(target=self._copy, args=(table,), daemon=True, name=f"copy-{table.name}")
        thread.start()
        self.threads.append(thread)

    def _copy(self, table: "Table") -> None:
        params = connection.get_connection_params()
        raw = psycopg2.connect(**params)
        try:
            with raw.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'UTC'")
                cursor.execute("SET synchronous_commit TO off")
                sql = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
                for chunk in iter(table.queue.get, None):
                    cursor.copy_expert(sql, io.StringIO(chunk))
            raw.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            self.errors.append(error)
            while table.queue.get() is not None:  # drain, so the generator does not block
                pass
        finally:
            raw.close()

    def write(self, table: "Table", text: str) -> None:
        if self.errors:
            raise CommandError(f"loading failed: {self.errors[0]}")
        if self.threaded:
            table.queue.put(text)
            return
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(
                    f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN", io.StringIO(text)
                )
            return
        rows = [tuple(None if value == NULL else value for value in line.split("\t")) for line in text.splitlines()]
        placeholders = ", ".join(["%s"] * len(table.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({placeholders})", rows)  # noqa: S608 - table and column names from the models; values are parameters

    def close(self, tables: list["Table"]) -> None:
        for table in tables:
            table.flush()
            if self.threaded:
                table.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise CommandError(f"loading failed: {self.errors[0]}")


class Table:
    """Lines for one table. `columns` are the ones the generator gives, in order; every other column of the
    model gets its default (so a field another app adds later does not break the seed, unless it is required
    and has no default: then the command says which)."""

    def __init__(self, sink: Sink, model, columns: list[str], now_text: str):
        self.sink, self.model, self.name = sink, model, model._meta.db_table
        self.columns = [field.column for field in model._meta.concrete_fields]
        unknown = set(columns) - set(self.columns)
        if unknown:
            raise CommandError(f"{self.name} has no column {', '.join(sorted(unknown))}")
        # Fields encrypted at rest get their stored form here (the field's own get_prep_value), and a keyed
        # hash beside them is filled from the plain value, as the model's save() would.
        columns = list(columns)
        self.encrypted = []
        self.hashed = []
        for field in model._meta.concrete_fields:
            if field.column in columns and hasattr(field, "plain_max_length"):
                self.encrypted.append((columns.index(field.column), field))
                hash_field = getattr(field, "hash_field", None)
                if hash_field and model._meta.get_field(hash_field).column not in columns:
                    self.hashed.append(columns.index(field.column))
                    columns.append(model._meta.get_field(hash_field).column)
        parts = []
        for field in model._meta.concrete_fields:
            if field.column in columns:
                parts.append(f"{{{columns.index(field.column)}}}")
            else:
                parts.append(_default_text(model, field, now_text).replace("{", "{{").replace("}", "}}"))
        self.template = "\t".join(parts) + "\n"
        self.lines: list[str] = []
        self.count = 0
        sink.open(self)

    def add(self, *values) -> None:
        if self.encrypted:
            values = self._protect(list(values))
        self.lines.append(self.template.format(*values))
        if len(self.lines) >= CHUNK_LINES:
            self.flush()

    def _protect(self, values: list) -> list:
        for index in self.hashed:
            values.append(keyed_hash(canonical(values[index])))
        for index, field in self.encrypted:
            if values[index] not in ("", NULL):
                values[index] = field.get_prep_value(values[index])
        return values

    def flush(self) -> None:
        if self.lines:
            self.count += len(self.lines)
            text, self.lines = "".join(self.lines), []
            self.sink.write(self, text)


def _default_text(model, field, now_text: str) -> str:
    if field.has_default():
        value = field.get_default()
        if isinstance(value, bool):
            return "1" if value else "0"
        if value is None:
            return NULL
        if isinstance(value, datetime.datetime):
            return now_text
        if isinstance(value, list | dict):
            return json.dumps(value)
        if isinstance(value, uuid.UUID):
            raise CommandError(f"seed_city must fill {model.__name__}.{field.name} (a unique default)")
        return str(value)
    if field.null:
        return NULL
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now_text
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return ""
    raise CommandError(f"seed_city does not know how to fill {model.__name__}.{field.name}; teach it")
