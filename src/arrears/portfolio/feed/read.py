"""Reading a feed directory: which files, their digest, and each file as a polars frame of raw text.

How this works
--------------
* `discover()` finds the seven feed files (`.csv` or `.parquet`, not both); `borrowers` and `loans` must be
  there. Anything else in the directory is reported, never silently ignored (hidden files excepted).
* `feed_digest()` is SHA-256 over the sorted file names and their bytes: the feed's identity with its date.
* `read_file()` turns one file into a frame whose every column is `String`, so validation sees the text the
  bank sent: a CSV is read as strings (never type-inferred); a Parquet file's columns are cast to their text
  form (decimal128 keeps its digits, date32 becomes ISO). A fault of the whole file — not UTF-8, a missing or
  unknown column, a float amount column in Parquet, unparseable CSV — rejects the file with one report line
  per fault and no frame. Values are stripped of surrounding blanks; an empty value is null.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from arrears.portfolio.feed.schema import REQUIRED_FILES, SPECS, SUFFIXES, FileSpec, Kind

BOM = b"\xef\xbb\xbf"
ROW = "_row"  # 1-based data row number (the header is row 0)


class FeedError(Exception):
    """The feed as a whole cannot be imported (no directory, no borrowers or loans file, …)."""


@dataclass(frozen=True)
class Fault:
    """One line of the rejection report, before masking."""

    file: str
    row: int | None
    key: str
    field: str
    value: str
    reason: str


@dataclass
class FeedFile:
    spec: FileSpec
    path: Path
    frame: pl.DataFrame | None = None  # None: the whole file was rejected
    rows: int = 0
    faults: list[Fault] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def discover(directory: Path) -> tuple[dict[str, Path], list[Fault]]:
    """The feed files of `directory` by logical name, and a fault for each other file found there."""
    if not directory.exists():
        raise FeedError(f"feed directory {directory} does not exist")
    if not directory.is_dir():
        raise FeedError(f"{directory} is not a directory; give the directory that holds the feed files")
    found: dict[str, Path] = {}
    strays: list[Fault] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        stem, suffix = path.name.rsplit(".", 1)[0], "." + path.name.rsplit(".", 1)[-1].lower()
        if stem in SPECS and suffix in SUFFIXES:
            if stem in found:
                raise FeedError(f"the feed has both {found[stem].name} and {path.name}; send one of them")
            found[stem] = path
        else:
            strays.append(
                Fault(
                    path.name,
                    None,
                    "",
                    "",
                    "",
                    "not a feed file (borrowers, contacts, loans, schedules, payments, delinquency_history or holds, "
                    ".csv or .parquet); not loaded",
                )
            )
    missing = [name for name in REQUIRED_FILES if name not in found]
    if missing:
        raise FeedError(
            f"no {' and no '.join(missing)} file in {directory}; a feed needs borrowers and loans (.csv or .parquet)"
        )
    return {spec: found[spec] for spec in SPECS if spec in found}, strays


def feed_digest(paths: dict[str, Path]) -> str:
    """SHA-256 over the sorted file names and contents (each name and length is framed, so files cannot
    run into one another)."""
    digest = hashlib.sha256()
    for path in sorted(paths.values(), key=lambda p: p.name):
        size = path.stat().st_size
        digest.update(path.name.encode() + b"\0" + size.to_bytes(8, "big"))
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                digest.update(chunk)
    return digest.hexdigest()


def read_file(spec: FileSpec, path: Path) -> FeedFile:
    """One feed file as raw text columns plus `_row`; or, if the file as a whole is faulty, its faults."""
    out = FeedFile(spec, path)
    raw = path.read_bytes()
    frame = _read_csv(out, raw) if path.suffix.lower() == ".csv" else _read_parquet(out, raw)
    del raw
    if frame is None:
        return out
    out.rows = frame.height
    header = list(frame.columns)
    out.faults.extend(column_faults(spec, path.name, header))
    if out.faults:
        return out
    out.frame = as_text(spec, frame)
    return out


def as_text(spec: FileSpec, frame: pl.DataFrame, first_row: int = 1) -> pl.DataFrame:
    """The file's columns (or a chunk's, whose first row is `first_row`) as validation sees them: stripped
    text, empty as null, optional columns left out added empty, and the row number `_row`."""
    for column in spec.columns:
        if column.name not in frame.columns:  # an optional column left out: every value empty
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column.name))
    text = [pl.col(name).str.strip_chars() for name in spec.names]
    return (
        frame.select(pl.when(t.str.len_bytes() > 0).then(t).alias(n) for t, n in zip(text, spec.names, strict=True))
        .with_row_index(ROW, offset=first_row)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


def _fault(out: FeedFile, row: int | None, column: str, reason: str, value: str = "") -> None:
    out.faults.append(Fault(out.name, row, "", column, value, reason))


def _read_csv(out: FeedFile, raw: bytes) -> pl.DataFrame | None:
    skip = len(BOM) if raw.startswith(BOM) else 0
    end = raw.find(b"\n", skip)
    try:
        first = raw[skip : end if end >= 0 else len(raw)].decode("utf-8")
    except UnicodeDecodeError:
        return _not_utf8(out, raw, skip)
    header = [name.strip() for name in next(csv.reader([first]), [])]
    if not any(header):
        _fault(out, 0, "", "the file is empty; it needs at least the header row")
        return None
    if len(set(header)) != len(header):
        for name in sorted({n for n in header if header.count(n) > 1}):
            _fault(out, 0, name, f"column {name} appears more than once in the header")
        return None
    try:  # polars checks UTF-8 itself; the file is decoded in Python only to locate a bad byte
        return pl.read_csv(raw, infer_schema=False, new_columns=header)  # polars skips the BOM itself
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError) as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            return _not_utf8(out, raw, skip)
        out.rows = _data_lines(raw)
        _fault(out, _ragged_row(raw[skip:], len(header)), "", _csv_reason(exc))
        return None


def _not_utf8(out: FeedFile, raw: bytes, skip: int) -> None:
    try:
        raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
    else:  # polars refused what Python accepts: report it without a position
        offset = None
    out.rows = _data_lines(raw)
    if offset is None:
        _fault(out, None, "", "not valid UTF-8; the file was not loaded — save it as UTF-8")
        return None
    line = raw.count(b"\n", 0, offset) + 1
    _fault(
        out,
        line - 1,
        "",
        f"not valid UTF-8: byte 0x{raw[offset]:02x} at offset {offset} (line {line}); "
        "the file was not loaded — save it as UTF-8",
    )
    return None


def _data_lines(raw: bytes) -> int:
    """Rows of a file that could not be parsed, counted as lines after the header (for the summary)."""
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    return max(lines - 1, 0)


def _csv_reason(exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "more fields" in message:
        return "a row has more fields than the header (check commas and quotes); the file was not loaded"
    return f"cannot be read as CSV ({message}); the file was not loaded"


def _ragged_row(raw: bytes, width: int) -> int | None:
    """Error path only: the first data row with more fields than the header, for the report."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace")))
    for number, record in enumerate(reader):
        if len(record) > width:
            return number
    return None


_FLOATS = (pl.Float32, pl.Float64)


def _read_parquet(out: FeedFile, raw: bytes) -> pl.DataFrame | None:
    try:
        frame = pl.read_parquet(io.BytesIO(raw))
    except Exception as exc:  # any reader failure rejects this one file, and is reported
        _fault(out, 0, "", f"cannot be read as Parquet ({str(exc).splitlines()[0][:200]}); the file was not loaded")
        return None
    out.rows = frame.height
    casts = parquet_casts(out, frame.schema)
    if out.faults:
        return None
    return frame.select(casts)


def parquet_casts(out: FeedFile, schema) -> list[pl.Expr]:
    """Each Parquet column as text (see the module doc); a column of a type the feed cannot carry is a fault."""
    known = {c.name: c for c in out.spec.columns}
    casts = []
    for name, dtype in schema.items():
        column = known.get(name)
        if column is None:
            casts.append(pl.col(name))  # reported as an unknown column by the caller
            continue
        if column.kind in (Kind.AMOUNT, Kind.RATE) and dtype in _FLOATS:
            _fault(
                out,
                0,
                name,
                f"{name} is a floating-point column ({dtype}); send amounts and rates as decimal128 or text — "
                "a float cannot carry a fen exactly",
            )
        elif dtype == pl.Date:
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            casts.append(
                pl.when(pl.col(name)).then(pl.lit("true")).when(~pl.col(name)).then(pl.lit("false")).alias(name)
            )
        elif dtype in (pl.String, pl.Categorical) or dtype.is_integer() or dtype.is_decimal() or dtype in _FLOATS:
            casts.append(pl.col(name).cast(pl.String))
        else:
            _fault(out, 0, name, f"{name} has type {dtype}, which the feed does not use; send text, a number or a date")
    return casts


def column_faults(spec: FileSpec, file: str, header: list[str]) -> list[Fault]:
    faults = [
        Fault(file, 0, "", name, "", f"required column {name} is missing; the file was not loaded")
        for name in spec.required
        if name not in header
    ]
    faults += [
        Fault(
            file,
            0,
            "",
            name,
            "",
            f"unknown column {name} (the {spec.name} file has {', '.join(spec.names)}); the file was not loaded",
        )
        for name in header
        if name not in spec.names
    ]
    return faults
