"""Weighted figures from count tables and cell weights (pure): shares, means, design-based standard errors.

Every answer of a cell carries the cell's weight (:mod:`consult.analysis.weighting`), so the weighted counts
are the counts times the weights. The standard error linearises the weighted ratio with the residuals of the
calibration (Deville and Sarndal): ``v = sum_i w_i^2 e_i^2 / (sum_i w_i)^2`` where ``e_i`` is the answer's
deviation from the estimate less its fitted value on the calibration groups. For post-stratification those
groups are the cells, and this is the textbook ``sum_h W_h^2 p_h (1 - p_h) / n_h``; for raking they are the
categories of each dimension. The design effect and the effective sample size are Kish's, of the weights of
the units the figure rests on (answers for an item, respondents for a section):
``deff = n sum w^2 / (sum w)^2`` and ``n_eff = n / deff``. The interval of a weighted share is Wilson's at the
effective size ``p (1 - p) / se^2`` (Kish's when the share is 0 or 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from consult.analysis.stats import wilson_interval


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float


@dataclass(frozen=True)
class WeightedFigures:
    mean: float | None
    favourable: float | None
    favourable_ci: tuple[float, float] | None
    se: float | None
    mean_se: float | None
    deff: float | None
    n_effective: float | None

    def json(self) -> dict:
        return {
            "mean": self.mean,
            "favourable": self.favourable,
            "favourable_ci": list(self.favourable_ci) if self.favourable_ci else None,
            "se": self.se,
            "mean_se": self.mean_se,
            "deff": self.deff,
            "n_effective": self.n_effective,
        }


def weighted_estimate(
    counts: np.ndarray, values: np.ndarray, weights: np.ndarray, design: np.ndarray
) -> Estimate | None:
    """The weighted mean of ``values`` over answers counted per cell (``counts``: cells x values), with its
    linearised standard error; None without answers."""
    answers = counts.sum(axis=1).astype(np.float64)
    mass = weights * answers
    total = mass.sum()
    if total <= 0:
        return None
    sums = counts @ values
    estimate = float((weights * sums).sum() / total)
    residual = sums - answers * estimate
    fitted = _fitted(design, mass, weights * residual)
    squares = counts @ (values - estimate) ** 2 - 2 * fitted * residual + answers * fitted**2
    variance = float((weights**2 * np.maximum(squares, 0)).sum() / total**2)
    return Estimate(estimate, variance**0.5)


def _fitted(design: np.ndarray, mass: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per cell, the calibration fit of the residuals: weighted least squares on the design's columns."""
    used = design[:, (design * mass[:, None]).sum(axis=0) > 0]
    if used.shape[1] == 0:
        return np.zeros(len(mass))
    normal = used.T @ (used * mass[:, None])
    coefficients = np.linalg.lstsq(normal, used.T @ target, rcond=None)[0]
    return used @ coefficients


def kish(units: np.ndarray, weights: np.ndarray) -> tuple[float | None, float | None]:
    """(design effect, effective sample size) of ``units`` per cell weighted by ``weights``."""
    n = units.sum()
    total, squares = (units * weights).sum(), (units * weights**2).sum()
    if n <= 0 or total <= 0:
        return None, None
    deff = float(n * squares / total**2)
    return deff, float(n / deff)


def figures(
    counts: np.ndarray,
    favourable: Sequence[int],
    weights: np.ndarray,
    design: np.ndarray,
    units: np.ndarray,
) -> WeightedFigures | None:
    """Weighted figures of answers counted per cell and scale point (``counts``: cells x points)."""
    points = counts.shape[1]
    liked = np.array([1.0 if value in favourable else 0.0 for value in range(1, points + 1)])
    share = weighted_estimate(counts, liked, weights, design)
    if share is None:
        return None
    mean = weighted_estimate(counts, np.arange(1, points + 1, dtype=np.float64), weights, design)
    deff, n_effective = kish(units, weights)
    return WeightedFigures(
        mean.value, share.value, _interval(share, n_effective), share.se, mean.se, deff, n_effective
    )


def _interval(share: Estimate, n_effective: float | None) -> tuple[float, float] | None:
    p = share.value
    size = p * (1 - p) / share.se**2 if share.se > 0 and 0 < p < 1 else n_effective
    if not size:
        return None
    return _wilson(p, size)


def _wilson(p: float, n: float) -> tuple[float, float] | None:
    interval = wilson_interval(p * n, n)
    return None if interval is None else (float(interval[0]), float(interval[1]))
