"""Database triggers that make the audit ledger append-only, below the ORM (AUTH-4).

On the events (`compliance_auditevent`):
- UPDATE and DELETE are refused; on PostgreSQL a statement trigger refuses TRUNCATE of a non-empty ledger
  (SQLite has no TRUNCATE; `DELETE FROM` fires the row trigger);
- an INSERT is accepted only as the next link of the chain the ledger head has already been moved to: its id
  is one more than the last event's and not beyond the head, its `prev_hash` is the last event's hash, and the
  event the head names has the head's hash (PostgreSQL checks the rows of each statement together, through a
  transition table: the nightly run COPYs a thousand events at a time; SQLite checks each row). So an event written past the head is refused (it could otherwise
  take the id the next real append needs, and `audit verify` would have to find it afterwards).

On the ledger head (`compliance_ledgerhead`):
- UPDATE only moves it forward (a greater `last_id`), and only from a head that matches the chain's last event
  (the previous append completed): the append moves the head first, then writes the events up to it;
- DELETE (and, on PostgreSQL, TRUNCATE) is refused once the ledger has events; INSERT only of an empty head.

On the sealed change records (`compliance_changerecord`, `seals.py`): UPDATE and DELETE (and TRUNCATE of a
non-empty table) are refused, like the events'; `audit verify` finds a row inserted outside arrears (no seal
covers it). `install` adds these once the table exists (migration 0009).

Every refusal raises an integrity error whose message starts "the audit ledger is append-only".

Deleting an empty ledger and its head at 0 is allowed so that a test database can be flushed when no event was
written; a test that writes events with `transactional_db` removes the triggers before the flush and puts them
back after it (tests/compliance/conftest.py). This is protection against mistakes and casual edits by the
application's database role, not against the database owner, who can drop triggers: the hash chain
(`ledger.py`) and the anchors kept outside the database (`anchors.py`) are what make such a change evident.

On SQLite, a migration that rebuilds the ledger table (most `AlterField`s) drops its triggers: such a migration
must call `install(schema_editor.connection)` again.
"""

from __future__ import annotations

TABLE = "compliance_auditevent"
HEAD = "compliance_ledgerhead"
CHANGES = "compliance_changerecord"
GENESIS_HASH = "0" * 64  # the first event's prev_hash (models.GENESIS_HASH)
_REFUSED = "the audit ledger is append-only"
_NOT_NEXT = "the event is not the next link after the ledger head"
_FORWARD_ONLY = "the head only moves forward, from the last event of the chain"


# Table names and the genesis hash are constants of this module, never input: the f-strings below are not an
# injection risk.
def _postgresql_refusals(table: str) -> list[str]:
    """`table`'s rows never updated or deleted, the table never truncated (unless empty: a test flush)."""
    return [
        f"""
    CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
        IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM {table}) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = '{_REFUSED}: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused';
    END
    $body$
    """,  # noqa: S608
        f"""
    CREATE OR REPLACE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
    """,
        f"""
    CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()
    """,
    ]


_POSTGRESQL_EVENTS = _postgresql_refusals(TABLE)
_POSTGRESQL_CHAIN = [
    # One check per statement over the rows it inserted (a transition table): the nightly run COPYs a thousand
    # events at a time, and a check per row would cost more than the COPY.
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_next_links() RETURNS trigger LANGUAGE plpgsql AS $body$
    DECLARE
        lo bigint;
        hi bigint;
        n bigint;
        head_id bigint;
        head_hash varchar;
    BEGIN
        SELECT min(id), max(id), count(*) INTO lo, hi, n FROM inserted;
        IF n = 0 THEN
            RETURN NULL;
        END IF;
        SELECT last_id, last_hash INTO head_id, head_hash FROM {HEAD} WHERE id = 1;
        IF hi - lo + 1 <> n OR head_id IS NULL OR hi > head_id
           OR EXISTS (SELECT 1 FROM {TABLE} WHERE id > hi)
           OR coalesce((SELECT max(id) FROM {TABLE} WHERE id < lo), 0) <> lo - 1
           OR EXISTS (
               SELECT 1 FROM inserted i LEFT JOIN {TABLE} p ON p.id = i.id - 1
               WHERE i.prev_hash IS DISTINCT FROM coalesce(p.hash, '{GENESIS_HASH}'))
           OR (hi = head_id AND (SELECT hash FROM inserted WHERE id = hi) IS DISTINCT FROM head_hash) THEN
            RAISE EXCEPTION USING
                ERRCODE = 'restrict_violation',
                MESSAGE = '{_REFUSED}: INSERT on {TABLE} refused: events #' || lo || '–#' || hi
                    || ' are not the next links after the ledger head (#' || coalesce(head_id, 0) || ')';
        END IF;
        RETURN NULL;
    END
    $body$
    """,  # noqa: S608
    f"""
    CREATE OR REPLACE TRIGGER {TABLE}_next_links AFTER INSERT ON {TABLE}
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_next_links()
    """,
    f"""
    CREATE OR REPLACE FUNCTION {HEAD}_guard() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            IF NOT EXISTS (SELECT 1 FROM {TABLE}) THEN
                RETURN NULL;
            END IF;
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.last_id = 0 AND NOT EXISTS (SELECT 1 FROM {TABLE}) THEN
                RETURN OLD;
            END IF;
        ELSIF TG_OP = 'INSERT' THEN
            IF NEW.last_id = 0 AND NEW.last_hash = '{GENESIS_HASH}' THEN
                RETURN NEW;
            END IF;
        ELSIF NEW.id = OLD.id AND NEW.last_id > OLD.last_id
              AND coalesce((SELECT max(id) FROM {TABLE}), 0) = OLD.last_id
              AND coalesce((SELECT hash FROM {TABLE} WHERE id = OLD.last_id), '{GENESIS_HASH}') = OLD.last_hash THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = '{_REFUSED}: ' || TG_OP || ' on ' || TG_TABLE_NAME
                || ' refused: {_FORWARD_ONLY}';
    END
    $body$
    """,  # noqa: S608
    f"""
    CREATE OR REPLACE TRIGGER {HEAD}_guard BEFORE INSERT OR UPDATE OR DELETE ON {HEAD}
        FOR EACH ROW EXECUTE FUNCTION {HEAD}_guard()
    """,
    f"""
    CREATE OR REPLACE TRIGGER {HEAD}_no_truncate BEFORE TRUNCATE ON {HEAD}
        FOR EACH STATEMENT EXECUTE FUNCTION {HEAD}_guard()
    """,
]
_POSTGRESQL_REMOVE_EVENTS = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]
_POSTGRESQL_REMOVE_CHAIN = [
    f"DROP TRIGGER IF EXISTS {TABLE}_next_links ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_next_links()",
    f"DROP TRIGGER IF EXISTS {HEAD}_guard ON {HEAD}",
    f"DROP TRIGGER IF EXISTS {HEAD}_no_truncate ON {HEAD}",
    f"DROP FUNCTION IF EXISTS {HEAD}_guard()",
]

_HEAD_ID = f"(SELECT last_id FROM {HEAD} WHERE id = 1)"  # noqa: S608
_SQLITE_EVENTS = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: {op} on {TABLE} refused'); END
    """
    for op in ("UPDATE", "DELETE")
]
_SQLITE_CHAIN = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_next_link BEFORE INSERT ON {TABLE}
    WHEN NEW.id <> coalesce((SELECT max(id) FROM {TABLE}), 0) + 1
      OR {_HEAD_ID} IS NULL OR NEW.id > {_HEAD_ID}
      OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM {TABLE} WHERE id = NEW.id - 1), '{GENESIS_HASH}')
      OR (NEW.id = {_HEAD_ID} AND NEW.hash IS NOT (SELECT last_hash FROM {HEAD} WHERE id = 1))
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: INSERT on {TABLE} refused: {_NOT_NEXT}'); END
    """,  # noqa: S608
    f"""
    CREATE TRIGGER IF NOT EXISTS {HEAD}_no_delete BEFORE DELETE ON {HEAD}
    WHEN OLD.last_id <> 0 OR EXISTS (SELECT 1 FROM {TABLE})
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: DELETE on {HEAD} refused'); END
    """,  # noqa: S608
    f"""
    CREATE TRIGGER IF NOT EXISTS {HEAD}_no_insert BEFORE INSERT ON {HEAD}
    WHEN NEW.last_id <> 0 OR NEW.last_hash <> '{GENESIS_HASH}'
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: INSERT on {HEAD} refused: a new head starts empty'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {HEAD}_forward_only BEFORE UPDATE ON {HEAD}
    WHEN NEW.id <> OLD.id OR NEW.last_id <= OLD.last_id
      OR coalesce((SELECT max(id) FROM {TABLE}), 0) <> OLD.last_id
      OR coalesce((SELECT hash FROM {TABLE} WHERE id = OLD.last_id), '{GENESIS_HASH}') <> OLD.last_hash
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: UPDATE on {HEAD} refused: {_FORWARD_ONLY}'); END
    """,  # noqa: S608
]
_SQLITE_REMOVE_EVENTS = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]
_SQLITE_REMOVE_CHAIN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (f"{TABLE}_next_link", f"{HEAD}_no_delete", f"{HEAD}_no_insert", f"{HEAD}_forward_only")
]

# The sealed change records (`ChangeRecord`, seals.py): never updated or deleted, like the events. (Their
# inserts need no check here: a row no seal covers is found by `audit verify`.)
_POSTGRESQL_CHANGES = _postgresql_refusals(CHANGES)
_POSTGRESQL_REMOVE_CHANGES = [
    f"DROP TRIGGER IF EXISTS {CHANGES}_no_update_delete ON {CHANGES}",
    f"DROP TRIGGER IF EXISTS {CHANGES}_no_truncate ON {CHANGES}",
    f"DROP FUNCTION IF EXISTS {CHANGES}_append_only()",
]
_SQLITE_CHANGES = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {CHANGES}_no_{op.lower()} BEFORE {op} ON {CHANGES}
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: {op} on {CHANGES} refused'); END
    """
    for op in ("UPDATE", "DELETE")
]
_SQLITE_REMOVE_CHANGES = [f"DROP TRIGGER IF EXISTS {CHANGES}_no_{op}" for op in ("update", "delete")]
_CHANGE_STATEMENTS = {
    "postgresql": (_POSTGRESQL_CHANGES, _POSTGRESQL_REMOVE_CHANGES),
    "sqlite": (_SQLITE_CHANGES, _SQLITE_REMOVE_CHANGES),
}

_STATEMENTS = {
    # vendor: ((install events, install chain and head), (remove events, remove chain and head))
    "postgresql": ((_POSTGRESQL_EVENTS, _POSTGRESQL_CHAIN), (_POSTGRESQL_REMOVE_EVENTS, _POSTGRESQL_REMOVE_CHAIN)),
    "sqlite": ((_SQLITE_EVENTS, _SQLITE_CHAIN), (_SQLITE_REMOVE_EVENTS, _SQLITE_REMOVE_CHAIN)),
}


def _statements(vendor: str, *, install: bool) -> tuple[list[str], list[str]]:
    """(the events' UPDATE/DELETE statements, the next-link and head statements) for `vendor`."""
    if vendor not in _STATEMENTS:
        raise NotImplementedError(f"no append-only triggers for {vendor}; arrears supports SQLite and PostgreSQL")
    return _STATEMENTS[vendor][0 if install else 1]


def _execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection, *, chain: bool = True) -> None:
    """Create (or replace) the triggers on `connection`'s database; `chain=False`: only those refusing UPDATE
    and DELETE of events (what migration 0002 made)."""
    events, with_chain = _statements(connection.vendor, install=True)
    _execute(connection, [*events, *with_chain] if chain else events)
    if chain and _has_changes(connection):
        _execute(connection, _CHANGE_STATEMENTS[connection.vendor][0])


def remove(connection, *, only_chain: bool = False) -> None:
    """Drop the triggers; `only_chain=True`: only the next-link insert check and the head's."""
    events, with_chain = _statements(connection.vendor, install=False)
    _execute(connection, with_chain if only_chain else [*events, *with_chain])
    if not only_chain and _has_changes(connection):
        _execute(connection, _CHANGE_STATEMENTS[connection.vendor][1])


def remove_changes(connection) -> None:
    """Drop only the change records' triggers."""
    _execute(connection, _CHANGE_STATEMENTS[connection.vendor][1])


def _has_changes(connection) -> bool:
    """Whether the sealed change records' table exists yet (migrations before compliance 0009 install the
    ledger's triggers without it)."""
    return CHANGES in connection.introspection.table_names()
