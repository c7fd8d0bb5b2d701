"""``scrutiny lab``: JupyterLab on the notebooks, with the latest run's store and period set.

The report notebooks read ``SCRUTINY_STORE`` and ``SCRUTINY_PERIOD`` in their parameters
cell, so an analyst who opens one sees the figures of the latest run without editing it.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from scrutiny.resources import notebooks_dir


class LabError(RuntimeError):
    """No run to open the notebooks on."""


@dataclass(frozen=True)
class LatestRun:
    period: str
    store: Path
    run_file: Path


def latest_run(out_dir: Path) -> LatestRun:
    """The most recently started run under ``out_dir`` whose store still exists."""
    runs = []
    for run_file in Path(out_dir).glob("*/run.json"):
        try:
            manifest = json.loads(run_file.read_text(encoding="utf-8"))
            store = (run_file.parent / manifest["store"]).resolve()
            runs.append((manifest["started_at"], manifest["period"], store, run_file))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a run of this tool, or damaged: look at the others
    runs = [run for run in runs if run[2].is_file()]
    if not runs:
        raise LabError(f"no run found in {out_dir}: run `scrutiny run --out {out_dir}` first "
                       "(or pass the --out of an earlier run)")
    _, period, store, run_file = max(runs)
    return LatestRun(period, store, run_file)


def lab_command(out_dir: Path, data_dir: Path | None) -> tuple[list[str], dict[str, str], Path]:
    """The command, environment and folder JupyterLab is started with: the data folder (its
    deep dives, measures and framework) if given, else the report notebooks."""
    run = latest_run(out_dir)
    root = Path(data_dir) if data_dir is not None else notebooks_dir()
    if not root.is_dir():
        raise LabError(f"{root} is not a folder")
    environment = {**os.environ, "SCRUTINY_STORE": str(run.store),
                   "SCRUTINY_PERIOD": run.period}
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root.resolve()}"]
    return command, environment, root
