"""The quarterly cycle on the demonstration partnership, as a scrutineer runs it.

One cycle runs per session (conftest.py); these tests read what it wrote.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from report_pages import soup, table_row

from scrutiny import demo
from scrutiny.cli import main

AREAS = {
    "E06000022": "Bath and North East Somerset",
    "E06000023": "Bristol, City of",
    "E06000024": "North Somerset",
    "E06000025": "South Gloucestershire",
    "E06000066": "Somerset",
}
STEP_TITLES = [
    "Step 1: leadership and accountability",
    "Step 2: help and protection across the child's journey",
    "Step 3: voice of children and families",
    "Step 4: learning from reviews",
    "Step 5: workforce and training",
    "Step 6: assurance, impact and improvement",
]


@pytest.fixture(scope="module")
def period_dir(cycle_outputs) -> Path:
    return cycle_outputs["out_dir"] / "2025-26-Q4"


def test_the_cycle_writes_every_report_for_the_latest_complete_quarter(cycle_outputs, period_dir):
    assert cycle_outputs["result"].period.label == "2025-26-Q4"
    names = {path.name for path in period_dir.glob("*.html")}
    assert names == {
        "index.html", "regional-comparison.html", "data-quality.html",
        "area-bath-and-north-east-somerset.html", "area-bristol-city-of.html",
        "area-north-somerset.html", "area-south-gloucestershire.html", "area-somerset.html",
        "children-bath-and-north-east-somerset.html", "children-bristol-city-of.html",
        "children-north-somerset.html", "children-south-gloucestershire.html",
        "children-somerset.html", "children-partnership.html",
    }
    assert not cycle_outputs["result"].failed


def test_the_index_links_every_report(period_dir):
    links = {a["href"] for a in soup(period_dir / "index.html").find_all("a")}
    expected = {p.name for p in period_dir.glob("*.html")} - {"index.html"}
    assert expected <= links
    assert "run.json" in links


def test_run_manifest_records_inputs_versions_and_outcomes(cycle_outputs, period_dir):
    manifest = json.loads((period_dir / "run.json").read_text())
    files = sorted(p for p in (cycle_outputs["data_dir"] / "returns").rglob("*")
                   if p.suffix in (".csv", ".xlsx"))
    assert len(manifest["inputs"]) == len(files)
    by_name = {Path(item["file"]).name: item for item in manifest["inputs"]}
    for path in files:
        assert by_name[path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert by_name[demo.FAULTY_RETURN]["status"] == "rejected"
    assert manifest["period"] == "2025-26-Q4"
    assert manifest["synthetic_data"] is True
    for package in ("pandas", "great-expectations", "papermill", "duckdb"):
        assert manifest["packages"][package] != "not installed"
    national = manifest["national_inputs"]
    assert {Path(item["file"]).name for item in national} == {
        p.name for p in (cycle_outputs["data_dir"] / "national").iterdir()
        if p.suffix in (".csv", ".ods")}
    assert all(item["status"] == "used" and item["synthetic"] for item in national)
    assert len(manifest["reports"]) == 7
    assert all(r["status"] == "ok" and r["duration_seconds"] > 0 for r in manifest["reports"])


@pytest.mark.parametrize("code", AREAS)
def test_area_reports_have_six_steps_tables_charts_and_no_code(period_dir, code):
    from scrutiny.runner import slugify

    page = soup(period_dir / f"area-{slugify(AREAS[code])}.html")
    text = page.get_text(" ")
    headings = [h.get_text(" ").strip() for h in page.find_all("h2")]
    for title in STEP_TITLES:
        assert any(title.lower() in heading.lower() for heading in headings), title
    assert "Synthetic demonstration data" in text
    assert len(page.find_all("table")) >= 12
    charts = page.select("figure.chart svg[role=img]")
    assert len(charts) >= 6
    assert all(chart.get("aria-label") for chart in charts)  # every chart is described
    assert all(chart.find_parent("figure").select("details table") for chart in charts)
    assert "report.step(" not in text and "AreaReport" not in text
    assert not page.select(".jp-CodeCell .jp-InputArea")  # code cells show their output only
    assert not page.find_all("script", src=True)  # nothing fetched from the internet


def test_demo_reports_benchmark_against_synthetic_national_statistics(period_dir):
    page = soup(period_dir / "area-somerset.html")
    captions = [c.get_text() for c in page.find_all("caption")]
    assert any("statistical neighbours and England" in caption for caption in captions)
    text = page.get_text(" ")
    assert "synthetic files in the Explore Education Statistics layout" in text
    assert "Open Government Licence v3.0" in text
    regional = soup(period_dir / "regional-comparison.html").get_text(" ")
    assert "published statistics, latest year" in regional


def _demo_rows(data_dir: Path, return_type: str) -> list[dict]:
    rows = []
    for path in sorted((data_dir / "returns").rglob(f"{return_type}_*.csv")):
        if path.name == demo.FAULTY_RETURN:
            continue
        with path.open(newline="", encoding="utf-8") as stream:
            rows += list(csv.DictReader(stream))
    return rows


def test_report_figures_equal_figures_computed_from_the_returns(cycle_outputs, period_dir):
    data_dir = cycle_outputs["data_dir"]
    months = [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    rows = _demo_rows(data_dir, "indicators")
    toml = (data_dir / "partnership.toml").read_text()
    children = int(toml.split('"E06000023"')[1].split("children_0_17 = ")[1].split()[0])

    referrals = sum(int(r["numerator"]) for r in rows if r["area_code"] == "E06000023"
                    and r["indicator_id"] == "referrals" and r["month"] in months)
    rereferrals = [r for r in rows if r["area_code"] == "E06000023"
                   and r["indicator_id"] == "rereferrals" and r["month"] in months]
    percent = 100 * sum(int(r["numerator"]) for r in rereferrals) / sum(
        int(r["denominator"]) for r in rereferrals)
    cpp_march = next(int(r["numerator"]) for r in rows if r["area_code"] == "E06000023"
                     and r["indicator_id"] == "cpp" and r["month"] == "2026-03")

    page = soup(period_dir / "area-bristol-city-of.html")
    caption = "Help and protection across the child's journey: indicators"
    referral_row = table_row(page, caption, "Referrals to children's social care")
    assert referral_row[3] == f"{10_000 * referrals / children:,.1f}"
    assert table_row(page, caption, "Re-referrals within 12 months")[3] == f"{percent:.1f}%"
    cpp_row = table_row(page, caption, "Children subject to a child protection plan")
    assert cpp_row[3] == f"{10_000 * cpp_march / children:,.1f}"

    regional = soup(period_dir / "regional-comparison.html")
    cells = table_row(regional, "Latest figures by area", "Re-referrals within 12 months")
    assert cells[4].split()[0] == f"{percent:.1f}%"  # Bristol is the second area column


def test_the_faulty_return_is_quarantined_and_named_in_the_data_quality_report(
        cycle_outputs, period_dir):
    faulty = f"2025-26-Q4/{demo.FAULTY_RETURN}"  # its path in the demo's returns folder
    with duckdb.connect(str(cycle_outputs["store"]), read_only=True) as connection:
        status = connection.execute(
            "SELECT status FROM submissions WHERE file_name = ?", [faulty]).fetchone()[0]
        stored = connection.execute(
            "SELECT count(*) FROM rows_training WHERE source_file = ?", [faulty]).fetchone()[0]
        untraced = connection.execute(
            "SELECT count(*) FROM rows_indicators r LEFT JOIN submissions s "
            "ON r.source_sha256 = s.sha256 AND r.source_file = s.file_name "
            "WHERE s.sha256 IS NULL OR s.status <> 'accepted'"
        ).fetchone()[0]
    assert status == "rejected"
    assert stored == 0
    assert untraced == 0
    text = soup(period_dir / "data-quality.html").get_text(" ")
    assert demo.FAULTY_RETURN in text
    for words in ("more attended than there were places", "evaluations is not a whole number",
                  "theme is not one of the allowed codes", "month is before the quarter",
                  "rows repeat the same area_code, month, course, delivery"):
        assert words in text, words
    assert demo.SUSPECT_RETURN in text
    assert "what_we_heard appears to contain a postcode and a date of birth" in text
    assert "BS5 6XX" not in text and "12/03/2014" not in text  # named by kind, never quoted
    assert "'safeguarding'" not in text  # a wrong code is never quoted: it may be a name
    assert "README.txt" in text  # every file in the data folder is accounted for


def test_a_rerun_adds_nothing_to_the_store(cycle_outputs, tmp_path):
    from scrutiny.framework import load_framework
    from scrutiny.ingest import ingest
    from scrutiny.partnership import load_partnership

    data_dir = cycle_outputs["data_dir"]
    store = tmp_path / "copy.duckdb"
    store.write_bytes(cycle_outputs["store"].read_bytes())
    result = ingest(data_dir, store, load_partnership(data_dir), load_framework(),
                    progress=False)
    assert result.count("already stored") == len(result.files)


def _notebooks(tmp_path: Path, area_source: str) -> Path:
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, source in (("area_report", area_source), ("regional_comparison", "1 + 1"),
                         ("data_quality", "1 + 1")):
        book = nbformat.v4.new_notebook()
        parameters = nbformat.v4.new_code_cell(
            'store_path = ""\nperiod = ""\narea_code = ""')
        parameters.metadata["tags"] = ["parameters"]
        book.cells = [parameters, nbformat.v4.new_code_cell(source)]
        book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
        nbformat.write(book, folder / f"{name}.ipynb")
    return folder


def test_one_failing_report_does_not_stop_the_others_and_the_exit_code_says_so(
        cycle_outputs, tmp_path, monkeypatch):
    folder = _notebooks(tmp_path, 'assert area_code != "E06000022", "deliberate failure"')
    monkeypatch.setenv("SCRUTINY_NOTEBOOKS_DIR", str(folder))
    out = tmp_path / "out"
    store = tmp_path / "store.duckdb"
    store.write_bytes(cycle_outputs["store"].read_bytes())  # already checked: no re-validation
    result = CliRunner().invoke(main, [
        "run", "--data", str(cycle_outputs["data_dir"]), "--out", str(out),
        "--store", str(store), "--areas", "E06000022,E06000023",
        "--no-progress", "--workers", "2"])
    assert result.exit_code == 1, result.output
    manifest = json.loads((out / "2025-26-Q4" / "run.json").read_text())
    outcomes = {r["title"]: r["status"] for r in manifest["reports"]}
    assert outcomes == {
        "Bath and North East Somerset: scrutiny report": "failed",
        "Bristol, City of: scrutiny report": "ok",
        "Regional comparison": "ok",
        "Data quality": "ok",
    }
    assert not (out / "2025-26-Q4" / "area-bath-and-north-east-somerset.html").exists()
    assert "deliberate failure" in manifest["reports"][0]["error"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--period", "2025-Q4"], "is not a period"),
    (["--period", "2025-26"], "must be a quarter"),
    (["--areas", "E09999999"], "not areas of"),
    (["--period", "2030-31-Q1"], "no accepted returns for 2030-31-Q1"),
])
def test_bad_arguments_are_refused_with_a_clear_message(cycle_outputs, tmp_path, arguments,
                                                        message):
    store = tmp_path / "store.duckdb"
    store.write_bytes(cycle_outputs["store"].read_bytes())
    result = CliRunner().invoke(main, ["run", "--data", str(cycle_outputs["data_dir"]),
                                       "--out", str(tmp_path), "--store", str(store),
                                       "--no-progress", *arguments])
    assert result.exit_code != 0
    assert message in result.output


def test_a_data_folder_without_partnership_toml_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["run", "--data", str(tmp_path), "--out",
                                       str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code != 0
    assert "partnership.toml" in result.output


def test_templates_are_written_from_the_contracts(tmp_path):
    result = CliRunner().invoke(main, ["templates", str(tmp_path)])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "training_template.csv").read_text().strip()
    assert header == "area_code,month,course,theme,delivery,places,attended,evaluations,met_needs"
    guidance = (tmp_path / "README.md").read_text()
    assert "If more attended than there were places, the file is rejected" in guidance
    assert (tmp_path / "section11_template.xlsx").exists()
    assert "[[areas]]" in (tmp_path / "partnership.toml").read_text()
