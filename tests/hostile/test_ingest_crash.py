"""Nothing lost: the store survives an ingest killed mid-way, and a re-run completes it.

The demonstration returns are ingested in subprocesses that die by SIGKILL. The files of a
return type are stored in one transaction: one run, over the whole demo, kills itself on the
COMMIT of its Nth such batch (after the batch's rows were inserted); others, over the demo's
last three quarters and year (to keep this module short), are killed from outside at a random
moment after storing has begun. Each store is then opened and must hold every file all or
none: a submission with exactly its rows and findings, or nothing of it. A second ingest over
the same folder must then complete the store: every file once, the right counts. The crashing
runs go two at a time (two cores); the re-runs are in this process.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from scrutiny import demo
from scrutiny.framework import load_framework
from scrutiny.ingest import IngestResult, ingest
from scrutiny.partnership import load_partnership

RETURN_TYPES = ("indicators", "reviews", "actions", "training", "audits", "voice", "section11")
KILL_ON_COMMIT_OF = 5  # the Nth batch stored (of 7, a return type each): much is stored before
OUTSIDE_SEEDS = (11, 29)
RECENT = ("2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2025-26")  # the kills from outside
TIMEOUT = 300

# Ingest the demo folder into a store. With a kill number N, the Nth call of
# record_submissions (with files) gets a connection whose COMMIT kills this process (SIGKILL:
# no clean-up, no atexit, no flush), after the batch's rows were inserted in the open
# transaction.
SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from scrutiny import store
    from scrutiny.framework import load_framework
    from scrutiny.ingest import ingest
    from scrutiny.partnership import load_partnership

    data, store_path, kill_on = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    original = store.record_submissions
    calls = 0

    class KillOnCommit:
        def __init__(self, connection, files):
            self._connection, self._files = connection, files

        def execute(self, sql, *args, **kwargs):
            if sql.strip().upper().startswith("COMMIT"):
                rows = sum(len(item.rows) for item in self._files if item.rows is not None)
                print(f"killing {rows}", *(item.submission.file_name for item in self._files),
                      flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            return self._connection.execute(sql, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._connection, name)

    def record_submissions(connection, files, received_at):
        global calls
        if not files:
            return original(connection, files, received_at)
        calls += 1
        if calls == kill_on:
            connection = KillOnCommit(connection, files)
        original(connection, files, received_at)
        print(f"stored {calls} {len(files)}", flush=True)

    store.record_submissions = record_submissions
    result = ingest(data, store_path, load_partnership(data), load_framework(), progress=False)
    statuses = [item["status"] for item in result.files]
    print("done", *(statuses.count(s) for s in ("accepted", "rejected", "already stored")),
          flush=True)
""")


@dataclass
class Run:
    store: Path
    returncode: int | None = None
    lines: list[str] = field(default_factory=list)
    stderr: str = ""
    seconds: float = 0.0


def _ingest(data: Path, store: Path, kill_on: int = 0,
            kill_after: tuple[int, float] | None = None) -> Run:
    """Run the script; with ``kill_after`` (k, s), SIGKILL it s seconds after it reports
    its kth file stored."""
    run = Run(store)
    started = time.perf_counter()
    errors = store.with_name(store.name + f".{time.monotonic_ns()}.stderr")
    with errors.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(data), str(store),
                                    str(kill_on)], stdout=subprocess.PIPE, stderr=stderr,
                                   text=True)
    deadline = started + TIMEOUT
    assert process.stdout is not None
    for line in process.stdout:
        run.lines.append(line.strip())
        if kill_after is not None and line.startswith(f"stored {kill_after[0]} "):
            time.sleep(kill_after[1])
            process.send_signal(signal.SIGKILL)
            break
        if time.perf_counter() > deadline:
            process.kill()
            break
    rest, _ = process.communicate(timeout=TIMEOUT)
    run.lines += rest.splitlines()
    run.stderr = errors.read_text(errors="replace")
    run.returncode = process.returncode
    run.seconds = time.perf_counter() - started
    return run


@dataclass
class Rerun:
    result: IngestResult
    seconds: float


@dataclass
class Scenario:
    name: str
    crashed: Run
    state: dict  # what the store held after the crash
    rerun: Rerun
    final: dict  # what it held after the re-run


def _state(store_path: Path) -> dict:
    """Everything needed to judge all-or-none, read from the store as it is on disk."""
    with duckdb.connect(str(store_path), read_only=True) as connection:
        submissions = connection.execute(
            "SELECT sha256, file_name, status, data_rows FROM submissions").fetchall()
        stored_rows = {}
        for return_type in RETURN_TYPES:
            for sha, name, count in connection.execute(
                    f"SELECT source_sha256, source_file, count(*) FROM rows_{return_type} "
                    "GROUP BY ALL").fetchall():
                stored_rows[(sha, name)] = stored_rows.get((sha, name), 0) + count
        findings = {}
        for sha, name, count in connection.execute(
                "SELECT sha256, file_name, count(*) FROM findings GROUP BY ALL").fetchall():
            findings[(sha, name)] = count
    return {"submissions": submissions, "rows": stored_rows, "findings": findings}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    """The whole demo, and its last three quarters and year (for the kills from outside)."""
    root = tmp_path_factory.mktemp("crash")
    demo.generate(root / "demo")
    recent = root / "recent"
    (recent / "returns").mkdir(parents=True)
    shutil.copy(root / "demo" / "partnership.toml", recent)
    for period in RECENT:
        shutil.copytree(root / "demo" / "returns" / period, recent / "returns" / period)
    return {name: (data, sorted(path.relative_to(data / "returns").as_posix()
                                for path in (data / "returns").rglob("*") if path.is_file()))
            for name, data in (("demo", root / "demo"), ("recent", recent))}


PLANS = {"kill-on-commit": ("demo", {"kill_on": KILL_ON_COMMIT_OF})}
for _seed in OUTSIDE_SEEDS:
    _rng = random.Random(_seed)
    PLANS[f"killed-from-outside-{_seed}"] = ("recent", {
        "kill_after": (_rng.randint(1, 5), _rng.uniform(0, 0.05))})


@pytest.fixture(scope="module")
def scenarios(folders, tmp_path_factory) -> dict[str, Scenario]:
    root = tmp_path_factory.mktemp("stores")
    started = time.perf_counter()

    def crash(name: str) -> Run:
        folder, options = PLANS[name]
        return _ingest(folders[folder][0], root / f"{name}.duckdb", **options)

    def rerun(name: str) -> Rerun:
        """The same ingest again, in this process, after the crash."""
        data, store = folders[PLANS[name][0]][0], root / f"{name}.duckdb"
        started = time.perf_counter()
        result = ingest(data, store, load_partnership(data), load_framework(), progress=False)
        return Rerun(result, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores
        crashed = dict(zip(PLANS, pool.map(crash, PLANS), strict=True))
    states = {name: _state(run.store) for name, run in crashed.items()}
    reruns = {name: rerun(name) for name in PLANS}
    finals = {name: _state(crashed[name].store) for name in PLANS}
    print(f"\ncrash scenarios: {time.perf_counter() - started:.1f} s in all; " + "; ".join(
        f"{name}: crashed after {crashed[name].seconds:.1f} s, re-run {reruns[name].seconds:.1f} s"
        for name in PLANS))
    return {name: Scenario(name, crashed[name], states[name], reruns[name], finals[name])
            for name in PLANS}


def _assert_all_or_none(state: dict) -> None:
    submissions = state["submissions"]
    keys = {(sha, name) for sha, name, _status, _rows in submissions}
    assert len(keys) == len(submissions), "a file stored twice"
    for sha, name, status, data_rows in submissions:
        stored = state["rows"].get((sha, name), 0)
        if status == "accepted":
            assert stored == data_rows, f"{name}: {stored} of its {data_rows} rows stored"
        else:
            assert stored == 0, f"{name} was rejected but {stored} of its rows are stored"
    # nothing of a file that is not in submissions: no orphan rows, no orphan findings
    assert set(state["rows"]) <= keys, set(state["rows"]) - keys
    assert set(state["findings"]) <= keys, set(state["findings"]) - keys


def _assert_complete(state: dict, names: list[str]) -> None:
    _assert_all_or_none(state)
    submissions = state["submissions"]
    assert sorted(name for _sha, name, _status, _rows in submissions) == names
    rejected = [name for _sha, name, status, _rows in submissions if status == "rejected"]
    assert [Path(name).name for name in rejected] == [demo.FAULTY_RETURN]
    assert sum(status == "accepted" for *_x, status, _rows in submissions) == len(names) - 1
    faulty = next((sha, name) for sha, name, status, _rows in submissions
                  if status == "rejected")
    assert state["findings"][faulty] == 5  # the five planted faults, once each
    suspect = next((sha, name) for sha, name, *_rest in submissions
                   if Path(name).name == demo.SUSPECT_RETURN)
    assert state["findings"][suspect] == 1  # its one personal-data warning
    assert len(state["findings"]) == 2  # and no other file has a finding


def test_the_folders_have_the_expected_files(folders):
    _data, names = folders["demo"]
    assert len(names) == 495
    for _data, names in folders.values():
        assert sum(Path(name).name == demo.FAULTY_RETURN for name in names) == 1
    assert len(folders["recent"][1]) == 125


def test_a_crash_on_commit_keeps_exactly_the_files_committed_before(scenarios):
    scenario = scenarios["kill-on-commit"]
    crashed = scenario.crashed
    assert crashed.returncode == -signal.SIGKILL, (crashed.returncode, crashed.stderr[-2000:])
    killing = [line for line in crashed.lines if line.startswith("killing")]
    assert len(killing) == 1, crashed.lines[-5:]
    _word, rows, *dying = killing[0].split(" ")
    assert int(rows) > 0, "the killed transaction must have inserted rows for the test to bite"
    assert not any(line.startswith("done") for line in crashed.lines)
    state = scenario.state
    stored = [int(line.split()[2]) for line in crashed.lines if line.startswith("stored")]
    assert len(stored) == KILL_ON_COMMIT_OF - 1
    assert len(state["submissions"]) == sum(stored)
    assert not set(dying) & {name for _sha, name, *_rest in state["submissions"]}
    assert not set(dying) & {name for _sha, name in state["rows"]}
    _assert_all_or_none(state)


@pytest.mark.parametrize("seed", OUTSIDE_SEEDS)
def test_a_kill_from_outside_leaves_every_file_all_or_none(scenarios, seed):
    scenario = scenarios[f"killed-from-outside-{seed}"]
    crashed = scenario.crashed
    assert crashed.returncode == -signal.SIGKILL, (
        "the ingest finished before it could be killed: the test did not test a crash",
        crashed.lines[-3:], crashed.stderr[-2000:])
    stored = [line for line in crashed.lines if line.startswith("stored")]
    assert stored and not any(line.startswith("done") for line in crashed.lines)
    state = scenario.state
    # everything reported stored before the kill is there (and maybe the batch in flight)
    assert sum(int(line.split()[2]) for line in stored) <= len(state["submissions"]) < 125
    _assert_all_or_none(state)


@pytest.mark.parametrize("name", list(PLANS))
def test_a_rerun_after_the_crash_completes_the_store(scenarios, folders, name):
    _data, names = folders[PLANS[name][0]]
    scenario = scenarios[name]
    result = scenario.rerun.result
    # the re-run reads only what the crash lost, and accounts for every file
    before = len(scenario.state["submissions"])
    assert result.count("already stored") == before
    assert result.count("accepted") + result.count("rejected") == len(names) - before
    assert sorted(item["file"] for item in result.files) == names
    _assert_complete(scenario.final, names)
