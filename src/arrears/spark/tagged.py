"""Many frames as one: the tagged union that carries a partition's frames through Spark and back.

Spark hands a grouped function one Arrow table per group, so the fifteen input frames of a partition of
borrowers (and the eleven decision frames it returns) travel as one table: a `frame` column naming the frame
each row belongs to, and the union of the frames' columns (a column shared by several frames has one type in
all of them; a row leaves the columns of other frames null). Pure polars; no Spark here.
"""

from __future__ import annotations

import polars as pl

__all__ = ["FRAME", "from_tagged", "to_tagged", "union_schema"]

FRAME = "frame"  # the tag column: the name of the frame a row belongs to


def union_schema(schemas: dict[str, dict[str, pl.DataType]]) -> dict[str, pl.DataType]:
    """Every column of every frame, once, after the tag; raises ValueError if two frames type a column apart."""
    union: dict[str, pl.DataType] = {FRAME: pl.String}
    for name, schema in schemas.items():
        for column, dtype in schema.items():
            if column == FRAME:
                raise ValueError(f"frame {name!r} has a column named {FRAME!r}, the tag's name")
            if union.setdefault(column, dtype) != dtype:
                raise ValueError(f"column {column!r} is {union[column]} in one frame and {dtype} in {name!r}")
    return union


def to_tagged(frames: dict[str, pl.DataFrame], union: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frames stacked into one table of the `union` schema, each row tagged with its frame's name."""
    parts = []
    for name, frame in frames.items():
        parts.append(
            frame.select(
                pl.lit(name, pl.String).alias(FRAME),
                *(
                    (pl.col(column) if column in frame.columns else pl.lit(None)).cast(dtype).alias(column)
                    for column, dtype in union.items()
                    if column != FRAME
                ),
            )
        )
    if not parts:
        return pl.DataFrame(schema=union)
    return pl.concat(parts, how="vertical", rechunk=False)


def from_tagged(tagged: pl.DataFrame, schemas: dict[str, dict[str, pl.DataType]]) -> dict[str, pl.DataFrame]:
    """The frames back out of a tagged table (a frame with no rows comes back empty, with its columns)."""
    groups = {key[0]: group for key, group in tagged.group_by(FRAME)} if tagged.height else {}
    frames = {}
    for name, schema in schemas.items():
        group = groups.get(name)
        if group is None:
            frames[name] = pl.DataFrame(schema=schema)
        else:
            frames[name] = group.select(pl.col(column).cast(dtype) for column, dtype in schema.items())
    return frames
