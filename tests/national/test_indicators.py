"""The long table against the real published files, read independently with `csv`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dfe_files import (
    AVON_AND_SOMERSET,
    B1,
    C1,
    C4,
    CARE_LEAVERS,
    CLA,
    CLA_AT31,
    CSWW,
    D3,
    D5,
    ENGLAND,
    ONS,
    PLACEMENTS,
    SN,
    SOUTH_WEST,
    level_of,
    row_of,
)

from scrutiny.national.indicators import BY_ID, DEFINITIONS, LONG_COLUMNS, definitions_frame

AREAS = (*AVON_AND_SOMERSET, SOUTH_WEST, ENGLAND)

EXPECTED_IDS = {
    "cin_count",
    "cin_rate_per_10k",
    "referrals_count",
    "referrals_rate_per_10k",
    "rereferral_percent",
    "s47_count",
    "s47_rate_per_10k",
    "icpc_count",
    "icpc_rate_per_10k",
    "cpp_count",
    "cpp_rate_per_10k",
    "cpp_subsequent_percent",
    "cla_count",
    "cla_rate_per_10k",
    "placements_distant_percent",
    "care_leavers_neet_19_21_percent",
    "sw_turnover_percent",
    "sw_agency_percent",
    "sw_vacancy_percent",
    "sw_caseload",
}
# indicator -> (file, column, filters): the published cell that IS the indicator's value.
COUNTS = {
    "cin_count": (B1, "At31_episodes", {}),
    "referrals_count": (C1, "referral_count", {}),
    "s47_count": (C4, "Section47", {}),
    "icpc_count": (C4, "ICPC", {}),
    "cpp_count": (D5, "CPP_At31", {}),
    "cla_count": (CLA, "children_count", CLA_AT31),
}
DISTANT = {
    "characteristic": "Location of new placements during the year",
    "breakdown": "Placed outside LA boundary more than 20 miles from home",
}
NEET = {
    "care_leaver_age": "19 to 21 years",
    "breakdown": "Total not in education, employment or training",
}
PUBLISHED = {
    "rereferral_percent": (C1, "rereferral_percent", {}),
    "cpp_subsequent_percent": (D3, "CPP_subsequent_percent", {}),
    "cla_rate_per_10k": (CLA, "rate_per_10000", CLA_AT31),
    "placements_distant_percent": (PLACEMENTS, "children_percent", DISTANT),
    "care_leavers_neet_19_21_percent": (CARE_LEAVERS, "care_leaver_percent", NEET),
    "sw_turnover_percent": (CSWW, "turnover_rate_fte", {}),
    "sw_agency_percent": (CSWW, "agency_rate_fte", {}),
    "sw_vacancy_percent": (CSWW, "vacancy_rate_fte", {}),
    "sw_caseload": (CSWW, "caseload_fte", {}),
}
# The published numerators (counts beside a published percentage).
NUMERATORS = {
    "rereferral_percent": (C1, "rereferral_count", {}),
    "cpp_subsequent_percent": (D3, "CPP_subsequent", {}),
    "placements_distant_percent": (PLACEMENTS, "children_count", DISTANT),
    "care_leavers_neet_19_21_percent": (CARE_LEAVERS, "care_leaver_count", NEET),
}
RATES = {
    "cin_rate_per_10k": "cin_count",
    "referrals_rate_per_10k": "referrals_count",
    "s47_rate_per_10k": "s47_count",
    "icpc_rate_per_10k": "icpc_count",
    "cpp_rate_per_10k": "cpp_count",
}


def same(published: str, row) -> bool:
    """A published cell and a long-table (value, suppression) pair say the same thing."""
    try:
        number = float(published)
    except ValueError:
        return math.isnan(row["value"]) and row["suppression"] == published
    return row["value"] == number and row["suppression"] == ""


def test_catalogue_ids_and_fields() -> None:
    assert {d.id for d in DEFINITIONS} == EXPECTED_IDS
    frame = definitions_frame()
    assert list(frame.columns) == [
        "indicator_id",
        "title",
        "unit",
        "polarity",
        "source",
        "computed",
        "period",
    ]
    assert set(frame["polarity"]) <= {"higher_is_better", "lower_is_better", "context"}
    assert frame["computed"].str.len().min() > 20


def test_table_shape(table) -> None:
    assert list(table.columns) == list(LONG_COLUMNS)
    assert set(table["indicator_id"]) == EXPECTED_IDS
    assert table["time_period"].dtype == np.int64
    for name in ("value", "numerator", "denominator"):
        assert table[name].dtype == np.float64
    assert set(table["geographic_level"]) == {"england", "region", "local_authority"}
    keys = ["indicator_id", "time_period", "geographic_level", "area_code"]
    assert not table.duplicated(keys).any()
    # In these files a value is missing exactly when a symbol says why.
    assert (table["value"].isna() == (table["suppression"] != "")).all()


def test_years_covered(table, plain) -> None:
    years = table.groupby("indicator_id")["time_period"].agg(["min", "max"])
    assert tuple(years.loc["cin_count"]) == (2013, 2025)
    assert tuple(years.loc["cla_rate_per_10k"]) == (2021, 2025)
    assert tuple(years.loc["sw_caseload"]) == (2017, 2025)
    assert tuple(years.loc["care_leavers_neet_19_21_percent"]) == (2021, 2025)
    assert plain.years(B1) == list(range(2013, 2026))


@pytest.mark.parametrize("indicator_id", sorted(COUNTS))
def test_counts_come_through_exactly(table, plain, indicator_id) -> None:
    name, column, filters = COUNTS[indicator_id]
    checked = 0
    for code in AREAS:
        for year in plain.years(name):
            published = plain.cell(name, column, level_of(code), code, year, **filters)
            row = row_of(table, indicator_id, code, year)
            if published is None:
                assert row is None
                continue
            assert row is not None, (indicator_id, code, year)
            assert same(published, row), (indicator_id, code, year, published, dict(row))
            assert row["numerator"] == row["value"] or math.isnan(row["value"])
            checked += 1
    assert checked >= len(AREAS) * len(plain.years(name))


@pytest.mark.parametrize("indicator_id", sorted(PUBLISHED))
def test_published_figures_are_used_as_published(table, plain, indicator_id) -> None:
    name, column, filters = PUBLISHED[indicator_id]
    for code in AREAS:
        for year in plain.years(name):
            published = plain.cell(name, column, level_of(code), code, year, **filters)
            row = row_of(table, indicator_id, code, year)
            assert (published is None) == (row is None)
            if row is not None:
                assert same(published, row), (indicator_id, code, year, published, dict(row))


@pytest.mark.parametrize("indicator_id", sorted(NUMERATORS))
def test_numerators_come_through_exactly(table, plain, indicator_id) -> None:
    name, column, filters = NUMERATORS[indicator_id]
    for code in AREAS:
        for year in plain.years(name):
            published = plain.cell(name, column, level_of(code), code, year, **filters)
            row = row_of(table, indicator_id, code, year)
            if row is None:
                continue
            try:
                assert row["numerator"] == float(published)
            except ValueError:
                assert math.isnan(row["numerator"])


def population(plain, code: str, mid_year: int) -> float:
    return float(plain.cell(ONS, "population_estimate", level_of(code), code, mid_year))


@pytest.mark.parametrize("indicator_id", sorted(RATES))
def test_rates_use_population_at_mid_year_before(table, plain, indicator_id) -> None:
    count_id = RATES[indicator_id]
    for code in AREAS:
        for year in range(2013, 2026):
            count = row_of(table, count_id, code, year)
            rate = row_of(table, indicator_id, code, year)
            if count["suppression"]:
                assert rate["suppression"] == count["suppression"]
                continue
            expected = count["value"] / population(plain, code, year - 1) * 10_000
            assert rate["value"] == pytest.approx(expected, rel=1e-12)
            assert rate["denominator"] == population(plain, code, year - 1)


def test_england_2025_matches_domain_notes(table) -> None:
    def value(indicator_id: str) -> float:
        return row_of(table, indicator_id, ENGLAND, 2025)["value"]

    assert value("referrals_count") == 632_830
    assert round(value("referrals_rate_per_10k")) == 519
    assert value("rereferral_percent") == 22.6
    assert value("cin_count") == 402_400 and round(value("cin_rate_per_10k")) == 330
    assert value("s47_count") == 230_590 and round(value("s47_rate_per_10k")) == 189
    assert value("icpc_count") == 72_100 and round(value("icpc_rate_per_10k")) == 59
    assert value("cpp_count") == 49_420 and round(value("cpp_rate_per_10k")) == 41
    assert value("cpp_subsequent_percent") == 24.5
    assert value("cla_count") == 81_770 and value("cla_rate_per_10k") == 67


def test_population_orders_of_magnitude_match_domain_notes(table) -> None:
    def children(code: str) -> float:
        return row_of(table, "cin_rate_per_10k", code, 2025)["denominator"]

    assert round(children("800"), -2) == 36_600
    assert round(children("933"), -3) == 113_000
    assert round(children("801"), -2) == 92_700


def test_dfe_rate_method_against_the_cla_file(plain) -> None:
    """DfE publishes the looked-after rate beside its count and population: the population is
    the ONS estimate at mid-year t-1, and count / that population reproduces the rate."""
    ons = {}
    for row in plain.rows(ONS):
        code = {"National": row["country_code"], "Regional": row["region_code"]}.get(
            row["geographic_level"], row["old_la_code"]
        )
        ons[(code, int(row["time_period"]))] = row["population_estimate"]
    checked = misfit_same_year = 0
    for row in plain.rows(CLA):
        if row["population_type"] != CLA_AT31["population_type"]:
            continue
        if "x" in (row["population_estimate"],) or row["children_count"] in ("c", "z"):
            continue
        code = {"National": row["country_code"], "Regional": row["region_code"]}.get(
            row["geographic_level"], row["old_la_code"]
        )
        year = int(row["time_period"])
        assert row["population_estimate"] == ons[(code, year - 1)]
        count, published = float(row["children_count"]), float(row["rate_per_10000"])
        recomputed = count / float(ons[(code, year - 1)]) * 10_000
        # National and regional counts are rounded to 10; DfE's rate uses the exact count.
        slack = (
            0.5
            if row["geographic_level"] == "Local authority"
            else 0.5 + 5e4 / float(ons[(code, year - 1)])
        )
        assert abs(recomputed - published) <= slack + 1e-9
        if ons.get((code, year)) not in (None, row["population_estimate"]):
            misfit_same_year += 1
        checked += 1
    assert checked > 700
    assert misfit_same_year > 600  # the same-year estimate is a different number


def _rounding_slack(definition, row) -> float:
    """How far a recomputed figure may sit from the published one, given that the published
    figure is rounded and so are the inputs it is recomputed from."""
    n, d, scale = row["numerator"], row["denominator"], definition.scale
    published = 0.5 if definition.family in {"placements", "care_leavers", "cla"} else 0.05
    if row["geographic_level"] != "local_authority":
        dn = dd = 5.0  # national and regional counts are rounded to the nearest 10
    elif definition.family == "workforce":
        dn = 0.0 if definition.id == "sw_caseload" else 0.05  # FTE to one decimal place
        dd = 0.1  # a sum of two such figures
    else:
        dn = dd = 0.0  # LA counts are exact
    return published + scale * (dn / d + dd * n / d**2) + 1e-9


@pytest.mark.parametrize("indicator_id", sorted(PUBLISHED))
def test_recomputation_agrees_with_published(national, indicator_id) -> None:
    table, definition = national.table, BY_ID[indicator_id]
    rows = table[
        (table["indicator_id"] == indicator_id)
        & table["value"].notna()
        & (table["denominator"] > 0)
        & table["numerator"].notna()
    ]
    if definition.family == "workforce":
        # DfE's national and regional workforce rates leave out authorities with missing
        # parts, so they cannot be rebuilt from the published totals; check LAs.
        rows = rows[rows["geographic_level"] == "local_authority"]
    assert len(rows) > 500
    region = dict(zip(national.areas["old_la_code"], national.areas["region_code"], strict=True))
    unreliable = table[
        (table["indicator_id"] == indicator_id)
        & table["suppression"].isin(["u", "x"])
        & (table["geographic_level"] == "local_authority")
    ]
    for _, row in rows.iterrows():
        recomputed = row["numerator"] / row["denominator"] * definition.scale
        if abs(recomputed - row["value"]) <= _rounding_slack(definition, row):
            continue
        # The only other case: a national or regional percentage that DfE computed without
        # a member LA whose own figure was unreliable or unavailable (Doncaster 2022, "u").
        assert row["geographic_level"] != "local_authority", dict(row)
        members = unreliable[unreliable["time_period"] == row["time_period"]]
        if row["geographic_level"] == "region":
            members = members[members["area_code"].map(region) == row["area_code"]]
        assert not members.empty, dict(row)


def test_every_published_symbol_survives(table, plain) -> None:
    seen = set()
    for indicator_id, (name, column, filters) in {**COUNTS, **PUBLISHED}.items():
        for row in plain.rows(name):
            if row["geographic_level"] != "Local authority" or "/" in row["old_la_code"]:
                continue
            if any(row[key] != value for key, value in filters.items()):
                continue
            cell = row[column]
            try:
                float(cell)
                continue
            except ValueError:
                pass
            found = row_of(table, indicator_id, row["old_la_code"], int(row["time_period"]))
            if found is None:
                # Only rows for authorities that did not exist that year are left out.
                assert cell in {"z", "x"} and row["old_la_code"] in {
                    "909",
                    "928",
                    "940",
                    "941",
                    "942",
                    "943",
                }
                continue
            assert math.isnan(found["value"]) and found["suppression"] == cell
            seen.add(cell)
    assert {"c", "x", "z", "u", "low"} <= seen


def test_specific_real_symbols(table) -> None:
    # b1 2023, Isles of Scilly: children in need at 31 March suppressed, so is its rate.
    for indicator_id in ("cin_count", "cin_rate_per_10k"):
        row = row_of(table, indicator_id, "420", 2023)
        assert math.isnan(row["value"]) and row["suppression"] == "c"
    # Hackney's 2021 and 2022 children in need figures were not available (x).
    assert row_of(table, "cin_count", "204", 2021)["suppression"] == "x"
    # d3: Isles of Scilly started no plans in 2024, so the percentage is not applicable (z).
    assert row_of(table, "cpp_subsequent_percent", "420", 2024)["suppression"] == "z"
    # csww 2025: Sunderland's agency rate is published as "low".
    assert row_of(table, "sw_agency_percent", "394", 2025)["suppression"] == "low"
    # Never a zero in place of a symbol.
    assert not ((table["suppression"] != "") & (table["value"] == 0)).any()


def test_rate_inherits_population_symbol(table) -> None:
    # ONS publishes no 2012-2018 estimate for the old Dorset authorities (x): their counts
    # are real, their rates are "x".
    count, rate = (
        row_of(table, "cin_count", "835", 2015),
        row_of(table, "cin_rate_per_10k", "835", 2015),
    )
    assert count["suppression"] == "" and count["value"] > 0
    assert math.isnan(rate["value"]) and rate["suppression"] == "x"


def test_somerset_series_is_continuous(table, plain) -> None:
    assert plain.cell(B1, "new_la_code", "local_authority", "933", 2023) == "E10000027"
    assert plain.cell(B1, "new_la_code", "local_authority", "933", 2024) == "E06000066"
    somerset = table[table["area_code"] == "933"]
    assert set(somerset["area_name"]) == {"Somerset"}
    for indicator_id, group in somerset.groupby("indicator_id"):
        years = sorted(group["time_period"])
        assert years == list(range(years[0], years[-1] + 1)), indicator_id
        assert {2023, 2024} <= set(years)
    assert len(somerset[somerset["indicator_id"] == "cin_rate_per_10k"]) == 13
    assert not table["area_code"].isin(["E10000027", "E06000066"]).any()


def test_missing_years_stay_missing(table) -> None:
    la = table[table["geographic_level"] == "local_authority"]
    cin = la[la["indicator_id"] == "cin_count"]
    # Hackney 2021-2022: rows present, values not available, nothing filled in.
    hackney = cin[cin["area_code"] == "204"].set_index("time_period")
    assert hackney.loc[[2021, 2022], "value"].isna().all()
    assert hackney.loc[[2020, 2023], "value"].notna().all()
    # Authorities that did not exist have no rows: Cumbria ends in 2023, Cumberland starts in
    # 2024, Northamptonshire ends in 2021; no row is invented for them in any indicator.
    assert cin[cin["area_code"] == "909"]["time_period"].max() == 2023
    assert cin[cin["area_code"] == "942"]["time_period"].min() == 2024
    cla = la[la["indicator_id"] == "cla_count"]
    assert not ((cla["area_code"] == "909") & (cla["time_period"] >= 2024)).any()
    assert not ((cla["area_code"] == "928") & (cla["time_period"] >= 2022)).any()
    # Kensington and Chelsea's 2025 workforce return is not available.
    assert row_of(table, "sw_turnover_percent", "207", 2025)["suppression"] == "x"


def test_153_local_authorities(table, plain) -> None:
    current = {row["old_la_code"] for row in plain.rows(SN)}
    assert len(current) == 153
    la = table[table["geographic_level"] == "local_authority"]
    for year in (2024, 2025):
        for indicator_id, group in la[la["time_period"] == year].groupby("indicator_id"):
            assert set(group["area_code"]) == current, (indicator_id, year)


def test_all_regions_and_england(table) -> None:
    regions = {f"E1200000{i}" for i in range(1, 10)} | {"E13000001", "E13000002"}
    for _, group in table.groupby(["indicator_id", "time_period"]):
        assert set(group.loc[group["geographic_level"] == "region", "area_code"]) == regions
        assert list(group.loc[group["geographic_level"] == "england", "area_code"]) == [ENGLAND]
    south_west = table[table["area_code"] == SOUTH_WEST]
    assert set(south_west["area_name"]) == {"South West"}


def test_bristol_name_with_comma(table) -> None:
    assert set(table.loc[table["area_code"] == "801", "area_name"]) == {"Bristol, City of"}


def test_joint_workforce_return_given_to_both_members(national) -> None:
    table = national.table
    kingston = row_of(table, "sw_turnover_percent", "314", 2025)
    richmond = row_of(table, "sw_turnover_percent", "318", 2025)
    assert kingston["value"] == richmond["value"] == 28.0
    shared = national.shared_returns
    assert set(shared.loc[shared["area_code"].isin(["314", "318"]), "joint_code"]) == {"314 / 318"}
