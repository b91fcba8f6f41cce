"""Score inputs of the solver, normalised: dense rows in blocks, or an explicit arc list.

Every input becomes one of two internal sources:

* ``BlockSource`` (a dense ndarray or a ``ScoreBlocks``): rows are read a block at a time,
  as float64 with every disallowed pair set to ``-inf``, so the solver never holds n x m.
* ``ArcSource`` (a scipy.sparse matrix or ``Candidates``): the listed entries are the only
  allowed pairs, so the whole graph is known up front and needs no pricing.

Forbidden pairs, ``min_score`` and non-finite scores are applied here, once, so the solvers
only ever see ``-inf`` (dense) or a missing arc (sparse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

# A block of about this many scores keeps a float64 block and its reduced costs near 32 MB.
BLOCK_ELEMENTS = 1 << 22

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ScoreBlocks:
    """Scores produced on demand, a block of rows at a time (the n x m matrix is never held).

    ``block(rows)`` gets a ``slice`` of mentee rows and returns a (rows, m) array of scores
    (NaN or -inf for forbidden pairs). It is called several times per row (once for the
    candidates, once per pricing round), so it must be deterministic.
    """

    n: int
    m: int
    block: Callable[[slice], Any]


@dataclass(frozen=True)
class Candidates:
    """An explicit list of allowed pairs and their scores (only these pairs may be chosen)."""

    shape: tuple[int, int]
    row: Any
    col: Any
    data: Any

    def tocoo(self) -> Candidates:
        """The same shape as a scipy COO matrix, so both are read the same way."""
        return self


def _pair_keys(pairs: Iterable[Any], n: int, m: int, name: str) -> IntArray:
    """(row, col) pairs as sorted unique keys row * m + col; out-of-range pairs are errors."""
    arr = np.asarray(list(pairs), dtype=np.int64)
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name}: expected (row, col) pairs")
    bad = (arr[:, 0] < 0) | (arr[:, 0] >= n) | (arr[:, 1] < 0) | (arr[:, 1] >= m)
    if bad.any():
        r, c = arr[np.flatnonzero(bad)[0]]
        raise ValueError(f"{name}: pair ({r}, {c}) is outside the {n} x {m} score matrix")
    return np.unique(arr[:, 0] * m + arr[:, 1])


def mask_keys(block: FloatArray, keys: IntArray, r0: int, r1: int, m: int, value: float = -np.inf) -> None:
    """Set the pairs of ``keys`` that fall in rows r0..r1 to ``value`` (-inf: disallowed), in place."""
    if keys.size == 0:
        return
    lo, hi = np.searchsorted(keys, [r0 * m, r1 * m])
    if hi > lo:
        block.reshape(-1)[keys[lo:hi] - r0 * m] = value


class BlockSource:
    """Dense scores read in row blocks, disallowed pairs as -inf."""

    def __init__(self, n: int, m: int, read: Callable[[int, int], Any], forbidden_mask: Any,
                 forbidden_keys: IntArray, min_score: float | None) -> None:
        self.n, self.m = n, m
        self._read = read
        self._mask = forbidden_mask
        self._keys = forbidden_keys
        self._min = min_score
        self.rows_per_block = max(1, BLOCK_ELEMENTS // max(m, 1))

    def rows(self, r0: int, r1: int) -> FloatArray:
        """Rows r0..r1 as a fresh float64 array, disallowed pairs -inf."""
        raw = np.asarray(self._read(r0, r1))
        if raw.shape != (r1 - r0, self.m):
            raise ValueError(f"scores: a block of rows {r0}..{r1} has shape {raw.shape}, "
                             f"expected {(r1 - r0, self.m)}")
        s = np.array(raw, dtype=np.float64, copy=True, order="C")
        nan = np.isnan(s)
        if nan.any():
            s[nan] = -np.inf
        if s.size and s.max() == np.inf:
            raise ValueError("scores: +inf is not a score (use NaN or -inf for a forbidden pair)")
        if self._mask is not None:
            s[self._mask[r0:r1]] = -np.inf
        mask_keys(s, self._keys, r0, r1, self.m)
        if self._min is not None:
            s[s < self._min] = -np.inf
        return s

    def blocks(self) -> Iterator[tuple[int, int, FloatArray]]:
        """Every row once, in order: (r0, r1, rows)."""
        for r0 in range(0, self.n, self.rows_per_block):
            r1 = min(self.n, r0 + self.rows_per_block)
            yield r0, r1, self.rows(r0, r1)

    def score(self, r: int, c: int) -> float:
        """One pair's score (-inf when disallowed)."""
        return float(self.rows(r, r + 1)[0, c])


class ArcSource:
    """An explicit list of allowed arcs (sorted by key, unique, finite scores)."""

    def __init__(self, n: int, m: int, rows: IntArray, cols: IntArray, vals: FloatArray) -> None:
        self.n, self.m = n, m
        self.rows, self.cols, self.vals = rows, cols, vals
        self.keys = rows * m + cols

    def score(self, r: int, c: int) -> float:
        i = int(np.searchsorted(self.keys, r * self.m + c))
        if i < self.keys.size and self.keys[i] == r * self.m + c:
            return float(self.vals[i])
        return -np.inf


Source = BlockSource | ArcSource


def make_source(scores: Any, forbidden: Any, min_score: float | None) -> Source:
    """Normalise ``scores`` (+ ``forbidden`` and ``min_score``) into a source; errors name the argument."""
    if min_score is not None and not np.isfinite(min_score):
        raise ValueError("min_score: expected a finite number or None")
    if isinstance(scores, ScoreBlocks):
        n, m = int(scores.n), int(scores.m)
        if n < 0 or m < 0:
            raise ValueError("scores: ScoreBlocks needs n >= 0 and m >= 0")
        block = scores.block

        def read(r0: int, r1: int) -> Any:
            return block(slice(r0, r1))
    elif hasattr(scores, "tocoo"):
        return _arc_source(scores, forbidden, min_score)
    else:
        dense = np.asarray(scores)
        if dense.ndim != 2:
            raise ValueError(f"scores: expected a 2-D (mentees x mentors) matrix, got {dense.ndim} dimension(s)")
        if not np.issubdtype(dense.dtype, np.number) or np.iscomplexobj(dense):
            raise ValueError(f"scores: expected real numbers, got dtype {dense.dtype}")
        n, m = dense.shape

        def read(r0: int, r1: int) -> Any:
            return dense[r0:r1]
    mask, keys = _forbidden(forbidden, n, m)
    return BlockSource(n, m, read, mask, keys, min_score)


def _forbidden(forbidden: Any, n: int, m: int) -> tuple[Any, IntArray]:
    """A (n, m) bool mask, or sorted keys of forbidden pairs."""
    if forbidden is None:
        return None, np.zeros(0, np.int64)
    if isinstance(forbidden, np.ndarray) and forbidden.dtype == np.bool_:
        if forbidden.shape != (n, m):
            raise ValueError(f"forbidden: mask has shape {forbidden.shape}, expected {(n, m)}")
        return forbidden, np.zeros(0, np.int64)
    return None, _pair_keys(forbidden, n, m, "forbidden")


def _arc_source(scores: Any, forbidden: Any, min_score: float | None) -> ArcSource:
    coo = scores.tocoo()
    n, m = (int(x) for x in coo.shape)
    rows = np.asarray(coo.row, dtype=np.int64).ravel()
    cols = np.asarray(coo.col, dtype=np.int64).ravel()
    vals = np.asarray(coo.data, dtype=np.float64).ravel()
    if not rows.size == cols.size == vals.size:
        raise ValueError("scores: row, col and data of the sparse scores differ in length")
    if rows.size and (rows.min() < 0 or rows.max() >= n or cols.min() < 0 or cols.max() >= m):
        raise ValueError(f"scores: a listed pair is outside the {n} x {m} shape")
    if np.isposinf(vals).any():
        raise ValueError("scores: +inf is not a score (use NaN or -inf for a forbidden pair)")
    keys = rows * m + cols
    order = np.argsort(keys, kind="stable")
    keys, vals = keys[order], vals[order]
    if keys.size > 1 and (np.diff(keys) == 0).any():
        dup = int(keys[np.flatnonzero(np.diff(keys) == 0)[0]])
        raise ValueError(f"scores: pair ({dup // m}, {dup % m}) is listed twice")
    ok = np.isfinite(vals)
    if min_score is not None:
        ok &= vals >= min_score
    mask, fkeys = _forbidden(forbidden, n, m)
    r, c = keys // m, keys % m
    if mask is not None:
        ok &= ~mask[r, c]
    if fkeys.size:
        ok &= ~np.isin(keys, fkeys)
    return ArcSource(n, m, r[ok], c[ok], vals[ok])
