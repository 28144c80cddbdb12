"""A first load goes in without the tables' foreign keys and plain indexes (`arrears.bulk.loosened`, PostgreSQL):
the same tables as a load that keeps them, the same constraints and indexes afterwards, and a row that breaks a
foreign key still refused — when the key comes back — with nothing stored."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from feed_compare import DAY, bad_feed, tables

from arrears import bulk
from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.bulk import loosened
from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.models import Instalment, PaymentAllocation

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's bulk load; SQLite never loosens")
TABLES = (
    "portfolio_borrower",
    "portfolio_loan",
    "portfolio_instalment",
    "portfolio_payment",
    "portfolio_paymentallocation",
)


def _schema() -> list[tuple]:
    """The import's tables' constraints and indexes, by name and definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        return constraints + cursor.fetchall()


def _import(directory, actor, monkeypatch, bulk_rows: int) -> tuple[dict, list[str], list[tuple]]:
    """Import with `BULK_ROWS` at `bulk_rows`; the tables, the DDL run, the schema after; all rolled back."""
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        result = do_import_feed(directory, DAY, actor=actor)
        snapshot = tables() | {"allocations": result.allocations, "rejected": result.rejected}
        with connection.cursor() as cursor:  # the instalments' ids, and the last the sequence gave
            cursor.execute(
                "SELECT min(id), max(id), count(*), "
                "(SELECT last_value FROM pg_sequences WHERE sequencename = 'portfolio_instalment_id_seq') "
                "FROM portfolio_instalment"
            )
            ids = cursor.fetchone()
        schema = _schema()
        transaction.set_rollback(True)
    ddl = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("DROP INDEX", "ALTER TABLE", "CREATE TEMP"))
    ]
    return snapshot | {"ids": ids}, ddl, schema


@postgresql_only
def test_a_loosened_first_load_equals_a_tight_one(tmp_path, monkeypatch):
    """The demo feed with bad rows of every kind, loaded as a first load (every table loosened, the new
    instalments held back for posting to write with their settled dates) and with every key and index kept: the
    same rows in every table, the same counts; afterwards every constraint and index is back, by name and
    definition."""
    from arrears.accounts.models import User

    actor = User.objects.get(username=SYSTEM_USERNAME)
    directory = bad_feed(tmp_path / "feed", "csv")
    before = _schema()
    tight, tight_ddl, _ = _import(directory, actor, monkeypatch, bulk_rows=10**12)
    loose, loose_ddl, after = _import(directory, actor, monkeypatch, bulk_rows=1)
    assert not [sql for sql in tight_ddl if not sql.startswith("CREATE TEMP")]
    assert not [sql for sql in tight_ddl if "feed_pending_instalments" in sql]
    # The first load's new instalments were held back and written once, with their settled dates (`_hold_back`).
    assert [sql for sql in loose_ddl if sql.startswith("CREATE TEMP TABLE feed_pending_instalments")]
    assert sum(row[-1] is not None for row in loose["Instalment"]) > 100  # settled instalments among them
    # Their ids, one block reserved from the sequence, are consecutive; the sequence goes on after the last.
    first, last, count, sequence = loose.pop("ids")
    assert (last - first + 1, sequence) == (count, last)
    tight.pop("ids")
    dropped = [sql for sql in loose_ddl if "DROP" in sql]
    assert any(sql.startswith("DROP INDEX") and "instalment" in sql for sql in dropped), loose_ddl
    assert any("portfolio_paymentallocation" in sql and "DROP CONSTRAINT" in sql for sql in dropped), loose_ddl
    assert sum("ADD CONSTRAINT" in sql for sql in loose_ddl) == sum("DROP CONSTRAINT" in sql for sql in loose_ddl)
    assert after == before
    assert loose == tight
    assert len(tight["Instalment"]) > 1_000
    assert tight["allocations"] > 100
    assert tight["rejected"] > 20


@postgresql_only
def test_a_first_load_with_a_parent_too_small_to_loosen(tmp_path, monkeypatch):
    """A first load whose loans are too few to be loosened and whose payments are not (a bank of 20,000 loans
    and 200,000 payments): dropping the payments' key to the loans must not meet the loans' checks still pending
    ("pending trigger events"); the tables equal a load that keeps every key."""
    from arrears.accounts.models import User

    actor = User.objects.get(username=SYSTEM_USERNAME)
    directory = bad_feed(tmp_path / "feed", "csv")
    tight, _ddl, _ = _import(directory, actor, monkeypatch, bulk_rows=10**12)
    loans, payments = len(tight["Loan"]), len(tight["Payment"])
    assert loans < payments
    mixed, ddl, after = _import(directory, actor, monkeypatch, bulk_rows=loans + 1)
    assert not any(sql.startswith('ALTER TABLE "portfolio_loan"') for sql in ddl)
    assert any(sql.startswith('ALTER TABLE "portfolio_payment" DROP CONSTRAINT') for sql in ddl)
    mixed.pop("ids"), tight.pop("ids")  # the held-back instalments' ids come from one reserved block
    assert mixed == tight
    assert after == _schema()


@postgresql_only
def test_a_row_breaking_a_key_is_refused_when_the_key_returns(monkeypatch):
    """An allocation pointing at no payment, written while the table is loosened: re-adding the key refuses it,
    the transaction rolls back, and the table and its keys are as before."""
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    table = PaymentAllocation._meta.db_table
    before = _schema()
    loose = []

    def write_a_broken_row() -> None:
        with transaction.atomic(), connection.cursor() as cursor, loosened(cursor, table, 5) as done:
            loose.append(done)
            cursor.execute(
                f"INSERT INTO {table} (payment_id, instalment_id, component, amount_fen) "  # noqa: S608
                "VALUES (987654321, 987654321, 'principal', 100)"
            )

    with pytest.raises(IntegrityError):
        write_a_broken_row()
    assert loose == [True]
    assert not PaymentAllocation.objects.exists()
    assert _schema() == before


def test_a_table_holding_as_many_rows_is_left_alone(monkeypatch):
    """Fewer new rows than the table holds (a next day's load), or too few rows, or SQLite: no DDL at all."""
    from factories import make_borrower, make_loan

    make_loan(make_borrower(), months=6)
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    table = Instalment._meta.db_table
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        with loosened(cursor, table, 6) as six:
            pass
        with loosened(cursor, table, 5) as five:
            pass
    monkeypatch.setattr(bulk, "BULK_ROWS", 100)
    with connection.cursor() as cursor, loosened(cursor, table, 50) as fifty:
        pass
    assert (six, five, fifty) == (False, False, False)
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("DROP", "ALTER"))]
    assert Instalment.objects.count() == 6
