"""Synthetic national files: deterministic, in the published layout, loaded without problems,
complete for the demo areas, consistent between areas, and usable by every comparator."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import statistics
from pathlib import Path

import pytest
from dfe_files import B1, C1, C4, CARE_LEAVERS, CLA, CSWW, D3, D5, OFSTED, ONS, PLACEMENTS, SN

from scrutiny import demo
from scrutiny.national.comparators import (
    benchmark,
    la_ranks,
    neighbour_medians,
    partnership_aggregate,
)
from scrutiny.national.files import NEIGHBOURS_PATTERN, OFSTED_PATTERN, POPULATION_PATTERN
from scrutiny.national.indicators import BY_ID, DEFINITIONS, FAMILIES
from scrutiny.national.load import load_national
from scrutiny.national.synthetic import (
    SYMBOL_CELLS,
    SYNTHETIC_OLD_CODES,
    SYNTHETIC_ONS_CODES,
    authorities,
    write_synthetic_national,
)

CSVS = (B1, C1, C4, D3, D5, CLA, PLACEMENTS, CARE_LEAVERS, CSWW, ONS, SN)
DEMO = tuple(str(area.old_la_code) for area in demo.AREAS)
SOUTH_WEST, ENGLAND = "E12000009", "E92000001"
YEARS = list(range(2021, 2026))


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_byte_identical_on_every_call(synthetic_dir: Path, tmp_path: Path) -> None:
    written = write_synthetic_national(tmp_path / "again")
    assert written == sorted(written) and all(p.parent == tmp_path / "again" for p in written)
    assert {p.name for p in written} == {*CSVS, OFSTED, "README.txt"}
    assert digests(tmp_path / "again") == digests(synthetic_dir)
    write_synthetic_national(tmp_path / "other", seed=7)
    assert digests(tmp_path / "other") != digests(synthetic_dir)


def test_names_and_patterns_of_the_published_files(synthetic_dir: Path) -> None:
    names = {p.name for p in synthetic_dir.iterdir()}
    patterns = [f.pattern for f in FAMILIES.values()]
    patterns += [POPULATION_PATTERN, NEIGHBOURS_PATTERN, OFSTED_PATTERN]
    for pattern in patterns:
        assert len(list(synthetic_dir.glob(pattern))) == 1, pattern
    assert {*CSVS, OFSTED} <= names
    readme = (synthetic_dir / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "NOT OFFICIAL STATISTICS" in readme
    assert "Explore Education Statistics" in readme and "980-999" in readme


def test_same_columns_as_the_published_files(synthetic_dir: Path, dfe_dir: Path) -> None:
    for name in CSVS:
        with (synthetic_dir / name).open(encoding="utf-8-sig", newline="") as f:
            ours = next(csv.reader(f))
        with (dfe_dir / name).open(encoding="utf-8-sig", newline="") as f:
            theirs = [c.strip() for c in next(csv.reader(f))]
        assert set(ours) <= set(theirs), name
        assert ours == [c for c in theirs if c in ours], name  # in the published order
        published_bom = (dfe_dir / name).read_bytes().startswith(b"\xef\xbb\xbf")
        assert (synthetic_dir / name).read_bytes().startswith(b"\xef\xbb\xbf") == published_bom


def test_ees_layout(synthetic_dir: Path) -> None:
    for name in CSVS[:-1]:
        rows = rows_of(synthetic_dir / name)
        assert {r["geographic_level"] for r in rows} == {"National", "Regional", "Local authority"}
        years = sorted({int(r["time_period"]) for r in rows})
        assert years == (list(range(2020, 2025)) if name == ONS else YEARS), name
        assert {r["country_code"] for r in rows} == {ENGLAND}
        la = [r for r in rows if r["geographic_level"] == "Local authority"]
        assert all(r["old_la_code"] and r["new_la_code"] and r["la_name"] for r in la)
        assert all(not r["old_la_code"] for r in rows if r["geographic_level"] != "Local authority")
    text = (synthetic_dir / C4).read_text(encoding="utf-8")
    assert ',"Bristol, City of",' in text and ',"","",' in text  # quoted as published


def test_authorities_and_codes(synthetic: object, dfe_dir: Path) -> None:
    las = authorities()
    assert [la.old_la_code for la in las[:5]] == list(DEMO)
    assert [(la.name, la.ons_code) for la in las[:5]] == [(a.name, a.code) for a in demo.AREAS]
    assert [la.old_la_code for la in las[5:]] == list(SYNTHETIC_OLD_CODES)
    assert [la.name for la in las[5:]] == [f"Synthetic authority {i:02d}" for i in range(1, 21)]
    real = load_national(dfe_dir, families=["cin"], include_ofsted=False, check_contracts=False)
    real_codes = {code for codes in real.areas["ons_codes"] for code in codes}
    assert not set(SYNTHETIC_OLD_CODES) & set(real.areas["old_la_code"])
    assert not set(SYNTHETIC_ONS_CODES) & real_codes
    published = real.areas.set_index("old_la_code")
    for la in las[:5]:
        assert published.loc[la.old_la_code, "la_name"] == la.name
        assert la.ons_code in published.loc[la.old_la_code, "ons_codes"]


def test_loads_without_problems(synthetic) -> None:
    assert synthetic.problems == [] and synthetic.findings == []
    assert not any("removed" in note for note in synthetic.notes)
    assert len(synthetic.areas) == 25
    assert synthetic.neighbours is not None and synthetic.ofsted is not None
    assert len(synthetic.ofsted) == 25 and set(synthetic.ofsted["match"]) == {"ons_code"}
    assert set(synthetic.ofsted["old_la_code"]) == set(synthetic.areas["old_la_code"])


def test_every_indicator_for_the_demo_areas_region_and_england(synthetic) -> None:
    table = synthetic.table
    for code in (*DEMO, SOUTH_WEST, ENGLAND):
        rows = table[table["area_code"] == code]
        for definition in DEFINITIONS:
            found = rows[rows["indicator_id"] == definition.id]
            assert sorted(found["time_period"]) == YEARS, (code, definition.id)
            assert (found["suppression"] == "").all() and found["value"].notna().all()


def test_magnitudes_match_the_demo_returns(synthetic) -> None:
    table = synthetic.table.set_index(["indicator_id", "area_code", "time_period"])["value"]
    bands = {
        "referrals_rate_per_10k": (200, 550),
        "s47_rate_per_10k": (100, 250),
        "cpp_rate_per_10k": (25, 55),
        "cla_rate_per_10k": (40, 80),
        "rereferral_percent": (13, 26),
        "cpp_subsequent_percent": (15, 30),
        "cin_rate_per_10k": (230, 450),
    }
    for indicator, (low, high) in bands.items():
        for code in (*DEMO, *SYNTHETIC_OLD_CODES):
            for year in YEARS:
                value = table.get((indicator, code, year))
                if value is not None and not math.isnan(value):
                    assert low <= value <= high, (indicator, code, year, value)
    for area in demo.AREAS:  # the demo's profile, within noise and drift
        code = str(area.old_la_code)
        referrals = table[("referrals_rate_per_10k", code, 2024)]
        assert referrals == pytest.approx(area.profile["referrals"], rel=0.12)
        rereferrals = table[("rereferral_percent", code, 2024)]
        assert rereferrals == pytest.approx(100 * area.profile["rereferral"], abs=3)


def test_regions_and_england_add_up(synthetic, synthetic_dir: Path) -> None:
    table = synthetic.table
    members = {
        SOUTH_WEST: set(synthetic.areas.loc[synthetic.areas["region_code"] == SOUTH_WEST,
                                            "old_la_code"]),
        ENGLAND: set(synthetic.areas["old_la_code"]),
    }
    assert len(members[SOUTH_WEST]) == 15 and set(DEMO) <= members[SOUTH_WEST]
    for indicator in ("cin_count", "referrals_count", "s47_count", "cpp_count", "cla_count"):
        for code, codes in members.items():
            for year in YEARS:
                rows = table[(table["indicator_id"] == indicator) & (table["time_period"] == year)]
                total = rows.loc[rows["area_code"].isin(codes), "numerator"].sum()
                if indicator == "cin_count" and year == 2021:
                    continue  # one member's figure is "x" (not available)
                published = rows.loc[rows["area_code"] == code, "value"].iloc[0]
                assert published % 10 == 0 and abs(published - total) <= 5, (indicator, code)
    population = {(r["old_la_code"] or r["region_code"] or ENGLAND, r["time_period"]):
                  int(r["population_estimate"]) for r in rows_of(synthetic_dir / ONS)}
    for year in range(2020, 2025):
        la_total = sum(population[code, str(year)] for code in members[ENGLAND])
        assert population[ENGLAND, str(year)] == la_total
    rates = table[(table["indicator_id"] == "referrals_rate_per_10k") & (table["area_code"]
                                                                         == ENGLAND)]
    assert (rates["denominator"] > 0).all()


def test_suppression_symbols_in_small_cells(synthetic, synthetic_dir: Path) -> None:
    table = synthetic.table
    symbols = table[table["suppression"] != ""]
    assert set(symbols["area_code"]) <= set(SYNTHETIC_OLD_CODES)
    assert {"x", "u", "c", "low"} <= set(symbols["suppression"])
    for (_, code, year), cells in SYMBOL_CELLS.items():
        assert code in set(symbols.loc[symbols["time_period"] == year, "area_code"])
        assert set(cells.values()) <= set(symbols["suppression"])
    for name, column in ((CARE_LEAVERS, "care_leaver_count"), (PLACEMENTS, "children_count")):
        rows = rows_of(synthetic_dir / name)
        small = [r for r in rows if r[column] == "c"]
        assert small and all(r["geographic_level"] == "Local authority" for r in small)


def test_statistical_neighbours(synthetic) -> None:
    neighbours = synthetic.neighbours
    codes = set(synthetic.areas["old_la_code"])
    assert set(neighbours["old_la_code"]) == codes
    assert (neighbours.groupby("old_la_code").size() == 10).all()
    assert set(neighbours["neighbour_code"]) <= codes
    assert not (neighbours["neighbour_code"] == neighbours["old_la_code"]).any()
    assert set(neighbours["closeness"]) <= {"Very close", "Close", "Somewhat close", "Not close"}


def test_comparators_work_on_synthetic_files(synthetic) -> None:
    table, neighbours = synthetic.table, synthetic.neighbours
    medians = neighbour_medians(table, neighbours, DEMO)
    assert set(medians["area_code"]) == set(DEMO)
    assert set(medians["indicator_id"]) == set(BY_ID) and (medians["n_expected"] == 10).all()
    somerset = neighbours.loc[neighbours["old_la_code"] == "933", "neighbour_code"]
    values = table[(table["indicator_id"] == "referrals_rate_per_10k")
                   & (table["time_period"] == 2025) & table["area_code"].isin(set(somerset))]
    got = medians[(medians["area_code"] == "933") & (medians["time_period"] == 2025)
                  & (medians["indicator_id"] == "referrals_rate_per_10k")].iloc[0]
    assert got["value"] == pytest.approx(statistics.median(values["value"]))

    ranks = la_ranks(table)
    assert ranks["n_ranked"].max() == 25 and set(ranks["quartile"].dropna()) == {1, 2, 3, 4}
    bristol = ranks[(ranks["area_code"] == "801") & (ranks["time_period"] == 2025)]
    assert len(bristol) == len(DEFINITIONS) and bristol["rank"].notna().all()

    view = benchmark(table, "801", region_code=SOUTH_WEST, neighbours=neighbours)
    counts = view.groupby(["indicator_id", "time_period"])["comparator"].nunique()
    assert (counts == 4).all() and len(counts) == len(DEFINITIONS) * len(YEARS)

    partnership = partnership_aggregate(table, DEMO, area_name="Avon and Somerset")
    assert len(partnership) == len(DEFINITIONS) * len(YEARS)
    assert (partnership["suppression"] == "").all()
    cla = partnership[(partnership["indicator_id"] == "cla_count")
                      & (partnership["time_period"] == 2025)]["value"].iloc[0]
    members = table[(table["indicator_id"] == "cla_count") & (table["time_period"] == 2025)
                    & table["area_code"].isin(set(DEMO))]["value"].sum()
    assert cla == members


def test_without_the_ofsted_spreadsheet(synthetic_dir: Path, synthetic, tmp_path: Path) -> None:
    folder = tmp_path / "no_ofsted"
    folder.mkdir()
    for path in synthetic_dir.iterdir():
        if path.suffix != ".ods":
            (folder / path.name).symlink_to(path)
    data = load_national(folder)
    assert [(p.family, p.problem) for p in data.problems] == [
        ("ofsted", f"file not found in {folder}")]
    assert data.ofsted is None and data.table.equals(synthetic.table)
    assert load_national(folder, include_ofsted=False).problems == []
