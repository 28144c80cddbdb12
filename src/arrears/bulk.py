"""Insert many plain rows quickly: COPY on PostgreSQL, one prepared statement on SQLite.

Django's `bulk_create` builds a model instance and compiles SQL for every value; at the daily run's volumes
(a hundred thousand positions and audit events a night) that costs more than the database does. `insert_rows`
takes tuples in a given field order, prepares only the values that need it exactly as Django would (dates,
date-times, JSON, decimals: `Field.get_db_prep_save`), and hands them to the driver. It returns no ids: use it
where the rows carry their own key or nothing needs their id. Call it inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import islice

from django.db import connection, models

__all__ = ["insert_rows"]

BATCH = 5_000
_AS_IS = (
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.AutoField,
    models.BigAutoField,
)


def _preparer(field: models.Field):
    """None where the driver takes the Python value as it is; else a function giving what Django would store."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, _AS_IS):
        return None
    postgresql = connection.vendor == "postgresql"
    if isinstance(target, models.JSONField):
        if postgresql:
            from psycopg.types.json import Jsonb

            return lambda value: Jsonb(value, dumps=lambda v: json.dumps(v, cls=target.encoder))
        return lambda value: json.dumps(value, cls=target.encoder)
    if postgresql and isinstance(target, models.DateField | models.DecimalField):  # DateTimeField is a DateField
        return None  # psycopg adapts date, aware datetime and Decimal exactly as Django would pass them
    if isinstance(target, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(target, models.DateField):
        return date.isoformat
    return lambda value: field.get_db_prep_save(value, connection=connection)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (each a sequence of values in `fields` order) into `model`'s table; returns the count."""
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    preparers = [_preparer(field) for field in columns]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(field.column) for field in columns)

    if all(prep is None for prep in preparers):

        def prepared(row: Sequence) -> Sequence:
            return row

    else:

        def prepared(row: Sequence) -> list:
            return [
                value if prep is None or value is None else prep(value)
                for prep, value in zip(preparers, row, strict=True)
            ]

    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in iterator:
                    copy.write_row(prepared(row))
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model, values bound
        while batch := [prepared(row) for row in islice(iterator, BATCH)]:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
