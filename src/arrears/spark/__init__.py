"""The nightly run's decisions on Apache Spark: the engine's kernels, unchanged, applied per partition of
borrowers on a cluster (or on `local[N]`).

How a date runs (`runner.SparkEngine`):

1. the driver writes the frames the shell read (`arrears.daily.read`) as Parquet under the run's directory
   (`--spark-dir`: a path every executor sees at the same place: a shared file system);
2. Spark reads them, gives every row its partition of borrowers (`borrower_id mod parts`; instalments and
   allocations take their loan's borrower), and stacks the frames into one tagged table (`tagged`);
3. `groupBy(partition).applyInArrow` hands each partition's rows, as Arrow, to a Python worker, which turns
   them into the engine's `Inputs` (polars reads Arrow without copying), calls `arrears.engine.runner.decide`
   and returns the decision frames, tagged, as Arrow;
4. Spark writes the decisions as Parquet; the driver reads them back into the `Decisions` that the local run's
   apply step consumes.

No kernel looks across borrowers, so the union of the partitions' decisions is the whole book's, row for row.
The executors need Python with arrears (and polars, pyarrow) installed, and Java 17 for Spark 4. pyspark is
an optional dependency (`pip install arrears[spark]`): nothing here imports it until a run starts.
"""
