"""Reports run on a Dask cluster (``scrutiny run --dask-scheduler ADDRESS``).

The runner checks the returns, computes the figures and writes the data files as it does for
a local run; then, instead of forking its workers, it sends each report to the cluster as one
task. The task runs on a Dask worker exactly what a local worker runs, in a new process of its
own (``python -m scrutiny.worker``), watched with the same timeout, and returns its outcome;
the runner gathers the outcomes into the same ``run.json`` and index. So the reports are the
same as a local run's.

Every machine must see the output folder, the store and the data folder at the same paths
(shared storage), and have the same version of scrutiny installed: a task names them by their
absolute paths, and the executed notebooks are written straight into the output folder.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path

from tqdm.auto import tqdm

from scrutiny.resources import notebooks_dir
from scrutiny.worker import Job, Outcome, ReportFiles, Worker

POLL_SECONDS = 1.0  # how often a task looks at its report's process and the stop signal
CONNECT_SECONDS = 30  # how long to wait for the scheduler to answer
STOP_WAIT_SECONDS = 30  # how long an interrupted run waits for its tasks to stop


class ClusterError(RuntimeError):
    """The cluster cannot be used: no dask.distributed, or no scheduler at the address."""


def run_report_task(job: dict, period_dir: str, keep: Mapping[str, str], timeout: float,
                    stop_event: str) -> dict:
    """On a Dask worker: run one report in a worker process of its own and return its outcome.

    The package's notebooks are this worker's; a deep dive's folder is on shared storage.
    A report still running when the run is stopped (the event is set) is stopped here.
    """
    from distributed import Event

    job = Job(**job)
    keep_paths = {label: Path(folder) for label, folder in keep.items()}
    stopped = Event(stop_event)
    if stopped.is_set():  # the run was interrupted before this report started
        outcome = ReportFiles(Path(period_dir), job.slug).outcome(
            job, "not run", 0.0, "not started: the run was interrupted")
        outcome.notebook = outcome.log = ""  # nothing of it was written
        return asdict(outcome)
    scratch = Path(tempfile.mkdtemp(prefix="scrutiny-task-"))
    try:
        worker = Worker.start(job, Path(period_dir), Path(job.folder or notebooks_dir()),
                              keep_paths, scratch, fork=False)
        try:
            while True:
                outcome = worker.settle(timeout, keep_paths)
                if outcome is not None:
                    return asdict(outcome)
                if stopped.is_set():
                    worker.stop()
                    return asdict(worker.failed("stopped when the run was interrupted",
                                                keep_paths, status="not run"))
                time.sleep(POLL_SECONDS)
        finally:
            worker.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def execute_on_cluster(jobs: list[Job], period_dir: Path, address: str, *, timeout: float,
                       progress: bool, keep: Mapping[str, Path], stop,  # noqa: ANN001
                       on_change: Callable[[dict[str, Outcome]], None] | None = None
                       ) -> dict[str, Outcome]:
    """Send each job to the cluster at ``address`` and gather the outcomes as they finish.

    Returns the outcomes by job slug; a report missing from them was not run. ``stop`` (the
    runner's StopRequest) set by SIGINT or SIGTERM stops every report still running;
    ``on_change`` is given the outcomes so far after each report.
    """
    try:
        from distributed import Client, Event
    except ImportError as error:
        raise ClusterError("--dask-scheduler needs dask.distributed: pip install "
                           "'scrutiny[dask]' (on this machine and every worker)") from error
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except OSError as error:
        raise ClusterError(f"no Dask scheduler answered at {address} within "
                           f"{CONNECT_SECONDS} s: {error}") from error
    period_dir = Path(period_dir).resolve()
    keep_paths = {label: str(Path(folder).resolve()) for label, folder in keep.items()}
    run_id = uuid.uuid4().hex
    stop_event = f"scrutiny-stop-{run_id}"
    done: dict[str, Outcome] = {}
    bar = tqdm(total=len(jobs), desc="Writing reports on the cluster", unit="report",
               disable=not progress)
    with client:
        event = Event(stop_event, client=client)
        futures = {client.submit(run_report_task, asdict(job), str(period_dir), keep_paths,
                                 timeout, stop_event, key=f"scrutiny-{job.slug}-{run_id}",
                                 pure=False, retries=0): job for job in jobs}
        try:
            while len(done) < len(jobs) and not stop.signum:
                time.sleep(0.2)
                for future, job in futures.items():
                    if job.slug in done or not future.done():
                        continue
                    done[job.slug] = _outcome(future, job, period_dir)
                    bar.set_postfix_str(f"{job.title[:30]}: {done[job.slug].status}")
                    bar.update()
                    if on_change:
                        on_change(done)
        finally:
            if len(done) < len(jobs):  # interrupted: every task stops its report
                event.set()
                deadline = time.monotonic() + STOP_WAIT_SECONDS
                for future, job in futures.items():
                    if job.slug in done:
                        continue
                    try:
                        done[job.slug] = Outcome(**future.result(
                            timeout=max(0.1, deadline - time.monotonic())))
                    except Exception:  # noqa: BLE001 (not stopped in time: marked not run)
                        future.cancel()
            bar.close()
    return done
def _outcome(future, job: Job, period_dir: Path) -> Outcome:  # noqa: ANN001
    """A finished task's outcome; a task that failed on the cluster is a failed report."""
    try:
        return Outcome(**future.result())
    except Exception as problem:  # the worker died, or the task could not run there
        return ReportFiles(period_dir, job.slug).outcome(
            job, "failed", 0.0, f"the cluster could not run it: {type(problem).__name__}: "
                                f"{problem}"[:500])
