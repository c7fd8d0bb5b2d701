"""Confidence intervals, significance against a benchmark, and funnel-plot limits.

The methods are those of England's public health profiles (Fingertips) and the OHID/PHE
"Technical guide: confidence intervals": Wilson score intervals for proportions, exact Poisson
(or Byar's approximation) for counts and rates, and "significantly different" only where the
interval excludes the benchmark.

Every function accepts scalars or numpy arrays: scalars in, floats out; arrays in, arrays out.
Undefined results (no trials, no population, negative counts) are NaN, never a warning.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

Interval = tuple[Any, Any]


class Polarity(StrEnum):
    """Which direction of an indicator counts as good."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    CONTEXT = "context"  # neither: e.g. referral rates, where high and low both need a look


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level such as 0.95."""
    return float(stats.norm.ppf(1 - _alpha(confidence) / 2))


def _alpha(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence!r}")
    return 1 - confidence


def _floats(*values: ArrayLike) -> tuple[bool, list[NDArray[np.float64]]]:
    """Broadcast inputs to float arrays; report whether all of them were scalars."""
    arrays = [np.asarray(v, dtype=float) for v in values]
    scalar = all(a.ndim == 0 for a in arrays)
    return scalar, [np.atleast_1d(a) for a in np.broadcast_arrays(*arrays)]


def _out(scalar: bool, *arrays: NDArray[np.float64]) -> Any:
    """Give floats back for scalar input and arrays for array input."""
    results = tuple(float(a.reshape(-1)[0]) if scalar else a for a in arrays)
    return results if len(results) > 1 else results[0]


def wilson_interval(successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a proportion, as (lower, upper) on the 0-1 scale.

    NaN where there are no trials or the successes are not between 0 and the trials.
    """
    z = _z(confidence)
    scalar, (x, n) = _floats(successes, trials)
    valid = (n > 0) & (x >= 0) & (x <= n)
    # Substitute a harmless denominator where invalid so numpy never warns; masked below.
    n_safe = np.where(valid, n, 1.0)
    p = np.where(valid, x, 0.0) / n_safe
    z2n = z * z / n_safe
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(np.maximum(p * (1 - p) / n_safe + z2n / (4 * n_safe), 0.0))
    # none or all successes: the limit is exactly 0 or 1, not a rounding error beside it
    # (which would make 0% "significantly higher" than a benchmark of 0%)
    lower = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return _out(scalar, np.where(valid, lower, np.nan), np.where(valid, upper, np.nan))


def poisson_interval(count: ArrayLike, confidence: float = 0.95, method: str = "exact") -> Interval:
    """Confidence interval for a Poisson count, as (lower, upper) counts.

    ``method="exact"`` is the chi-squared (gamma) form: lower = chi2(alpha/2, 2x)/2,
    upper = chi2(1 - alpha/2, 2x + 2)/2. ``method="byar"`` is Byar's approximation as in the
    OHID/PHE technical guide: lower = x(1 - 1/(9x) - z/(3 sqrt x))^3 and the upper limit the same
    with x + 1 and +z. Byar's method is poor for very small counts (Fingertips switches to exact
    below 10); where its lower limit would be negative it is NaN. For a zero count the lower
    limit is 0 by either method. Negative counts give NaN.
    """
    alpha = _alpha(confidence)
    scalar, (x,) = _floats(count)
    valid = x >= 0  # also false for NaN
    x_safe = np.where(valid, x, 0.0)
    if method == "exact":
        # gamma.ppf(q, a) equals chi2.ppf(q, 2a)/2; shape 0 is degenerate, so use 1 and mask.
        lower = np.where(x_safe > 0, stats.gamma.ppf(alpha / 2, np.maximum(x_safe, 1.0)), 0.0)
        upper = stats.gamma.ppf(1 - alpha / 2, x_safe + 1)
    elif method == "byar":
        z = _z(confidence)
        x_pos = np.maximum(x_safe, 1.0)
        base = 1 - 1 / (9 * x_pos) - z / (3 * np.sqrt(x_pos))
        lower = np.where(x_safe > 0, np.where(base >= 0, x_pos * base**3, np.nan), 0.0)
        x1 = x_safe + 1
        upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    else:
        raise ValueError(f"method must be 'exact' or 'byar', not {method!r}")
    return _out(scalar, np.where(valid, lower, np.nan), np.where(valid, upper, np.nan))


def rate_interval(
    count: ArrayLike,
    population: ArrayLike,
    per: float = 10_000,
    confidence: float = 0.95,
    method: str = "exact",
) -> Interval:
    """Confidence interval for a crude rate per ``per`` people (counts treated as Poisson).

    NaN where the population is zero, negative or missing.
    """
    lower, upper = poisson_interval(count, confidence, method)
    scalar, (lo, hi, pop) = _floats(lower, upper, population)
    valid = pop > 0
    factor = np.where(valid, per, np.nan) / np.where(valid, pop, 1.0)
    return _out(scalar, lo * factor, hi * factor)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def compare(lower: Any, upper: Any, benchmark: Any, polarity: Polarity | str) -> str:
    """Verdict on a value against a benchmark, from the value's confidence interval.

    Significant only where the interval excludes the benchmark, as Fingertips does. Returns
    "better"/"worse"/"similar" when a direction is good, "higher"/"lower"/"similar" for
    context indicators, and "not compared" when any input is missing.
    """
    polarity = Polarity(polarity)
    if any(_missing(v) for v in (lower, upper, benchmark)):
        return "not compared"
    if float(lower) > float(benchmark):
        direction = "higher"
    elif float(upper) < float(benchmark):
        direction = "lower"
    else:
        return "similar"
    if polarity is Polarity.CONTEXT:
        return direction
    good = "higher" if polarity is Polarity.HIGHER_IS_BETTER else "lower"
    return "better" if direction == good else "worse"


def _interpolated_quantile(
    p: float, cdf: NDArray[np.float64], pmf: NDArray[np.float64], r: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Spiegelhalter's continuous quantile of a discrete distribution: r - (F(r) - p) / P(r)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return r - (cdf - p) / pmf


def funnel_limits_proportion(
    target: float, denominators: ArrayLike, confidence: float = 0.95
) -> Interval:
    """Funnel-plot control limits for a proportion (0-1 scale) around ``target``.

    Exact binomial limits with the interpolation of Spiegelhalter (2005), "Funnel plots for
    comparing institutional performance", Stat Med 24:1185, appendix A.1.1: for probability p,
    take the binomial quantile r_p of Bin(n, target), then limit = (r_p - a) / n where
    a = (F(r_p) - p) / P(X = r_p). (PHEindicatormethods instead inverts a Wilson-type interval;
    for denominators in the tens and above the two differ very little.) Use 0.95 for the inner
    and 0.998 for the outer funnel. Denominators must be whole numbers; zero gives NaN.
    """
    alpha = _alpha(confidence)
    scalar, (n,) = _floats(denominators)
    valid = (n > 0) & (n == np.floor(n))
    n_safe = np.where(valid, n, 1.0)
    limits = []
    for p in (alpha / 2, 1 - alpha / 2):
        r = stats.binom.ppf(p, n_safe, target)
        q = _interpolated_quantile(
            p, stats.binom.cdf(r, n_safe, target), stats.binom.pmf(r, n_safe, target), r
        )
        limits.append(np.where(valid, np.clip(q / n_safe, 0.0, 1.0), np.nan))
    return _out(scalar, *limits)


def funnel_limits_rate(
    target_rate: float, populations: ArrayLike, per: float = 10_000, confidence: float = 0.95
) -> Interval:
    """Funnel-plot control limits for a rate per ``per`` people around ``target_rate``.

    Exact Poisson limits with Spiegelhalter's (2005) interpolation: the expected count is
    target_rate * population / per, and each limit is the interpolated Poisson quantile divided
    back into a rate. A population of zero gives NaN.
    """
    alpha = _alpha(confidence)
    scalar, (pop,) = _floats(populations)
    valid = pop > 0
    pop_safe = np.where(valid, pop, 1.0)
    mu = target_rate * pop_safe / per
    limits = []
    for p in (alpha / 2, 1 - alpha / 2):
        r = stats.poisson.ppf(p, mu)
        q = _interpolated_quantile(p, stats.poisson.cdf(r, mu), stats.poisson.pmf(r, mu), r)
        limits.append(np.where(valid, np.maximum(q, 0.0) / pop_safe * per, np.nan))
    return _out(scalar, *limits)
