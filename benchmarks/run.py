#!/usr/bin/env python3
"""Benchmarks of `scrutiny run`, set against the performance targets.

    python benchmarks/run.py [--repeat N] [--quick] [--national-dir DIR] [--out FILE.json]

Measures, each in a fresh temporary folder that is removed at the end:

(a) the demo cycle's first run (`scrutiny run --out TMP --no-progress`: demo data generated,
    495 returns validated, 7 reports), its re-run forced to rebuild every report (`--force`)
    and its re-run with nothing changed;
(b) the naive baseline, alternating with the forced re-runs: the seven notebooks one after
    another with the `papermill` command line, each rendered with `jupyter nbconvert --to
    html --no-input`;
(c) the marginal CPU cost of one more area report (`--areas` with one area, then two);
(d) the national mode for every local authority of the national files (`--areas
    all-england`): DfE's files with --national-dir (all of England), else the demo's;
(e) `scrutiny --help`, and the time from starting papermill on area_report.ipynb to the end
    of its first data cell (from papermill's timings in the executed notebook);
(f) validating the 495 demo returns into an empty store (`scrutiny.ingest.ingest`).

Wall time is time.perf_counter() around each subprocess; CPU time is the change in
resource.getrusage(RUSAGE_CHILDREN), user + system, which counts every descendant that was
waited for (the runner's workers, and any Jupyter kernels). Progress goes to stderr, the
table to stdout, and every sample with machine details to the JSON file. This is not a test:
a target that is not met does not change the exit status (a command that fails does).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PERIOD = "2025-26-Q4"
DEMO_AREAS = ("E06000022", "E06000023", "E06000024", "E06000025", "E06000066")
DEMO_RETURNS = 495
PACKAGES = ("scrutiny", "papermill", "nbconvert", "pandas", "weasyprint", "gptables")
REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPOSITORY / "notebooks"
BIN = Path(sys.executable).parent  # the environment's scripts: scrutiny, papermill, jupyter
KERNEL = "scrutiny-benchmark"  # this interpreter as a Jupyter kernel, like the runner's own
COMMAND_TIMEOUT = 1800  # seconds; no single command of the harness should come near it
DEFAULT_OUT = Path("benchmark-results.json")
# the conftest's fallbacks for the notebooks' parameters: never inherited by a measurement
UNSET = ("SCRUTINY_STORE", "SCRUTINY_PERIOD")


class BenchmarkError(RuntimeError):
    """A command of the harness failed: its figures would mean nothing."""


# --- targets, measurements and the table (pure; tests/test_benchmarks.py checks them) -------


@dataclass(frozen=True)
class Target:
    operator: str  # "<", "<=" or ">="
    bound: float
    unit: str

    def met(self, value: float) -> bool:
        return {"<": value < self.bound, "<=": value <= self.bound,
                ">=": value >= self.bound}[self.operator]

    def __str__(self) -> str:
        return f"{self.operator} {self.bound:g}{'' if self.unit == 'x' else ' '}{self.unit}"


RERUN_TARGET = Target("<", 5, "s")  # a re-run with nothing changed
NAIVE_RATIO_TARGET = Target(">=", 4, "x")  # naive wall / forced re-run wall
MARGINAL_TARGET = Target("<=", 2, "CPU-s")  # one more area report
NATIONAL_TARGET = Target("<", 300, "s")  # every English local authority
HELP_TARGET = Target("<", 0.5, "s")
INGEST_TARGET = Target("<", 5, "s")  # validating the 495 demo returns

NOT_AVAILABLE = "not available yet"
SKIPPED_QUICK = "skipped (--quick)"


@dataclass
class Measurement:
    key: str
    label: str
    unit: str  # s | CPU-s | x
    samples: list[float] = field(default_factory=list)
    target: Target | None = None
    status: str = ""  # why there are no samples: NOT_AVAILABLE, SKIPPED_QUICK, ...
    note: str = ""
    details: list[dict] = field(default_factory=list)  # per sample: command, wall, CPU...

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def verdict(self) -> str:
        if self.status:
            return self.status
        if self.median is None:
            return "no samples"
        if self.target is None:
            return "-"
        return "met" if self.target.met(self.median) else "not met"

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "unit": self.unit,
                "samples": self.samples, "median": self.median,
                "target": str(self.target) if self.target else None,
                "verdict": self.verdict, "note": self.note, "details": self.details}


def format_number(value: float, unit: str) -> str:
    """A figure without its unit (a ratio keeps its x): 2 decimals below 10, else 1."""
    if unit == "x":
        return f"{value:.1f}x"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return format_number(value, unit) if unit == "x" else f"{format_number(value, unit)} {unit}"


def table(measurements: Sequence[Measurement]) -> str:
    """The measurements as a Markdown table: what, median, samples, target, verdict."""
    rows = [("Measurement", "Median", "Samples", "Target", "Verdict")]
    for item in measurements:
        samples = ", ".join(format_number(sample, item.unit) for sample in item.samples)
        rows.append((item.label, format_value(item.median, item.unit), samples or "-",
                     str(item.target) if item.target else "-", item.verdict))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths,
                                                                          strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def first_data_cell(notebook: dict, launched: float | None = None) -> dict[str, float]:
    """From an executed notebook: seconds from papermill's start (kernel start included) to
    the end of the first code cell after the parameters (and injected-parameters) cell, and,
    given the epoch time the papermill command was launched, seconds from that launch."""
    started = _timestamp(notebook["metadata"]["papermill"]["start_time"])
    cells = notebook["cells"]
    tagged = [index for index, cell in enumerate(cells)
              if {"parameters", "injected-parameters"} & set(cell["metadata"].get("tags", []))]
    after = tagged[-1] + 1 if tagged else 0
    cell = next(cell for cell in cells[after:] if cell["cell_type"] == "code")
    ended = _timestamp(cell["metadata"]["papermill"]["end_time"])
    times = {"kernel_and_first_cell_s": ended - started,
             "first_cell_s": ended - _timestamp(cell["metadata"]["papermill"]["start_time"])}
    if launched is not None:
        times["from_launch_s"] = ended - launched
    return times


def _timestamp(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # papermill writes UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# --- the machine -----------------------------------------------------------------------------


def machine() -> dict:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name"),
        "memory_total": _proc_field("/proc/meminfo", "MemTotal"),
        "memory_gib": _gib(_proc_field("/proc/meminfo", "MemTotal")),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "packages": {name: _version(name) for name in PACKAGES},
        # settings that change the figures: no .pyc written means modules compile every time
        "environment": {name: os.environ[name] for name in (
            "PYTHONDONTWRITEBYTECODE", "OMP_NUM_THREADS", "MPLCONFIGDIR") if name in os.environ},
    }


def _proc_field(path: str, name: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def _gib(text: str | None) -> float | None:
    number, _, unit = (text or "").partition(" ")
    return round(int(number) / 2**20, 1) if number.isdigit() and unit == "kB" else None


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


# --- running commands ------------------------------------------------------------------------


@dataclass
class Run:
    command: list[str]
    wall_s: float
    cpu_s: float  # children's user + system CPU seconds
    launched: float  # epoch seconds
    output: str


def run(command: Sequence[str | Path], cwd: Path, env: dict[str, str]) -> Run:
    """Run a command to its end: wall seconds and its (waited-for) descendants' CPU seconds."""
    command = [str(part) for part in command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    launched, started = time.time(), time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchmarkError(f"still running after {COMMAND_TIMEOUT} s, stopped: "
                             f"{' '.join(command)}") from error
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-20:])
        raise BenchmarkError(f"exit {done.returncode}: {' '.join(command)}\n{tail}")
    return Run(command, wall, cpu, launched, done.stdout)


def record(result: Run, **extra) -> dict:
    return {"command": result.command, "wall_s": round(result.wall_s, 3),
            "cpu_s": round(result.cpu_s, 3), **extra}


class Bench:
    """One invocation of the harness: its temporary folder, environment and progress."""

    def __init__(self, root: Path, repeat: int, quick: bool) -> None:
        self.root, self.repeat, self.quick = root, repeat, quick
        self.started = time.perf_counter()
        self.tools = {name: BIN / name for name in ("scrutiny", "papermill", "jupyter")}
        missing = [str(path) for path in self.tools.values() if not path.exists()]
        if missing:
            raise BenchmarkError(f"not found: {', '.join(missing)} (install the project with "
                                 "pip install -e '.[test]' and run this with its Python)")
        self.env = {name: value for name, value in os.environ.items() if name not in UNSET}
        self.env["PATH"] = os.pathsep.join(filter(None, [str(BIN), self.env.get("PATH")]))
        # whatever a command leaves in its temporary folder goes when the harness's folder goes
        self.env["TMPDIR"] = str(self.folder("tmp"))
        kernels = root / "jupyter"
        spec = kernels / "kernels" / KERNEL / "kernel.json"
        spec.parent.mkdir(parents=True)
        spec.write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (scrutiny benchmark)", "language": "python"}),
            encoding="utf-8")
        self.env["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(kernels), self.env.get("JUPYTER_PATH")]))

    def say(self, text: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{datetime.now():%H:%M:%S} +{elapsed:5.0f} s] {text}", file=sys.stderr,
              flush=True)

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True)
        return path

    def run(self, command: Sequence[str | Path], cwd: Path) -> Run:
        return run(command, cwd, self.env)

    # (e) -----------------------------------------------------------------------------------

    def help_wall(self) -> Measurement:
        measured = Measurement("help_wall", "(e) scrutiny --help, wall", "s",
                               target=HELP_TARGET)
        folder = self.folder("help")
        count = 1 if self.quick else max(5, self.repeat)
        for number in range(count):
            result = self.run([self.tools["scrutiny"], "--help"], folder)
            measured.samples.append(result.wall_s)
            measured.details.append(record(result))
            self.say(f"(e) scrutiny --help {number + 1}/{count}: {result.wall_s:.2f} s")
        return measured

    # (d) -----------------------------------------------------------------------------------

    def national(self, data_dir: Path, national_dir: Path | None) -> Measurement:
        """The national mode for every authority in the national files: DfE's own files if
        given (--national-dir: all of England), else the demo's synthetic ones."""
        source = national_dir or data_dir / "national"
        authorities = "every authority of " + (str(national_dir) if national_dir
                                               else "the demo's synthetic files")
        measured = Measurement("national_all_england",
                               "(d) national mode, --areas all-england, wall", "s",
                               target=NATIONAL_TARGET, note=authorities)
        folder = self.folder("national")
        usage = self.run([self.tools["scrutiny"], "run", "--help"], folder).output
        if "all-england" not in usage:
            measured.status = NOT_AVAILABLE
            measured.note = "`scrutiny run --help` does not mention all-england"
            self.say(f"(d) national mode: {NOT_AVAILABLE}")
            return measured
        for number in range(1 if self.quick else self.repeat):
            out = self.folder(f"national/{number}")
            try:
                result = self.run([self.tools["scrutiny"], "run", "--national-dir", source,
                                   "--areas", "all-england", "--out", out, "--no-progress"],
                                  out)
            except BenchmarkError as error:
                measured.status, measured.note = "failed", str(error)[:500]
                self.say(f"(d) national mode failed: {error}")
                return measured
            reports = len(json.loads(next(out.glob("national-*/run.json")).read_text(
                encoding="utf-8"))["reports"])
            measured.samples.append(result.wall_s)
            measured.details.append(record(result, reports=reports))
            measured.note = f"{authorities}: {reports - 1} authorities and the comparison"
            self.say(f"(d) national mode {number + 1}: {result.wall_s:.1f} s, "
                     f"{reports} reports")
            shutil.rmtree(out)
        return measured

    # (f) -----------------------------------------------------------------------------------

    def ingest(self) -> Measurement:
        measured = Measurement("ingest_wall", f"(f) validate the {DEMO_RETURNS} demo returns "
                               "(ingest), wall", "s", target=INGEST_TARGET)
        count = 1 if self.quick else self.repeat
        for number in range(count):
            folder = self.folder(f"ingest-{number}")
            result = self.run([sys.executable, "-c", INGEST_SCRIPT, folder], folder)
            figures = json.loads(result.output.strip().splitlines()[-1])
            if figures["files"] != DEMO_RETURNS:
                raise BenchmarkError(f"ingest read {figures['files']} returns, not "
                                     f"{DEMO_RETURNS}")
            measured.samples.append(figures["ingest_s"])
            measured.details.append({**record(result, **figures), "command": [
                sys.executable, "-c", "INGEST_SCRIPT (benchmarks/run.py)", str(folder)]})
            measured.note = (f"{figures['files']} returns: {figures['accepted']} accepted, "
                             f"{figures['rejected']} quarantined; in-process timing of ingest()")
            shutil.rmtree(folder)
            self.say(f"(f) ingest {number + 1}/{count}: {figures['ingest_s']:.2f} s")
        return measured

    # (a) and (b) ---------------------------------------------------------------------------

    def cycle_command(self, out: Path) -> list[str | Path]:
        return [self.tools["scrutiny"], "run", "--out", out, "--no-progress"]

    def first_runs(self) -> tuple[list[Measurement], Path]:
        wall = Measurement("first_run_wall", "(a) demo cycle, first run, wall", "s")
        cpu = Measurement("first_run_cpu", "(a) demo cycle, first run, children CPU", "CPU-s")
        count = 1 if self.quick else self.repeat
        kept = None
        for number in range(count):
            if kept is not None:  # only the last run's folder is kept, for the re-runs
                shutil.rmtree(kept)
            kept = self.folder(f"cycle-{number}")
            result = self.run(self.cycle_command(kept), kept)
            returns = next((line for line in result.output.splitlines()
                            if line.startswith("Returns:")), "")
            wall.samples.append(result.wall_s)
            cpu.samples.append(result.cpu_s)
            wall.details.append(record(result, returns=returns))
            self.say(f"(a) first run {number + 1}/{count}: {result.wall_s:.1f} s wall, "
                     f"{result.cpu_s:.1f} CPU-s ({returns})")
        return [wall, cpu], kept

    def reruns_and_naive(self, cycle: Path) -> list[Measurement]:
        """Alternating: a forced re-run (every report rebuilt), the naive baseline, and a
        re-run with nothing changed."""
        unchanged_wall = Measurement("rerun_wall", "(a) demo cycle, re-run, nothing changed, "
                                     "wall", "s", target=RERUN_TARGET)
        forced_wall = Measurement("forced_wall", "(a) demo cycle, re-run --force, wall", "s",
                                  note="every report rebuilt")
        forced_cpu = Measurement("forced_cpu", "(a) demo cycle, re-run --force, children CPU",
                                 "CPU-s")
        naive_wall = Measurement("naive_wall", "(b) naive papermill + nbconvert, 7 notebooks, "
                                 "wall", "s", note=f"kernel {KERNEL} (this interpreter)")
        naive_cpu = Measurement("naive_cpu", "(b) naive baseline, children CPU", "CPU-s")
        ratio = Measurement("naive_ratio", "(b) naive wall / re-run --force wall", "x",
                            target=NAIVE_RATIO_TARGET, note="pairwise, alternating")
        kernel_first = Measurement(
            "first_cell_papermill", "(e) area report: kernel start + first data cell", "s",
            note="naive baseline; papermill metadata: notebook start to the first data cell's "
                 "end")
        launch_first = Measurement(
            "first_cell_launch", "(e) area report: papermill launch to first data cell end",
            "s", note="naive baseline, including starting the papermill command itself")
        store = cycle / "scrutiny.duckdb"
        count = 1 if self.quick else self.repeat
        for number in range(count):
            forced = self.run([*self.cycle_command(cycle), "--force"], cycle)
            forced_wall.samples.append(forced.wall_s)
            forced_cpu.samples.append(forced.cpu_s)
            forced_wall.details.append(record(forced))
            self.say(f"(a) re-run --force {number + 1}/{count}: {forced.wall_s:.1f} s wall, "
                     f"{forced.cpu_s:.1f} CPU-s")
            naive = self.naive(store, self.folder(f"naive-{number}"))
            naive_wall.samples.append(naive["wall_s"])
            naive_cpu.samples.append(naive["cpu_s"])
            naive_wall.details.append(naive)
            ratio.samples.append(naive["wall_s"] / forced.wall_s)
            for times in naive["first_cell"]:
                kernel_first.samples.append(times["kernel_and_first_cell_s"])
                launch_first.samples.append(times["from_launch_s"])
            self.say(f"(b) naive {number + 1}/{count}: {naive['wall_s']:.1f} s wall, "
                     f"{naive['cpu_s']:.1f} CPU-s; ratio {ratio.samples[-1]:.2f}x")
            shutil.rmtree(self.root / f"naive-{number}")
            unchanged = self.run(self.cycle_command(cycle), cycle)
            if "Nothing has changed" not in unchanged.output:
                raise BenchmarkError("a re-run with nothing changed did not say so: "
                                     + unchanged.output[-300:])
            unchanged_wall.samples.append(unchanged.wall_s)
            unchanged_wall.details.append(record(unchanged))
            self.say(f"(a) re-run, nothing changed {number + 1}/{count}: "
                     f"{unchanged.wall_s:.2f} s wall")
        return [unchanged_wall, forced_wall, forced_cpu, naive_wall, naive_cpu, ratio,
                kernel_first, launch_first]

    def naive(self, store: Path, folder: Path) -> dict:
        """The seven notebooks one after another: papermill, then nbconvert, each a command."""
        plan = [("area_report.ipynb", f"area-{code}", ["-p", "area_code", code])
                for code in DEMO_AREAS]
        plan += [("regional_comparison.ipynb", "regional-comparison", []),
                 ("data_quality.ipynb", "data-quality", [])]
        steps, first_cell = [], []
        for notebook, name, extra in plan:
            executed = folder / f"{name}.ipynb"
            executing = self.run([self.tools["papermill"], NOTEBOOKS / notebook, executed,
                                  "-k", KERNEL, "-p", "store_path", store.resolve(),
                                  "-p", "period", PERIOD, *extra, "--cwd", folder,
                                  "--no-progress-bar"], folder)
            rendering = self.run([self.tools["jupyter"], "nbconvert", "--to", "html",
                                  "--no-input", "--output-dir", folder, executed], folder)
            steps += [record(executing), record(rendering)]
            if notebook == "area_report.ipynb":
                first_cell.append(first_data_cell(
                    json.loads(executed.read_text(encoding="utf-8")), executing.launched))
            if not (folder / f"{name}.html").is_file():
                raise BenchmarkError(f"nbconvert wrote no {name}.html")
        return {"wall_s": sum(step["wall_s"] for step in steps),
                "cpu_s": sum(step["cpu_s"] for step in steps),
                "first_cell": first_cell, "steps": steps}

    # (c) -----------------------------------------------------------------------------------

    def marginal(self, cycle: Path) -> list[Measurement]:
        one = Measurement("one_area_cpu", "(c) --areas E06000022, children CPU", "CPU-s")
        two = Measurement("two_areas_cpu", "(c) --areas E06000022,E06000023, children CPU",
                          "CPU-s")
        extra = Measurement("marginal_area_cpu", "(c) one more area report, CPU", "CPU-s",
                            target=MARGINAL_TARGET, note="pairwise differences, alternating")
        if self.quick:
            for measured in (one, two, extra):
                measured.status = SKIPPED_QUICK
            return [one, two, extra]
        for number in range(self.repeat):
            runs = []
            for measured, areas in ((one, DEMO_AREAS[0]), (two, ",".join(DEMO_AREAS[:2]))):
                out = self.folder(f"marginal-{number}-{measured.key}")
                result = self.run([self.tools["scrutiny"], "run", "--data", cycle / "demo-data",
                                   "--store", cycle / "scrutiny.duckdb", "--areas", areas,
                                   "--out", out, "--no-progress"], out)
                measured.samples.append(result.cpu_s)
                measured.details.append(record(result))
                runs.append(result)
                shutil.rmtree(out)
            extra.samples.append(runs[1].cpu_s - runs[0].cpu_s)
            self.say(f"(c) marginal {number + 1}/{self.repeat}: one area {runs[0].cpu_s:.1f} "
                     f"CPU-s, two {runs[1].cpu_s:.1f} CPU-s, difference "
                     f"{extra.samples[-1]:.1f} CPU-s")
        return [one, two, extra]


INGEST_SCRIPT = """
import json, sys, time
from pathlib import Path

from scrutiny import demo
from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from scrutiny.partnership import load_partnership

folder = Path(sys.argv[1])
data = folder / "demo-data"
demo.generate(data)
started = time.perf_counter()
partnership, framework = load_partnership(data), load_framework(data)
loaded = time.perf_counter()
result = ingest(data, folder / "scrutiny.duckdb", partnership, framework, progress=False)
ended = time.perf_counter()
print(json.dumps({"ingest_s": ended - loaded, "load_s": loaded - started,
                  "files": len(result.files), "accepted": result.count("accepted"),
                  "rejected": result.count("rejected")}))
"""


def measure(repeat: int, quick: bool, national_dir: Path | None = None
            ) -> tuple[list[Measurement], dict]:
    root = Path(tempfile.mkdtemp(prefix="scrutiny-bench-"))
    try:
        bench = Bench(root, repeat, quick)
        bench.say(f"benchmarks in {root} ({'quick' if quick else f'repeat {repeat}'})")
        measurements = [bench.help_wall(), bench.ingest()]
        cycle_figures, cycle = bench.first_runs()
        measurements += cycle_figures
        measurements += bench.reruns_and_naive(cycle)
        measurements += bench.marginal(cycle)
        measurements.append(bench.national(cycle / "demo-data", national_dir))
        return measurements, {"seconds": round(time.perf_counter() - bench.started, 1)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


ORDER = ("first_run_wall", "first_run_cpu", "rerun_wall", "forced_wall", "forced_cpu",
         "naive_wall", "naive_cpu", "naive_ratio", "one_area_cpu", "two_areas_cpu",
         "marginal_area_cpu", "national_all_england", "help_wall", "first_cell_papermill",
         "first_cell_launch", "ingest_wall")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark `scrutiny run` on the demo partnership against the targets: "
                    "prints a table and writes every sample, with machine details, as JSON.")
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="samples of each measurement (default: 3)")
    parser.add_argument("--quick", action="store_true",
                        help="one sample of each, and skip the marginal area cost (c)")
    parser.add_argument("--national-dir", type=Path, metavar="DIR",
                        help="DfE's published files (all of England) for the national mode "
                             "(d); default: the demo's synthetic files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="FILE.json",
                        help=f"where to write the results (default: {DEFAULT_OUT})")
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    if options.national_dir is not None and not options.national_dir.is_dir():
        parser.error(f"--national-dir {options.national_dir} is not a folder")

    details = machine()
    details["load_average_start"] = load_average()
    try:
        measurements, timing = measure(options.repeat, options.quick, options.national_dir)
    except BenchmarkError as error:
        print(f"benchmark stopped: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchmark interrupted; its temporary folders were removed", file=sys.stderr)
        return 130
    details["load_average_end"] = load_average()
    measurements.sort(key=lambda item: ORDER.index(item.key))
    results = {"machine": details, "options": {
                   "repeat": options.repeat, "quick": options.quick,
                   "national_dir": str(options.national_dir) if options.national_dir else None},
               "harness_seconds": timing["seconds"],
               "measurements": [item.as_dict() for item in measurements]}
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(measurements))
    print(f"\n{details['cpu_count']} CPUs ({details['cpu_model']}), "
          f"{details['memory_gib']} GiB memory, "
          f"Python {details['python']}; load average {details['load_average_start']} at "
          f"start, {details['load_average_end']} at end; {timing['seconds']:.0f} s in all. "
          f"Every sample: {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
