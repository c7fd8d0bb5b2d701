"""The rules of judgement: comparison by confidence interval, polarity, direction over a series,
LAIT bands; and the cycle's judgements against values computed here from the store."""

from __future__ import annotations

import math
import tomllib

import duckdb
import numpy as np
import pandas as pd
import pytest

from scrutiny.judgements import (
    NO_CLEAR_DIRECTION,
    NOT_COMPARED,
    NOT_JUDGED,
    band,
    comparison_against,
    comparison_between,
    direction,
    getting,
    judge,
    published_interval,
)

BRISTOL = "E06000023"


def test_a_figure_differs_from_a_benchmark_only_where_its_interval_excludes_it():
    assert comparison_against(22.7, 25.3, 19.0) == "higher"
    assert comparison_against(12.0, 14.0, 19.0) == "lower"
    assert comparison_against(18.0, 20.0, 19.0) == "similar"
    assert comparison_against(19.0, 20.0, 19.0) == "similar"  # on the edge: not excluded
    assert comparison_against(np.nan, 20.0, 19.0) == NOT_COMPARED


def test_two_areas_differ_only_where_their_intervals_do_not_overlap_either_way_round():
    assert comparison_between(22.0, 26.0, 15.0, 21.0) == "higher"
    assert comparison_between(15.0, 21.0, 22.0, 26.0) == "lower"
    # the first excludes the second's value but the intervals overlap: similar, both ways
    assert comparison_between(18.5, 22.0, 15.0, 19.0) == "similar"
    assert comparison_between(15.0, 19.0, 18.5, 22.0) == "similar"
    assert comparison_between(15.0, 19.0, np.nan, 22.0) == NOT_COMPARED


@pytest.mark.parametrize(("comparison", "polarity", "judgement"), [
    ("higher", "higher_is_better", "better"), ("lower", "higher_is_better", "worse"),
    ("higher", "lower_is_better", "worse"), ("lower", "lower_is_better", "better"),
    ("similar", "lower_is_better", "similar"),
    ("higher", "context", NOT_JUDGED), ("lower", "context", NOT_JUDGED),
    ("similar", "context", NOT_JUDGED), (NOT_COMPARED, "higher_is_better", NOT_JUDGED),
])
def test_polarity_turns_a_comparison_into_a_judgement_and_context_is_never_judged(
        comparison, polarity, judgement):
    assert judge(comparison, polarity) == judgement


@pytest.mark.parametrize(("values", "lowers", "uppers", "expected"), [
    ([10, 11, 12, 13], None, None, "rising"),
    ([13, 12, 11, 10], None, None, "falling"),
    ([10, 12, 11, 13], None, None, NO_CLEAR_DIRECTION),  # a step back
    ([10, 11, 11, 13], None, None, NO_CLEAR_DIRECTION),  # a repeat is no step
    ([10, 11, 12, 13], [9, 9, 9, 12.5], [11, 13, 15, 13.5], "rising"),  # excludes 10
    ([10, 11, 12, 13], [9, 9, 9, 9.5], [11, 13, 15, 16.5], NO_CLEAR_DIRECTION),  # includes 10
    ([20, 18, 15], [np.nan] * 3, [np.nan] * 3, "falling"),  # no interval: steady change is enough
    ([10, np.nan, 12, 13], None, None, ""),
    ([10], None, None, ""),
])
def test_a_direction_needs_every_step_the_same_way_and_a_real_change(values, lowers, uppers,
                                                                     expected):
    assert direction(values, lowers, uppers) == expected


def test_getting_better_or_worse_follows_polarity_and_context_has_neither():
    assert getting("rising", "lower_is_better") == "worse"
    assert getting("falling", "lower_is_better") == "better"
    assert getting("rising", "higher_is_better") == "better"
    assert getting("rising", "context") == ""
    assert getting(NO_CLEAR_DIRECTION, "higher_is_better") == ""


def test_quartiles_are_laits_bands_a_to_d():
    assert [band(q) for q in (1, 2, 3, 4)] == ["A", "B", "C", "D"]
    assert band(np.nan) == ""


def test_a_published_figures_interval_is_wilsons_or_exact_poissons():
    lower, upper = published_interval("percent", 100.0, 20, 100)
    # Wilson, 20 of 100: centre 0.2111, half-width 0.0777
    assert (round(lower, 2), round(upper, 2)) == (13.34, 28.88)
    lower, upper = published_interval("rate", 10_000.0, 10, 10_000)
    assert (round(lower, 3), round(upper, 3)) == (4.795, 18.390)  # exact Poisson, 10 events
    assert all(math.isnan(v) for v in published_interval("percent", 100.0, np.nan, 100))


# --- the cycle's judgements, against the store ------------------------------------------------

def _wilson(successes: float, trials: float, z: float = 1.959964) -> tuple[float, float]:
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials ** 2))
    return 100 * (centre - half), 100 * (centre + half)


@pytest.fixture(scope="module")
def indicators_csv(cycle_outputs) -> pd.DataFrame:
    return pd.read_csv(cycle_outputs["out_dir"] / "2025-26-Q4" / "data" / "indicators.csv",
                       dtype=str, keep_default_na=False)


def test_indicators_csv_has_the_columns_the_data_users_were_promised(indicators_csv):
    assert list(indicators_csv.columns) == [
        "area_code", "indicator_id", "period", "window", "numerator", "denominator", "value",
        "ci_lower", "ci_upper", "comparator", "comparator_value", "comparison", "judgement",
        "quartile_band", "rank", "spc_variation", "spc_assurance", "trend"]


def test_a_figure_and_its_judgement_against_england_match_the_store(cycle_outputs,
                                                                     indicators_csv):
    months = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in (1, 2, 3)]
    with duckdb.connect(str(cycle_outputs["store"]), read_only=True) as connection:
        numerator, denominator = connection.execute(
            "SELECT sum(numerator), sum(denominator) FROM indicators WHERE area_code = ? AND "
            f"indicator_id = 'rereferrals' AND month IN ({', '.join('?' * len(months))})",
            [BRISTOL, *months]).fetchone()
        england = connection.execute(
            "SELECT value FROM national WHERE indicator_id = 'rereferral_percent' AND "
            "geographic_level = 'england' ORDER BY time_period DESC LIMIT 1").fetchone()[0]
    lower, upper = _wilson(numerator, denominator)
    row = indicators_csv[(indicators_csv["area_code"] == BRISTOL)
                         & (indicators_csv["indicator_id"] == "rereferrals")
                         & (indicators_csv["window"] == "year")
                         & (indicators_csv["comparator"] == "england")].iloc[0]
    assert row["value"] == f"{100 * numerator / denominator:.1f}"
    assert (row["ci_lower"], row["ci_upper"]) == (f"{lower:.1f}", f"{upper:.1f}")
    assert row["denominator"] == f"{denominator:.0f}"
    assert row["comparator_value"] == f"{england:.1f}"
    expected = "higher" if lower > england else "lower" if upper < england else "similar"
    assert row["comparison"] == expected
    assert row["judgement"] == {"higher": "worse", "lower": "better"}.get(expected, "similar")


def test_a_rates_denominator_is_the_children_it_is_per(cycle_outputs, indicators_csv):
    partnership = tomllib.loads((cycle_outputs["data_dir"] / "partnership.toml").read_text())
    population = next(area["children_0_17"] for area in partnership["areas"]
                      if area["code"] == BRISTOL)
    rows = indicators_csv[(indicators_csv["area_code"] == BRISTOL)
                          & (indicators_csv["indicator_id"] == "referrals")]
    assert set(rows["denominator"]) == {str(population)}
    numerator = float(rows["numerator"].iloc[0])
    assert rows["value"].iloc[0] == f"{10_000 * numerator / population:.1f}"


def test_context_indicators_are_never_judged_better_or_worse(cycle_outputs, indicators_csv):
    from scrutiny.framework import load_framework

    context = {ind.id for ind in load_framework(cycle_outputs["data_dir"]).indicators
               if ind.polarity == "context"}
    rows = indicators_csv[indicators_csv["indicator_id"].isin(context)]
    assert len(rows) and set(rows["judgement"]) <= {"not judged", ""}
    assert {"higher", "lower"} <= set(rows["comparison"])


def test_hidden_figures_are_symbols_and_no_small_number_is_published(indicators_csv):
    hidden = indicators_csv[indicators_csv["value"].isin(["c", "x", "z"])]
    assert len(hidden)
    assert (hidden["numerator"] == hidden["value"]).all()
    assert hidden["comparison"].isin([NOT_COMPARED, ""]).all()  # "": nothing to compare with
    shown = indicators_csv[~indicators_csv["numerator"].isin(["c", "x", "z", ""])]
    counts = shown["numerator"].astype(float)
    assert not counts.between(0.5, 4.5).any()


def test_the_trend_over_four_quarters_matches_the_quarters_in_the_store(cycle_outputs,
                                                                        indicators_csv):
    """Bristol's re-referrals quarter by quarter, from the store, with their intervals."""
    quarters = {"2025-04": 0, "2025-05": 0, "2025-06": 0, "2025-07": 1, "2025-08": 1,
                "2025-09": 1, "2025-10": 2, "2025-11": 2, "2025-12": 2, "2026-01": 3,
                "2026-02": 3, "2026-03": 3}
    with duckdb.connect(str(cycle_outputs["store"]), read_only=True) as connection:
        monthly = connection.execute(
            "SELECT month, numerator, denominator FROM indicators WHERE area_code = ? AND "
            "indicator_id = 'rereferrals'", [BRISTOL]).df()
    monthly = monthly[monthly["month"].isin(quarters)]
    sums = monthly.groupby(monthly["month"].map(quarters))[["numerator", "denominator"]].sum()
    values = 100 * sums["numerator"] / sums["denominator"]
    steps = np.sign(np.diff(values.to_numpy()))
    last_lower, last_upper = _wilson(sums["numerator"].iloc[-1], sums["denominator"].iloc[-1])
    if (steps > 0).all() and not last_lower <= values.iloc[0] <= last_upper:
        expected = "rising"
    elif (steps < 0).all() and not last_lower <= values.iloc[0] <= last_upper:
        expected = "falling"
    else:
        expected = NO_CLEAR_DIRECTION
    trend = indicators_csv[(indicators_csv["area_code"] == BRISTOL)
                           & (indicators_csv["indicator_id"] == "rereferrals")
                           & (indicators_csv["window"] == "quarter")]["trend"]
    assert set(trend) == {expected}


def test_the_frameworks_spc_baseline_and_an_indicators_rebase_set_the_control_limits(
        cycle_outputs):
    """[spc] baseline_months and a catalogue rebase month reach the control chart a report
    draws and judges: limits from each segment's first months only."""
    from dataclasses import replace

    from scrutiny.cycle import load_cycle
    from scrutiny.framework import default_text, framework_from_texts
    from scrutiny.report.common import CycleFigures

    # its own figures: those the run shared have charted the first framework's limits already
    figures = CycleFigures(load_cycle(cycle_outputs["store"], "2025-26-Q4"))
    texts = {"framework.toml": default_text("framework.toml").replace(
                 "baseline_months = 0", "baseline_months = 6"),
             "indicators.toml": default_text("indicators.toml").replace(
                 'id = "referrals"', 'id = "referrals"\nrebase = ["2024-10"]')}
    figures.cycle = replace(figures.cycle, framework=framework_from_texts(texts))
    referrals = figures.cycle.framework.indicator("referrals")
    chart = figures.spc(referrals, BRISTOL)
    before, after = chart[chart.index < "2024-10"], chart[chart.index >= "2024-10"]
    assert set(before["segment"]) == {0} and set(after["segment"]) == {1}
    for segment in (before, after):
        first_six = segment["value"].dropna().to_numpy()[:6]
        mean = first_six.mean()
        moving_range = np.abs(np.diff(first_six)).mean()
        assert segment["mean"].iloc[-1] == pytest.approx(mean)
        assert segment["ucl"].iloc[-1] == pytest.approx(mean + 2.66 * moving_range)


@pytest.mark.parametrize("aside_fails", [False, True])
def test_trends_computed_in_a_forked_process_are_the_trends_computed_here(
        cycle_outputs, monkeypatch, aside_fails):
    """The runner has the trends' earlier periods computed on another CPU: the judgements are
    the same to the last figure, and the same again if that process dies."""
    import os
    from functools import partial

    from scrutiny.cycle import load_cycle
    from scrutiny.report import common
    from scrutiny.report.common import CycleFigures

    here = CycleFigures(load_cycle(cycle_outputs["store"], "2025-26-Q4")).judgements.table
    figures = CycleFigures(load_cycle(cycle_outputs["store"], "2025-26-Q4"))
    if aside_fails:
        monkeypatch.setattr(common, "_computed_aside", partial(os._exit, 1))  # it dies
    computed_in = []
    earlier = CycleFigures._earlier
    monkeypatch.setattr(CycleFigures, "_earlier", lambda self, period, window: (
        computed_in.append(period.label), earlier(self, period, window))[1])
    judgements = figures.judgements
    with figures.history_aside(judgements.history_wanted()):
        aside = judgements.table
    pd.testing.assert_frame_equal(aside, here)
    assert set(aside["trend"]) >= {"rising", "falling", NO_CLEAR_DIRECTION}
    earlier_periods = {period.label for period, _ in judgements.history_wanted()} - {"2025-26-Q4"}
    # computed here only if the process failed (the current period is always here)
    assert (set(computed_in) - {"2025-26-Q4"} == earlier_periods) is aside_fails


def test_an_indicator_read_the_other_way_from_dfe_is_ranked_its_own_way(cycle_outputs):
    """A partnership may judge a statistic by another direction than DfE's: its rows' bands
    and ranks then follow its own polarity, so a band never contradicts the row's judgement."""
    from dataclasses import replace

    from scrutiny.cycle import load_cycle
    from scrutiny.report.common import CycleFigures

    cycle = load_cycle(cycle_outputs["store"], "2025-26-Q4")  # the demo cycle's
    indicator = cycle.framework.indicator("rereferrals")
    assert indicator.polarity == "lower_is_better" and indicator.national_id
    cycle.framework = replace(cycle.framework, indicators=tuple(
        replace(ind, polarity="higher_is_better") if ind is indicator else ind
        for ind in cycle.framework.indicators))
    table = CycleFigures(cycle).judgements.table

    long = cycle.national["national"]
    statistic = long[(long["indicator_id"] == indicator.national_id)
                     & (long["geographic_level"] == "local_authority") & long["value"].notna()]
    latest = statistic[statistic["time_period"] == statistic["time_period"].max()]
    checked = 0
    for code in cycle.area_codes:
        mine = latest[latest["area_code"].astype(str) == str(cycle.partnership.area(code)
                                                             .old_la_code)]
        rows = table[(table["indicator_id"] == "rereferrals") & (table["area_code"] == code)]
        if mine.empty or rows.empty:
            continue
        higher = int((latest["value"] > mine["value"].iloc[0]).sum())  # best is highest now
        assert set(rows["rank"].dropna().astype(int)) == {higher + 1}
        assert set(rows["n_ranked"].dropna().astype(int)) == {len(latest)}
        checked += 1
    assert checked >= 3
