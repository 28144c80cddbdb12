"""Insert many plain rows quickly: COPY on PostgreSQL, one prepared statement on SQLite; and test membership in a
long list with one bound parameter (`field__among=values`).

Django's `bulk_create` builds a model instance and compiles SQL for every value; at the daily run's volumes
(a hundred thousand positions and audit events a night) that costs more than the database does. `insert_rows`
takes tuples in a given field order, prepares only the values that need it exactly as Django would (dates,
date-times, JSON, decimals: `Field.get_db_prep_save`), and hands them to the driver. It returns no ids: use it
where the rows carry their own key or nothing needs their id. Call it inside the caller's transaction.

`update_rows(model, fields, rows)` writes `fields` of rows given by primary key as plain tuples, prepared as
`insert_rows` prepares them: one prepared `UPDATE … WHERE pk = %s` run for every row (`executemany`, pipelined on
PostgreSQL), or on PostgreSQL from `COPY_ROWS` rows on (the nightly run's positions of loans that stay delinquent)
COPY into a temporary table and one `UPDATE … FROM` it. An update that leaves a row's foreign keys as they were
checks none of them, where the DELETE and INSERT it replaces checked each again at the commit (a position's loan
and borrower). `update_fields(objects, fields)` is the same for model instances, as `bulk_update` writes them:
`bulk_update` builds a `CASE WHEN pk = … THEN …` expression per field and object, which Django resolves and
copies one by one (0.19 s for the 122 cases a next-day run moved at 100k loans, where the rows take milliseconds).

`Model.objects.filter(field__among=values)` is `field__in=values` for the lists of thousands of keys the nightly
run looks up: `__in` binds one parameter per value (Django resolves each, and SQLite splits the list every 999),
`__among` binds one, an array on PostgreSQL (`= ANY(%s)`), a JSON array read by `json_each` on SQLite. Values
are ints, strings or dates (SQLite keeps dates as ISO text, so their ISO text matches).

`loosened(cursor, table, incoming)` is PostgreSQL's bulk-load recipe for a load that at least doubles a table
(the first import of a book): the table's foreign keys (deferred: PostgreSQL queues one check per inserted row
and runs them all at commit) and, optionally, its plain indexes (neither primary nor unique: kept up row by row)
are dropped for the load and created again after it, from their own definitions (`pg_get_constraintdef`,
`pg_get_indexdef`, same names), in the caller's transaction. Re-adding a foreign key checks every row in one
join, and a rolled-back load rolls the DDL back too. While loosened, the table is locked against every other
session until the commit (`ACCESS EXCLUSIVE`): acceptable for a first load, which is why a load that adds
fewer rows than the table holds never loosens it.

`collector_paused()` pauses Python's cyclic garbage collector for a bulk job. A full collection walks every live
container object, and a bulk job holds tens of thousands of them (the rows and change records it is writing), so the
collector, triggered again and again by those allocations, walked them several times over while finding almost
nothing to free (a first nightly run at 100k loans: three full collections, 146 objects freed, 0.2 s of its
1.8 s). Reference counting still frees every object as usual; the few cycles made meanwhile are collected after.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import islice

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Lookup

__all__ = [
    "BULK_ROWS",
    "Among",
    "bulk_load",
    "collector_paused",
    "insert_rows",
    "loosened",
    "update_fields",
    "update_rows",
]

BATCH = 5_000
BULK_ROWS = 100_000  # below this many new rows a table is never loosened: rebuilding costs more than it saves
COPY_ROWS = 1_000  # from this many rows `update_rows` updates from a copied table on PostgreSQL
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


def _row_preparer(opts, columns: Sequence[models.Field], names: Sequence[str]):
    """A function giving a row (values in `columns` order) as the driver takes it: the values that need it prepared
    as Django would store them, the others as they are; a row of another width is refused."""
    width = len(columns)
    converted = [(index, prep) for index, field in enumerate(columns) if (prep := _preparer(field)) is not None]

    def prepared(row: Sequence) -> Sequence:
        if len(row) != width:
            raise ValueError(f"{opts.db_table}: a row of {len(row)} values for {width} fields {list(names)}")
        if not converted:
            return row
        row = list(row)
        for index, prep in converted:  # only the columns that need it: most are ints and text
            if (value := row[index]) is not None:
                row[index] = prep(value)
        return row

    return prepared


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (each a sequence of values in `fields` order) into `model`'s table; returns the count."""
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    prepared = _row_preparer(opts, columns, fields)
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(field.column) for field in columns)

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


def update_fields(objects: Iterable[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of each of `objects` (instances of one model, saved before) by primary key (`update_rows`);
    returns how many objects were given."""
    objects = list(objects)
    if not objects:
        return 0
    opts = objects[0]._meta
    names = [opts.get_field(name).attname for name in fields]
    return update_rows(type(objects[0]), fields, [(obj.pk, *(getattr(obj, name) for name in names)) for obj in objects])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused inside the block, and left after it as it was found (see the module
    doc). Process-wide: a block in one thread pauses it for all of them until it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _copied(cursor, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """PostgreSQL: `rows` (values of `model`'s `columns`, prepared) copied into a temporary table of those columns
    (COPY), analysed so that the planner knows its size; yields the table's quoted name, and drops it after the
    block. For an `UPDATE … FROM` it: arrays as parameters would cost psycopg a text dump of every value."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    work = quote(f"arrears_rows_{model._meta.db_table}")
    table = quote(model._meta.db_table)
    cursor.execute(f"DROP TABLE IF EXISTS {work}")  # one an earlier failure left, outside a transaction
    cursor.execute(f"CREATE TEMP TABLE {work} AS SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
    with cursor.cursor.copy(f"COPY {work} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"ANALYZE {work}")
    yield work
    # Not on an error: the caller's transaction rolls the table back with everything else.
    cursor.execute(f"DROP TABLE {work}")


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write `fields` of the rows whose primary key each of `rows` names (`(key, *values)`, values in `fields` order,
    prepared as `insert_rows` prepares them); a key with no row is skipped. Returns how many rows were given.
    One prepared `UPDATE … WHERE pk = %s` run for every row (`executemany`, pipelined on PostgreSQL); on PostgreSQL
    from `COPY_ROWS` rows on, the rows copied into a temporary table (`_copied`) and one `UPDATE … FROM` it
    instead (a statement per row then costs the server more than the rows do).
    Where no key column changes, no foreign key is checked again, as an INSERT of the same row would be."""
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(name) for name in fields)]
    prepare = _row_preparer(opts, columns, [opts.pk.name, *fields])
    quote = connection.ops.quote_name
    table, key = quote(opts.db_table), quote(opts.pk.column)
    prepared = [prepare(row) for row in rows]  # every row checked before any is written
    if not prepared:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(prepared) >= COPY_ROWS:
            assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
            with _copied(cursor, model, [field.column for field in columns], prepared) as work:
                update = f"UPDATE {table} AS t SET {assignments} FROM {work} AS v WHERE t.{key} = v.{key}"  # noqa: S608
                cursor.execute(update)
        else:
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns[1:])
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {key} = %s",  # noqa: S608 - names from the model
                [[*values, key_value] for key_value, *values in prepared],
            )
    return len(prepared)


def _plain_value(value):
    return value.isoformat() if isinstance(value, date) else value


class Among(Lookup):
    """`field__among=values`: the field's value is one of `values`, bound as one parameter (see the module doc)."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(dict.fromkeys(self.rhs))
        if not values:
            raise EmptyResultSet  # as `__in=[]`: the filter matches nothing
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return (
            f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608 - a column Django compiled, values bound
            [*lhs_params, json.dumps([_plain_value(value) for value in values])],
        )


models.Field.register_lookup(Among)
models.ForeignObject.register_lookup(Among)  # relations keep their own lookups (`loan_id__among=ids`)


# A table's foreign keys and plain indexes (neither primary nor unique): (name, definition), by name.
_FOREIGN_KEYS = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname"
)
_PLAIN_INDEXES = (
    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique ORDER BY c.relname"
)


def _named(cursor, sql: str, table: str) -> list[tuple[str, str]]:
    cursor.execute(sql, [table])
    return cursor.fetchall()


def bulk_load(cursor, table: str, incoming: int, *, share: int = 1) -> bool:
    """Whether `incoming` new rows make a bulk load of `table` on this database: PostgreSQL, at least `BULK_ROWS`
    of them, and more than the table holds (with `share` 2: more than half of it)."""
    if connection.vendor != "postgresql" or incoming < BULK_ROWS:
        return False
    enough = incoming * share
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT %s) AS held", [enough])  # noqa: S608
    return cursor.fetchone()[0] < enough


@contextmanager
def loosened(
    cursor, table: str, incoming: int, *, keys: bool = True, indexes: bool = True, share: int = 1
) -> Iterator[bool]:
    """On PostgreSQL, when `incoming` rows (≥ `BULK_ROWS`) are more than `table` holds (with `share` 2: more than
    half of what it holds, for rows rewritten in place): its foreign keys (`keys`) and its plain indexes
    (`indexes`) dropped for the body and created again after it (see the module doc). Yields whether it
    loosened the table."""
    if not bulk_load(cursor, table, incoming, share=share):
        yield False
        return
    quote = connection.ops.quote_name
    foreign = _named(cursor, _FOREIGN_KEYS, table) if keys else []
    plain = _named(cursor, _PLAIN_INDEXES, table) if indexes else []
    if foreign:
        # Dropping a foreign key alters the table it refers to as well, which PostgreSQL refuses while that table
        # has checks pending ("pending trigger events"): rows inserted earlier in the transaction, not loosened
        # (a feed's 20,000 loans, too few, before its 200,000 payments). The pending checks run now instead of at
        # the commit, and the keys are deferred again for the rest of the transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _definition in foreign:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in plain:
        cursor.execute(f"DROP INDEX {quote(name)}")
    yield True
    for _name, definition in plain:
        cursor.execute(definition)
    for name, definition in foreign:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
