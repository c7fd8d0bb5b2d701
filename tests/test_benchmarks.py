"""The benchmark harness (benchmarks/run.py): its pure parts only, no benchmark is run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def load_harness():
    spec = importlib.util.spec_from_file_location("scrutiny_benchmarks_run", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_medians_verdicts_table_and_first_cell_timing():
    bench = load_harness()
    rerun = bench.Measurement("rerun_wall", "re-run", "s", [6.0, 4.0, 4.5],
                              target=bench.RERUN_TARGET)
    ratio = bench.Measurement("naive_ratio", "ratio", "x", [4.0, 3.0],
                              target=bench.NAIVE_RATIO_TARGET)
    marginal = bench.Measurement("marginal_area_cpu", "marginal", "CPU-s", [2.0],
                                 target=bench.MARGINAL_TARGET)
    slow = bench.Measurement("help_wall", "help", "s", [0.5, 0.7, 0.6],
                             target=bench.HELP_TARGET)
    national = bench.Measurement("national_all_england", "national", "s",
                                 target=bench.NATIONAL_TARGET, status=bench.NOT_AVAILABLE)
    untargeted = bench.Measurement("first_run_wall", "first run", "s", [71.25])
    assert (rerun.median, ratio.median, slow.median) == (4.5, 3.5, 0.6)
    assert [item.verdict for item in (rerun, ratio, marginal, slow, national, untargeted)] == [
        "met", "not met", "met", "not met", bench.NOT_AVAILABLE, "-"]
    assert national.as_dict()["median"] is None

    lines = bench.table([rerun, ratio, national, untargeted]).splitlines()
    cells = [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines]
    assert cells[0] == ["Measurement", "Median", "Samples", "Target", "Verdict"]
    assert cells[2:] == [
        ["re-run", "4.50 s", "6.00, 4.00, 4.50", "< 5 s", "met"],
        ["ratio", "3.5x", "4.0x, 3.0x", ">= 4x", "not met"],
        ["national", "-", "-", "< 300 s", bench.NOT_AVAILABLE],
        ["first run", "71.2 s", "71.2", "-", "-"]]
    assert len({len(line) for line in lines}) == 1  # the columns line up

    notebook = {"metadata": {"papermill": {"start_time": "2026-01-01T10:00:00.000000+00:00"}},
                "cells": [
                    {"cell_type": "code", "metadata": {"tags": ["parameters"]}},
                    {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]}},
                    {"cell_type": "markdown", "metadata": {}},
                    {"cell_type": "code", "metadata": {"papermill": {
                        "start_time": "2026-01-01T10:00:02.500000+00:00",
                        "end_time": "2026-01-01T10:00:03.250000+00:00"}}}]}
    launched = bench._timestamp("2026-01-01T09:59:59+00:00")
    assert bench.first_data_cell(notebook, launched) == {
        "kernel_and_first_cell_s": 3.25, "first_cell_s": 0.75, "from_launch_s": 4.25}


def test_the_harness_explains_itself():
    shown = subprocess.run([sys.executable, str(HARNESS), "--help"], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    assert "--repeat N" in shown and "--quick" in shown and "--out FILE.json" in shown
