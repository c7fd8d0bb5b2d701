"""The national mode: reports for any English local authorities from the published statistics
alone (``scrutiny run --national-dir DIR --areas all-england``, a region code such as
E12000009, or old_la_codes such as 800,801).

The national files are checked against their contracts and loaded into the store, every
authority's benchmarks are computed once (:class:`NationalFigures`), and then the same runner
as the quarterly cycle runs one ``national_area_report.ipynb`` per authority and one
``national_comparison.ipynb`` with papermill, forked workers (or a Dask cluster), the same
timeouts, run.json, index and rebuild-only-what-changed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from tqdm.auto import tqdm

from scrutiny import __version__
from scrutiny.freshness import Request, report_fingerprint
from scrutiny.judgements import year_label
from scrutiny.national.ingest import ingest_national
from scrutiny.publication import Page
from scrutiny.report.national_area import NationalFigures, NationalSelectionError
from scrutiny.runner import (
    RunError,
    RunRecord,
    RunResult,
    kept_reports,
    provenance,
    relative,
    slugify,
    write_reports,
)
from scrutiny.spreadsheets import neutralised
from scrutiny.worker import Job

BENCHMARKS_FILE = "data/national_benchmarks.csv"
BENCHMARK_COLUMNS = ["area_code", "area_name", "region_code", "indicator_id", "time_period",
                     "value", "suppression", "lower", "upper", "region", "neighbours",
                     "england", "comparison", "judgement", "band", "rank", "n_ranked", "trend"]


def run_national(national_dir: Path | None, out_dir: Path, areas: list[str], *,
                 store_path: Path | None = None, workers: int | None = None,
                 progress: bool = True, report_timeout: float, formats: Sequence[str],
                 force: bool = False, request: Request, synthetic: bool = False,
                 dask_scheduler: str | None = None) -> RunResult:
    """Write a report for each chosen authority and a national comparison."""
    started_at, started = datetime.now(UTC), time.perf_counter()
    if national_dir is None or not Path(national_dir).is_dir():
        raise RunError(f"--areas {','.join(areas)} writes reports from the published "
                       "statistics alone: give --national-dir DIR, the folder of files "
                       "downloaded from Explore Education Statistics")
    out_dir = Path(out_dir)
    store_path = Path(store_path or out_dir / "scrutiny.duckdb")
    if progress:
        tqdm.write(f"Reading national statistics from {national_dir}")
    files = ingest_national(Path(national_dir), store_path, synthetic=synthetic)
    figures = NationalFigures.open(store_path)
    if figures.long.empty or figures.areas.empty:
        problems = "; ".join(f"{Path(item['file']).name}: {item['problem']}"
                             for item in files if item.get("problem"))
        raise RunError(f"no published statistics could be read from {national_dir}"
                       + (f" ({problems})" if problems else ""))
    try:
        codes = figures.select(areas)
    except NationalSelectionError as error:
        raise RunError(str(error)) from error
    figures.share(store_path)  # every authority's benchmarks, once, for every report

    year = year_label(figures.year)
    period_dir = out_dir / f"national-{year}"
    (period_dir / "data").mkdir(parents=True, exist_ok=True)
    chosen = figures.benchmarks[figures.benchmarks["area_code"].isin(codes)]
    neutralised(chosen.reindex(columns=BENCHMARK_COLUMNS)).to_csv(
        period_dir / BENCHMARKS_FILE, index=False)
    store_from_notebook = relative(store_path, period_dir)
    published = started_at.strftime("%-d %B %Y")
    jobs = [Job("national_area", f"{figures.authority(code)['la_name']}: published statistics",
                "national_area_report.ipynb",
                f"la-{code}-{slugify(figures.authority(code)['la_name'])}",
                {"store_path": store_from_notebook, "old_la_code": code})
            for code in codes]
    jobs.append(Job("national", "National comparison", "national_comparison.ipynb",
                    "national-comparison", {"store_path": store_from_notebook,
                                            "areas": ",".join(areas)}))
    for job in jobs:
        job.formats = list(formats)
        job.page = _page(job, year, published)
    national = sorted((Path(item["file"]).name, item["sha256"]) for item in files
                      if item.get("status") == "used")
    fingerprints = {job.slug: report_fingerprint(request.code, national, job.notebook,
                                                 job.parameters, job.formats,
                                                 {**job.page, "published": ""})
                    for job in jobs}
    kept = {} if force else kept_reports(jobs, fingerprints, period_dir)
    record = RunRecord(period_dir, started, {
        "tool": {"name": "scrutiny", "version": __version__},
        "mode": "national",
        "started_at": started_at.isoformat(timespec="seconds"),
        "period": f"national-{year}",
        "areas": areas,
        "authorities": len(codes),
        "synthetic_data": figures.synthetic,
        "store": relative(store_path, period_dir),
        "national_dir": relative(Path(national_dir), period_dir),
        "national_inputs": [{**item, "file": Path(item["file"]).name} for item in files],
        "data": [BENCHMARKS_FILE],
        "formats": list(formats),
        **provenance(request, force, dask_scheduler, store_path),
    }, {
        "national": True, "partnership": "England: published statistics",
        "period": year, "period_title": f"published statistics to March {figures.year}",
        "synthetic": figures.synthetic, "version": __version__, "published": published,
        "data_files": [BENCHMARKS_FILE], "data_packs": {}, "children_pages": [],
        "companion_problems": [], "ingest_summary": "", "rejected": 0, "not_read": 0,
        # each expected file missing or refused, and what the reports leave out for it
        "missing_inputs": figures.gaps,
        "sources": [{"name": "Published statistics from DfE, ONS and Ofsted (Open Government "
                             "Licence)",
                     "detail": f"{len(national)} files: "
                               + ", ".join(name for name, _sha in national)
                               + f". The latest year published is {year}."}],
    })
    outcomes = write_reports(jobs, fingerprints, kept, record, period_dir, workers=workers,
                             timeout=report_timeout, progress=progress,
                             keep={"<data>": Path(national_dir), "<out>": out_dir},
                             dask_scheduler=dask_scheduler)
    return RunResult(None, period_dir, outcomes, None)


def _page(job: Job, year: str, published: str) -> dict:
    links = [{"label": "All reports", "href": "index.html"}]
    if job.kind != "national":
        links.append({"label": "National comparison", "href": "national-comparison.html"})
    if "pdf" in job.formats:
        links.append({"label": "This report as a PDF", "href": f"{job.slug}.pdf"})
    links.append({"label": "All figures (CSV)", "href": BENCHMARKS_FILE})
    subject = job.title.removesuffix(": published statistics")
    return asdict(Page(
        title=f"{job.title}, {year}", partnership="England: published statistics",
        subject=subject, period=f"published statistics, {year}", published=published,
        links=links, footer=f"Written by scrutiny {__version__} from DfE's, ONS's and "
                            "Ofsted's published statistics, checked against their data "
                            "contracts."))
