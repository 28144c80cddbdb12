"""A query's rows as a polars frame of a given schema, on either database: PostgreSQL by COPY to CSV (no row
objects), SQLite by fetching. Used where the shell hands the database's rows to polars (the nightly run's read,
posting)."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
from django.db import connection

__all__ = ["read_sql_frame"]


def read_sql_frame(sql: str, params: dict, schema: dict) -> pl.DataFrame:
    """The rows of `sql` (with `params`) as a frame of `schema` ({column: dtype}, in the query's order); dates
    as Date whether SQLite gives a date or ISO text; an empty frame of the schema when there are none. Runs on
    the current connection, so temporary tables of the caller's session are seen."""
    reader = _read_postgresql if connection.vendor == "postgresql" else _read_sqlite
    return reader(sql, params, schema)


def _read_postgresql(sql: str, params: dict, schema: dict) -> pl.DataFrame:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    if not buffer.tell():
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    read_as = {name: (pl.String if dtype == pl.Boolean else dtype) for name, dtype in schema.items()}
    frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=read_as)
    booleans = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    return frame.with_columns(pl.col(name) == "t" for name in booleans)


def _read_sqlite(sql: str, params: dict, schema: dict) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=schema)
    # Built by polars from the rows at once. Columns read as they come, then converted as columns: dates that
    # come as ISO text (from an expression or a temporary table; a table's date column gives a `date`) and
    # booleans (0 or 1 from an expression).
    loose = {}
    for i, (name, dtype) in enumerate(schema.items()):
        if dtype == pl.Date and isinstance(next((row[i] for row in rows if row[i] is not None), None), str):
            loose[name] = pl.String
        elif dtype == pl.Boolean:
            loose[name] = pl.Int64
    try:
        frame = pl.DataFrame(rows, schema={**schema, **loose}, orient="row")
    except pl.exceptions.PolarsError:  # a column mixing dates and text, or a number beyond its type
        return _read_sqlite_values(rows, schema)
    return frame.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d") if dtype == pl.String else pl.col(name).cast(pl.Boolean)
        for name, dtype in loose.items()
    )


def _read_sqlite_values(rows: list[tuple], schema: dict) -> pl.DataFrame:
    """The rows value by value: slower, but it takes what polars refuses as a column (converted leniently)."""
    columns = list(zip(*rows, strict=True))
    data = {}
    for (name, dtype), values in zip(schema.items(), columns, strict=True):
        if dtype == pl.Date:
            values = [None if v is None else (v if isinstance(v, date) else date.fromisoformat(v)) for v in values]
        data[name] = pl.Series(name, values, dtype=dtype, strict=False)
    return pl.DataFrame(data)
