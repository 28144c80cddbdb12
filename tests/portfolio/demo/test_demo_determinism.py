"""The demo feed is a function of (loans, seed, business date): same inputs, same bytes."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from arrears.portfolio.demo import FEED_TABLES, write_feed


def digests(directory) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_inputs_write_byte_identical_files(tmp_path, business_date, fmt):
    """Two runs with the same size, seed and date (several chunks each) write the same five files, byte for byte."""
    first = write_feed(tmp_path / "a", 1_500, seed=42, business_date=business_date, fmt=fmt, chunk_loans=600)
    second = write_feed(tmp_path / "b", 1_500, seed=42, business_date=business_date, fmt=fmt, chunk_loans=600)
    assert sorted(digests(tmp_path / "a")) == sorted(f"{t}.{fmt}" for t in FEED_TABLES)
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert first.rows == second.rows
    assert first.delinquent_by_dpd == second.delinquent_by_dpd


def test_another_seed_or_date_gives_other_files(tmp_path, business_date):
    """A different seed changes every file; a different business date changes the loans' history."""
    write_feed(tmp_path / "a", 500, seed=1, business_date=business_date)
    write_feed(tmp_path / "b", 500, seed=2, business_date=business_date)
    write_feed(tmp_path / "c", 500, seed=1, business_date=date(2026, 6, 30))
    a, b, c = digests(tmp_path / "a"), digests(tmp_path / "b"), digests(tmp_path / "c")
    assert all(a[name] != b[name] for name in a)
    assert a["loans.csv"] != c["loans.csv"]
    assert a["payments.csv"] != c["payments.csv"]


def test_a_feed_directory_holds_one_format_and_no_partial_files(tmp_path, business_date):
    """Writing Parquet where a CSV demo feed was replaces it: the importer refuses a directory with both."""
    write_feed(tmp_path, 200, seed=3, business_date=business_date, fmt="csv")
    write_feed(tmp_path, 200, seed=3, business_date=business_date, fmt="parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.parquet" for t in FEED_TABLES)


def test_bad_arguments_are_refused_with_what_is_allowed(tmp_path, business_date):
    with pytest.raises(ValueError, match="n_loans must be a whole number from 1"):
        write_feed(tmp_path, 0, seed=1, business_date=business_date)
    with pytest.raises(ValueError, match="seed must be"):
        write_feed(tmp_path, 10, seed=-1, business_date=business_date)
    with pytest.raises(ValueError, match="format must be one of csv, parquet"):
        write_feed(tmp_path, 10, seed=1, business_date=business_date, fmt="xlsx")
    assert not list(tmp_path.iterdir())
