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
from statsmodels.stats.proportion import proportion_confint

from scrutiny.options import is_national
from scrutiny.report.national_area import NationalFigures, NationalSelectionError

REFERRALS = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


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


def _cells(page: str, caption_start: str) -> list[dict[str, str]]:
    soup = BeautifulSoup(page, "html.parser")
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
    assert not is_national(None) and not is_national(["800", "E06000022"])
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
