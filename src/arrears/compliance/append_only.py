"""Database triggers that make the audit ledger append-only, below the ORM.

PostgreSQL: a row trigger refuses UPDATE and DELETE, and a statement trigger refuses TRUNCATE of a non-empty
ledger. SQLite: triggers refuse UPDATE and DELETE (SQLite has no TRUNCATE; `DELETE FROM` fires the row trigger).
Both raise an integrity error whose message starts "the audit ledger is append-only".

Truncating an empty ledger is allowed so that a test database can be flushed when no event was written; a test
that writes events with `transactional_db` removes the triggers before the flush and puts them back after it
(tests/compliance/conftest.py). This is protection against mistakes and casual edits by the application's
database role, not against the database owner, who can drop triggers: the hash chain (`ledger.py`) is what
makes any such change evident.

On SQLite, a migration that rebuilds the ledger table (most `AlterField`s) drops its triggers: such a migration
must call `install(schema_editor.connection)` again.
"""

from __future__ import annotations

TABLE = "compliance_auditevent"

# The table name is a constant of this module, never input: the f-strings below are not an injection risk.
_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
        IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM {TABLE}) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = 'the audit ledger is append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused';
    END
    $body$
    """,  # noqa: S608
    f"""
    CREATE OR REPLACE TRIGGER {TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
    f"""
    CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: {op} on {TABLE} refused'); END
    """
    for op in ("UPDATE", "DELETE")
]
_SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "postgresql":
        return _POSTGRESQL_INSTALL if install else _POSTGRESQL_REMOVE
    if vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    raise NotImplementedError(f"no append-only triggers for {vendor}; arrears supports SQLite and PostgreSQL")


def install(connection) -> None:
    """Create (or replace) the triggers on `connection`'s database."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)
