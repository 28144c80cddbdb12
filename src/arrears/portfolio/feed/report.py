"""The rejection report: `var/feeds/<business date>/<digest 12>/rejections.csv`, one line per fault.

Columns `file,row,key,field,value,reason`; `row` is the 1-based data row (0 = the header, empty = the whole
file). Personal data never appears in full: values of the fields the compliance app classifies as sensitive
(`arrears.compliance.masking`) are masked exactly as on screen, and so is the phone number inside a contact's
key.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl

from arrears.compliance.masking import HIDDEN, SENSITIVE_FIELDS, mask_phone, masked

COLUMNS = ["file", "row", "key", "field", "value", "reason"]
_CONTACT_KEY_FIELD = "borrower_id+phone"
# Free text that may name people or their circumstances: never echoed into the report.
_HIDDEN_TEXT = {"holds.": "reason"}


def report_path(var_dir: Path, business_date: date, digest: str) -> Path:
    """One report per feed: a corrected feed for the same date never overwrites an earlier load's report."""
    return var_dir / "feeds" / business_date.isoformat() / digest[:12] / "rejections.csv"


def _mask_key(key: str) -> str:
    head, sep, phone = key.rpartition("/")
    return f"{head}{sep}{mask_phone(phone)}" if sep else key


def masked_faults(faults: pl.DataFrame) -> pl.DataFrame:
    """The report's rows: sensitive values masked. Only fault rows pass through Python (a report, not the
    bulk path), and only those of sensitive fields."""
    sensitive = pl.col("field").is_in(list(SENSITIVE_FIELDS))
    contact = pl.col("file").str.starts_with("contacts.")
    hidden = pl.any_horizontal(
        pl.col("file").str.starts_with(prefix) & (pl.col("field") == field) for prefix, field in _HIDDEN_TEXT.items()
    )
    return faults.select(
        "file",
        "row",
        pl.when(contact)
        .then(pl.col("key").map_elements(_mask_key, return_dtype=pl.String))
        .otherwise("key")
        .alias("key"),
        "field",
        pl.when(hidden & (pl.col("value").str.len_chars() > 0))
        .then(pl.lit(HIDDEN))
        .when(sensitive)
        .then(
            pl.struct("field", "value").map_elements(lambda s: masked(s["field"], s["value"]), return_dtype=pl.String)
        )
        .when(contact & (pl.col("field") == _CONTACT_KEY_FIELD))
        .then(pl.col("value").map_elements(_mask_key, return_dtype=pl.String))
        .otherwise("value")
        .alias("value"),
        "reason",
    )


def write_report(faults: pl.DataFrame, path: Path) -> Path:
    """Write the (masked) report atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".csv.partial")
    faults.select(COLUMNS).write_csv(partial)
    os.replace(partial, path)
    return path
