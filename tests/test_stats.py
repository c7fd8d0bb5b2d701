"""Intervals and comparisons against independent references.

References: Newcombe (1998) "Two-sided confidence intervals for the single proportion", Stat
Med 17:857, table II; statsmodels' own Wilson interval; scipy's chi-squared and Poisson
distributions; and the spreadsheet fixtures of PHE's PHEindicatormethods package
(tests/testthat/testdata_Byars_Wilson.xlsx and testdata_Rate.xlsx), computed in Excel.
"""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from scrutiny.stats import (
    Polarity,
    compare,
    funnel_limits_proportion,
    funnel_limits_rate,
    poisson_interval,
    rate_interval,
    wilson_interval,
)

pytestmark = pytest.mark.filterwarnings("error")  # zero trials or counts must not warn


# --- Wilson ---------------------------------------------------------------------------------


def test_wilson_newcombe_worked_example():
    lower, upper = wilson_interval(81, 263)
    assert isinstance(lower, float)
    assert (round(lower, 4), round(upper, 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize(
    ("x", "n", "confidence", "expected"),
    [
        (65, 100, 0.95, (0.552544, 0.736358)),
        (1045, 5000, 0.95, (0.197955, 0.220491)),
        (65, 100, 0.998, (0.495495, 0.778354)),
    ],
)
def test_wilson_phe_fixtures(x, n, confidence, expected):
    assert wilson_interval(x, n, confidence) == pytest.approx(expected, abs=1e-6)


def test_wilson_matches_statsmodels_on_arrays_including_edges():
    x = np.array([0, 1, 7, 50, 99, 100])
    n = np.array([100, 100, 30, 100, 100, 100])
    for confidence in (0.95, 0.998):
        lower, upper = wilson_interval(x, n, confidence)
        ref_lower, ref_upper = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
        assert isinstance(lower, np.ndarray)
        np.testing.assert_allclose(lower, ref_lower, atol=1e-12)
        np.testing.assert_allclose(upper, ref_upper, atol=1e-12)


def test_wilson_zero_trials_and_impossible_counts_are_nan():
    lower, upper = wilson_interval(np.array([0, 3, -1, 2]), np.array([0, 2, 5, 10]))
    assert np.isnan(lower[:3]).all() and np.isnan(upper[:3]).all()
    assert not np.isnan(lower[3])
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_wilson_none_or_all_successes_reach_exactly_0_and_1():
    # the interval of 0/64 starts at 0 itself: 0% is never "significantly higher" than 0%
    lower, upper = wilson_interval(np.array([0, 64, 0]), np.array([64, 64, 80]))
    assert lower[0] == 0.0 and lower[2] == 0.0 and upper[1] == 1.0
    assert compare(*wilson_interval(0, 64), 0.0, "higher_is_better") == "similar"
    assert compare(*wilson_interval(64, 64), 1.0, "lower_is_better") == "similar"


def test_wilson_rejects_bad_confidence():
    with pytest.raises(ValueError):
        wilson_interval(1, 10, confidence=95)


# --- Poisson counts -------------------------------------------------------------------------


def test_exact_poisson_matches_chi_squared_form():
    x = np.array([1, 2, 5, 10, 65, 1045])
    lower, upper = poisson_interval(x)
    np.testing.assert_allclose(lower, stats.chi2.ppf(0.025, 2 * x) / 2, rtol=1e-10)
    np.testing.assert_allclose(upper, stats.chi2.ppf(0.975, 2 * x + 2) / 2, rtol=1e-10)


def test_exact_poisson_limits_are_where_the_tail_probabilities_equal_alpha_over_two():
    for x in (1, 4, 17, 300):
        lower, upper = poisson_interval(x, 0.95)
        assert stats.poisson.sf(x - 1, lower) == pytest.approx(0.025)  # P(X >= x | lower)
        assert stats.poisson.cdf(x, upper) == pytest.approx(0.025)  # P(X <= x | upper)


def test_exact_poisson_phe_fixtures():
    assert poisson_interval(1) == pytest.approx((0.025318, 5.571643), abs=1e-6)
    assert poisson_interval(5) == pytest.approx((1.623486, 11.668332), abs=1e-6)
    assert poisson_interval(1, 0.998) == pytest.approx((0.001001, 9.233413), abs=1e-6)


def test_zero_count_has_lower_limit_zero_by_both_methods():
    for method in ("exact", "byar"):
        lower, upper = poisson_interval(0, method=method)
        assert lower == 0.0
        assert upper > 0
    # exact upper limit for zero is -ln(0.025)
    assert poisson_interval(0)[1] == pytest.approx(-math.log(0.025))


@pytest.mark.parametrize(
    ("x", "confidence", "expected"),
    [
        (65, 0.95, (50.163188, 82.849139)),
        (1045, 0.95, (982.593202, 1110.331213)),
        (1, 0.95, (0.013072, 5.563756)),
        (65, 0.998, (42.880261, 94.000291)),
        (1045, 0.998, (947.940704, 1148.806161)),
        (10, 0.998, (2.916318, 24.193725)),
    ],
)
def test_byar_phe_fixtures(x, confidence, expected):
    assert poisson_interval(x, confidence, method="byar") == pytest.approx(expected, abs=1e-6)


def test_byar_lower_limit_undefined_for_tiny_count_at_high_confidence():
    # The PHE fixture has no lower limit for 1 event at 99.8%; the upper is 9.362180.
    lower, upper = poisson_interval(1, 0.998, method="byar")
    assert math.isnan(lower)
    assert upper == pytest.approx(9.362180, abs=1e-6)


def test_byar_within_two_tenths_of_a_percent_of_exact_from_ten_events():
    # The OHID/PHE technical guide's stated accuracy for 95% intervals.
    x = np.arange(10, 2001)
    byar = np.array(poisson_interval(x, method="byar"))
    exact = np.array(poisson_interval(x, method="exact"))
    assert np.max(np.abs(byar / exact - 1)) < 0.002


def test_poisson_bad_input():
    lower, upper = poisson_interval(np.array([-1.0, np.nan]))
    assert np.isnan(lower).all() and np.isnan(upper).all()
    with pytest.raises(ValueError):
        poisson_interval(3, method="normal")


# --- Rates ----------------------------------------------------------------------------------


def test_rate_phe_fixtures():
    # 222 events in 3,215 people, per 100 (Byar); 1 in 100 per 100,000 (exact).
    assert rate_interval(222, 3215, per=100, method="byar") == pytest.approx(
        (6.026575, 7.875729), abs=1e-6
    )
    assert rate_interval(1, 100, per=100_000) == pytest.approx((25.317808, 5571.643391), abs=1e-5)


def test_rate_arrays_and_zero_population():
    lower, upper = rate_interval(np.array([0, 30, 5]), np.array([1000, 10_000, 0]))
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(-math.log(0.025) / 1000 * 10_000)
    assert lower[1] == pytest.approx(stats.chi2.ppf(0.025, 60) / 2)  # per 10,000 of 10,000
    assert np.isnan(lower[2]) and np.isnan(upper[2])


# --- Comparison -----------------------------------------------------------------------------


def test_polarity_values():
    assert [p.value for p in Polarity] == ["higher_is_better", "lower_is_better", "context"]
    assert Polarity("context") is Polarity.CONTEXT


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "expected"),
    [
        (0.6, 0.7, "higher_is_better", "better"),
        (0.6, 0.7, "lower_is_better", "worse"),
        (0.6, 0.7, "context", "higher"),
        (0.3, 0.4, "higher_is_better", "worse"),
        (0.3, 0.4, Polarity.LOWER_IS_BETTER, "better"),
        (0.3, 0.4, "context", "lower"),
        (0.4, 0.6, "higher_is_better", "similar"),
        (0.4, 0.6, "context", "similar"),
        (0.5, 0.6, "higher_is_better", "similar"),  # touching is not excluding
    ],
)
def test_compare(lower, upper, polarity, expected):
    assert compare(lower, upper, 0.5, polarity) == expected


@pytest.mark.parametrize(
    "args", [(None, 0.6, 0.5), (0.4, float("nan"), 0.5), (0.4, 0.6, None), (0.4, 0.6, np.nan)]
)
def test_compare_missing_is_not_compared(args):
    assert compare(*args, "higher_is_better") == "not compared"


def test_compare_uses_wilson_interval_end_to_end():
    # 60/100 against England's 50%: Wilson (0.502, 0.691) excludes 0.5; 55/100 does not.
    assert compare(*wilson_interval(60, 100), 0.5, "higher_is_better") == "better"
    assert compare(*wilson_interval(55, 100), 0.5, "higher_is_better") == "similar"


def test_compare_rejects_unknown_polarity():
    with pytest.raises(ValueError):
        compare(0.1, 0.2, 0.5, "up")


# --- Funnels --------------------------------------------------------------------------------


def test_funnel_proportion_hand_computed_binomial():
    # Bin(10, 0.5): F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024, F(8) = 1013/1024.
    # Lower: r = 2, a = (56/1024 - 0.025) / (45/1024); limit = (2 - a) / 10.
    # Upper: r = 8, a = (1013/1024 - 0.975) / (45/1024); limit = (8 - a) / 10.
    expected_lower = (2 - (56 / 1024 - 0.025) / (45 / 1024)) / 10
    expected_upper = (8 - (1013 / 1024 - 0.975) / (45 / 1024)) / 10
    assert funnel_limits_proportion(0.5, 10, 0.95) == pytest.approx(
        (expected_lower, expected_upper)
    )


def test_funnel_proportion_limits_sit_on_the_binomial_quantiles():
    n = np.array([5, 20, 57, 130, 400, 2500])
    for confidence in (0.95, 0.998):
        alpha = 1 - confidence
        lower, upper = funnel_limits_proportion(0.3, n, confidence)
        # The interpolation moves each limit down by less than one event from the quantile.
        for limit, p in ((lower, alpha / 2), (upper, 1 - alpha / 2)):
            quantile = stats.binom.ppf(p, n, 0.3)
            inside = limit > 0
            assert np.all(limit[inside] * n[inside] <= quantile[inside] + 1e-9)
            assert np.all(limit[inside] * n[inside] > quantile[inside] - 1)


def test_funnel_proportion_approaches_normal_limits_and_narrows():
    n = np.array([100, 1_000, 10_000, 100_000])
    lower, upper = funnel_limits_proportion(0.2, n, 0.998)
    z = stats.norm.ppf(0.999)
    half = z * np.sqrt(0.2 * 0.8 / n)
    # Within one event of the normal approximation (skew and interpolation account for the rest).
    assert np.all(np.abs(lower - (0.2 - half)) * n < 1)
    assert np.all(np.abs(upper - (0.2 + half)) * n < 1)
    assert np.all(np.diff(upper - lower) < 0)
    assert np.isnan(funnel_limits_proportion(0.2, np.array([0]))[0]).all()


def test_funnel_rate_hand_computed_poisson():
    # Target 10 per 10,000 in 1,000 people: expected count 1.
    # Upper 97.5%: r = 3, F(3) = e^-1 (1 + 1 + 1/2 + 1/6), P(3) = e^-1 / 6.
    # Lower 2.5%: r = 0 and the interpolated quantile is negative, so the limit is 0.
    e = math.exp(-1)
    upper_count = 3 - (e * (1 + 1 + 1 / 2 + 1 / 6) - 0.975) / (e / 6)
    lower, upper = funnel_limits_rate(10, 1000, per=10_000, confidence=0.95)
    assert lower == 0.0
    assert upper == pytest.approx(upper_count / 1000 * 10_000)


def test_funnel_rate_arrays_large_population_and_zero():
    pops = np.array([0, 50_000, 5_000_000])
    lower, upper = funnel_limits_rate(500, pops, per=10_000, confidence=0.95)
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    mu = 500 * pops[2] / 10_000
    half = 1.96 * math.sqrt(mu) / pops[2] * 10_000
    assert lower[2] == pytest.approx(500 - half, abs=0.05)
    assert upper[2] == pytest.approx(500 + half, abs=0.05)
    assert lower[1] < 500 < upper[1]
