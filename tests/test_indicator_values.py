"""Indicator values from the ingested demo store, against figures computed independently.

The expected figures are worked out here straight from the demo's CSV files with the ``csv``
module (nothing from the package but the demo generator), for the cycle 2025-26-Q4: the
12 months April 2025 to March 2026, or the quarter January to March 2026.

(Named test_indicator_values.py, not test_indicators.py: tests/national/test_indicators.py
already exists and, without __init__.py files, two test modules of one basename cannot be
collected in the same run.)
"""

from __future__ import annotations

import csv
import math
import shutil
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scrutiny import store
from scrutiny.cycle import PARTNERSHIP_CODE, load_cycle
from scrutiny.disclosure import mark_suppressed
from scrutiny.indicators import indicator_values

PERIOD = "2025-26-Q4"
YEAR_QUARTERS = ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
YEAR_MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
BRISTOL, NORTH_SOMERSET = "E06000023", "E06000024"


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory, demo_ingested):
    data, pristine, _ = demo_ingested
    store_path = tmp_path_factory.mktemp("cycle") / "store.duckdb"
    shutil.copyfile(pristine, store_path)
    with store.open_store(store_path, read_only=False) as connection:
        store.save_settings(connection, (data / "partnership.toml").read_text(encoding="utf-8"),
                            {})
    return data, store_path


@pytest.fixture(scope="module")
def cycle(demo_data):
    return load_cycle(demo_data[1], PERIOD)


@pytest.fixture(scope="module")
def year_values(cycle):
    return indicator_values(cycle, "year")


@pytest.fixture(scope="module")
def quarter_values(cycle):
    return indicator_values(cycle, "quarter")


@pytest.fixture(scope="module")
def population(demo_data):
    with open(demo_data[0] / "partnership.toml", "rb") as file:
        areas = tomllib.load(file)["areas"]
    children = {area["code"]: area["children_0_17"] for area in areas}
    return {**children, PARTNERSHIP_CODE: sum(children.values())}


# --- reading the demo files independently ------------------------------------------------------


def rows_of(data: Path, kind: str, area: str, period: str, label: str = "") -> list[dict]:
    suffix = f"_{label}" if label else ""
    path = data / "returns" / period / f"{kind}_{area}_{period}{suffix}.csv"
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def monthly(data: Path, area: str, indicator: str, label: str = "") -> dict[str, tuple]:
    """month -> (numerator, denominator or None) for one indicator of one area."""
    found = {}
    for quarter in YEAR_QUARTERS:
        for row in rows_of(data, "indicators", area, quarter, label):
            if row["indicator_id"] == indicator:
                denominator = int(row["denominator"]) if row["denominator"] else None
                found[row["month"]] = (int(row["numerator"]), denominator)
    return found


def value_of(values: pd.DataFrame, indicator: str, area: str) -> pd.Series:
    (row,) = [r for _, r in values.iterrows()
              if r["indicator_id"] == indicator and r["area_code"] == area]
    return row


def assert_row(row: pd.Series, numerator, denominator, value) -> None:
    assert row["complete"]
    assert row["numerator"] == pytest.approx(numerator)
    if denominator is None:
        assert math.isnan(row["denominator"])
    else:
        assert row["denominator"] == pytest.approx(denominator)
    assert row["value"] == pytest.approx(value, rel=1e-12)
    assert row["lower"] <= row["value"] <= row["upper"]


AREAS = ["E06000022", BRISTOL, NORTH_SOMERSET, "E06000025", "E06000066"]


# --- the shape of the result ---------------------------------------------------------------------


def test_every_indicator_for_every_area_and_the_partnership(year_values, cycle):
    assert cycle.area_codes == AREAS
    expected = {(ind.id, area) for ind in cycle.framework.indicators
                for area in [*AREAS, PARTNERSHIP_CODE]}
    assert set(zip(year_values["indicator_id"], year_values["area_code"], strict=True)) == expected
    assert len(year_values) == len(expected)
    assert set(year_values["window"]) == {"year"}


# --- monthly indicators --------------------------------------------------------------------------


@pytest.mark.parametrize("area", [*AREAS, PARTNERSHIP_CODE])
def test_referrals_rate_over_12_months(area, demo_data, year_values, population):
    data, _ = demo_data
    areas = AREAS if area == PARTNERSHIP_CODE else [area]
    months = [monthly(data, code, "referrals") for code in areas]
    assert all(sorted(m) == YEAR_MONTHS for m in months)
    referrals = sum(numerator for m in months for numerator, _ in m.values())
    row = value_of(year_values, "referrals", area)
    assert_row(row, referrals, None, referrals / population[area] * 10_000)


def test_bristol_referrals_rate_by_hand(demo_data, year_values):
    data, _ = demo_data
    total = sum(n for n, _ in monthly(data, BRISTOL, "referrals").values())
    assert value_of(year_values, "referrals", BRISTOL)["value"] == pytest.approx(
        total / 92_700 * 10_000)


def test_referrals_rate_over_the_quarter(demo_data, quarter_values, population):
    data, _ = demo_data
    found = monthly(data, BRISTOL, "referrals")
    total = sum(found[month][0] for month in ("2026-01", "2026-02", "2026-03"))
    row = value_of(quarter_values, "referrals", BRISTOL)
    assert_row(row, total, None, total / population[BRISTOL] * 10_000)
    assert row["window"] == "quarter"


@pytest.mark.parametrize("area", [PARTNERSHIP_CODE, BRISTOL])
def test_rereferral_percentage_from_summed_counts(area, demo_data, year_values):
    data, _ = demo_data
    areas = AREAS if area == PARTNERSHIP_CODE else [area]
    pairs = [pair for code in areas for pair in monthly(data, code, "rereferrals").values()]
    assert len(pairs) == 12 * len(areas)
    numerator = sum(n for n, _ in pairs)
    denominator = sum(d for _, d in pairs)
    assert_row(value_of(year_values, "rereferrals", area), numerator, denominator,
               100 * numerator / denominator)


def test_partnership_percentage_is_not_an_average_of_areas(year_values):
    rows = year_values[year_values["indicator_id"] == "rereferrals"].set_index("area_code")
    average = rows.loc[AREAS, "value"].mean()
    assert rows.loc[PARTNERSHIP_CODE, "value"] != pytest.approx(average, rel=1e-9)


@pytest.mark.parametrize("area", [*AREAS, PARTNERSHIP_CODE])
def test_child_protection_plans_is_the_march_position(area, demo_data, year_values,
                                                      quarter_values, population):
    data, _ = demo_data
    areas = AREAS if area == PARTNERSHIP_CODE else [area]
    march = sum(monthly(data, code, "cpp")["2026-03"][0] for code in areas)
    expected = march / population[area] * 10_000
    for values in (year_values, quarter_values):  # a stock is the same in either window
        assert_row(value_of(values, "cpp", area), march, None, expected)


def test_police_indicators_come_from_the_police_file(demo_data, year_values):
    data, _ = demo_data
    found = monthly(data, NORTH_SOMERSET, "missing_episodes", label="police")
    assert sorted(found) == YEAR_MONTHS
    total = sum(n for n, _ in found.values())
    assert_row(value_of(year_values, "missing_episodes", NORTH_SOMERSET), total, None, total)


# --- training: North Somerset's rejected Q4 return ------------------------------------------------


def training_totals(data: Path, area: str, quarters: list[str]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for quarter in quarters:
        for row in rows_of(data, "training", area, quarter):
            for column in ("places", "attended", "evaluations", "met_needs"):
                totals[column] += int(row[column])
    return totals


@pytest.mark.parametrize("area", [BRISTOL, "E06000066"])
def test_training_take_up_for_an_area(area, demo_data, year_values):
    data, _ = demo_data
    totals = training_totals(data, area, YEAR_QUARTERS)
    assert_row(value_of(year_values, "training_take_up", area), totals["attended"],
               totals["places"], 100 * totals["attended"] / totals["places"])
    assert_row(value_of(year_values, "training_attended", area), totals["attended"], None,
               totals["attended"])
    assert_row(value_of(year_values, "training_met_needs", area), totals["met_needs"],
               totals["evaluations"], 100 * totals["met_needs"] / totals["evaluations"])


def test_training_take_up_over_the_quarter(demo_data, quarter_values):
    data, _ = demo_data
    totals = training_totals(data, BRISTOL, [PERIOD])
    assert_row(value_of(quarter_values, "training_take_up", BRISTOL), totals["attended"],
               totals["places"], 100 * totals["attended"] / totals["places"])


@pytest.mark.parametrize("indicator", ["training_attended", "training_take_up",
                                       "training_met_needs"])
@pytest.mark.parametrize("window", ["year", "quarter"])
def test_north_somerset_training_is_incomplete_and_so_is_the_partnership(
        indicator, window, year_values, quarter_values):
    values = {"year": year_values, "quarter": quarter_values}[window]
    rows = values[values["indicator_id"] == indicator].set_index("area_code")
    for area in (NORTH_SOMERSET, PARTNERSHIP_CODE):
        assert not rows.loc[area, "complete"]
        assert rows.loc[area, ["numerator", "denominator", "value"]].isna().all()
    others = [code for code in AREAS if code != NORTH_SOMERSET]
    assert rows.loc[others, "complete"].all()
    assert rows.loc[others, "value"].notna().all()


def test_north_somerset_earlier_training_was_accepted(cycle, demo_data):
    """The gap is the rejected Q4 return only: Q1-Q3 of 2025-26 are in the cycle."""
    data, _ = demo_data
    mine = cycle.training[cycle.training["area_code"] == NORTH_SOMERSET]
    for quarter in YEAR_QUARTERS[:3]:
        expected = training_totals(data, NORTH_SOMERSET, [quarter])["attended"]
        assert mine.loc[mine["period"] == quarter, "attended"].sum() == expected
    assert (mine["period"] == PERIOD).sum() == 0


# --- the action tracker --------------------------------------------------------------------------


@pytest.mark.parametrize("area", [*AREAS, PARTNERSHIP_CODE])
def test_actions_overdue_from_the_q4_tracker(area, demo_data, year_values, quarter_values):
    data, _ = demo_data
    open_, overdue = 0, 0
    for code in AREAS if area == PARTNERSHIP_CODE else [area]:
        for row in rows_of(data, "actions", code, PERIOD):
            if row["status"] != "completed":
                open_ += 1
                overdue += row["due"] < "2026-03-31"  # ISO dates compare as text
    assert open_ > 0
    for values in (year_values, quarter_values):  # a snapshot, whatever the window
        assert_row(value_of(values, "actions_overdue", area), overdue, open_,
                   100 * overdue / open_)


# --- disclosure control ---------------------------------------------------------------------------


def values_frame(indicator: str, numerators: dict[str, float],
                 denominators: dict[str, float] | None = None,
                 window: str = "year") -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": indicator, "window": window, "area_code": list(numerators),
        "numerator": [float(n) for n in numerators.values()],
        "denominator": [float((denominators or {}).get(code, np.nan)) for code in numerators],
    })


def suppressed(frame: pd.DataFrame) -> dict[str, set[str]]:
    marked = frame[frame["suppressed"]]
    return {indicator: set(marked.loc[marked["indicator_id"] == indicator, "area_code"])
            for indicator in frame["indicator_id"].unique()}


def test_counts_of_one_to_four_are_suppressed():
    frame = values_frame("lado_referrals", {
        "A": 0, "B": 1, "C": 4, "D": 5, "E": 9, PARTNERSHIP_CODE: 19})
    result = mark_suppressed(frame, {"lado_referrals": "count"}, PARTNERSHIP_CODE)
    assert suppressed(result) == {"lado_referrals": {"B", "C"}}
    assert result["suppressed"].dtype == bool
    # the input is left as it was
    assert "suppressed" not in frame.columns


def test_one_hidden_area_hides_a_second_one():
    frame = values_frame("cme", {"A": 3, "B": 12, "C": 0, "D": 25, "E": 40,
                                 PARTNERSHIP_CODE: 80})
    result = mark_suppressed(frame, {"cme": "count"}, PARTNERSHIP_CODE)
    # 3 alone could be worked out from the total; the smallest other non-zero count goes too
    assert suppressed(result) == {"cme": {"A", "B"}}
    # and without a partnership total there is nothing to subtract from
    alone = mark_suppressed(frame[frame["area_code"] != PARTNERSHIP_CODE], {"cme": "count"},
                            PARTNERSHIP_CODE)
    assert suppressed(alone) == {"cme": {"A"}}


def test_percentages_are_suppressed_on_a_small_denominator():
    frame = values_frame(
        "rhi_offered_72h",
        {"A": 0, "B": 30, "C": 45, "D": 60, "E": 70, PARTNERSHIP_CODE: 205},
        {"A": 3, "B": 40, "C": 50, "D": 80, "E": 90, PARTNERSHIP_CODE: 263})
    result = mark_suppressed(frame, {"rhi_offered_72h": "percent"}, PARTNERSHIP_CODE)
    # A's numerator is 0, but its denominator of 3 is small; B is the secondary
    assert suppressed(result) == {"rhi_offered_72h": {"A", "B"}}


def test_suppression_is_worked_out_per_indicator_and_window():
    frame = pd.concat([
        values_frame("cme", {"A": 2, "B": 10, "C": 20, PARTNERSHIP_CODE: 32}),
        values_frame("cme", {"A": 8, "B": 10, "C": 20, PARTNERSHIP_CODE: 38}, window="quarter"),
        values_frame("ehe", {"A": 50, "B": 60, "C": 70, PARTNERSHIP_CODE: 180}),
    ], ignore_index=True)
    result = mark_suppressed(frame, {"cme": "count", "ehe": "count"}, PARTNERSHIP_CODE)
    hidden = set(zip(*result.loc[result["suppressed"], ["indicator_id", "window", "area_code"]]
                     .to_numpy().T, strict=True))
    assert hidden == {("cme", "year", "A"), ("cme", "year", "B")}


def test_demo_values_can_be_marked(year_values, cycle):
    units = {ind.id: ind.unit for ind in cycle.framework.indicators}
    result = mark_suppressed(year_values, units, PARTNERSHIP_CODE)
    assert len(result) == len(year_values)
    for (_, _), group in result.groupby(["indicator_id", "window"]):
        areas = group[group["area_code"] != PARTNERSHIP_CODE]
        total = group[group["area_code"] == PARTNERSHIP_CODE]
        if not total["suppressed"].any():
            assert areas["suppressed"].sum() != 1
    small = result["numerator"].between(1, 4)
    assert result.loc[small, "suppressed"].all()
