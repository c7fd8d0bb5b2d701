"""Comparators: England, region, neighbour median, partnership aggregate, rank and quartile."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest
from dfe_files import AVON_AND_SOMERSET, B1, ENGLAND, ONS, PLACEMENTS, SN, SOUTH_WEST, row_of

from scrutiny.national.comparators import (
    benchmark,
    england_values,
    la_ranks,
    neighbour_medians,
    partnership_aggregate,
    region_of,
    region_values,
)
from scrutiny.national.indicators import BY_ID, LONG_COLUMNS, IndicatorDefinition


def test_england_and_region_rows(table) -> None:
    england = england_values(table)
    assert set(england["area_code"]) == {ENGLAND}
    assert len(england) == table[table["geographic_level"] == "england"].shape[0]
    south_west = region_values(table, SOUTH_WEST)
    assert set(south_west["area_name"]) == {"South West"}
    assert list(south_west.columns) == list(LONG_COLUMNS)


def test_region_of(national) -> None:
    for code in AVON_AND_SOMERSET:
        assert region_of(national.areas, code) == SOUTH_WEST
    with pytest.raises(KeyError):
        region_of(national.areas, "999")


def test_neighbour_median_matches_a_hand_computation(national, plain) -> None:
    table = national.table
    neighbours = [row for row in plain.rows(SN) if row["old_la_code"] == "933"][0]
    codes = [neighbours[f"SN_{i}"] for i in range(1, 11)]
    medians = neighbour_medians(table, national.neighbours)
    for indicator_id in ("cin_rate_per_10k", "rereferral_percent", "sw_caseload"):
        values = [row_of(table, indicator_id, code, 2025)["value"] for code in codes]
        values = [v for v in values if not math.isnan(v)]
        got = medians[
            (medians["area_code"] == "933")
            & (medians["indicator_id"] == indicator_id)
            & (medians["time_period"] == 2025)
        ].iloc[0]
        assert got["value"] == pytest.approx(statistics.median(values), rel=1e-12)
        assert got["n_neighbours"] == len(values) and got["n_expected"] == 10


def test_neighbour_median_leaves_out_suppressed_neighbours(national) -> None:
    # Hackney's 2021 children in need figure is "x": LAs with Hackney as a neighbour get a
    # median of the other nine.
    sn = national.neighbours
    with_hackney = set(sn.loc[sn["neighbour_code"] == "204", "old_la_code"])
    assert with_hackney
    medians = neighbour_medians(national.table, sn, with_hackney)
    got = medians[(medians["indicator_id"] == "cin_count") & (medians["time_period"] == 2021)]
    assert set(got["n_neighbours"]) == {9}


def test_benchmark_puts_comparators_side_by_side(national) -> None:
    frame = benchmark(national.table, "933", region_code=SOUTH_WEST, neighbours=national.neighbours)
    one = frame[(frame["indicator_id"] == "cin_rate_per_10k") & (frame["time_period"] == 2025)]
    assert list(one["comparator"]) == ["local_authority", "region", "england", "neighbour_median"]
    assert list(one["area_code"]) == ["933", SOUTH_WEST, ENGLAND, "933"]
    assert one["n_neighbours"].iloc[-1] == 10


def test_partnership_sums_counts_and_recomputes_rates(national, plain) -> None:
    aggregate = partnership_aggregate(
        national.table,
        AVON_AND_SOMERSET,
        area_name="Avon and Somerset",
        shared_returns=national.shared_returns,
    )
    assert list(aggregate.columns) == list(LONG_COLUMNS)
    assert set(aggregate["geographic_level"]) == {"partnership"}
    row = aggregate[
        (aggregate["indicator_id"] == "cin_count") & (aggregate["time_period"] == 2025)
    ].iloc[0]
    counts = [
        float(plain.cell(B1, "At31_episodes", "local_authority", c, 2025))
        for c in AVON_AND_SOMERSET
    ]
    assert row["value"] == sum(counts)
    rate = aggregate[
        (aggregate["indicator_id"] == "cin_rate_per_10k") & (aggregate["time_period"] == 2025)
    ].iloc[0]
    children = sum(
        float(plain.cell(ONS, "population_estimate", "local_authority", c, 2024))
        for c in AVON_AND_SOMERSET
    )
    assert rate["value"] == pytest.approx(sum(counts) / children * 10_000, rel=1e-12)
    # A recomputed percentage, not an average of the published ones.
    reref = aggregate[
        (aggregate["indicator_id"] == "rereferral_percent") & (aggregate["time_period"] == 2025)
    ].iloc[0]
    assert reref["value"] == pytest.approx(reref["numerator"] / reref["denominator"] * 100)


def test_partnership_suppressed_if_any_member_is(national, plain) -> None:
    # South Gloucestershire's 2025 distant placements are suppressed (c).
    cell = plain.cell(
        PLACEMENTS,
        "children_percent",
        "local_authority",
        "803",
        2025,
        characteristic="Location of new placements during the year",
        breakdown="Placed outside LA boundary more than 20 miles from home",
    )
    assert cell == "c"
    aggregate = partnership_aggregate(national.table, AVON_AND_SOMERSET)
    row = aggregate[
        (aggregate["indicator_id"] == "placements_distant_percent")
        & (aggregate["time_period"] == 2025)
    ].iloc[0]
    assert math.isnan(row["value"]) and row["suppression"] == "c"
    # Hackney's missing 2021 return makes any aggregate with Hackney "x" for that year.
    with_hackney = partnership_aggregate(national.table, ["204", "202"])
    row = with_hackney[
        (with_hackney["indicator_id"] == "cin_count") & (with_hackney["time_period"] == 2021)
    ].iloc[0]
    assert math.isnan(row["value"]) and row["suppression"] == "x"


def test_partnership_missing_member_year_is_not_available(national) -> None:
    # Cumberland (942) did not exist before 2024: an aggregate with it has no 2023 value.
    aggregate = partnership_aggregate(national.table, ["942", "943"])
    row = aggregate[
        (aggregate["indicator_id"] == "cin_count") & (aggregate["time_period"] == 2024)
    ].iloc[0]
    assert row["suppression"] == "" and row["value"] > 0
    # Neither existed in 2023: there is nothing to aggregate and no row is invented.
    assert not (
        (aggregate["indicator_id"] == "cin_count") & (aggregate["time_period"] == 2023)
    ).any()
    mixed = partnership_aggregate(national.table, ["942", "800"])
    row = mixed[(mixed["indicator_id"] == "cin_count") & (mixed["time_period"] == 2023)].iloc[0]
    assert math.isnan(row["value"]) and row["suppression"] == "x"


def test_partnership_counts_a_joint_return_once(national) -> None:
    table = national.table
    once = partnership_aggregate(table, ["314", "318"], shared_returns=national.shared_returns)
    row = once[
        (once["indicator_id"] == "sw_turnover_percent") & (once["time_period"] == 2025)
    ].iloc[0]
    kingston = row_of(table, "sw_turnover_percent", "314", 2025)
    assert row["numerator"] == kingston["numerator"]
    assert row["denominator"] == kingston["denominator"]
    assert row["suppression"] == ""
    # Counts of the two LAs are still summed.
    cin = once[(once["indicator_id"] == "cin_count") & (once["time_period"] == 2025)].iloc[0]
    assert cin["value"] == (
        row_of(table, "cin_count", "314", 2025)["value"]
        + row_of(table, "cin_count", "318", 2025)["value"]
    )


def test_ranks_are_direction_aware(table) -> None:
    ranks = la_ranks(table)
    year = ranks[ranks["time_period"] == 2025]
    reref = year[year["indicator_id"] == "rereferral_percent"]
    best = reref[reref["rank"] == 1]["value"].iloc[0]
    assert best == reref["value"].min()  # lower is better
    assert reref["rank_order"].iloc[0].startswith("ascending")
    cin = year[year["indicator_id"] == "cin_rate_per_10k"]
    assert cin[cin["rank"] == 1]["value"].iloc[0] == cin["value"].max()  # context: descending
    assert "context" in cin["rank_order"].iloc[0]
    assert cin["n_ranked"].iloc[0] == cin["value"].notna().sum()
    assert set(cin["quartile"].dropna()) == {1, 2, 3, 4}
    assert (cin.groupby("quartile").size().max() - cin.groupby("quartile").size().min()) <= 2
    # LAs without a value are listed, unranked.
    placements = year[year["indicator_id"] == "placements_distant_percent"]
    south_glos = placements[placements["area_code"] == "803"].iloc[0]
    assert pd.isna(south_glos["rank"]) and south_glos["suppression"] == "c"


def test_higher_is_better_ranks_descending() -> None:
    long = pd.DataFrame(
        {
            "indicator_id": ["good"] * 4,
            "time_period": [2025] * 4,
            "geographic_level": ["local_authority"] * 4,
            "area_code": ["a", "b", "c", "d"],
            "area_name": ["A", "B", "C", "D"],
            "value": [10.0, 30.0, 20.0, float("nan")],
            "numerator": [1.0, 3.0, 2.0, float("nan")],
            "denominator": [10.0] * 4,
            "suppression": ["", "", "", "c"],
        }
    )
    base = BY_ID["rereferral_percent"]
    good = IndicatorDefinition(
        "good", "t", "percent", "higher_is_better", base.family, base.method, "c", "p"
    )
    ranks = la_ranks(long, {"good": good}).set_index("area_code")
    assert list(ranks.loc[["b", "c", "a"], "rank"]) == [1, 2, 3]
    assert list(ranks.loc[["b", "c", "a"], "quartile"]) == [1, 2, 3]
    assert pd.isna(ranks.loc["d", "rank"]) and ranks.loc["d", "n_ranked"] == 3
