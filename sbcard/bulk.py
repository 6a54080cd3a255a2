"""Writing many rows at once without a model instance per row: a roster's rows, its applications, the
history and audit rows of a bulk status change.

`bulk_create` spends most of its time preparing each field of each instance; at ten thousand rows that
is seconds. Here the caller gives plain tuples, already in their stored form (encrypt first), and
PostgreSQL gets one COPY; the embedded SQLite an executemany. `insert_select` copies rows from a query
without them ever reaching Python. Columns the caller does not give get the field's default, as
`Model()` would, so a field added later with a default does not break these writers.
"""

import datetime
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

NULL = "\\N"  # COPY's text format for a missing value
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _defaults(model, given: Iterable[str]) -> dict[str, Any]:
    """Stored values for every concrete column not given (the primary key is left to the database)."""
    given = set(given)
    now = timezone.now()
    values = {}
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            if field.unique:
                raise ValueError(f"{model.__name__}.{field.name} has a unique default: give it for every row")
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name} has no default: give it")
        if isinstance(field, models.JSONField):
            values[field.column] = json.dumps(value, ensure_ascii=False)  # its text: COPY, SQLite and a parameter
        else:
            values[field.column] = field.get_db_prep_save(value, connection)
    return values


def _columns_known(model, columns: Iterable[str]) -> None:
    known = {field.column for field in model._meta.concrete_fields}
    unknown = set(columns) - known
    if unknown:
        raise ValueError(f"{model._meta.db_table} has no column {', '.join(sorted(unknown))}")


def _copy_text(value) -> str:
    kind = type(value)  # the common types first: this runs for every value of every row
    if kind is str:
        return value.translate(ESCAPES)
    if kind is int:
        return str(value)
    if value is None:
        return NULL
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, datetime.date):  # datetimes too: ISO 8601 with the offset
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(ESCAPES)


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(
    model, columns: Sequence[str], rows: Iterable[Sequence], constants: dict[str, Any] | None = None
) -> int:
    """Insert `rows` (tuples in the order of `columns`, stored values) into the model's table, each with the
    same `constants` (column -> stored value; converted once, not per row); returns the count. Runs in the
    caller's transaction."""
    constants = constants or {}
    _columns_known(model, [*columns, *constants])
    fixed = {**constants, **_defaults(model, [*columns, *constants])}
    names = [*columns, *fixed]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tail = "".join("\t" + _copy_text(value) for value in fixed.values()) + "\n"
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(value) for value in row) + tail)
                count += 1
            if count:
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)
            return count
        constant = [_sqlite_value(value) for value in fixed.values()]
        prepared = [(*(_sqlite_value(value) for value in row), *constant) for row in rows]
        if prepared:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", prepared)  # noqa: S608 - names from the model
        return len(prepared)


def insert_select(
    model,
    *,
    expressions: dict[str, str],
    constants: dict[str, Any],
    source: str,
    params: Sequence = (),
    returning: Sequence[str] = (),
) -> int | list[tuple]:
    """INSERT INTO the model's table SELECT `expressions` (column -> SQL over `source`), `constants`
    (column -> Python value, stored as the field stores it) and the defaults of the rest, FROM `source`
    (the FROM and WHERE clauses, with `params`). Returns the number of rows inserted, or with `returning`
    (columns) the inserted rows' values (PostgreSQL, and SQLite from 3.35)."""
    _columns_known(model, [*expressions, *constants])
    if set(expressions) & set(constants):
        raise ValueError(f"given twice: {', '.join(sorted(set(expressions) & set(constants)))}")
    if any("%" in expression for expression in expressions.values()):
        raise ValueError("an expression takes no parameters: give values as constants or in source's params")
    fields = {field.column: field for field in model._meta.concrete_fields}
    fixed = {column: fields[column].get_db_prep_save(value, connection) for column, value in constants.items()}
    fixed.update(_defaults(model, [*expressions, *constants]))
    names = [*expressions, *fixed]
    selected = [*expressions.values(), *(["%s"] * len(fixed))]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    tail = f" RETURNING {', '.join(connection.ops.quote_name(c) for c in returning)}" if returning else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {', '.join(selected)} {source}{tail}",  # noqa: S608 - names from the models
            [*fixed.values(), *params],
        )
        return cursor.fetchall() if returning else cursor.rowcount
