"""Benchmark of the nightly run's decisions on Apache Spark (`arrears.spark`) against the engine in this process.

    .venv/bin/python bench/spark_run.py                               # 1,000,000 loans, local[2]
    .venv/bin/python bench/spark_run.py --loans 200000 --master local[2] --parts 8 --due-soon 0.12

One synthetic book (the generator of `engine_kernel.py`: vectorised, seeded) is decided by
`arrears.engine.runner.decide` in this process and by `arrears.spark.runner.SparkEngine` on --master, the same
calendar and terms; the Spark decisions are checked equal to the local ones, frame for frame and row for row
(order aside), and the figures printed: the local decide (best of --repeat), the Spark session's start, and
each Spark run (the first pays the Python workers' start and imports), split into the book's export to Parquet,
the Spark job and reading the decisions back, as far as the engine reports them (total wall time here). The
load average is printed beside the figures. Needs the spark extra (pyspark) and Java 17. Nothing is asserted
but equality.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from engine_kernel import AS_OF, generate

from arrears.engine.params import Terms
from arrears.engine.runner import decide
from arrears.engine.schema import Inputs
from arrears.policy import Policy
from arrears.spark.runner import SparkEngine
from arrears.workdays import default_calendar


def _same(local, spark) -> list[str]:
    differ = []
    for name, mine in local.frames().items():
        theirs = spark.frames()[name]
        if not theirs.sort(theirs.columns, nulls_last=True).equals(mine.sort(mine.columns, nulls_last=True)):
            differ.append(f"{name} ({theirs.height} rows on Spark, {mine.height} here)")
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    parser.add_argument("--due-soon", type=float, default=0.12, help="as engine_kernel.py (default 0.12, ordinary)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--parts", type=int, default=None, help="partitions of borrowers (default: the engine's)")
    parser.add_argument("--spark-dir", type=Path, default=None, help="for the Parquet (default: a temporary dir)")
    parser.add_argument("--shuffle", action="store_true", help="Spark reads the book and groups it (applyInArrow)")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    print(f"load average at start: {os.getloadavg()}; polars threads {pl.thread_pool_size()}")
    terms, calendar = Terms.of(Policy(), args.as_of), default_calendar()
    started = time.perf_counter()
    inputs = Inputs.of(**generate(args.loans, args.seed, args.as_of, args.due_soon))
    print(f"{args.loans:,} loans generated in {time.perf_counter() - started:.1f} s")

    local_runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        local = decide(inputs, terms, calendar)
        local_runs.append(time.perf_counter() - started)
    best = min(local_runs)
    print(f"local decide: {', '.join(f'{s:.2f}' for s in local_runs)} s; best {args.loans / best:,.0f} loans/s")

    with tempfile.TemporaryDirectory(prefix="arrears-spark-") as scratch:
        engine = SparkEngine(args.master, args.spark_dir or Path(scratch), args.parts, shuffle=args.shuffle)
        with engine:
            started = time.perf_counter()
            engine.session()
            print(f"spark session ({args.master}) started in {time.perf_counter() - started:.1f} s")
            spark_runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                spark = engine(inputs, terms, calendar)
                spark_runs.append(time.perf_counter() - started)
                print("  spark run: " + ", ".join(f"{k} {v:.2f} s" for k, v in engine.seconds.items()))
            parts = engine.parts or engine._parts(engine.session(), inputs)
    best_spark = min(spark_runs)
    print(
        f"spark decide ({parts} partitions of borrowers): {', '.join(f'{s:.2f}' for s in spark_runs)} s; "
        f"best {args.loans / best_spark:,.0f} loans/s ({best_spark / best:.1f}× the local decide)"
    )
    differ = _same(local, spark)
    print("decisions: " + ("equal to the local run, every frame" if not differ else "DIFFER: " + ", ".join(differ)))
    print(f"load average at end: {os.getloadavg()}")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
