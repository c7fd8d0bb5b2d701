"""Reports run on a Dask cluster (``--dask-scheduler``) are the reports a local run writes, and
a report that fails or hangs there is contained as it is locally. The cluster is a
``distributed.LocalCluster`` of worker processes: what a real cluster runs, on one machine."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest
from distributed import LocalCluster
from tiny_notebooks import write_notebook

from scrutiny.runner import execute_reports, run_cycle
from scrutiny.worker import Job

PERIOD = "2025-26-Q4"
BATH = "E06000022"
REPORTS = ("area-bath-and-north-east-somerset.html", "regional-comparison.html",
           "data-quality.html")
# what differs between two runs of the same reports: when they were written
WHEN = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}( \d\d:\d\d UTC)?|\d+(\.\d+)? s\b")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as local:
        yield local


def test_reports_run_on_the_cluster_are_those_of_a_local_run(cycle_outputs, cluster, tmp_path):
    out = tmp_path / "reports"
    store = tmp_path / "scrutiny.duckdb"
    shutil.copy(cycle_outputs["store"], store)  # its returns already checked
    local = tmp_path / "local"
    run_cycle(cycle_outputs["data_dir"], local, area_codes=[BATH], store_path=store,
              progress=False)
    result = run_cycle(cycle_outputs["data_dir"], out, area_codes=[BATH], store_path=store,
                       progress=False, dask_scheduler=cluster.scheduler_address)
    assert [outcome.status for outcome in result.outcomes] == ["ok"] * 3
    manifest = json.loads((out / PERIOD / "run.json").read_text())
    assert manifest["reports_ran_on"] == f"the Dask cluster at {cluster.scheduler_address}"
    assert manifest["status"] == "complete"
    for name in REPORTS:
        on_cluster = (out / PERIOD / name).read_text(encoding="utf-8")
        here = (local / PERIOD / name).read_text(encoding="utf-8")
        assert len(on_cluster) > 20_000, name  # a whole report
        assert WHEN.sub("", on_cluster) == WHEN.sub("", here), name
    executed = nbformat.read(out / PERIOD / "notebooks" / REPORTS[0].replace(".html", ".ipynb"),
                             as_version=4)
    assert executed.metadata.papermill.parameters["area_code"] == BATH


def test_a_report_that_fails_or_hangs_on_the_cluster_is_contained(cluster, tmp_path):
    sources = {"ok": "6 * 7", "raises": 'raise ValueError("wrong on " + area_code)',
               "hangs": "import time\ntime.sleep(3600)"}
    folder = tmp_path / "deep_dives"
    folder.mkdir()
    for name, source in sources.items():
        write_notebook(folder / f"{name}.ipynb", source)
    jobs = [Job("deep_dive", name, f"{name}.ipynb", name,
                {"store_path": "", "period": PERIOD, "area_code": BATH}, folder=str(folder))
            for name in sources]
    period_dir = tmp_path / "out" / PERIOD
    outcomes = {outcome.title: outcome for outcome in execute_reports(
        jobs, period_dir, timeout=20, keep={"<out>": tmp_path / "out"},
        dask_scheduler=cluster.scheduler_address)}
    assert {name: outcome.status for name, outcome in outcomes.items()} == {
        "ok": "ok", "raises": "failed", "hangs": "failed"}
    assert "ValueError: wrong on E06000022" in outcomes["raises"].error
    assert outcomes["hangs"].error == "timed out after 20 s"
    assert ">42<" in (period_dir / "ok.html").read_text().replace("\n", "")
    assert not (period_dir / "raises.html").exists()


def test_stopping_the_run_stops_the_reports_on_the_cluster(cluster, tmp_path):
    """Ctrl-C (the runner's stop request) stops the reports running on the cluster and those
    not started yet: every one is "not run", and no process of theirs is left."""
    import threading

    import psutil

    from scrutiny.runner import StopRequest

    folder = tmp_path / "deep_dives"
    folder.mkdir()
    write_notebook(folder / "hangs.ipynb", "import time\ntime.sleep(3600)")
    jobs = [Job("deep_dive", f"hangs {number}", "hangs.ipynb", f"hangs-{number}",
                {"store_path": "", "period": PERIOD, "area_code": BATH}, folder=str(folder))
            for number in range(3)]
    stop = StopRequest()
    threading.Timer(8, stop, args=(2,)).start()  # SIGINT, once the first reports are running
    outcomes = execute_reports(jobs, tmp_path / "out" / PERIOD, timeout=600, stop=stop,
                               keep={"<out>": tmp_path / "out"},
                               dask_scheduler=cluster.scheduler_address)
    assert [outcome.status for outcome in outcomes] == ["not run"] * 3
    left = [process for process in psutil.process_iter(["cmdline"])
            if any("hangs" in part or "scrutiny-task-" in part
                   for part in process.info["cmdline"] or ())]
    assert not left, [process.info["cmdline"] for process in left]
