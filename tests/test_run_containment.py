"""Runs are contained: a report that fails, hangs, or loses its kernel or worker is marked
failed and the others are written; Ctrl-C or SIGTERM stops every worker and kernel; no
process of a run outlives it; run.json and index.html never claim more than happened.

The report stage runs tiny notebooks (SCRUTINY_NOTEBOOKS_DIR) that take the real notebooks'
parameters, so these tests take seconds. Every process a run starts inherits a marker in its
environment; a leftover worker or kernel is one that still carries it. A job with a folder
runs as a partnership's deep dive does, in a Jupyter kernel; one without, as the package's
notebooks do, in its forked worker (``scrutiny.engine``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest
from tiny_notebooks import write_notebook

from scrutiny.runner import (
    COMPLETE,
    IN_PROGRESS,
    INTERRUPTED,
    WITH_FAILURES,
    RunRecord,
    execute_reports,
)
from scrutiny.worker import Job, ReportFiles

MARKER = "SCRUTINY_TEST_RUN"
PARAMETERS = {"store_path": "../scrutiny.duckdb", "period": "2025-26-Q4",
              "area_code": "E06000022"}
SOURCES = {
    "ok": "1 + 1",
    "raises": 'raise RuntimeError("deliberate failure in " + area_code)',
    "hangs": "import time\ntime.sleep(3600)",
    "kernel_exits": "import os\nos._exit(1)",
    "kernel_killed": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    # the kernel kills its worker and lives on, orphaned: only the runner can stop it
    "worker_dies": "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\n"
                   "time.sleep(3600)",
    # the kernel says it is up (a file named after its pid), then hangs
    "announces_and_hangs": "import os, pathlib, time\n"
                           "pathlib.Path(os.environ['SCRUTINY_TEST_KERNELS'], "
                           "str(os.getpid())).touch()\ntime.sleep(3600)",
}
SOURCES["hangs_too"] = SOURCES["announces_and_hangs"]


@pytest.fixture
def notebooks(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, source in SOURCES.items():
        write_notebook(folder / f"{name}.ipynb", source)
    monkeypatch.setenv("SCRUTINY_NOTEBOOKS_DIR", str(folder))
    return folder


@pytest.fixture
def marker(monkeypatch) -> str:
    value = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, value)
    return value


def marked_processes(value: str) -> list[psutil.Process]:
    """Running processes (not zombies) whose environment carries the marker."""
    found = []
    for process in psutil.process_iter():
        if process.pid == os.getpid():
            continue
        try:
            if (process.status() != psutil.STATUS_ZOMBIE
                    and process.environ().get(MARKER) == value):
                found.append(process)
        except psutil.Error:
            continue  # ended meanwhile, or another user's
    return found


def job(name: str, folder: Path | None = None) -> Job:
    """A report of the notebook ``name``: in a kernel if its ``folder`` is given (as a deep
    dive), else in its worker (as the package's notebooks, from SCRUTINY_NOTEBOOKS_DIR)."""
    return Job("area", f"Report {name}", f"{name}.ipynb", name.replace("_", "-"), PARAMETERS,
               folder=str(folder) if folder else "")


def test_each_way_a_report_can_fail_is_contained_and_the_others_are_written(
        notebooks, marker, tmp_path):
    period_dir = tmp_path / "out" / "2025-26-Q4"
    names = ["hangs", "ok", "raises", "kernel_exits", "kernel_killed", "worker_dies"]
    stale = ReportFiles(period_dir, "raises").html
    stale.parent.mkdir(parents=True)
    stale.write_text("a previous run's report")
    assert not marked_processes(marker)

    outcomes = {Path(outcome.html).stem: outcome for outcome in execute_reports(
        [job(name, notebooks) for name in names], period_dir, workers=3, timeout=12,
        keep={"<out>": tmp_path / "out"})}

    assert {name: outcome.status for name, outcome in outcomes.items()} == {
        "hangs": "failed", "ok": "ok", "raises": "failed", "kernel-exits": "failed",
        "kernel-killed": "failed", "worker-dies": "failed"}
    assert outcomes["hangs"].error == "timed out after 12 s"
    assert "deliberate failure in E06000022" in outcomes["raises"].error
    assert "DeadKernelError" in outcomes["kernel-exits"].error
    assert "DeadKernelError" in outcomes["kernel-killed"].error
    assert outcomes["worker-dies"].error == (
        "the worker process ended without a result (killed by SIGKILL)")
    assert not marked_processes(marker)  # no worker, no kernel, orphaned or not

    assert (period_dir / "ok.html").read_text().count("2") >= 1
    assert {path.name for path in period_dir.glob("*.html")} == {"ok.html"}  # stale one gone
    for slug, outcome in outcomes.items():
        files = ReportFiles(period_dir, slug)
        assert files.executed.exists() and files.log.exists(), slug
        assert files.error.exists() == (outcome.status == "failed"), slug
    executed = nbformat.read(ReportFiles(period_dir, "raises").executed, as_version=4)
    assert executed.cells[-1].outputs[0].ename == "RuntimeError"  # kept with its error
    assert executed.metadata.papermill.input_path == "raises.ipynb"
    assert "timed out after 12 s" in ReportFiles(period_dir, "hangs").error.read_text()


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "new process"])
def test_a_report_run_in_its_worker_is_contained_the_same_way(notebooks, marker, tmp_path,
                                                               fork):
    """The package's notebooks run in their worker, with no kernel: a worker that raises,
    exits, is killed or hangs is one report failed, whether forked or started anew."""
    period_dir = tmp_path / "out" / "2025-26-Q4"
    names = ["ok", "raises", "kernel_exits", "kernel_killed", "hangs"]
    outcomes = {Path(outcome.html).stem: outcome for outcome in execute_reports(
        [job(name) for name in names], period_dir, workers=3, timeout=12,
        keep={"<out>": tmp_path / "out"}, fork=fork)}
    assert {name: outcome.status for name, outcome in outcomes.items()} == {
        "ok": "ok", "raises": "failed", "kernel-exits": "failed", "kernel-killed": "failed",
        "hangs": "failed"}
    assert "RuntimeError: deliberate failure in E06000022" in outcomes["raises"].error
    assert outcomes["kernel-exits"].error == (
        "the worker process ended without a result (exit code 1)")
    assert outcomes["kernel-killed"].error == (
        "the worker process ended without a result (killed by SIGKILL)")
    assert outcomes["hangs"].error == "timed out after 12 s"
    assert not marked_processes(marker)
    executed = nbformat.read(ReportFiles(period_dir, "raises").executed, as_version=4)
    error = executed.cells[-1].outputs[-1]
    assert (error.output_type, error.ename) == ("error", "RuntimeError")
    assert executed.cells[-1].metadata.papermill.status == "failed"
    assert "deliberate failure" in ReportFiles(period_dir, "raises").error.read_text()
    page = (period_dir / "ok.html").read_text()
    assert ">2<" in page.replace("\n", "")  # the cell's value, rendered


def test_no_report_is_left_running_when_the_runner_itself_fails(notebooks, marker, tmp_path,
                                                               monkeypatch):
    """Even a fault in the runner's own loop stops the workers and kernels it started."""
    from scrutiny import runner

    kernels = tmp_path / "kernels"
    kernels.mkdir()
    monkeypatch.setenv("SCRUTINY_TEST_KERNELS", str(kernels))

    def broken(worker, timeout, keep):
        if len(list(kernels.iterdir())) == 2:  # both kernels are up
            raise RuntimeError("a fault in the runner")
        return None

    monkeypatch.setattr(runner, "_settle", broken)
    with pytest.raises(RuntimeError, match="a fault in the runner"):
        execute_reports([job("announces_and_hangs", notebooks), job("hangs_too")],
                        tmp_path / "out", workers=2, timeout=600)
    assert not marked_processes(marker)


@pytest.mark.parametrize(("signum", "code", "words"), [
    (signal.SIGINT, 130, "Interrupted by Ctrl-C (SIGINT)"),
    (signal.SIGTERM, 143, "Interrupted by SIGTERM"),
])
def test_a_signal_stops_every_worker_and_kernel_and_the_run_says_interrupted(
        cycle_outputs, notebooks, marker, tmp_path, signum, code, words):
    process, period_dir = _start_hanging_run(cycle_outputs, notebooks, tmp_path)
    try:
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, stderr
    assert words in stderr
    assert "Traceback" not in stderr + stdout
    assert not marked_processes(marker)
    manifest = json.loads((period_dir / "run.json").read_text())
    assert manifest["status"] == INTERRUPTED and manifest["finished_at"]
    assert sorted(report["status"] for report in manifest["reports"]) == ["not run"] * 3
    index = (period_dir / "index.html").read_text()
    assert "This run was interrupted" in index and "This run is complete" not in index
    # no report of the interrupted run is left; the children's pages were written before
    assert {path.name for path in period_dir.glob("*.html")
            if not path.name.startswith("children-")} == {"index.html"}


def test_a_run_killed_outright_says_in_progress_and_its_workers_follow_it(
        cycle_outputs, notebooks, marker, tmp_path):
    process, period_dir = _start_hanging_run(cycle_outputs, notebooks, tmp_path)
    process.kill()  # SIGKILL: the runner can do nothing, its workers must notice
    process.communicate(timeout=120)
    assert json.loads((period_dir / "run.json").read_text())["status"] == IN_PROGRESS
    assert "This run is in progress" in (period_dir / "index.html").read_text()
    _wait_for(lambda: not marked_processes(marker))


def _start_hanging_run(cycle_outputs, notebooks: Path, tmp_path: Path):
    """`scrutiny run` on reports that hang, once both workers' kernels are up; the run's
    index and run.json already say "in progress" where a successful run's were."""
    for name in ("area_report", "regional_comparison", "data_quality"):
        write_notebook(notebooks / f"{name}.ipynb", SOURCES["announces_and_hangs"])
    data, out = _small_data_folder(cycle_outputs["data_dir"], tmp_path), tmp_path / "out"
    store = tmp_path / "store.duckdb"
    shutil.copy(cycle_outputs["store"], store)  # already checked: nothing to validate
    period_dir = out / "2025-26-Q4"
    period_dir.mkdir(parents=True)  # what a previous, successful run left
    (period_dir / "index.html").write_text("This run is complete.")
    (period_dir / "run.json").write_text(json.dumps({"status": "complete"}))
    kernels = tmp_path / "kernels"
    kernels.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "scrutiny.cli", "run", "--data", str(data), "--out", str(out),
         "--store", str(store), "--areas", "E06000022", "--workers", "2", "--no-progress"],
        env={**os.environ, "SCRUTINY_TEST_KERNELS": str(kernels)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: len(list(kernels.iterdir())) == 2 or process.poll() is not None)
        assert process.poll() is None, process.communicate()
        assert json.loads((period_dir / "run.json").read_text())["status"] == IN_PROGRESS
        assert "This run is in progress" in (period_dir / "index.html").read_text()
        # the runner and two workers (running the notebooks): what a leftover would look like
        assert len(marked_processes(os.environ[MARKER])) >= 3
    except BaseException:
        process.kill()
        raise
    return process, period_dir


def _small_data_folder(data_dir: Path, tmp_path: Path) -> Path:
    """The demo returns without their national statistics, which take seconds to check."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir / "returns", folder / "returns")
    shutil.copy(data_dir / "partnership.toml", folder)
    return folder


def _wait_for(condition, limit: float = 120) -> None:
    """Wait for something another process does; the limit only stops a broken test hanging."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.1)


@pytest.mark.parametrize(("statuses", "final", "words"), [
    (["ok", "ok"], COMPLETE, "This run is complete."),
    (["ok", "failed"], WITH_FAILURES, "1 report(s) failed"),
    (["ok", "not run"], INTERRUPTED, "This run was interrupted."),
    (["ok", "running"], IN_PROGRESS, "This run is in progress."),
])
def test_run_json_and_the_index_say_the_state_of_the_run(tmp_path, statuses, final, words):
    record = RunRecord(tmp_path, time.perf_counter(), {
        "tool": {"name": "scrutiny"}, "period": "2025-26-Q4", "data_dir": "../data",
        "store": "../scrutiny.duckdb", "inputs": [], "not_read": [{"path": "notes.docx",
                                                                   "reason": "r", "expected": ""}],
    }, {"partnership": "P", "period": "2025-26-Q4", "period_title": "Q4", "synthetic": False,
        "version": "0", "ingest_summary": "1 file was not read.", "rejected": 0, "not_read": 1})
    outcomes = [ReportFiles(tmp_path, f"r{index}").outcome(job(f"r{index}"), status, 1.0, "e")
                for index, status in enumerate(statuses)]
    record.write(outcomes, final)
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["status"] == final
    assert (manifest["finished_at"] is None) == (final == IN_PROGRESS)
    assert manifest["not_read"][0]["path"] == "notes.docx"
    index = (tmp_path / "index.html").read_text()
    assert words in index
    assert "1 file was not read." in index
    assert index.count('href="r0.html"') == 2  # its title and its HTML format: written now
    assert index.count('href="r0.pdf"') == 0  # not asked for
    assert ('href="r1.html"' in index) == (statuses[1] == "ok")
    assert ("This run is complete." in index) == (final == COMPLETE)


def test_notebooks_run_on_the_interpreter_that_runs_scrutiny(notebooks, tmp_path, monkeypatch):
    """Not whatever `python3` kernel the machine has registered: here one that cannot start."""
    elsewhere = tmp_path / "jupyter" / "kernels" / "python3"
    elsewhere.mkdir(parents=True)
    (elsewhere / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    write_notebook(notebooks / "which.ipynb", "import sys, pathlib\n"
                   "pathlib.Path('interpreter.txt').write_text(sys.executable)")
    period_dir = tmp_path / "out" / "2025-26-Q4"
    (outcome,) = execute_reports([job("which", notebooks)], period_dir, workers=1, timeout=60)
    assert outcome.status == "ok", outcome.error
    assert (period_dir / "interpreter.txt").read_text() == sys.executable
