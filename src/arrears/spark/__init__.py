"""The nightly run's decisions on Apache Spark: the engine's kernels, unchanged, applied per partition of
borrowers on a cluster (or on `local[N]`).

How a date runs (`runner.SparkEngine`):

1. the driver writes the frames the shell read (`arrears.daily.read`) as Parquet under the run's directory
   (`--spark-dir`: a path every executor sees at the same place: a shared file system), stacked into one
   tagged table (`tagged`), one file per partition of borrowers (`borrower_id mod parts`; instalments and
   allocations go with their loan's borrower);
2. Spark runs one task per partition (`mapInArrow` over the partitions' numbers): the task reads its
   partition's file as Arrow, turns it into the engine's `Inputs` (polars reads Arrow without copying), calls
   `arrears.engine.runner.decide` and writes the decision frames, tagged, as that partition's Parquet file;
   Spark schedules the tasks on the executors and retries a failed one;
3. the driver reads the decisions back into the `Decisions` that the local run's apply step consumes.

With `shuffle=True` Spark reads the book itself and groups it by partition (`groupBy(part).applyInArrow`, a
shuffle), and writes the decisions: the same result, slower on a small cluster (see bench/README.md).

No kernel looks across borrowers, so the union of the partitions' decisions is the whole book's, row for row.
The executors need Python with arrears (and polars, pyarrow) installed, and Java 17 for Spark 4. pyspark is
an optional dependency (`pip install arrears[spark]`): nothing here imports it until a run starts.
"""
