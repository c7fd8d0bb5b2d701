"""The quarterly cycle: receive and check the returns, then run and render every report.

Validation happens here, once, before any notebook starts. Notebooks then run in parallel
worker processes with papermill (one per area, one regional comparison, one data-quality
report); a failure in one report is recorded and the others carry on.
"""

from __future__ import annotations

import json
import os
import platform
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

from tqdm.auto import tqdm

from scrutiny import __version__, store
from scrutiny.cycle import save_partnership_text
from scrutiny.framework import load_framework
from scrutiny.ingest import IngestResult, ingest
from scrutiny.national_ingest import ingest_national
from scrutiny.partnership import CONFIG_FILE, Partnership, load_partnership
from scrutiny.periods import Period
from scrutiny.render import index_html, notebook_to_html, write_atomically

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NATIONAL_SUBDIR = "national"  # a data folder's own national statistics, used by default
KERNEL = "python3"
PACKAGES = ("scrutiny", "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib",
            "duckdb", "great-expectations", "papermill", "nbconvert", "nbformat", "ipykernel")


class RunError(RuntimeError):
    """A run that cannot start: bad arguments or no usable data."""


@dataclass
class Job:
    kind: str  # area | regional | quality
    title: str
    notebook: str
    slug: str
    parameters: dict


@dataclass
class Outcome:
    kind: str
    title: str
    html: str
    notebook: str
    status: str  # ok | failed
    duration_seconds: float
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def notebooks_dir() -> Path:
    return Path(os.environ.get("SCRUTINY_NOTEBOOKS_DIR", NOTEBOOKS_DIR))


def latest_complete_quarter(store_path: Path, partnership: Partnership) -> Period:
    """The newest quarter for which every area has accepted indicators for all three months."""
    with store.open_store(store_path) as connection:
        rows = connection.execute(
            "SELECT period, count(DISTINCT area_code || month) FROM indicators GROUP BY period"
        ).fetchall()
    complete = [Period.parse(label) for label, cells in rows
                if cells >= 3 * len(partnership.areas)]
    if not complete:
        raise RunError(
            "no quarter has accepted indicator returns for every area: see the data-quality "
            "findings (`scrutiny run` still wrote them to the store) or pass --period"
        )
    return max(complete)


def _require_returns_for(store_path: Path, period: Period) -> None:
    with store.open_store(store_path) as connection:
        accepted = connection.execute(
            "SELECT count(*) FROM current_submissions WHERE period = ?", [period.label]
        ).fetchone()[0]
    if not accepted:
        raise RunError(f"no accepted returns for {period.label}: check --period, or see why "
                       "its returns were rejected in the store's findings")


def plan_jobs(partnership: Partnership, period: Period, area_codes: list[str],
              store_path: Path) -> list[Job]:
    common = {"store_path": str(store_path.resolve()), "period": period.label}
    jobs = [
        Job("area", f"{partnership.area(code).name}: scrutiny report", "area_report.ipynb",
            f"area-{slugify(partnership.area(code).name)}", {**common, "area_code": code})
        for code in area_codes
    ]
    jobs.append(Job("regional", "Regional comparison", "regional_comparison.ipynb",
                    "regional-comparison", common))
    jobs.append(Job("quality", "Data quality", "data_quality.ipynb", "data-quality", common))
    return jobs


def execute_job(job: Job, out_dir: Path) -> Outcome:
    """Run one notebook and render it; never raises (the outcome says what happened)."""
    import papermill

    started = time.perf_counter()
    executed = out_dir / "notebooks" / f"{job.slug}.ipynb"
    html = out_dir / f"{job.slug}.html"
    executed.parent.mkdir(parents=True, exist_ok=True)
    _log_stderr_to(executed.with_suffix(".log"))
    try:
        papermill.execute_notebook(
            str(notebooks_dir() / job.notebook), str(executed), parameters=job.parameters,
            kernel_name=KERNEL, progress_bar=False, log_output=False,
            cwd=str(notebooks_dir()),
        )
        warnings = notebook_to_html(executed, html, job.title)
        status, error = "ok", ""
    except Exception as problem:  # a report's failure must not stop the others
        warnings, status = [], "failed"
        error = _short_error(problem)
        (out_dir / "notebooks" / f"{job.slug}.error.txt").write_text(
            traceback.format_exc(), encoding="utf-8")
        html.unlink(missing_ok=True)
    return Outcome(job.kind, job.title, html.name, str(executed.relative_to(out_dir)), status,
                   round(time.perf_counter() - started, 2), error, warnings)


def _log_stderr_to(path: Path) -> None:
    """Send this worker's stderr, and its kernels', to a log file instead of the terminal.

    Jupyter kernels log start-up and shut-down chatter to stderr; it belongs in the run's
    logs, not over the progress bar. Workers are separate processes, so this is theirs only.
    """
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 2)
    os.close(handle)


def _short_error(problem: Exception) -> str:
    name = getattr(problem, "ename", type(problem).__name__)
    value = getattr(problem, "evalue", str(problem))
    return f"{name}: {value}".strip()[:500]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class RunResult:
    period: Period
    out_dir: Path
    outcomes: list[Outcome]
    ingest: IngestResult

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status != "ok"]


def run_cycle(data_dir: Path, out_dir: Path, *, period: str | None = None,
              area_codes: list[str] | None = None, store_path: Path | None = None,
              national_dir: Path | None = None, workers: int | None = None,
              progress: bool = True) -> RunResult:
    started_at, started = datetime.now(UTC), time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    partnership = load_partnership(data_dir)
    framework = load_framework()
    unknown = [code for code in area_codes or [] if code not in partnership.area_codes]
    if unknown:
        raise RunError(f"not areas of {partnership.name}: {', '.join(unknown)} "
                       f"(its areas are {', '.join(partnership.area_codes)})")
    chosen_period = Period.parse(period) if period else None
    if chosen_period and not chosen_period.is_quarter:
        raise RunError(f"--period must be a quarter such as 2025-26-Q4, not {period}")
    store_path = Path(store_path or out_dir / "scrutiny.duckdb")
    own_national = national_dir is None and (data_dir / NATIONAL_SUBDIR).is_dir()
    if own_national:
        national_dir = data_dir / NATIONAL_SUBDIR  # e.g. the demo's synthetic statistics
    if national_dir is not None and not Path(national_dir).is_dir():
        raise RunError(f"--national-dir {national_dir} is not a folder")

    received = ingest(data_dir, store_path, partnership, framework, progress=progress)
    national_files = []
    if national_dir is not None:
        if progress:
            tqdm.write(f"Reading national statistics from {national_dir}")
        national_files = ingest_national(Path(national_dir), store_path,
                                         synthetic=own_national and partnership.synthetic)
    with store.open_store(store_path, read_only=False) as connection:
        save_partnership_text(connection, (data_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    chosen_period = chosen_period or latest_complete_quarter(store_path, partnership)
    _require_returns_for(store_path, chosen_period)

    period_dir = out_dir / chosen_period.label
    period_dir.mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(partnership, chosen_period, area_codes or partnership.area_codes, store_path)
    outcomes = _execute_all(jobs, period_dir, workers, progress)

    finished_at = datetime.now(UTC)
    duration = time.perf_counter() - started
    manifest = {
        "tool": {"name": "scrutiny", "version": __version__},
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 2),
        "period": chosen_period.label,
        "partnership": partnership.name,
        "synthetic_data": partnership.synthetic,
        "data_dir": str(data_dir.resolve()),
        "store": str(store_path.resolve()),
        "inputs": received.files,
        "national_inputs": national_files,
        "packages": package_versions(),
        "reports": [asdict(outcome) for outcome in outcomes],
    }
    write_atomically(period_dir / "run.json", json.dumps(manifest, indent=2) + "\n")
    write_atomically(period_dir / "index.html", index_html({
        "partnership": partnership.name, "period": chosen_period.label,
        "period_title": _period_title(chosen_period), "synthetic": partnership.synthetic,
        "reports": outcomes, "generated": finished_at.strftime("%d %B %Y %H:%M UTC"),
        "version": __version__, "duration": f"{duration:.0f} s",
        "ingest_summary": received.summary(), "rejected": received.count("rejected"),
    }))
    return RunResult(chosen_period, period_dir, outcomes, received)


def _period_title(period: Period) -> str:
    return (f"quarter {period.quarter} of {period.year.label} "
            f"({period.start:%B %Y} to {period.end:%B %Y})")


def _execute_all(jobs: list[Job], period_dir: Path, workers: int | None,
                 progress: bool) -> list[Outcome]:
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    outcomes: list[Outcome] = []
    bar = tqdm(total=len(jobs), desc="Writing reports", unit="report", disable=not progress)
    # spawn, not fork: each worker starts Jupyter kernels and must not inherit the parent's
    # threads or open store
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(execute_job, job, period_dir): job for job in jobs}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            bar.set_postfix_str(f"{outcome.title[:30]}: {outcome.status}")
            bar.update()
    bar.close()
    order = {job.slug: index for index, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda outcome: order[Path(outcome.html).stem])
