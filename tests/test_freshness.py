"""A run rebuilds only what has changed: nothing at all when nothing has, and otherwise only
the reports that read what changed; --force rebuilds every report."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from scrutiny.cycle import load_cycle
from scrutiny.freshness import current_run, file_digests, outputs, store_state
from scrutiny.report import AreaReport
from scrutiny.report.area import OWN_AREA_RETURNS
from scrutiny.report.common import CycleFigures

PERIOD = "2025-26-Q4"
BRISTOL, BATH = "E06000023", "E06000022"


def test_a_file_is_read_again_only_when_its_size_or_time_changes(tmp_path):
    (tmp_path / "sub").mkdir()
    kept, changed = tmp_path / "a.csv", tmp_path / "sub" / "b.csv"
    kept.write_text("one")
    changed.write_text("two")
    first = file_digests(tmp_path)
    assert set(first) == {"a.csv", "sub/b.csv"}
    assert first["a.csv"]["sha256"] == (
        "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")  # sha256("one")
    # the same size and time: its recorded digest is trusted, the file not read again
    stat = kept.stat()
    kept.write_text("ONE")
    os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed.write_text("three")
    again = file_digests(tmp_path, first)
    assert again["a.csv"]["sha256"] == first["a.csv"]["sha256"]
    assert again["sub/b.csv"]["sha256"] != first["sub/b.csv"]["sha256"]
    assert "a.csv" not in file_digests(tmp_path, leave_out=[kept])


def test_an_earlier_run_is_current_only_if_complete_whole_and_its_store_untouched(tmp_path):
    store = tmp_path / "scrutiny.duckdb"
    store.write_bytes(b"store")
    period_dir = tmp_path / PERIOD
    period_dir.mkdir()
    run = {"status": "complete", "request": {"digest": "abc"}, "store_state": store_state(store),
           "data": ["data/indicators.csv"],
           "reports": [{"html": "area-x.html", "pdf": ""}],
           "companions": {"data_packs": {"area-x": "data/area-x.xlsx"},
                          "children_pages": [{"html": "children-x.html", "pdf": ""}]}}
    assert sorted(outputs(run)) == ["area-x.html", "children-x.html", "data/area-x.xlsx",
                                    "data/indicators.csv", "index.html"]
    (period_dir / "data").mkdir()
    for name in outputs(run):
        (period_dir / name).write_text("x")
    (period_dir / "run.json").write_text(json.dumps(run))

    class Asked:
        digest = "abc"

    assert current_run(tmp_path, Asked, store)[1]["status"] == "complete"
    Asked.digest = "other"
    assert current_run(tmp_path, Asked, store) is None  # asked for something else
    Asked.digest = "abc"
    (period_dir / "data" / "area-x.xlsx").unlink()
    assert current_run(tmp_path, Asked, store) is None  # a file is missing
    (period_dir / "data" / "area-x.xlsx").write_text("x")
    store.write_bytes(b"written to since")
    assert current_run(tmp_path, Asked, store) is None
    run["store_state"] = store_state(store)
    run["status"] = "complete with failures"
    (period_dir / "run.json").write_text(json.dumps(run))
    assert current_run(tmp_path, Asked, store) is None


def _scrutiny(*arguments) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "scrutiny.cli", "run", *map(str, arguments),
                           "--no-progress"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return done


def _reports(period_dir: Path) -> dict[str, dict]:
    run = json.loads((period_dir / "run.json").read_text())
    return {report["html"]: report for report in run["reports"]}


def test_a_rerun_rebuilds_only_what_changed(cycle_outputs, tmp_path):
    data, out = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(cycle_outputs["data_dir"], data)
    shutil.copytree(cycle_outputs["out_dir"], out)
    period_dir = out / PERIOD

    # the same returns, code and options as the run that wrote them: every report is kept
    _scrutiny("--data", data, "--out", out)
    reports = _reports(period_dir)
    assert len(reports) == 7 and all(report["kept"] for report in reports.values())
    assert "Every report was written: 0 in this run, and 7 earlier" in (
        period_dir / "index.html").read_text()

    # asked again: nothing has changed, nothing is rewritten
    written = {path: path.stat().st_mtime_ns for path in period_dir.rglob("*")}
    done = _scrutiny("--data", data, "--out", out)
    assert "Nothing has changed since the run of" in done.stdout
    assert {path: path.stat().st_mtime_ns for path in period_dir.rglob("*")} == written

    # a data officer corrects the words of one area's return: no figure changes, so only that
    # area's report and the two reports that read every return are written again
    original = data / "returns" / PERIOD / f"voice_{BRISTOL}_{PERIOD}.csv"
    rows = list(csv.DictReader(original.open(newline="", encoding="utf-8")))
    row = next(row for row in rows if row["what_changed"])  # changed words, not a count
    row["what_changed"] = "Call-backs now within two working days & <checked> monthly"
    with original.with_name(original.stem + "_v2.csv").open("w", newline="",
                                                            encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    kept_page = period_dir / "area-bath-and-north-east-somerset.html"
    before = kept_page.read_bytes()
    _scrutiny("--data", data, "--out", out)
    rebuilt = {name for name, report in _reports(period_dir).items() if not report["kept"]}
    assert rebuilt == {"area-bristol-city-of.html", "regional-comparison.html",
                       "data-quality.html"}
    assert all(report["status"] == "ok" for report in _reports(period_dir).values())
    assert "within two working days &amp; &lt;checked&gt; monthly" in (
        period_dir / "area-bristol-city-of.html").read_text()
    assert kept_page.read_bytes() == before

    # --force rebuilds every report asked for
    _scrutiny("--data", data, "--out", out, "--areas", BATH, "--force")
    assert not any(report["kept"] for report in _reports(period_dir).values())
    assert len(_reports(period_dir)) == 3


def _report_html(figures: CycleFigures, area_code: str) -> str:
    report = AreaReport(figures, area_code)
    sections = [report.title(), report.summary(), *map(report.step, report.steps),
                report.themes(), report.yearly_evidence(), report.about()]
    return "".join(section._repr_html_() for section in sections)


def test_an_area_report_reads_its_own_area_only_of_the_returns_said_to_be_its_own(
        cycle_outputs):
    """The runner keeps an area's report when only another area's returns of OWN_AREA_RETURNS
    change (and the figures do not): the report must not show them. Here every other area's
    rows of those returns are removed, the figures kept: the report is the same. Removing
    another area's reviews (read for the partnership's notifications) changes it."""
    figures = CycleFigures(load_cycle(cycle_outputs["store"], PERIOD))
    figures.judgements.table  # noqa: B018  (the figures, fixed before the returns change)
    returns = figures.cycle.returns
    whole = dict(returns)
    as_run = _report_html(figures, BATH)
    for name in OWN_AREA_RETURNS:
        assert (whole[name]["area_code"] != BATH).any(), name  # there is something to remove
        returns[name] = whole[name][whole[name]["area_code"] == BATH]
    assert _report_html(figures, BATH) == as_run
    returns["reviews"] = whole["reviews"][whole["reviews"]["area_code"] == BATH]
    assert _report_html(figures, BATH) != as_run
