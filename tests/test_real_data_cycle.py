"""A real-data cycle: the demo returns benchmarked against the real published statistics.

Reads DfE's files from SCRUTINY_DFE_DIR or ../shared/data/dfe beside the repository; skipped
with a message where neither exists.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from scrutiny.cli import main

REPO = Path(__file__).resolve().parents[1]


def real_dfe_dir() -> Path | None:
    for candidate in (os.environ.get("SCRUTINY_DFE_DIR"), REPO.parent / "shared/data/dfe"):
        if candidate and (Path(candidate) / "sn_model_2025_wide.csv").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def real_cycle(cycle_outputs, tmp_path_factory) -> Path:
    dfe = real_dfe_dir()
    if dfe is None:
        pytest.skip("real DfE files not found: set SCRUTINY_DFE_DIR or put them in "
                    "../shared/data/dfe")
    out = tmp_path_factory.mktemp("real")
    store = out / "store.duckdb"
    store.write_bytes(cycle_outputs["store"].read_bytes())  # returns already checked
    result = CliRunner().invoke(main, [
        "run", "--data", str(cycle_outputs["data_dir"]), "--national-dir", str(dfe),
        "--out", str(out), "--store", str(store), "--areas", "E06000023", "--no-progress"])
    assert result.exit_code == 0, result.output
    return out / "2025-26-Q4"


def published(dfe: Path, file_name: str, column: str, **where: str) -> str:
    """One published cell, read with nothing but the csv module."""
    with (dfe / file_name).open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            if all(row[key] == value for key, value in where.items()):
                return row[column]
    raise AssertionError(f"{column} not found where {where}")


def benchmark_rows(page: BeautifulSoup) -> dict[str, list[str]]:
    for table in page.find_all("table"):
        caption = table.find("caption")
        if caption and "beside the partnership, region, statistical neighbours and England" \
                in caption.get_text():
            header = [cell.get_text(" ").strip() for cell in table.find_all("th")]
            rows = {}
            for row in table.find_all("tr")[1:]:
                cells = [cell.get_text(" ").strip() for cell in row.find_all("td")]
                rows[cells[0]] = dict(zip(header, cells, strict=True))
            return rows
    raise AssertionError("no benchmark table")


def test_area_report_benchmarks_against_england_region_neighbours_and_partnership(real_cycle):
    page = BeautifulSoup((real_cycle / "area-bristol-city-of.html").read_text(), "html.parser")
    rows = benchmark_rows(page)
    looked_after = rows["Children looked after per 10,000 children (at 31 March)"]
    assert set(looked_after) >= {"Figure", "95% CI", "Partnership", "Against partnership",
                                 "South West", "Against region", "Statistical neighbours (median)",
                                 "Against neighbours", "England", "Against England",
                                 "Band in England", "Rank in England", "Last 3 years"}
    dfe = real_dfe_dir()
    rate = published(dfe, "cla_number_and_rate_per_10k_children.csv", "rate_per_10000",
                     time_period="2025", old_la_code="801", geographic_level="Local authority",
                     population_type="Children looked after on 31 March each year")
    assert looked_after["Figure"] == f"{float(rate):.1f}"
    assert looked_after["Published year"] == "2024-25"
    assert "of 15" in looked_after["Rank in England"]
    # a member's suppressed figure leaves the partnership's as the published symbol
    assert any(cells["Partnership"] in {"c", "x", "u", "low", "k", "z"} for cells in rows.values())
    text = page.get_text(" ")
    assert "Open Government Licence v3.0" in text
    assert "Ofsted judgements" in text
    assert "synthetic files in the Explore Education Statistics layout" not in text


def test_regional_comparison_shows_published_statistics(real_cycle):
    text = BeautifulSoup((real_cycle / "regional-comparison.html").read_text(),
                         "html.parser").get_text(" ")
    assert "published statistics, latest year" in text
    assert "Open Government Licence v3.0" in text


def test_run_manifest_lists_the_national_files_and_their_hashes(real_cycle):
    manifest = json.loads((real_cycle / "run.json").read_text())
    used = [item for item in manifest["national_inputs"] if item["status"] == "used"]
    assert len(used) >= 10
    assert all(len(item["sha256"]) == 64 for item in used)


def test_local_indicators_are_set_against_england_published_figure(real_cycle):
    page = BeautifulSoup((real_cycle / "area-bristol-city-of.html").read_text(), "html.parser")
    for table in page.find_all("table"):
        caption = table.find("caption")
        if caption and caption.get_text().startswith("Help and protection across") and \
                "against the partnership" in caption.get_text():
            header = [cell.get_text(" ").strip() for cell in table.find_all("th")]
            rows = {cells[0]: dict(zip(header, cells, strict=True)) for cells in (
                [cell.get_text(" ").strip() for cell in row.find_all("td")]
                for row in table.find_all("tr")[1:])}
            break
    else:
        raise AssertionError("no step 2 indicator table")
    # England 2025: 22.6% of referrals were re-referrals (DfE, children in need 2025)
    rereferrals = rows["Re-referrals within 12 months"]
    assert (rereferrals["England"], rereferrals["Published year"]) == ("22.6%", "2024-25")
    assert rereferrals["Against England"] in {"▲ better", "▼ worse", "● similar"}
