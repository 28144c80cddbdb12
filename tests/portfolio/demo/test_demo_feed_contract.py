"""The demo feed keeps docs/feed-format.md: the importer's own reader and validator accept every row."""

from __future__ import annotations

import polars as pl
import pytest

from arrears.portfolio.demo import write_feed
from arrears.portfolio.feed import read, validate
from arrears.portfolio.feed.schema import SPECS


def nothing_stored(file: str, keys: pl.Series) -> pl.DataFrame:
    """Every reference of a demo feed is to a row of the same feed."""
    assert keys.len() == 0, f"{file}: {keys.head(3).to_list()} not in the feed"
    if file == "borrowers":
        return pl.DataFrame(schema={"borrower_id": pl.String})
    return pl.DataFrame(schema={"loan_id": pl.String, "start_date": pl.Date, "borrower_id": pl.String})


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_importer_validation_rejects_nothing(tmp_path, business_date, fmt):
    summary = write_feed(tmp_path, 1_200, seed=9, business_date=business_date, fmt=fmt, chunk_loans=500)
    paths, strays = read.discover(tmp_path)
    assert strays == []
    assert sorted(paths) == sorted(SPECS)
    files = {name: read.read_file(SPECS[name], path) for name, path in paths.items()}
    checked = validate.validate_feed(files, business_date, nothing_stored)
    faults = validate.all_faults(checked, strays)
    assert faults.height == 0, faults.head(10)
    assert {name: c.rows for name, c in checked.items()} == summary.rows
