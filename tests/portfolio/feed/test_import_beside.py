"""The feed is validated in a thread beside its load (`feed.pipeline`): a file is loaded while the next one is
checked, the look-ups of stored rows run in the importing thread, and a failure on either side stops both and
leaves nothing written."""

from __future__ import annotations

import tempfile
import threading
from datetime import date

import pytest
from django.db import connection
from feed_samples import EXAMPLE

from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.feed import load, stream
from arrears.portfolio.models import Borrower, FeedLoad, Loan

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """Temporary directories (the spill files) under the test's own directory, to see what is left."""
    spill_root = tmp_path / "tmp"
    spill_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill_root))
    return spill_root


def _validation_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "feed-validation"]


def _stage_tables() -> list[str]:
    """The load's staging tables that exist (unlogged tables on PostgreSQL, TEMP ones on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(r"SELECT tablename FROM pg_tables WHERE tablename LIKE 'feed\_stage\_%'")
        else:
            cursor.execute(r"SELECT name FROM sqlite_temp_master WHERE name LIKE 'feed\_stage\_%' ESCAPE '\'")
        return [row[0] for row in cursor.fetchall()]


def test_a_file_is_loaded_while_the_next_is_checked(example_feed, nightly, var_dir, monkeypatch):
    """The checks of loans wait until the borrowers are in their table: with validation before the load (the
    old order) they would wait forever; here the borrowers load meanwhile, and the import completes in full."""
    borrowers_loaded = threading.Event()
    real_load, real_validate = load.Loader.load, stream._validate_file

    def loading(self, file, frame):
        real_load(self, file, frame)
        if file == "borrowers":
            borrowers_loaded.set()

    def checking(spec, *args):
        if spec.name == "loans":
            assert borrowers_loaded.wait(timeout=30), "the borrowers were not loaded while the loans were checked"
        return real_validate(spec, *args)

    monkeypatch.setattr(load.Loader, "load", loading)
    monkeypatch.setattr(stream, "_validate_file", checking)
    result = do_import_feed(example_feed, DAY, actor=nightly)
    assert result.status == "done"
    assert (result.files["borrowers"].inserted, result.files["loans"].inserted) == (4, 5)
    assert Loan.objects.count() == 5
    assert set(result.seconds) == {"read", "validate", "load", "post", "total"}
    assert _validation_threads() == []
    assert _stage_tables() == []


def test_stored_rows_are_looked_up_in_the_importing_thread(write_feed, example_feed, nightly, var_dir, monkeypatch):
    """A next-day feed whose loan names a borrower it does not carry: the borrower stored by the day before is
    found (inside this test's transaction, which another connection could not see), and the look-up ran in
    the thread that imports."""
    do_import_feed(example_feed, DAY, actor=nightly)
    stored = Borrower.objects.order_by("external_id").first()
    asked: list[tuple[str, list[str], int]] = []
    real = load.stored_keys

    def recording(file, keys):
        asked.append((file, keys.to_list(), threading.get_ident()))
        return real(file, keys)

    monkeypatch.setattr(load, "stored_keys", recording)
    directory = write_feed(
        "next",
        {
            "borrowers.csv": (EXAMPLE / "borrowers.csv").read_text().splitlines()[0] + "\n",
            "loans.csv": "loan_id,borrower_id,product,principal,annual_rate,penalty_markup,term_months,method,"
            "start_date,status\n"
            f"L-NEW-1,{stored.external_id},consumer,1200.00,0.0435,,12,equal-instalment,2026-01-15,active\n",
        },
    )
    result = do_import_feed(directory, date(2026, 3, 3), actor=nightly)
    assert result.files["loans"].inserted == 1
    assert result.files["loans"].rejected == 0
    assert Loan.objects.get(external_id="L-NEW-1").borrower == stored
    borrower_lookups = [(ids, thread) for file, ids, thread in asked if file == "borrowers"]
    assert borrower_lookups == [([stored.external_id], threading.get_ident())]


def test_a_failing_load_stops_the_checks_and_leaves_nothing(
    example_feed, nightly, var_dir, snapshot, monkeypatch, own_tmp
):
    """The load of the schedules fails while the payments may still be checked: the import raises the load's
    error, every table is as before, the failure is recorded, the validation thread has ended and its spill
    files are gone."""
    real_load = load.Loader.load

    def failing(self, file, frame):
        if file == "schedules":
            raise RuntimeError("disk full")
        real_load(self, file, frame)

    monkeypatch.setattr(load.Loader, "load", failing)
    before = snapshot()
    with pytest.raises(RuntimeError, match="disk full"):
        do_import_feed(example_feed, DAY, actor=nightly)
    after = snapshot()
    assert [f["status"] for f in after.pop("FeedLoad")] == ["failed"]
    assert after == {table: rows for table, rows in before.items() if table != "FeedLoad"}
    assert _validation_threads() == []
    assert list(own_tmp.iterdir()) == []


def test_a_merge_failing_after_its_rows_were_staged_leaves_no_staging_table(
    example_feed, nightly, var_dir, snapshot, monkeypatch, own_tmp
):
    """The schedules are staged (an unlogged table on PostgreSQL, so that their delta may be worked out by parallel
    workers), then their merge fails: the import raises, nothing is written, and no staging table is left, of the
    schedules or of the files loaded before them."""
    real_merge, staged = load._merge, []

    def failing(cursor, table, stage, *args):
        staged.append(stage)
        if table.file == "schedules":
            assert stage in _stage_tables()
            raise RuntimeError("merge interrupted")
        return real_merge(cursor, table, stage, *args)

    monkeypatch.setattr(load, "_merge", failing)
    before = snapshot()
    with pytest.raises(RuntimeError, match="merge interrupted"):
        do_import_feed(example_feed, DAY, actor=nightly)
    after = snapshot()
    assert [f["status"] for f in after.pop("FeedLoad")] == ["failed"]
    assert after == {table: rows for table, rows in before.items() if table != "FeedLoad"}
    assert staged == ["feed_stage_borrowers", "feed_stage_contacts", "feed_stage_loans", "feed_stage_schedules"]
    assert _stage_tables() == []
    assert list(own_tmp.iterdir()) == []


def test_a_failing_check_is_raised_in_the_importing_thread_and_leaves_nothing(
    example_feed, nightly, var_dir, snapshot, monkeypatch, own_tmp
):
    """The checks of the payments fail after borrowers, loans and schedules were loaded: the checks' error is
    raised by `do_import_feed`, the loaded tables roll back, and the failure is recorded with its message."""
    real_validate = stream._validate_file

    def checking(spec, *args):
        if spec.name == "payments":
            raise MemoryError("no room for the payments")
        return real_validate(spec, *args)

    monkeypatch.setattr(stream, "_validate_file", checking)
    before = snapshot()
    with pytest.raises(MemoryError, match="no room"):
        do_import_feed(example_feed, DAY, actor=nightly)
    after = snapshot()
    failed = after.pop("FeedLoad")
    assert [(f["status"], f["counts"]["error"]) for f in failed] == [
        ("failed", "MemoryError: no room for the payments")
    ]
    assert after == {table: rows for table, rows in before.items() if table != "FeedLoad"}
    assert not FeedLoad.objects.filter(status="done").exists()
    assert _validation_threads() == []
    assert list(own_tmp.iterdir()) == []


def test_files_load_parents_first(nightly):
    """A child file loaded before its parent, or a file twice, is refused before anything is written."""
    loader = load.Loader(DAY, actor_id=nightly.pk)
    loader._next = [t.file for t in load.TABLES].index("loans") + 1  # as if the loans were loaded
    with pytest.raises(ValueError, match="parents first"):
        loader.load("borrowers", iter(()))
    assert Borrower.objects.count() == 0
