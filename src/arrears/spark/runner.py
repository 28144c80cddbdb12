"""`SparkEngine`: decide a date's book on Spark (see the package's docstring for the steps).

Errors that stop a run before any decision is made raise `SparkUnavailable`, with a `reason` the command line
turns into a sentence: `no_pyspark`, `bad_master`, `no_java`, `start_failed` (the session did not start) and
`job_failed` (a Spark job failed). A date in a year the working-day calendar lacks raises `UnknownYearError`
as the local run does (a worker that meets one reports it as a row instead of failing the job).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from arrears.engine.params import Terms
from arrears.engine.runner import Decisions, decide
from arrears.engine.schema import SCHEMAS, Inputs
from arrears.spark.tagged import FRAME, from_tagged, to_tagged, union_schema
from arrears.workdays import Calendar, UnknownYearError

__all__ = ["MASTER_FORMS", "SparkEngine", "SparkUnavailable", "check_master", "decision_schemas"]

PART = "part"  # the partition of borrowers a row belongs to
UNKNOWN_YEAR = "unknown_year"  # a worker's report of a year the calendar lacks (a row tagged with this name)
BY_LOAN = ("instalments", "allocations")  # frames keyed by loan: they take their loan's borrower's partition
MASTER_FORMS = "local, local[N], local[*], spark://HOST:PORT, yarn, k8s://https://HOST:PORT"
_MASTER = re.compile(
    r"local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?|local-cluster\[[0-9]+, ?[0-9]+, ?[0-9]+\]|spark://\S+|yarn|k8s://\S+"
)
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")  # Spark's log: errors only
LOANS_PER_PART = 250_000  # the default number of partitions gives about this many loans each (a worker's memory)


class SparkUnavailable(RuntimeError):
    """Spark could not decide the date: `reason` says why (see the module doc), `detail` what Spark said."""

    def __init__(self, reason: str, master: str, detail: str = "") -> None:
        self.reason, self.master, self.detail = reason, master, detail
        super().__init__(f"{reason} ({master}): {detail}" if detail else f"{reason} ({master})")


def check_master(master: str) -> None:
    """Refuse a master URL Spark would not understand, before starting a JVM for it."""
    if not _MASTER.fullmatch(master.strip()):
        raise SparkUnavailable("bad_master", master)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def decision_schemas() -> dict[str, dict[str, pl.DataType]]:
    """The decision frames' columns and types (those of a run on an empty book: the kernels' output schema)."""
    empty = decide(Inputs.of(), Terms.of(_default_policy(), date(2000, 1, 3)), None)
    return {name: dict(frame.schema) for name, frame in empty.frames().items()}


def _default_policy():
    from arrears.policy import Policy

    return Policy()


def _spark_type(dtype: pl.DataType):
    from pyspark.sql import types as T

    kinds = {pl.Int64: T.LongType, pl.Int32: T.IntegerType, pl.String: T.StringType, pl.Date: T.DateType}
    kinds[pl.Boolean] = T.BooleanType
    for kind, spark_type in kinds.items():
        if dtype == kind:
            return spark_type()
    raise TypeError(f"no Spark type for {dtype}")


def _arrow_type(dtype: pl.DataType):
    import pyarrow as pa

    kinds = {pl.Int64: pa.int64(), pl.Int32: pa.int32(), pl.String: pa.string(), pl.Date: pa.date32()}
    kinds[pl.Boolean] = pa.bool_()
    for kind, arrow_type in kinds.items():
        if dtype == kind:
            return arrow_type
    raise TypeError(f"no Arrow type for {dtype}")


@dataclass(frozen=True)
class _Kernel:
    """What a worker needs to decide a partition; pickled to the executors (the calendar as plain data)."""

    terms: Terms
    calendar: tuple | None  # (holidays, make-up days, known years, source, overrides)
    union: dict[str, pl.DataType]

    def calendar_object(self) -> Calendar | None:
        if self.calendar is None:
            return None
        holidays, makeup, years, source, overrides = self.calendar
        return Calendar(holidays, makeup, years, source=source, overrides=overrides)

    def __call__(self, table):
        """A tagged Arrow table of a partition's input frames in, its decisions out (tagged Arrow)."""
        return self.frames(from_tagged(pl.from_arrow(table), SCHEMAS))

    def frames(self, frames: dict[str, pl.DataFrame]):
        """A partition's input frames in, its decisions out (tagged Arrow)."""
        import pyarrow as pa

        try:
            decided = decide(Inputs.of(**frames), self.terms, self.calendar_object()).frames()
            tagged = to_tagged(decided, self.union)
        except UnknownYearError as exc:
            tagged = pl.DataFrame({FRAME: [UNKNOWN_YEAR], UNKNOWN_YEAR: [exc.year]}).select(
                (pl.col(c) if c in (FRAME, UNKNOWN_YEAR) else pl.lit(None)).cast(t).alias(c)
                for c, t in self.union.items()
            )
        schema = pa.schema([(column, _arrow_type(dtype)) for column, dtype in self.union.items()])
        return tagged.to_arrow().cast(schema)


def _calendar_data(calendar: Calendar | None) -> tuple | None:
    if calendar is None:
        return None
    return (
        dict(calendar.holidays),
        dict(calendar.makeup_workdays),
        sorted(calendar.known_years),
        calendar.source,
        sorted(calendar.overrides),
    )


def _first_line(exc: BaseException) -> str:
    """What went wrong, in one line: a worker's error is the last line of its traceback, Spark's the first."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if "Traceback (most recent call last)" in str(exc):
        worker = [line for line in lines if re.match(r"[A-Za-z_.]+(Error|Exception)\b", line)]
        if worker:
            return worker[-1][:500]
    if lines[0].startswith("An error occurred while calling") and len(lines) > 1:
        return lines[1].lstrip(": ")[:500]  # py4j: the Java exception and its message follow
    return lines[0][:500]


def export_book(inputs: Inputs, parts: int, directory: Path, *, tagged: bool = False) -> None:
    """The book as Parquet for Spark, each row in its partition of borrowers (`borrower_id mod parts`;
    instalments and allocations go with their loan's borrower): a directory per partition with a file per frame
    (`part-00003/loans.parquet`; a frame without rows there has no file), or with `tagged`, one file per
    partition holding every frame stacked (`tagged`), for Spark to read and group."""
    owner = inputs.loans.select("loan_id", (pl.col("borrower_id") % parts).cast(pl.Int32).alias(PART))
    frames = {}
    for name in inputs.names():
        frame = getattr(inputs, name)
        if name in BY_LOAN:
            frame = frame.join(owner, on="loan_id", how="inner")
        else:
            frame = frame.with_columns((pl.col("borrower_id") % parts).cast(pl.Int32).alias(PART))
        frames[name] = frame.collect()
    if not tagged:
        for name, frame in frames.items():
            for (part,), rows in frame.group_by(PART):
                if part is not None:
                    where = directory / f"part-{part:05d}"
                    where.mkdir(exist_ok=True)
                    rows.drop(PART).write_parquet(where / f"{name}.parquet", statistics=False)
        return
    union = union_schema({**{name: SCHEMAS[name] for name in frames}, PART: {PART: pl.Int32}})
    stacked = to_tagged(frames, union)
    for (part,), rows in stacked.group_by(PART):
        if part is not None:
            rows.write_parquet(directory / f"part-{part:05d}.parquet")


@dataclass
class SparkEngine:
    """Decides dates on Spark: call it as `decide` is called; `close()` (or `with`) stops the session.

    `directory`: where each date's book and decisions are written as Parquet (a path every executor sees at
    the same place); each date's files are removed once read back unless `keep` is set. `parts`: partitions of
    borrowers (default: enough for about `LOANS_PER_PART` loans each, at least twice the cores)."""

    master: str
    directory: Path
    parts: int | None = None
    keep: bool = False
    shuffle: bool = False  # Spark reads the book and groups it by partition (else each task reads its own file)
    start_timeout: float = 120.0  # seconds a cluster has to run its first task (not used on local masters)
    config: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(
        default_factory=dict, init=False
    )  # the last date's phases: export, spark, read_back
    _session: Any = field(default=None, init=False, repr=False)

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None

    def check(self) -> None:
        """What can be known before starting Spark: the master URL's form, pyspark installed, Java found."""
        check_master(self.master)
        try:
            import pyspark  # noqa: F401
        except ImportError as exc:
            raise SparkUnavailable("no_pyspark", self.master, _first_line(exc)) from exc
        if _java() is None:
            raise SparkUnavailable("no_java", self.master)

    def session(self):
        """The Spark session, started on first use; raises SparkUnavailable with the reason it cannot."""
        if self._session is not None:
            return self._session
        self.check()
        from pyspark.sql import SparkSession

        local = self.master.startswith("local")
        settings = {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": "4",
            "spark.driver.memory": "1g",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.log.level": "ERROR",
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}",
        }
        if local:
            # The workers are this interpreter (the same arrears, polars and pyarrow); nothing listens off the box.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            settings |= {
                "spark.pyspark.python": sys.executable,
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
            }
        settings |= self.config
        builder = SparkSession.builder.master(self.master).appName("arrears nightly run")
        for key, value in settings.items():
            builder = builder.config(key, value)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # pyspark's note on pandas 3, which it does not use here
                self._session = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start, or the master refused us
            raise SparkUnavailable("start_failed", self.master, _first_line(exc)) from exc
        if not local:
            self._first_task()
        return self._session

    def _first_task(self) -> None:
        """A cluster that never runs a task (no master listening, no workers, too little memory free) would
        leave the run waiting: a one-task job must finish within `start_timeout` seconds, or the run stops."""
        outcome: dict[str, BaseException | bool] = {}

        def probe() -> None:
            try:
                self._session.range(1).count()
                outcome["done"] = True
            except Exception as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=probe, name="spark-probe", daemon=True)
        worker.start()
        worker.join(self.start_timeout)
        if "done" in outcome:
            return
        error = outcome.get("error")
        if error is None:
            self._session.sparkContext.cancelAllJobs()
        self.close()
        detail = _first_line(error) if error is not None else f"no executor ran a task within {self.start_timeout} s"
        raise SparkUnavailable("start_failed", self.master, detail)

    def __call__(self, inputs: Inputs, terms: Terms, calendar: Calendar | None = None) -> Decisions:
        spark = self.session()
        run_dir = Path(self.directory) / f"run-{terms.as_of}-{uuid.uuid4().hex[:8]}"
        try:
            return self._decide(spark, inputs, terms, calendar, run_dir)
        except (SparkUnavailable, UnknownYearError):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                raise SparkUnavailable("job_failed", self.master, _first_line(exc)) from exc
            raise
        finally:
            if not self.keep:
                shutil.rmtree(run_dir, ignore_errors=True)

    def _parts(self, spark, inputs: Inputs) -> int:
        if self.parts:
            return self.parts
        loans = inputs.loans.select(pl.len()).collect().item()
        return max(2 * spark.sparkContext.defaultParallelism, -(-loans // LOANS_PER_PART))

    def _by_file(self, spark, book: Path, out: Path, parts: int, kernel: _Kernel) -> None:
        """One task per partition of borrowers: it reads its partition's Parquet file, decides it and writes
        the decisions' Parquet file (Spark schedules, retries and spreads the tasks; no shuffle)."""
        from pyspark.sql import functions as F

        out.mkdir(parents=True, exist_ok=True)
        book_dir, out_dir = str(book), str(out)

        def decide_files(batches):
            import pyarrow as pa
            import pyarrow.parquet as pq

            for batch in batches:
                for part in batch.column(0).to_pylist():
                    source = Path(book_dir) / f"part-{part:05d}"
                    if not source.exists():  # no borrower of the book falls in this partition
                        continue
                    frames = {
                        name: pl.read_parquet(source / f"{name}.parquet")
                        for name in SCHEMAS
                        if (source / f"{name}.parquet").exists()
                    }
                    table = kernel.frames(frames)
                    pq.write_table(table, Path(out_dir) / f"part-{part:05d}.parquet")
                    yield pa.RecordBatch.from_arrays(
                        [pa.array([part], pa.int32()), pa.array([table.num_rows], pa.int64())], names=[PART, "rows"]
                    )

        ids = spark.range(parts, numPartitions=parts).select(F.col("id").cast("int").alias(PART))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pyspark's note on pandas 3 (pandas is not used)
            ids.mapInArrow(decide_files, schema=f"{PART} int, rows long").collect()

    def _shuffled(self, spark, book: Path, out: Path, parts: int, in_union, out_union, kernel: _Kernel) -> None:
        """Spark reads the book, groups it by partition of borrowers (a shuffle) and hands each group to the
        kernels as Arrow (`applyInArrow`); Spark writes the decisions."""
        from pyspark.sql import types as T

        stacked = spark.read.schema(
            T.StructType(
                [T.StructField(c, _spark_type(t)) for c, t in in_union.items()] + [T.StructField(PART, T.IntegerType())]
            )
        ).parquet(str(book))
        result_type = T.StructType([T.StructField(c, _spark_type(t)) for c, t in out_union.items()])
        grouped = stacked.repartition(min(parts, 200), PART).groupBy(PART)

        def decide_partition(table):  # a plain function: Spark reads its signature (one argument: no key)
            return kernel(table.drop_columns([PART]))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pyspark's note on pandas 3 (pandas is not used)
            decided = grouped.applyInArrow(decide_partition, schema=result_type)
        decided.write.mode("overwrite").parquet(str(out))

    def _decide(self, spark, inputs: Inputs, terms: Terms, calendar: Calendar | None, run_dir: Path) -> Decisions:
        book, out = run_dir / "book", run_dir / "decisions"
        book.mkdir(parents=True)
        parts = self._parts(spark, inputs)
        in_union = union_schema(SCHEMAS)
        decisions = decision_schemas()
        out_union = union_schema({**decisions, UNKNOWN_YEAR: {UNKNOWN_YEAR: pl.Int32}})
        kernel = _Kernel(terms, _calendar_data(calendar), out_union)
        clock = time.perf_counter()
        export_book(inputs, parts, book, tagged=self.shuffle)
        self.seconds = {"export": time.perf_counter() - clock}
        clock = time.perf_counter()
        if self.shuffle:
            self._shuffled(spark, book, out, parts, in_union, out_union, kernel)
        else:
            self._by_file(spark, book, out, parts, kernel)
        self.seconds["spark"] = time.perf_counter() - clock
        clock = time.perf_counter()
        files = sorted(out.glob("part-*.parquet"))
        tagged = pl.read_parquet(files) if files else pl.DataFrame(schema=out_union)
        errors = tagged.filter(pl.col(FRAME) == UNKNOWN_YEAR)
        if errors.height:
            raise UnknownYearError(int(errors[UNKNOWN_YEAR].min()))
        result = Decisions(**from_tagged(tagged, decisions))
        self.seconds["read_back"] = time.perf_counter() - clock
        return result
