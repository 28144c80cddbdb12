"""Small vectorised drawing helpers shared by the demo generator's modules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

__all__ = ["choice", "gather", "keep"]


def choice(rng: np.random.Generator, n: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """`n` indices into `weights`, drawn with probabilities proportional to them."""
    p = np.asarray(weights, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def gather(values: Sequence[str], index: np.ndarray) -> pl.Series:
    """The strings `values[index]` as a polars Series."""
    return pl.Series(values, dtype=pl.String).gather(index)


def keep(mask: np.ndarray, values: pl.Series) -> pl.Series:
    """`values` where `mask` holds, null elsewhere."""
    return pl.select(pl.when(pl.Series(mask)).then(values).otherwise(None)).to_series().rename(values.name)
