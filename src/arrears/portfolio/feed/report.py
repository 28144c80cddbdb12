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
    return var_dir / stored_path(business_date, digest)


def stored_path(business_date: date, digest: str) -> Path:
    """The report's path as `FeedLoad.report_path` keeps it: relative to ARREARS_VAR, so a restore into
    another ARREARS_VAR still finds it."""
    return Path("feeds") / business_date.isoformat() / digest[:12] / "rejections.csv"


def relative(stored: str) -> str:
    """A stored report path relative to ARREARS_VAR: as stored, or — an absolute path kept before paths were
    relative, perhaps naming another ARREARS_VAR — from its `feeds/<date>/<digest>/` part."""
    path = Path(stored)
    if not path.is_absolute():
        return stored
    parts = path.parts
    return str(Path(*parts[-4:])) if len(parts) >= 5 and parts[-4] == "feeds" else stored


def resolve(stored: str, var_dir: Path) -> Path | None:
    """Where the stored report path is under `var_dir` (settings.VAR_DIR); None when nothing is stored."""
    if not stored:
        return None
    return var_dir / relative(stored)


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
