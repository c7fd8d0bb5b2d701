"""The national mode: a report for every local authority in the national files, from the
published statistics alone, each benchmarked against its region, statistical neighbours and
England, and a national comparison; checked here against the files themselves."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from statsmodels.stats.proportion import proportion_confint

from scrutiny.cli import main
from scrutiny.national import BY_ID
from scrutiny.options import is_national
from scrutiny.report.national_area import NationalFigures, NationalSelectionError

REFERRALS = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CLA = "cla_number_and_rate_per_10k_children.csv"
PLACEMENTS = "la_cla_during_year_new_placements.csv"
# DfE's statistics with no better direction that are banded: the rates per 10,000 children
# (counts are not banded); their band A is the highest quarter, not the best
NO_DIRECTION = {"cin_rate_per_10k", "referrals_rate_per_10k", "s47_rate_per_10k",
                "icpc_rate_per_10k", "cpp_rate_per_10k", "cla_rate_per_10k"}
# the files a national folder can lack in the test below, and one statistic each gives
LEFT_OUT = {"sn_model_2025_wide.csv": "statistical neighbours",  # their median
            "csww_indicators_2017_to_2025.csv": "Social worker vacancy rate (FTE), %",
            "ons_mid-year_population_estimates_2012_to_2024.csv":
                "Children in need per 10,000 children (at 31 March)"}


@pytest.fixture(scope="module")
def national_run(cycle_outputs, tmp_path_factory) -> dict:
    """`scrutiny run --areas all-england` on the demo's (synthetic) national files."""
    root = tmp_path_factory.mktemp("national")
    data = root / "data"
    shutil.copytree(cycle_outputs["data_dir"], data)
    out = root / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "scrutiny.cli", "run", "--data", str(data), "--areas",
         "all-england", "--out", str(out), "--no-progress"],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    period_dir = next(out.glob("national-*"))
    return {"data": data, "out": out, "period_dir": period_dir, "stdout": done.stdout,
            "run": json.loads((period_dir / "run.json").read_text())}


def _authorities(national: Path) -> dict[str, str]:
    """Every local authority with figures in the referrals file's latest year:
    old_la_code -> name."""
    with (national / REFERRALS).open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle)
                if row["geographic_level"] == "Local authority"]
    latest = max(row["time_period"] for row in rows)
    return {row["old_la_code"]: row["la_name"] for row in rows if row["time_period"] == latest}


def _cells(page: str | BeautifulSoup, caption_start: str) -> list[dict[str, str]]:
    soup = page if isinstance(page, BeautifulSoup) else BeautifulSoup(page, "html.parser")
    table = next(table for table in soup.find_all("table")
                 if table.caption and table.caption.get_text().startswith(caption_start))
    heads = [cell.get_text(" ", strip=True) for cell in table.thead.find_all("th")]
    return [dict(zip(heads, (cell.get_text(" ", strip=True) for cell in row.find_all(
        ["td", "th"])), strict=True)) for row in table.tbody.find_all("tr")]


def test_every_authority_of_the_files_gets_a_report(national_run):
    authorities = _authorities(national_run["data"] / "national")
    reports = national_run["run"]["reports"]
    assert national_run["run"]["status"] == "complete"
    assert len(reports) == len(authorities) + 1
    assert all(report["status"] == "ok" for report in reports)
    titles = {report["title"] for report in reports}
    assert {f"{name}: published statistics" for name in authorities.values()} <= titles
    assert "National comparison" in titles
    index = (national_run["period_dir"] / "index.html").read_text()
    assert index.count("published statistics</a>") == len(authorities)
    assert "Reports from the published statistics" in index
    assert "Synthetic demonstration data" in index


def test_an_authority_s_benchmarks_are_the_published_figures(national_run):
    """Bristol's re-referral figure, England's and the region's, and its 95% Wilson interval,
    as the files give them and statsmodels computes it."""
    rows = {}
    with (national_run["data"] / "national" / REFERRALS).open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["time_period"] == "2025":
                rows[row["old_la_code"] or row["region_code"] or "england"] = row
    bristol, region, england = rows["801"], rows["E12000009"], rows["england"]
    page = (national_run["period_dir"] / "la-801-bristol-city-of.html").read_text()
    assert "<h1" in page and "Bristol, City of: published statistics</h1>" in page
    table = {row["Statistic"]: row for row in _cells(page, "Bristol, City of beside")}
    shown = table["Re-referrals within 12 months, % of referrals"]
    assert shown["Bristol, City of"] == f"{float(bristol['rereferral_percent']):.1f}%"
    assert shown["England"] == f"{float(england['rereferral_percent']):.1f}%"
    assert shown["South West"] == f"{float(region['rereferral_percent']):.1f}%"
    lower, upper = proportion_confint(int(bristol["rereferral_count"]),
                                      int(bristol["referral_count"]), method="wilson")
    assert shown["95% interval"] == f"{100 * lower:.1f}% to {100 * upper:.1f}%"
    excluded = not (100 * lower <= float(england["rereferral_percent"]) <= 100 * upper)
    assert (shown["Against England"] != "● similar") == excluded
    assert re.fullmatch(r"[A-D]", shown["Band"]) and re.fullmatch(r"\d+ of \d+", shown["Rank"])
    assert "Partnership" not in page  # no partnership here: no such line or key
    # a count is set beside the others, never judged against England's
    assert table["Referrals (year ending 31 March)"]["Against England"] == "–"


def test_the_national_comparison_and_the_data_file(national_run):
    period_dir = national_run["period_dir"]
    authorities = _authorities(national_run["data"] / "national")
    page = (period_dir / "national-comparison.html").read_text()
    listed = _cells(page, "Each local authority against England")
    assert {unescape(row["Local authority"]) for row in listed} == set(authorities.values())
    with (period_dir / "data" / "national_benchmarks.csv").open(encoding="utf-8") as handle:
        data = list(csv.DictReader(handle))
    assert {row["area_code"] for row in data} == set(authorities)
    worse = sum(1 for row in data if row["area_code"] == "801" and row["judgement"] == "worse")
    bristol = next(row for row in listed if row["Local authority"] == "Bristol, City of")
    assert int(bristol["Worse than England"]) == worse


def test_nothing_changed_is_one_line(national_run):
    done = subprocess.run(
        [sys.executable, "-m", "scrutiny.cli", "run", "--data", str(national_run["data"]),
         "--areas", "all-england", "--out", str(national_run["out"]), "--no-progress"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Nothing has changed since the run of" in done.stdout


def test_areas_choose_the_national_mode_and_its_authorities(cycle_outputs):
    assert is_national(["all-england"]) and is_national(["E12000009"])
    assert is_national(["800", "801"]) and not is_national(["E06000022"])
    assert not is_national(None) and not is_national(["e06000022", "E06000023"])
    # in any case, London's halves too, and any national item beside a typo
    assert is_national(["e12000009"]) and is_national(["ALL-England"])
    assert is_national(["E13000001"]) and is_national(["800", "foo"])
    assert is_national(["800", "E06000022"])
    figures = NationalFigures.open(cycle_outputs["store"])
    assert set(figures.select(["E12000009"])) == set(
        figures.areas.loc[figures.areas["region_code"] == "E12000009", "old_la_code"])
    assert figures.select(["801", "800", "801"]) == ["801", "800"]
    with pytest.raises(NationalSelectionError, match=r"E12999998.*E12000009 \(South West\)"):
        figures.select(["E12999998"])


def test_an_authority_since_reorganised_is_named_not_reported():
    areas = pd.DataFrame({"old_la_code": ["835", "838", "800"],
                          "la_name": ["Dorset", "Dorset", "Bath and North East Somerset"],
                          "region_code": ["E12000009"] * 3, "region_name": ["South West"] * 3,
                          "first_year": [2013, 2020, 2013], "last_year": [2019, 2025, 2025]})
    figures = NationalFigures({"national_areas": areas})
    assert figures.select(["all-england"]) == ["800", "838"]
    assert figures.select(["E12000009"]) == ["800", "838"]
    with pytest.raises(NationalSelectionError, match="Dorset has no figures after 2019"):
        figures.select(["835"])


def test_the_national_mode_needs_the_national_statistics(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "scrutiny.cli", "run", "--areas", "all-england", "--out",
         str(tmp_path), "--no-progress"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "give --national-dir DIR" in done.stderr and "Traceback" not in done.stderr


def _published(national: Path, name: str, column: str, where: dict[str, str]) -> dict[str, str]:
    """A column of a national file as published (text), for 2025: area -> figure."""
    with (national / name).open(encoding="utf-8-sig", newline="") as handle:
        return {row["old_la_code"] or row["region_code"] or "england": row[column]
                for row in csv.DictReader(handle) if row["time_period"] == "2025"
                and all(row[key] == value for key, value in where.items())}


def _pages(period_dir: Path) -> dict[str, str]:
    """Each authority's report: old_la_code -> page."""
    return {path.name.split("-")[1]: path.read_text() for path in period_dir.glob("la-*.html")}


def test_best_and_worst_bands_count_only_statistics_with_a_direction(national_run):
    period_dir = national_run["period_dir"]
    with (period_dir / "data" / "national_benchmarks.csv").open(encoding="utf-8") as handle:
        data = list(csv.DictReader(handle))
    names = {row["area_code"]: row["area_name"] for row in data}
    listed = {unescape(row["Local authority"]): row for row in _cells(
        (period_dir / "national-comparison.html").read_text(), "Each local authority")}
    for band, column in (("A", "In band A (best quarter)"), ("D", "In band D (worst quarter)")):
        # the statistics with no direction do reach these bands, so counting them would show
        assert any(row["band"] == band and row["indicator_id"] in NO_DIRECTION for row in data)
        for code, name in names.items():
            directed = sum(1 for row in data if row["area_code"] == code and row["band"] == band
                           and row["indicator_id"] not in NO_DIRECTION)
            assert int(listed[name][column]) == directed, (name, column)


def test_a_band_reads_best_or_highest_by_the_statistic_s_direction(national_run):
    with (national_run["period_dir"] / "data" / "national_benchmarks.csv").open(
            encoding="utf-8") as handle:
        bands = {(row["area_code"], BY_ID[row["indicator_id"]].title):
                 (row["band"], row["indicator_id"] in NO_DIRECTION)
                 for row in csv.DictReader(handle)}
    words = {(False, "A"): "A (best quarter)", (False, "D"): "D (worst quarter)",
             (True, "A"): "A (highest quarter)", (True, "D"): "D (lowest quarter)"}
    seen = set()
    for code, page in _pages(national_run["period_dir"]).items():
        soup = BeautifulSoup(page, "html.parser")
        name = soup.h1.get_text().split(":")[0]
        for row in _cells(soup, f"{name} beside"):
            band, undirected = bands[(code, unescape(row["Statistic"]))]
            expected = words.get((undirected, band), band or "–")
            assert row["Band"] == expected, (code, row["Statistic"])
            seen.add(expected)
        text = soup.get_text(" ")
        assert "Band A is the best quarter of English authorities, D the worst" not in text
        assert "where it has none, band A is the highest quarter" in text
    assert set(words.values()) <= seen  # every kind of outer band was checked


def test_a_figure_published_whole_is_shown_whole(national_run):
    """DfE's looked-after rate and placement percentage are whole numbers in their files."""
    national = national_run["data"] / "national"
    rate = _published(national, CLA, "rate_per_10000",
                      {"population_type": "Children looked after on 31 March each year"})
    distant = _published(national, PLACEMENTS, "children_percent", {
        "breakdown": "Placed outside LA boundary more than 20 miles from home"})
    page = (national_run["period_dir"] / "la-801-bristol-city-of.html").read_text()
    table = {row["Statistic"]: row for row in _cells(page, "Bristol, City of beside")}
    looked_after = table["Children looked after per 10,000 children (at 31 March)"]
    placed = table["New placements outside the LA and more than 20 miles from home, % of new "
                   "placements"]
    assert rate["801"].isdigit() and distant["801"].isdigit()
    assert looked_after["Bristol, City of"] == rate["801"]
    assert looked_after["England"] == rate["england"]
    assert looked_after["South West"] == rate["E12000009"]
    assert placed["Bristol, City of"] == f"{distant['801']}%"


def _london() -> NationalFigures:
    areas = pd.DataFrame({"old_la_code": ["202", "310", "800"],
                          "la_name": ["Camden", "Barnet", "Bath and North East Somerset"],
                          "region_code": ["E13000001", "E13000002", "E12000009"],
                          "region_name": ["Inner London", "Outer London", "South West"],
                          "first_year": [2013] * 3, "last_year": [2025] * 3})
    return NationalFigures({"national_areas": areas})


def test_london_is_its_two_halves_and_codes_are_read_in_any_case():
    figures = _london()
    assert figures.select(["E12000007"]) == ["202", "310"]
    assert figures.select(["e12000007"]) == ["202", "310"]
    assert figures.select(["E13000002"]) == ["310"]
    assert figures.select(["e12000009", "202"]) == ["800", "202"]
    assert figures.select(["ALL-ENGLAND"]) == ["202", "310", "800"]
    with pytest.raises(NationalSelectionError, match=r"E12000007 \(London\)"):
        figures.select(["E12000001"])


def test_a_wrong_selection_names_only_what_is_wrong():
    figures = _london()
    with pytest.raises(NationalSelectionError) as unknown:
        figures.select(["800", "foo", "202"])
    assert str(unknown.value).startswith("--areas foo: not in the national statistics.")
    with pytest.raises(NationalSelectionError) as everything:
        figures.select(["all-england", "800"])
    assert "all-england already includes every authority; give it alone" in str(everything.value)
    assert "not in the national statistics" not in str(everything.value)


@pytest.mark.parametrize("areas", ["e12000009", "800,foo", "E13000001", "E12000007"])
def test_any_national_item_chooses_the_national_mode(tmp_path, areas):
    """Never the demonstration partnership's run: without --national-dir the national mode
    says what it needs."""
    done = CliRunner().invoke(main, ["run", "--areas", areas, "--out", str(tmp_path),
                                     "--no-progress"])
    assert done.exit_code == 1 and "give --national-dir DIR" in done.output
    assert not (tmp_path / "demo-data").exists()


@pytest.mark.parametrize("areas", [" ", ",", ""])
def test_areas_naming_nothing_is_refused(tmp_path, areas):
    done = CliRunner().invoke(main, ["run", "--areas", areas, "--out", str(tmp_path),
                                     "--no-progress"])
    assert done.exit_code == 2 and "names no area" in done.output
    assert not (tmp_path / "demo-data").exists()


def test_what_a_missing_file_leaves_out_is_said(national_run, tmp_path):
    """A national folder without the neighbours, workforce and population files: the index,
    the comparison and the area report name each and what is left out without it."""
    folder = tmp_path / "national"
    folder.mkdir()
    for path in (national_run["data"] / "national").iterdir():
        if path.name not in LEFT_OUT:
            (folder / path.name).symlink_to(path)
    done = subprocess.run(
        [sys.executable, "-m", "scrutiny.cli", "run", "--national-dir", str(folder), "--areas",
         "801", "--out", str(tmp_path / "reports"), "--no-progress"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    period_dir = next((tmp_path / "reports").glob("national-*"))
    pages = {name: BeautifulSoup((period_dir / name).read_text(), "html.parser").get_text(" ")
             for name in ("index.html", "national-comparison.html", "la-801-bristol-city-of.html")}
    for name, text in pages.items():
        for missing, left_out in LEFT_OUT.items():
            marker = f"{missing} (or another file named"
            assert marker in text, (name, missing)
            after = text.split(marker, 1)[1]
            sentence = after[:after.find(".", after.find("was not found"))]
            assert "was not found: the reports leave out" in sentence, (name, missing)
            assert left_out in sentence, (name, missing)
    area = (period_dir / "la-801-bristol-city-of.html").read_text()
    introduction = next(paragraph.get_text() for paragraph in BeautifulSoup(
        area, "html.parser").find_all("p") if paragraph.get_text().startswith("Bristol, City of ("))
    assert introduction.startswith("Bristol, City of (South West) beside its region and England")
    assert "workforce" not in introduction and "neighbours" not in introduction
    heads = _cells(area, "Bristol, City of beside")[0]
    assert "Statistical neighbours" not in heads


def test_gaps_name_a_refused_file_and_what_it_gave():
    files = pd.DataFrame({"file": ["csww_indicators_2017_to_2025.csv", "LA_Inspection.ods"],
                          "family": ["workforce", "ofsted"], "status": ["refused"] * 2,
                          "problem": ["refused by its data contract workforce: a rule", "x"]})
    ofsted = pd.DataFrame({"old_la_code": ["800"], "overall_effectiveness": ["Good"]})
    figures = NationalFigures({"national_files": files, "national_ofsted": ofsted})
    workforce, inspections = figures.gaps
    assert workforce.startswith("csww_indicators_2017_to_2025.csv could not be used (refused "
                                "by its data contract workforce: a rule): the reports leave out")
    assert "Average caseload per case-holding social worker (FTE)" in workforce
    assert inspections == "LA_Inspection.ods could not be used (x)."  # its judgements were read
