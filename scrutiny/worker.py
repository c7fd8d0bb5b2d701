"""One report in its own process, and how the runner starts, watches and stops that process.

A worker runs one notebook with papermill and renders it with nbconvert. The runner forks one
worker per report from itself, once it has imported the reports' code and computed the run's
figures (:func:`prepare`), so a report costs only its own cells: the package's notebooks run in
the worker itself (``scrutiny.engine``), in a new IPython shell. Where fork is unavailable, and
on a Dask cluster, a worker is a new process, ``python -m scrutiny.worker JOB_FILE``. A
partnership's deep dive runs in a Jupyter kernel the worker starts. Every worker runs:

- in a new session, so that a terminal's Ctrl-C reaches only the runner, which then stops
  the workers itself;
- with stdout and stderr going to the report's log, so that neither the worker's nor its
  kernel's chatter reaches the terminal;
- with a private temporary folder (TMPDIR), where jupyter_client writes a kernel's
  connection file, so the kernel's command line names that folder.

jupyter_client starts each kernel in a session of its own, so stopping a report means
stopping a process tree: every process ever seen below its worker, and every process whose
command line names the worker's temporary folder (a kernel whose worker died is below nothing).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from scrutiny.engine import ENGINE_NAME
from scrutiny.forking import keep_parents_objects
from scrutiny.publication import Page, write_pdf
from scrutiny.render import (
    notebook_to_html,
    scrub_file,
    scrub_paths,
    tidy_executed_notebook,
    write_atomically,
)
from scrutiny.resources import import_root

KERNEL = "scrutiny-python"  # a kernel of the interpreter that runs scrutiny (see _own_kernel)
JOB_FILE = "job.json"
OUTCOME_FILE = "outcome.json"
STOP_GRACE_SECONDS = 3.0  # between asking a process to end and killing it


@dataclass
class Job:
    kind: str  # area | regional | quality | deep_dive
    title: str
    notebook: str
    slug: str
    parameters: dict
    folder: str = ""  # where the notebook is, if not the package's notebooks (a deep dive)
    page: dict = field(default_factory=dict)  # the publication's header and links (Page)
    formats: list[str] = field(default_factory=lambda: ["html"])  # and "pdf"


@dataclass
class Outcome:
    kind: str
    title: str
    html: str
    notebook: str
    status: str  # ok | failed | not run; while the run is under way also running | waiting
    duration_seconds: float
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    log: str = ""
    error_file: str = ""
    pdf: str = ""  # the report printed, where the run asked for PDFs
    fingerprint: str = ""  # the digest of what the report read (scrutiny.freshness)
    kept: bool = False  # unchanged since an earlier run, so kept rather than run again


@dataclass(frozen=True)
class ReportFiles:
    """Where one report's files go, in its period's folder."""

    period_dir: Path
    slug: str

    @property
    def html(self) -> Path:
        return self.period_dir / f"{self.slug}.html"

    @property
    def executed(self) -> Path:
        return self.period_dir / "notebooks" / f"{self.slug}.ipynb"

    @property
    def log(self) -> Path:
        return self.executed.with_suffix(".log")

    @property
    def error(self) -> Path:
        return self.executed.with_suffix(".error.txt")

    @property
    def pdf(self) -> Path:
        return self.html.with_suffix(".pdf")

    def outcome(self, job: Job, status: str, duration: float, error: str = "",
                warnings: Iterable[str] = ()) -> Outcome:
        def relative(path: Path) -> str:
            return path.relative_to(self.period_dir).as_posix()

        return Outcome(job.kind, job.title, self.html.name, relative(self.executed), status,
                       round(duration, 2), error, list(warnings), relative(self.log),
                       relative(self.error) if status == "failed" else "",
                       relative(self.pdf) if status == "ok" and "pdf" in job.formats else "")


# --- inside the worker -------------------------------------------------------------------


def execute_job(job: Job, period_dir: Path, notebooks: Path,
                keep: Mapping[str, Path] | None = None) -> Outcome:
    """Run one notebook and render it; never raises (the outcome says what happened).

    The notebook runs in its period's folder, so its parameters name the store by a relative
    path; papermill keeps the executed notebook, with the error if a cell failed.
    """
    import papermill

    started = time.perf_counter()
    files = ReportFiles(period_dir, job.slug)
    # the package's notebooks run in this process; a partnership's deep dive in a kernel
    engine = None if job.folder else ENGINE_NAME
    try:
        try:
            papermill.execute_notebook(
                str(notebooks / job.notebook), str(files.executed), parameters=job.parameters,
                kernel_name=KERNEL, engine_name=engine, progress_bar=False, log_output=False,
                cwd=str(period_dir))
        finally:
            tidy_executed_notebook(files.executed, job.notebook, keep)
        warnings = notebook_to_html(files.executed, files.html,
                                    Page(**{"title": job.title, **job.page}))
        if "pdf" in job.formats:
            write_pdf(files.html, files.pdf)
        else:  # a PDF of an earlier run would no longer match its page
            files.pdf.unlink(missing_ok=True)
    except Exception as problem:  # a report's failure must not stop the others
        write_atomically(files.error, scrub_paths(traceback.format_exc(), keep))
        files.html.unlink(missing_ok=True)
        files.pdf.unlink(missing_ok=True)
        return files.outcome(job, "failed", time.perf_counter() - started,
                             scrub_paths(_short_error(problem), keep))
    return files.outcome(job, "ok", time.perf_counter() - started, warnings=warnings)


def _end_with_runner(runner_pid: int, folder: Path, every: float = 1.0) -> None:
    """Stop this worker's kernel, remove its temporary folder and exit once the runner is gone.

    A runner killed outright (SIGKILL) cannot stop its workers, and they are in sessions of
    their own; an orphaned worker is reparented, so its parent changes.
    """
    def watch() -> None:
        while os.getppid() == runner_pid:
            time.sleep(every)
        stop_processes(psutil.Process().children(recursive=True), grace=1.0)
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # the run's, once its last worker has gone
        os._exit(1)

    threading.Thread(target=watch, name="end-with-runner", daemon=True).start()


def _own_kernel(folder: Path) -> None:
    """Make the notebooks' kernel this interpreter, whatever ``python3`` kernel the machine has
    registered: a kernel spec of our own, in the worker's folder, found first on JUPYTER_PATH."""
    spec = folder / "kernels" / KERNEL / "kernel.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (scrutiny)", "language": "python",
    }), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))


def _short_error(problem: Exception) -> str:
    name = getattr(problem, "ename", type(problem).__name__)
    value = getattr(problem, "evalue", str(problem))
    return f"{name}: {value}".strip()[:500]


def run_job_file(job_file: Path) -> None:
    """Run the job described in JOB_FILE and write its outcome beside it."""
    spec = json.loads(job_file.read_text(encoding="utf-8"))
    _end_with_runner(spec["runner_pid"], job_file.parent)
    keep = {label: Path(folder) for label, folder in spec["keep"].items()}
    _own_kernel(job_file.parent)
    outcome = execute_job(Job(**spec["job"]), Path(spec["period_dir"]),
                          Path(spec["notebooks_dir"]), keep)
    write_atomically(job_file.with_name(OUTCOME_FILE), json.dumps(asdict(outcome)))


def main(argv: list[str] | None = None) -> int:
    """The worker process started as a command (where the runner cannot fork)."""
    run_job_file(Path((sys.argv[1:] if argv is None else argv)[0]))
    return 0


def prepare() -> None:
    """Import and compile, in the runner, what every worker needs, so that forked workers
    start with it: papermill, the notebook format's schema validator, the page's exporter."""
    import nbformat
    import papermill  # noqa: F401

    from scrutiny.render import publication_exporter

    nbformat.reads(nbformat.writes(nbformat.v4.new_notebook()), as_version=4)  # the validator
    publication_exporter().template  # noqa: B018 (loads and compiles the page's template)


def _forked_worker(job_file: Path, log: Path) -> None:
    """In the forked child: become a worker of its own (session, signals, files, folder), run
    the job, and exit without running anything the runner registered for its own exit."""
    code = 1
    keep_parents_objects()
    try:
        os.setsid()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        quiet = os.open(os.devnull, os.O_RDONLY)
        output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        os.dup2(quiet, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.chdir(job_file.parent)
        os.environ.update(_environment(job_file.parent))
        tempfile.tempdir = None  # read TMPDIR again
        run_job_file(job_file)
        code = 0
    except BaseException:  # noqa: BLE001 (whatever happened goes to the log; the runner reports it)
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


class _ForkedProcess:
    """What the runner needs of a forked worker: the part of ``subprocess.Popen`` it uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # collected elsewhere: its outcome file says the rest
                self.returncode = 0
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode


# --- in the runner -------------------------------------------------------------------------


class Worker:
    """A report running in its own process, and every process seen below it."""

    def __init__(self, job: Job, files: ReportFiles, folder: Path,
                 process: subprocess.Popen | _ForkedProcess) -> None:
        self.job, self.files, self.folder, self.process = job, files, folder, process
        self.started = time.monotonic()
        self.seen: dict[int, psutil.Process] = {}
        try:
            # psutil remembers the start time, so a reused pid is never mistaken for it
            self.handle: psutil.Process | None = psutil.Process(process.pid)
        except psutil.Error:
            self.handle = None

    @classmethod
    def start(cls, job: Job, period_dir: Path, notebooks: Path, keep: Mapping[str, Path],
              scratch: Path, fork: bool = False) -> Worker:
        """Start the job's worker: forked from this process (which has run :func:`prepare`),
        or a new Python process."""
        files = ReportFiles(period_dir, job.slug)
        files.executed.parent.mkdir(parents=True, exist_ok=True)
        files.error.unlink(missing_ok=True)  # an earlier run's error is not this run's
        folder = scratch / job.slug
        folder.mkdir(parents=True)
        job_file = folder / JOB_FILE
        job_file.write_text(json.dumps({
            "job": asdict(job), "runner_pid": os.getpid(),
            "period_dir": str(period_dir.resolve()),
            "notebooks_dir": str(notebooks.resolve()),
            "keep": {label: str(Path(path).resolve()) for label, path in keep.items()},
        }), encoding="utf-8")
        if fork:
            sys.stdout.flush()
            sys.stderr.flush()  # or the child would write the runner's buffered output again
            pid = os.fork()
            if pid == 0:
                _forked_worker(job_file, files.log)
            return cls(job, files, folder, _ForkedProcess(pid))
        with open(files.log, "w", encoding="utf-8") as log:  # the mode open() gives
            process = subprocess.Popen(
                [sys.executable, "-m", "scrutiny.worker", str(job_file)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=folder,
                env=_environment(folder), start_new_session=True)
        return cls(job, files, folder, process)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def settle(self, timeout: float, keep: Mapping[str, Path]) -> Outcome | None:
        """The worker's outcome if it has ended or run out of time, else None."""
        if self.finished():
            self.stop()  # its kernel may have outlived it
            return self.outcome(keep)
        if self.elapsed() > timeout:
            self.stop()
            return self.failed(f"timed out after {timeout:g} s", keep)
        self.watch()
        return None

    def finished(self) -> bool:
        return self.process.poll() is not None

    def watch(self) -> None:
        """Remember the processes below the worker: a kernel outlives a worker that dies."""
        if self.handle is None:
            return
        try:
            for child in self.handle.children(recursive=True):
                self.seen.setdefault(child.pid, child)
        except psutil.Error:
            pass

    def stop(self) -> None:
        """Stop the worker and every process of its tree; fine if they have all ended."""
        for _ in range(3):  # again, for a kernel the worker started as it was being stopped
            tree = [process for process in self._tree() if _running(process)]
            if not tree:
                break
            stop_processes(tree)
        with contextlib.suppress(subprocess.TimeoutExpired):  # reported as stopped regardless
            self.process.wait(timeout=STOP_GRACE_SECONDS)

    def _tree(self) -> list[psutil.Process]:
        self.watch()
        tree = dict(self.seen)
        if self.process.poll() is None and self.handle is not None:
            tree[self.handle.pid] = self.handle
        tree.update((process.pid, process) for process in processes_naming(self.folder))
        return list(tree.values())

    def outcome(self, keep: Mapping[str, Path]) -> Outcome:
        """What happened to a worker that has ended by itself."""
        try:
            data = json.loads((self.folder / OUTCOME_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self.failed(f"the worker process ended without a result ({self._how()})",
                               keep)
        scrub_file(self.files.log, keep)
        return Outcome(**data)

    def failed(self, error: str, keep: Mapping[str, Path], status: str = "failed") -> Outcome:
        """The outcome of a worker that was stopped or died: its files made safe to keep."""
        tidy_executed_notebook(self.files.executed, self.job.notebook, keep)
        scrub_file(self.files.log, keep)
        self.files.html.unlink(missing_ok=True)
        if status == "failed":
            write_atomically(self.files.error, (
                f"{self.job.title}: {error}.\nThe executed notebook, as far as it ran, is "
                f"{self.files.executed.name} and the worker's and kernel's messages are in "
                f"{self.files.log.name}, both in this folder.\n"))
        return self.files.outcome(self.job, status, self.elapsed(), error)

    def _how(self) -> str:
        code = self.process.returncode
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"


def _environment(folder: Path) -> dict[str, str]:
    environment = dict(os.environ)
    # jupyter_client writes the kernel's connection file in the temporary folder
    environment["TMPDIR"] = environment["JUPYTER_RUNTIME_DIR"] = str(folder)
    # the worker imports this scrutiny, wherever it is installed
    environment["PYTHONPATH"] = os.pathsep.join(
        part for part in (environment.get("PYTHONPATH", ""), str(import_root())) if part)
    return environment


def processes_naming(folder: Path) -> list[psutil.Process]:
    """Processes whose command line names ``folder``: a report's worker and kernels."""
    needle = str(folder)
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if process.pid != os.getpid() and any(needle in part
                                              for part in process.info["cmdline"] or ()):
            found.append(process)
    return found


def stop_processes(processes: Iterable[psutil.Process],
                   grace: float = STOP_GRACE_SECONDS) -> None:
    """Ask each process to end (SIGTERM), then kill (SIGKILL) any still running after
    ``grace`` seconds."""
    alive = _signal_all(processes, "terminate")
    alive = _wait_until_ended(alive, grace)
    _wait_until_ended(_signal_all(alive, "kill"), grace)


def _signal_all(processes: Iterable[psutil.Process], how: str) -> list[psutil.Process]:
    signalled = []
    for process in processes:
        if not _running(process):
            continue
        try:
            getattr(process, how)()
            signalled.append(process)
        except psutil.Error:
            pass  # it ended meanwhile, or is not ours to stop
    return signalled


def _wait_until_ended(processes: list[psutil.Process], grace: float) -> list[psutil.Process]:
    deadline = time.monotonic() + grace
    while True:
        alive = [process for process in processes if _running(process)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def _running(process: psutil.Process) -> bool:
    # a zombie has ended: it waits only for its parent (or init) to collect its exit status
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


if __name__ == "__main__":
    sys.exit(main())
