"""The import is all or nothing: refused without the permission, rolled back whole when a step fails."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.compliance.actions import ActionDenied
from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.feed import load
from arrears.portfolio.models import FeedLoad

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.mark.parametrize("role", ["analyst", "supervisor", "junior_collector", None])
def test_a_user_without_the_import_permission_is_refused_and_nothing_changes(
    role, example_feed, var_dir, snapshot, make_user
):
    """Clause: AUTH-4. Roles without portfolio.import_feed (an analyst, a supervisor, a collector, no role)
    get ActionDenied before the feed is read: no row, no FeedLoad, no audit event, no report."""
    before = snapshot()
    with pytest.raises(ActionDenied, match=r"portfolio\.import_feed"):
        do_import_feed(example_feed, DAY, actor=make_user(role))
    assert snapshot() == before
    assert not (var_dir / "feeds").exists()


def test_an_administrator_may_import(example_feed, var_dir, make_user):
    """The administrator role holds portfolio.import_feed (re-running a feed by hand); the audit event names
    the person."""
    admin = make_user("administrator", username="ops-admin")
    result = do_import_feed(example_feed, DAY, actor=admin)
    assert FeedLoad.objects.get(pk=result.feed_load_id).imported_by == admin


def test_a_crash_while_posting_leaves_nothing_half_written(example_feed, nightly, var_dir, snapshot, monkeypatch):
    """Posting fails after every table was loaded: all of it rolls back (no row, no audit event, no report);
    the failure is recorded as a failed FeedLoad, and a rerun then loads the feed in full."""

    def broken(loan_ids, *, business_date, first_load=False, pending=None):
        raise RuntimeError("posting broke")

    monkeypatch.setattr("arrears.portfolio.posting.allocate_payments", broken)
    before = snapshot()
    with pytest.raises(RuntimeError, match="posting broke"):
        do_import_feed(example_feed, DAY, actor=nightly)
    after = snapshot()
    failed = after.pop("FeedLoad")
    assert after == {table: rows for table, rows in before.items() if table != "FeedLoad"}
    assert [(f["status"], f["counts"]["error"]) for f in failed] == [("failed", "RuntimeError: posting broke")]
    assert list((var_dir / "feeds").glob("2026-03-02/*/rejections.csv")) == []

    monkeypatch.undo()
    result = do_import_feed(example_feed, DAY, actor=nightly)
    assert result.status == "done"
    assert result.files["payments"].inserted == 14


def test_a_crash_between_tables_leaves_nothing_half_written(example_feed, nightly, var_dir, snapshot, monkeypatch):
    """Borrowers and loans are merged, then the schedules merge fails: the borrowers and loans go too."""
    real_merge = load._merge

    def merge_until_schedules(cursor, table, *args):
        if table.file == "schedules":
            raise RuntimeError("disk full")
        return real_merge(cursor, table, *args)

    monkeypatch.setattr(load, "_merge", merge_until_schedules)
    before = snapshot()
    with pytest.raises(RuntimeError, match="disk full"):
        do_import_feed(example_feed, DAY, actor=nightly)
    after = snapshot()
    after.pop("FeedLoad")
    assert after == {table: rows for table, rows in before.items() if table != "FeedLoad"}
    assert not FeedLoad.objects.filter(status="done").exists()
