"""Population, statistical neighbours and Ofsted outcomes from the real files."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from dfe_files import AVON_AND_SOMERSET, OFSTED, ONS, SN, SOUTH_WEST

from scrutiny.national.ees import read_population, read_statistical_neighbours
from scrutiny.national.ofsted import read_ofsted_outcomes

GRADES = {"Outstanding", "Good", "Requires improvement to be good", "Inadequate"}


def test_population(dfe_dir: Path, plain) -> None:
    population = read_population(dfe_dir / ONS)
    assert sorted(population["mid_year"].unique()) == list(range(2012, 2025))
    keyed = population.set_index(["area_code", "mid_year"])
    for code in (*AVON_AND_SOMERSET, SOUTH_WEST):
        level = "region" if code == SOUTH_WEST else "local_authority"
        for year in (2012, 2022, 2023, 2024):
            published = plain.cell(ONS, "population_estimate", level, code, year)
            assert keyed.loc[(code, year), "population"] == float(published)
    somerset = population[population["area_code"] == "933"]
    assert sorted(somerset["mid_year"]) == list(range(2012, 2025))
    dorset = keyed.loc[("835", 2015)]
    assert math.isnan(dorset["population"]) and dorset["population_symbol"] == "x"


def test_statistical_neighbours(dfe_dir: Path, plain) -> None:
    neighbours = read_statistical_neighbours(dfe_dir / SN)
    assert neighbours["old_la_code"].nunique() == 153
    assert (neighbours.groupby("old_la_code").size() == 10).all()
    row = [r for r in plain.rows(SN) if r["old_la_code"] == "801"][0]
    bristol = neighbours[neighbours["old_la_code"] == "801"]
    assert list(bristol["neighbour_code"]) == [row[f"SN_{i}"] for i in range(1, 11)]
    assert bristol["la_name"].iloc[0] == "Bristol, City of"
    assert "Close" in set(neighbours["closeness"])  # published as "Close " with a space
    assert set(neighbours["neighbour_code"]) <= set(neighbours["old_la_code"])


def test_ofsted_joined_to_old_la_code(dfe_dir: Path, national) -> None:
    ofsted = read_ofsted_outcomes(dfe_dir / OFSTED, national.areas)
    assert len(ofsted) == 153
    assert ofsted["old_la_code"].notna().all() and not ofsted["old_la_code"].duplicated().any()
    assert set(ofsted["old_la_code"]) == set(national.neighbours["old_la_code"])
    assert set(ofsted["overall_effectiveness"]) <= GRADES
    by_code = ofsted.set_index("old_la_code")
    assert by_code.loc["801", "ofsted_name"] == "Bristol"
    assert by_code.loc["933", "ons_code"] == "E06000066"
    assert by_code.loc["933", "inspection_date"].year >= 2018


def test_ofsted_join_by_name_when_codes_do_not_help(dfe_dir: Path, national) -> None:
    """Older publications had no ONS codes: the join falls back on normalised names
    ("Bristol", "Telford & Wrekin", "St Helens", "Durham")."""
    areas = national.areas.assign(ons_codes=[()] * len(national.areas))
    ofsted = read_ofsted_outcomes(dfe_dir / OFSTED, areas)
    assert set(ofsted["match"]) == {"name"}
    assert ofsted["old_la_code"].notna().all()
    by_code = read_ofsted_outcomes(dfe_dir / OFSTED, national.areas)
    assert list(ofsted["old_la_code"]) == list(by_code["old_la_code"])


def test_loader_reports_no_problems(national) -> None:
    assert national.problems == []
    assert national.ofsted is not None and national.neighbours is not None
    assert len(national.areas) >= 153


def test_ofsted_rows_without_a_match_are_kept_and_marked(dfe_dir: Path, national) -> None:
    areas = national.areas[national.areas["old_la_code"] != "801"]
    ofsted = read_ofsted_outcomes(dfe_dir / OFSTED, areas)
    bristol = ofsted[ofsted["ofsted_name"] == "Bristol"].iloc[0]
    assert pd.isna(bristol["old_la_code"]) and bristol["match"] == ""
    assert ofsted["old_la_code"].notna().sum() == 152
