"""The quarterly cycle: receive and check the returns, then run and render every report.

Validation happens here, once, before any notebook starts. Each report (one per area, one
regional comparison, one data-quality report) then runs in a worker process of its own
(``scrutiny.worker``). A report that fails, hangs past its timeout, or whose kernel or worker
dies is recorded as failed and the others carry on; SIGINT or SIGTERM stops every worker and
kernel. run.json and index.html say "in progress" from the moment the reports start, and only
then the run's final state: complete, complete with failures, or interrupted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from scrutiny import __version__, store
from scrutiny.checker import ContractChecker
from scrutiny.companions import page_for, write_companions
from scrutiny.contracts import load_contracts
from scrutiny.cycle import Cycle, load_cycle
from scrutiny.forking import can_fork
from scrutiny.framework import check_against_returns, load_framework
from scrutiny.freshness import (
    Request,
    digest,
    earlier_reports,
    file_sha256,
    report_fingerprint,
    run_request,
    store_state,
)
from scrutiny.ingest import IngestResult, ingest, returns_folder_problem
from scrutiny.layout import DEEP_DIVES_DIR, NATIONAL_DIR
from scrutiny.measures import MeasureError
from scrutiny.national.indicators import BY_ID as NATIONAL_STATISTICS
from scrutiny.national.ingest import ingest_national
from scrutiny.options import DEFAULT_REPORT_TIMEOUT, FORMATS
from scrutiny.partnership import CONFIG_FILE, Partnership, load_partnership
from scrutiny.periods import Period
from scrutiny.render import index_html, write_atomically
from scrutiny.report.area import OWN_AREA_RETURNS
from scrutiny.report.common import CycleFigures
from scrutiny.report.data import DEFINITIONS_FILE, INDICATORS_FILE, write_data
from scrutiny.resources import notebooks_dir
from scrutiny.worker import Job, Outcome, ReportFiles, Worker, prepare

NATIONAL_SUBDIR = NATIONAL_DIR  # a data folder's own national statistics, used by default
POLL_SECONDS = 0.2  # how often the runner looks at its workers
IN_PROGRESS, COMPLETE, WITH_FAILURES, INTERRUPTED = (
    "in progress", "complete", "complete with failures", "interrupted")


class RunError(RuntimeError):
    """A run that cannot start: bad arguments or no usable data."""


class RunInterrupted(Exception):
    """SIGINT or SIGTERM stopped the run; every worker and kernel has been stopped and
    run.json and index.html say "interrupted"."""

    def __init__(self, signum: int, index: Path) -> None:
        self.signum = signum
        self.exit_code = 128 + signum  # what a shell reports for a process the signal ended
        name = ("Ctrl-C (SIGINT)" if signum == signal.SIGINT
                else signal.Signals(signum).name)
        super().__init__(f"Interrupted by {name}: every report was stopped, and {index} "
                         "records which were written.")


def slugify(text: str) -> str:
    # accents dropped, not the letters they sit on: "Ynys Môn" is ynys-mon, not ynys-m-n
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def area_slugs(partnership: Partnership) -> dict[str, str]:
    """Each area's part of its files' names: its name as a slug, with its code where the name
    gives none (no Latin letters) or another area's, so that no area's files replace
    another's."""
    names = {area.code: slugify(area.name) for area in partnership.areas}
    taken = list(names.values())
    return {code: slug if slug and taken.count(slug) == 1
            else "-".join(filter(None, [code.lower(), slug]))
            for code, slug in names.items()}


def latest_complete_quarter(store_path: Path, partnership: Partnership) -> Period:
    """The newest quarter for which every area has accepted indicators for all three months,
    from every submitter (the local authority, police, health ...) that sent that area's
    indicators the quarter before: one submitter early with a new quarter does not make it
    the quarter reported."""
    with store.open_store(store_path) as connection:
        months = dict(connection.execute(
            "SELECT period, count(DISTINCT area_code || month) FROM indicators GROUP BY period"
        ).fetchall())
        sent = connection.execute(
            "SELECT period, area_code, coalesce(label, '') FROM current_submissions "
            "WHERE return_type = 'indicators'").fetchall()
    submitters: dict[tuple[str, str], set[str]] = {}
    for label, area_code, submitter in sent:
        submitters.setdefault((label, area_code), set()).add(submitter)

    def every_submitter(period: Period) -> bool:
        before = period.shift(-1).label
        return all(submitters.get((before, area.code), set())
                   <= submitters.get((period.label, area.code), set())
                   for area in partnership.areas)

    complete = [period for period in map(Period.parse, months)
                if months[period.label] >= 3 * len(partnership.areas)
                and every_submitter(period)]
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


def deep_dives(data_dir: Path) -> list[Path]:
    """The partnership's deep-dive notebooks (``deep_dives/*.ipynb`` in its data folder)."""
    folder = Path(data_dir) / DEEP_DIVES_DIR
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.ipynb")
                  if path.is_file() and not path.name.startswith("."))


def deep_dive_title(path: Path) -> str:
    """The notebook's title (a level-1 heading), else its file name in words."""
    try:
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            if cell.get("cell_type") == "markdown":
                for line in "".join(cell.get("source", [])).splitlines():
                    if line.startswith("# ") and line[2:].strip():
                        return line[2:].strip()
    except (OSError, ValueError, AttributeError):
        pass  # an unreadable notebook fails in its own job, with its own error
    return path.stem.replace("_", " ").capitalize()


def plan_jobs(partnership: Partnership, period: Period, area_codes: list[str],
              store_path: Path, period_dir: Path, deep_dive_notebooks: list[Path] = ()
              ) -> list[Job]:
    # notebooks run in the period's folder; a relative store path keeps this machine's folders
    # out of the executed notebooks
    store_from_notebook = os.path.relpath(Path(store_path).resolve(), Path(period_dir).resolve())
    common = {"store_path": store_from_notebook, "period": period.label}
    slugs = area_slugs(partnership)
    jobs = [
        Job("area", f"{partnership.area(code).name}: scrutiny report", "area_report.ipynb",
            f"area-{slugs[code]}", {**common, "area_code": code})
        for code in area_codes
    ]
    for notebook in deep_dive_notebooks:  # every deep dive, for every area, like its report
        title = deep_dive_title(notebook)
        jobs += [
            Job("deep_dive", f"{partnership.area(code).name}: {title}", notebook.name,
                f"deep-dive-{slugify(notebook.stem)}-{slugs[code]}",
                {**common, "area_code": code}, folder=str(notebook.parent.resolve()))
            for code in area_codes
        ]
    jobs.append(Job("regional", "Regional comparison", "regional_comparison.ipynb",
                    "regional-comparison", common))
    jobs.append(Job("quality", "Data quality", "data_quality.ipynb", "data-quality", common))
    return jobs


@dataclass
class RunResult:
    period: Period | None  # None in the national mode (scrutiny.national_run)
    out_dir: Path
    outcomes: list[Outcome]
    ingest: IngestResult | None

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status != "ok"]


def run_cycle(data_dir: Path, out_dir: Path, *, period: str | None = None,
              area_codes: list[str] | None = None, store_path: Path | None = None,
              national_dir: Path | None = None, workers: int | None = None,
              progress: bool = True, framework_file: Path | None = None,
              report_timeout: float = DEFAULT_REPORT_TIMEOUT,
              formats: Sequence[str] = ("html",), force: bool = False,
              request: Request | None = None, dask_scheduler: str | None = None
              ) -> RunResult:
    """Check the returns, store what is valid, and write the period's reports: every report
    whose inputs have changed since the last run in ``out_dir`` (or that is missing), or all
    of them with ``force``. ``request`` is the run's request (:func:`run_request`) if the
    caller has worked it out already. With ``dask_scheduler`` the reports run on that Dask
    cluster (:mod:`scrutiny.cluster`)."""
    started_at, started = datetime.now(UTC), time.perf_counter()
    formats = list(dict.fromkeys(["html", *formats]))
    if any(chosen not in FORMATS for chosen in formats):
        raise RunError(f"formats must be among {', '.join(FORMATS)}, not {', '.join(formats)}")
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    partnership = load_partnership(data_dir)
    framework = load_framework(data_dir, framework_file)
    check_against_returns(framework, {name: [column.name for column in contract.columns]
                                      for name, contract in load_contracts().items()},
                          set(NATIONAL_STATISTICS))
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
    problem = returns_folder_problem(data_dir)
    if problem:  # stop before anything is written
        raise RunError(problem)
    request = request or run_request(data_dir, out_dir, store_path, national_dir,
                                     framework_file, period, area_codes, formats)

    with ContractChecker() as checker:  # one process imports great-expectations for both
        received = ingest(data_dir, store_path, partnership, framework, progress=progress,
                          checker=checker)
        national_files = []
        if national_dir is not None:
            if progress:
                tqdm.write(f"Reading national statistics from {national_dir}")
            national_files = ingest_national(Path(national_dir), store_path, checker=checker,
                                             synthetic=own_national and partnership.synthetic)
    with store.open_store(store_path, read_only=False) as connection:
        store.save_settings(connection, (data_dir / CONFIG_FILE).read_text(encoding="utf-8"),
                            dict(framework.texts))
    chosen_period = chosen_period or latest_complete_quarter(store_path, partnership)
    _require_returns_for(store_path, chosen_period)
    try:  # every figure once, before any report: a partnership's failing measure is one sentence
        figures = CycleFigures(load_cycle(store_path, chosen_period))
        judgements = figures.judgements
        with figures.history_aside(judgements.history_wanted()):  # the trends' earlier periods
            judgements.table  # noqa: B018  (computed here, so a failing measure stops the run)
    except MeasureError as error:
        raise RunError(str(error)) from error

    figures.share()  # the reports forked below open these figures, not the store again
    period_dir = out_dir / chosen_period.label
    period_dir.mkdir(parents=True, exist_ok=True)
    write_data(judgements, period_dir)
    jobs = plan_jobs(partnership, chosen_period, area_codes or partnership.area_codes,
                     store_path, period_dir, deep_dives(data_dir))
    published = started_at.strftime("%-d %B %Y")
    companions = write_companions(judgements, jobs, period_dir, formats, published)
    for job in jobs:
        job.formats = formats
        job.page = page_for(job, partnership, chosen_period, published, companions)
    fingerprints = report_fingerprints(jobs, figures, request.code, national_files)
    kept = {} if force else kept_reports(jobs, fingerprints, period_dir)
    record = RunRecord(period_dir, started, {
        "tool": {"name": "scrutiny", "version": __version__},
        "started_at": started_at.isoformat(timespec="seconds"),
        "period": chosen_period.label,
        "partnership": partnership.name,
        "synthetic_data": partnership.synthetic,
        # relative to this file's folder: run.json names no folder of the machine it ran on
        "data_dir": relative(data_dir, period_dir),
        "store": relative(store_path, period_dir),
        "national_dir": relative(national_dir, period_dir) if national_dir else None,
        "inputs": received.files,
        "not_read": received.not_read,
        "data": [INDICATORS_FILE, DEFINITIONS_FILE],
        "formats": formats,
        "companions": companions.as_dict(),
        "national_inputs": _named_in(national_files, data_dir),
        **provenance(request, force, dask_scheduler, store_path),
    }, {
        "partnership": partnership.name, "period": chosen_period.label,
        "period_title": _period_title(chosen_period), "synthetic": partnership.synthetic,
        "version": __version__, "ingest_summary": received.in_words(),
        "rejected": received.count("rejected"), "not_read": len(received.not_read),
        "data_files": [INDICATORS_FILE, DEFINITIONS_FILE],
        "data_packs": {f"{slug}.html": pack for slug, pack in companions.data_packs.items()},
        "children_pages": companions.children_pages,
        "companion_problems": companions.problems,
        "sources": data_sources(judgements.cycle, national_files, chosen_period),
        "published": published,
    })
    outcomes = write_reports(jobs, fingerprints, kept, record, period_dir, workers=workers,
                             timeout=report_timeout, progress=progress,
                             keep={"<data>": data_dir, "<out>": out_dir},
                             dask_scheduler=dask_scheduler)
    return RunResult(chosen_period, period_dir, outcomes, received)


def provenance(request: Request, force: bool, dask_scheduler: str | None,
               store_path: Path) -> dict:
    """What run.json says of how a run was made: package versions, what it was asked for
    (scrutiny.freshness), whether forced, where its reports ran, and the state of the store
    its reports were built from (a later write means they may no longer be current)."""
    return {"packages": request.versions, "request": request.as_dict(), "forced": force,
            "reports_ran_on": f"the Dask cluster at {dask_scheduler}" if dask_scheduler
            else "this machine",
            "store_state": store_state(store_path)}


def write_reports(jobs: list[Job], fingerprints: dict[str, str], kept: dict[str, Outcome],
                  record: RunRecord, period_dir: Path, *, workers: int | None, timeout: float,
                  progress: bool, keep: Mapping[str, Path], dask_scheduler: str | None
                  ) -> list[Outcome]:
    """Run every job not ``kept`` from an earlier run, with run.json and the index saying
    "in progress" until the run's final state replaces it; raises RunInterrupted on a
    signal."""
    to_run = [job for job in jobs if job.slug not in kept]
    if progress and kept:
        tqdm.write(f"{len(kept)} of {len(jobs)} reports are unchanged since the last run and "
                   "are kept (--force rebuilds them)")

    def in_plan_order(outcomes: list[Outcome]) -> list[Outcome]:
        built = {Path(outcome.html).stem: outcome for outcome in outcomes}
        for outcome in built.values():
            outcome.fingerprint = fingerprints[Path(outcome.html).stem]
        return [kept.get(job.slug) or built[job.slug] for job in jobs]

    with _stop_on_signals() as stop:
        record.write(in_plan_order(_so_far(to_run, {}, [], period_dir)), IN_PROGRESS)
        outcomes = in_plan_order(execute_reports(
            to_run, period_dir, workers=workers, timeout=timeout, progress=progress,
            keep=keep, stop=stop,
            on_change=lambda current: record.write(in_plan_order(current), IN_PROGRESS),
            dask_scheduler=dask_scheduler))
        record.write(outcomes, _final_status(outcomes, stop))
    if stop.signum:
        raise RunInterrupted(stop.signum, period_dir / "index.html")
    return outcomes


def report_fingerprints(jobs: list[Job], figures: CycleFigures, code: str,
                        national_files: list[dict]) -> dict[str, str]:
    """Each report's fingerprint: the digest of everything it reads.

    Every report reads the code, the partnership's settings, the published statistics and every
    figure of the judgements (an area's figures are set beside the partnership's and the other
    areas'). An area report reads the returns of :data:`OWN_AREA_RETURNS` for its own area
    only, and every other return for every area; the regional comparison, the data-quality
    report and a partnership's deep dive read every file received.
    """
    cycle = figures.cycle
    judgements = figures.judgements.table
    common = {
        "code": code,
        "partnership": cycle.partnership, "framework": dict(cycle.framework.texts),
        "national": sorted((Path(item["file"]).name, item["sha256"]) for item in national_files
                           if item.get("status") == "used"),
        "judgements": digest(judgements.to_csv(index=False)),
        "period": cycle.period.label,
    }
    submissions = cycle.submissions
    everything = digest([cycle.received[["file_name", "sha256", "status"]].to_csv(index=False),
                         cycle.not_read.to_csv(index=False),
                         cycle.findings.to_csv(index=False)])
    fingerprints = {}
    for job in jobs:
        page = {key: value for key, value in job.page.items() if key != "published"}
        if job.kind == "area":
            read = submissions[(submissions["area_code"] == job.parameters["area_code"])
                               | ~submissions["return_type"].isin(OWN_AREA_RETURNS)]
            data = digest(read.sort_values(["return_type", "area_code", "period", "file_name"])
                          [["file_name", "sha256"]].to_csv(index=False))
        else:
            data = everything
        notebook = Path(job.folder) / job.notebook if job.folder else None
        fingerprints[job.slug] = report_fingerprint(
            common, data, job.kind, job.notebook, job.parameters, job.formats, page,
            file_sha256(notebook) if notebook and notebook.is_file() else "")
    return fingerprints


def kept_reports(jobs: list[Job], fingerprints: dict[str, str], period_dir: Path
                 ) -> dict[str, Outcome]:
    """The reports of the last run whose fingerprint is unchanged: kept as they are."""
    earlier = earlier_reports(period_dir)
    kept = {}
    for job in jobs:
        report = earlier.get(ReportFiles(period_dir, job.slug).html.name)
        if report and report["fingerprint"] == fingerprints[job.slug]:
            kept[job.slug] = Outcome(**{**report, "kept": True})
    return kept


def data_sources(cycle: Cycle, national_files: list[dict], period: Period) -> list[dict]:
    """The data the period's reports are built from, with their dates, in words."""
    received = cycle.received
    accepted = received[(received["status"] == "accepted") & received["period"].notna()]
    accepted = accepted[accepted["period"].map(
        lambda label: Period.parse(label) <= (period if Period.parse(label).is_quarter
                                              else period.year))]
    sources = []
    if not accepted.empty:
        received_for = sorted(accepted["period"].map(Period.parse).unique())
        periods = [label for label in received_for if label.is_quarter] or received_for
        sources.append({
            "name": "Returns from the partnership's local authorities, police, health and "
                    "business unit",
            "detail": f"{len(accepted):,} accepted returns for {periods[0].label} to "
                      f"{periods[-1].label}, the latest received "
                      f"{accepted['received_at'].max():%-d %B %Y}."})
    used = [item for item in national_files if item["status"] == "used"]
    if used:
        years = cycle.national.get("national", pd.DataFrame()).get("time_period")
        latest = (f" The latest year published is {int(years.max()) - 1}-"
                  f"{int(years.max()) % 100:02d}." if years is not None and len(years) else "")
        synthetic = (" In this demonstration they are synthetic files in the published layout."
                     if any(item.get("synthetic") for item in used) else "")
        sources.append({
            "name": "Published statistics from DfE, ONS and Ofsted (Open Government Licence)",
            "detail": f"{len(used)} files: "
                      + ", ".join(Path(item["file"]).name for item in used) + "."
                      + latest + synthetic})
    return sources


def _period_title(period: Period) -> str:
    return (f"quarter {period.quarter} of {period.year.label} "
            f"({period.start:%B %Y} to {period.end:%B %Y})")


def relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()


def _named_in(files: list[dict], data_dir: Path) -> list[dict]:
    """National inputs named relative to the data folder, or by file name if outside it."""
    named = []
    for item in files:
        path = Path(item["file"])
        if path.is_absolute():
            resolved, folder = path.resolve(), Path(data_dir).resolve()
            path = resolved.relative_to(folder) if resolved.is_relative_to(folder) else Path(
                path.name)
        named.append({**item, "file": path.as_posix()})
    return named


@dataclass
class RunRecord:
    """run.json and index.html of a run, rewritten as it goes: they never claim more than has
    happened, so a run killed outright (SIGKILL, power cut) is left saying "in progress"."""

    period_dir: Path
    started: float  # time.perf_counter() when the run started
    manifest: dict  # what stays the same while the reports run
    page: dict

    def write(self, outcomes: list[Outcome], status: str) -> None:
        now = datetime.now(UTC)
        duration = time.perf_counter() - self.started
        finished = status != IN_PROGRESS
        manifest = {
            "tool": self.manifest["tool"], "status": status, **self.manifest,
            "finished_at": now.isoformat(timespec="seconds") if finished else None,
            "duration_seconds": round(duration, 2) if finished else None,
            "reports": [asdict(outcome) for outcome in outcomes],
        }
        write_atomically(self.period_dir / "run.json", json.dumps(manifest, indent=2) + "\n")
        write_atomically(self.period_dir / "index.html", index_html({
            **self.page, "status": status, "reports": outcomes,
            "failed": sum(1 for outcome in outcomes if outcome.status in ("failed", "not run")),
            "generated": now.strftime("%d %B %Y %H:%M UTC"), "duration": f"{duration:.0f} s",
        }))


def _final_status(outcomes: list[Outcome], stop: StopRequest) -> str:
    if stop.signum:
        return INTERRUPTED
    if any(outcome.status != "ok" for outcome in outcomes):
        return WITH_FAILURES
    return COMPLETE


class StopRequest:
    """Set by SIGINT or SIGTERM; the report stage then stops every worker and returns."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, _frame: object = None) -> None:
        self.signum = self.signum or signum


@contextmanager
def _stop_on_signals() -> Iterator[StopRequest]:
    """Turn SIGINT and SIGTERM into a request to stop, checked between looks at the workers:
    the runner is never cut short mid-write, and a second Ctrl-C cannot leave a kernel."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request  # only the main thread receives signals
        return
    previous = {number: signal.signal(number, request)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def execute_reports(jobs: list[Job], period_dir: Path, *, workers: int | None = None,
                    timeout: float = DEFAULT_REPORT_TIMEOUT, progress: bool = False,
                    keep: Mapping[str, Path] | None = None, stop: StopRequest | None = None,
                    on_change: Callable[[list[Outcome]], None] | None = None,
                    fork: bool | None = None, dask_scheduler: str | None = None
                    ) -> list[Outcome]:
    """Run each job in a worker process of its own, at most ``workers`` at once: forked from
    this process where the system allows (``fork``, by default), else a new process; or, with
    ``dask_scheduler``, as tasks of that Dask cluster (:mod:`scrutiny.cluster`).

    A report that fails, runs past ``timeout`` seconds, or whose kernel or worker dies is
    marked failed and the others go on. Once ``stop`` is set, every worker and kernel is
    stopped and the reports not written are marked "not run". No process of a report outlives
    this call. ``keep`` names the folders whose paths may appear in what reports write (see
    ``render.scrub_paths``); ``on_change`` is given the outcomes so far after each report.
    """
    period_dir = Path(period_dir)
    keep = dict(keep or {"<out>": period_dir})
    stop = stop or StopRequest()
    if dask_scheduler:
        from scrutiny.cluster import execute_on_cluster

        done = execute_on_cluster(
            jobs, period_dir, dask_scheduler, timeout=timeout, progress=progress, keep=keep,
            stop=stop, on_change=on_change and (
                lambda finished: on_change(_so_far(jobs, finished, [], period_dir))))
    else:
        done = _execute_here(jobs, period_dir, workers, timeout, progress, keep, stop,
                             on_change, can_fork() if fork is None else fork)
    outcomes = _so_far(jobs, done, [], period_dir, unfinished="not run")
    for outcome in outcomes:  # only this run's reports are left to be read as current
        if outcome.status != "ok":
            (period_dir / outcome.html).unlink(missing_ok=True)
            (period_dir / outcome.html).with_suffix(".pdf").unlink(missing_ok=True)
    return outcomes


def _execute_here(jobs: list[Job], period_dir: Path, workers: int | None, timeout: float,
                  progress: bool, keep: dict[str, Path], stop: StopRequest,
                  on_change: Callable[[list[Outcome]], None] | None, fork: bool
                  ) -> dict[str, Outcome]:
    """Run the jobs in worker processes of this machine; their outcomes by slug."""
    limit = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if fork and jobs:
        prepare()  # imported once here, not once per report
    waiting, running, done = list(jobs), [], {}
    bar = tqdm(total=len(jobs), desc="Writing reports", unit="report", disable=not progress)
    scratch = Path(tempfile.mkdtemp(prefix="scrutiny-run-"))
    try:
        while (waiting or running) and not stop.signum:
            while waiting and len(running) < limit:
                job = waiting.pop(0)
                running.append(Worker.start(job, period_dir, Path(job.folder or notebooks_dir()),
                                            keep, scratch, fork=fork))
            time.sleep(POLL_SECONDS)
            for worker in list(running):
                outcome = _settle(worker, timeout, keep)
                if outcome is None:
                    continue
                running.remove(worker)
                done[worker.job.slug] = outcome
                bar.set_postfix_str(f"{outcome.title[:30]}: {outcome.status}")
                bar.update()
                if on_change:
                    on_change(_so_far(jobs, done, running, period_dir))
    finally:
        for worker in running:  # interrupted (or the runner itself failed)
            worker.stop()
            done[worker.job.slug] = worker.failed("stopped when the run was interrupted", keep,
                                                  status="not run")
        bar.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return done


def _settle(worker: Worker, timeout: float, keep: Mapping[str, Path]) -> Outcome | None:
    return worker.settle(timeout, keep)


def _so_far(jobs: list[Job], done: dict[str, Outcome], running: list[Worker], period_dir: Path,
            unfinished: str = "waiting") -> list[Outcome]:
    """Every job's outcome in plan order: finished, running, or ``unfinished``."""
    started = {worker.job.slug for worker in running}
    outcomes = []
    for job in jobs:
        if job.slug in done:
            outcomes.append(done[job.slug])
            continue
        status = "running" if job.slug in started else unfinished
        error = "not started: the run was interrupted" if status == "not run" else ""
        outcome = ReportFiles(period_dir, job.slug).outcome(job, status, 0.0, error)
        if status != "running":  # nothing of this run's is there yet
            outcome.notebook = outcome.log = ""
        outcomes.append(outcome)
    return outcomes
