"""The hostile corpus: whatever a file holds, it is accounted for, and nothing leaks.

One module-scoped ingest reads a data folder holding every case of ``corpus.py``, each in its
own subfolder of ``returns/``. Each case is then judged on its own: the run did not raise;
each file has the outcome the policy gives it (accepted, accepted with a warning, rejected
with its reasons, or not read with the reason and the naming expected); the findings name the
rule, the columns and the spreadsheet rows; nothing of a refused file is in the analysis
tables; withheld free text is stored as ``WITHHELD_TEXT``; and no identifier value appears in
the findings, the analysis tables, the list of files not read or the ingest's result.
``submissions.content`` keeps each received file byte for byte (the archive), so it is the
one place an identifier sent to the tool may remain, and is left out of that search.

Run with ``-s`` to see how long the run and the 200,000-row case took.
"""

from __future__ import annotations

import html
import json
import os
import stat
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import scrutiny.ingest as ingest_module
from scrutiny import demo, sources
from scrutiny.checker import ContractChecker
from scrutiny.contracts import rows_phrase
from scrutiny.framework import load_framework
from scrutiny.privacy import WITHHELD_TEXT
from scrutiny.store import REPEATS_RULE
from tests.hostile import corpus
from tests.hostile.corpus import (
    ACCEPTED,
    BIG_CASE,
    CASES,
    NOT_READ,
    REJECTED,
    WARNED,
    Case,
    Expect,
    Want,
)
from tests.test_contracts import BNES

RETURN_TYPES = ("indicators", "reviews", "actions", "training", "audits", "voice", "section11")
EXPECTED_NAMING = "returntype_areacode_period"


@dataclass
class HostileRun:
    data: Path
    store: Path
    written: list[str]  # every path written into the returns folder, relative to it
    result: ingest_module.IngestResult | None = None
    error: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    submissions: dict[str, dict] = field(default_factory=dict)  # file_name -> row
    findings: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    not_read: dict[str, dict] = field(default_factory=dict)  # path -> row (from the result)
    stored_not_read: list[tuple] = field(default_factory=list)
    submission_rows: int = 0
    pipes_opened: list[str] = field(default_factory=list)  # FIFOs someone tried to read
    outputs: str = ""  # every output but the archive, lower-cased, for the search of secrets
    archive: list[bytes] = field(default_factory=list)  # submissions.content

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.store), read_only=True)


def _timed(timings: dict[str, float], key, function):
    """``function``, unchanged, but timed into ``timings[key(*args)]``."""
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            try:
                name = key(*args)
            except Exception:  # noqa: BLE001 - a signature changed: time it under "other"
                name = f"other {function.__name__}"
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
    return wrapper


def _watch_pipes(paths: list[Path], stop: threading.Event, opened: list[str]) -> None:
    """Note (and release) any reader blocked on one of the FIFOs: opening a FIFO to write
    without blocking succeeds only while someone has it open to read."""
    while not stop.wait(0.2):
        for path in paths:
            try:
                handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            opened.append(str(path))
            os.close(handle)  # the reader sees the end of the file: the run cannot hang


def _text(rows) -> str:
    return "\n".join("\t".join("" if value is None else str(value) for value in row)
                     for row in rows)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    data, outside = root / "data", root / "outside"
    (data / "returns").mkdir(parents=True)
    (data / "partnership.toml").write_text(corpus.partnership_toml(), encoding="utf-8")
    written = []
    for case in CASES:
        folder = data / "returns" / case.name
        for path in corpus.write_case(case, folder, outside):
            written.append(path.relative_to(data / "returns").as_posix())
    hostile = HostileRun(data, root / "store.duckdb", written)
    timings = hostile.timings
    pipes = [data / "returns" / name for name in written
             if stat.S_ISFIFO(os.lstat(data / "returns" / name).st_mode)]
    assert pipes
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_pipes, args=(pipes, stop, hostile.pipes_opened))
    watcher.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "MAX_FILE_BYTES", corpus.MAX_FILE_BYTES)
        patch.setattr(sources, "MAX_UNPACKED_BYTES", corpus.MAX_UNPACKED_BYTES)
        # time each file's reading, each return type's storing, and the wait for each
        # return type's check (for the 200,000-row case); the wrappers change nothing else,
        # and are left out if the ingest's inner steps have been renamed
        for step, key in (
                ("_read", lambda submission, *_: f"read {submission.file_name}"),
                ("_store_all", lambda _db, files, *_:
                 f"store {files[0].submission.name.return_type}" if files else "store none")):
            if callable(getattr(ingest_module, step, None)):
                patch.setattr(ingest_module, step, _timed(timings, key,
                                                          getattr(ingest_module, step)))
        submit = ContractChecker.submit

        def timed_submit(checker, function, *args):
            wait = submit(checker, function, *args)
            return_type = getattr(args[0], "return_type", "other") if args else "other"
            return _timed(timings, lambda: f"check {return_type}", wait)

        patch.setattr(ContractChecker, "submit", timed_submit)
        started = time.perf_counter()
        try:
            hostile.result = ingest_module.ingest(data, hostile.store, corpus.PARTNERSHIP,
                                                  load_framework(), progress=False)
        except BaseException:  # noqa: BLE001 - the run must not raise: recorded, then asserted
            hostile.error = traceback.format_exc()
        hostile.seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    if hostile.result is None:
        return hostile
    hostile.not_read = {item["path"]: item for item in hostile.result.not_read}
    outputs = [str(hostile.result), repr(hostile.result.files), repr(hostile.result.not_read),
               hostile.result.summary()]
    with hostile.connect() as connection:
        columns = [row[0] for row in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'submissions' ORDER BY ordinal_position").fetchall()]
        for row in connection.execute("SELECT * FROM submissions").fetchall():
            record = dict(zip(columns, row, strict=True))
            hostile.archive.append(bytes(record.pop("content")))
            hostile.submissions[record["file_name"]] = record
            outputs.append(_text([record.values()]))
        for row in connection.execute(
                "SELECT sha256, file_name, severity, rule, columns, rows, row_numbers, message, "
                "fix FROM findings").fetchall():
            finding = dict(zip(("sha256", "file_name", "severity", "rule", "columns", "rows",
                                "row_numbers", "message", "fix"), row, strict=True))
            outputs.append(_text([row]))
            if finding["rule"] == REPEATS_RULE:
                # a case is a labelled copy of a demo return, beside it: the store leaves the
                # copy out of the figures (tests/test_store_and_ingest.py); a case is judged
                # on its own faults
                continue
            hostile.findings.setdefault((finding["sha256"], finding["file_name"]),
                                        []).append(finding)
        hostile.stored_not_read = connection.execute(
            "SELECT path, reason, expected FROM not_read").fetchall()
        hostile.submission_rows = connection.execute(
            "SELECT count(*) FROM submissions").fetchone()[0]
        outputs.append(_text(connection.execute("SELECT * FROM not_read").fetchall()))
        for return_type in RETURN_TYPES:
            outputs.append(_text(connection.execute(
                f"SELECT * FROM rows_{return_type}").fetchall()))
    hostile.outputs = "\n".join(outputs).lower()
    return hostile


# --- the run as a whole ---------------------------------------------------------------------


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 65
    assert len({case.name for case in CASES}) == len(CASES)
    contents = [content for case in CASES for content in case.files.values()
                if isinstance(content, bytes)]
    assert len(set(contents)) >= 60
    rules = {want.rule for case in CASES for expect in case.expect.values()
             for want in (*expect.errors, *expect.warnings)}
    assert rules >= {
        "unreadable", "duplicate_column", "unnamed_column", "merged_cells", "formula",
        "excel_error", "cell_too_long", "encoding", "identifier_column", "identifier",
        "personal_data", "extra_column", "same_return_twice", "file_name", "columns",
        "required", "whole_number", "date", "month", "code_list", "area", "period", "duplicate",
        "consistency", "date_order"}
    secrets = [secret for case in CASES for secret in case.secrets]
    assert len(secrets) == len(set(secrets)) >= 30  # each case's identifiers are its own
    outcomes = {outcome for case in CASES for expect in case.expect.values()
                for outcome in expect.outcomes}
    assert outcomes == {ACCEPTED, WARNED, REJECTED, NOT_READ}


def test_the_run_does_not_raise(run):
    assert not run.error, run.error


def test_no_pipe_is_opened(run):
    """A FIFO in the folder is listed, never read: a read would wait for ever."""
    assert run.pipes_opened == []


def test_every_file_in_the_folder_is_accounted_for_exactly_once(run):
    assert not run.error, run.error
    seen = Counter([item["file"] for item in run.result.files]
                   + [item["path"].removeprefix("returns/") for item in run.result.not_read])
    assert sorted(seen) == sorted(run.written)
    assert [name for name, count in seen.items() if count > 1] == []
    # each not-read entry says why, and how a return is named
    for item in run.result.not_read:
        assert item["path"].startswith("returns/")
        assert item["reason"].strip() and EXPECTED_NAMING in item["expected"], item
    # the store lists the same files not read, and holds one submission per file read
    assert sorted(run.stored_not_read) == sorted(
        (item["path"], item["reason"], item["expected"]) for item in run.result.not_read)
    assert sorted(run.submissions) == sorted(item["file"] for item in run.result.files)
    assert run.submission_rows == len(run.submissions)
    statuses = {item["file"]: item["status"] for item in run.result.files}
    assert {name: record["status"] for name, record in run.submissions.items()} == statuses


def test_the_two_hundred_thousand_row_case_is_timed(run):
    """Prints how long the 200,000-row return took (run pytest with -s to see it)."""
    assert not run.error, run.error
    (name,) = [item["file"] for item in run.result.files if item["file"].startswith(BIG_CASE)]
    record = run.submissions[name]

    def seconds(key: str) -> str:
        return f"{run.timings[key]:.1f} s" if key in run.timings else "(not measured)"

    training = sum(key.startswith("read ") and "/training_" in key for key in run.timings)
    print(f"\nhostile ingest of {len(run.written)} files: {run.seconds:.1f} s in all; "
          f"{corpus.BIG_ROWS:,}-row return ({record['status']}, {record['data_rows']} rows): "
          f"read and screened in {seconds(f'read {name}')}; the training contract checked, "
          f"after reading, in {seconds('check training')} more (over all {training} training "
          f"files read), and stored with them in {seconds('store training')}")
    assert record["status"] in ("accepted", "rejected")
    if record["status"] == "rejected":
        findings = run.findings[(record["sha256"], name)]
        assert any(finding["severity"] == "error" and finding["message"]
                   for finding in findings)
    else:
        assert record["data_rows"] == corpus.BIG_ROWS


# --- each case ------------------------------------------------------------------------------


def _outcome(run: HostileRun, key: str) -> str:
    if f"returns/{key}" in run.not_read:
        return NOT_READ
    record = run.submissions.get(key)
    assert record is not None, f"{key} is neither a submission nor a file not read"
    if record["status"] == "rejected":
        return REJECTED
    assert record["status"] == "accepted", record["status"]
    findings = run.findings.get((record["sha256"], key), [])
    return WARNED if any(finding["severity"] == "warning" for finding in findings) else ACCEPTED


def _same_column(found: str, wanted: str) -> bool:
    """``numerator``, or ``column D (numerator)`` as a finding may name it."""
    return found == wanted or found.endswith(f"({wanted})")


def _matches(finding: dict, want: Want) -> bool:
    columns = tuple(finding["columns"])
    return (finding["rule"] == want.rule
            and (want.columns is None or (len(columns) == len(want.columns) and all(
                _same_column(found, wanted)
                for found, wanted in zip(columns, want.columns, strict=True))))
            and (want.rows is None or tuple(finding["row_numbers"]) == want.rows))


def _check_findings(key: str, findings: list[dict], severity: str, wanted: tuple[Want, ...],
                    exact: bool) -> None:
    mine = [finding for finding in findings if finding["severity"] == severity]
    summary = sorted((f["rule"], tuple(f["columns"]), tuple(f["row_numbers"])) for f in mine)
    for want in wanted:
        matching = [finding for finding in mine if _matches(finding, want)]
        assert matching, f"{key}: no {severity} {want} among {summary}"
        for word in want.words:
            assert any(word.lower() in finding["message"].lower() for finding in matching), (
                f"{key}: the {want.rule} message does not say {word!r}: "
                f"{[finding['message'][:300] for finding in matching]}")
    if exact:
        assert sorted(f["rule"] for f in mine) == sorted(want.rule for want in wanted), (
            f"{key}: {severity}s {summary}")


def _check_message(key: str, finding: dict) -> None:
    """Each finding names its file, rule, columns and rows, and says what to do."""
    assert finding["file_name"] == key
    assert finding["rule"] and finding["message"].strip() and finding["fix"].strip()
    numbers = tuple(finding["row_numbers"])
    assert finding["rows"] == len(numbers)
    if numbers:
        assert rows_phrase(numbers) in finding["message"], finding["message"][:300]
    if len(finding["columns"]) == 1 and finding["rule"] != "merged_cells":  # that names cells
        assert finding["columns"][0] in finding["message"], finding["message"][:300]


def _plain(value: object) -> object:
    """A stored value as the corpus writes it: dates in ISO form, blanks as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _check_stored(run: HostileRun, key: str, record: dict, expect: Expect) -> None:
    table = f"rows_{record['return_type']}"
    with run.connect() as connection:
        stored = connection.execute(
            f"SELECT * FROM {table} WHERE source_sha256 = ? AND source_file = ? "
            "ORDER BY source_row", [record["sha256"], key]).df()
    # all of the return: every data row it holds, each under its own sha256
    assert len(stored) == record["data_rows"], f"{key}: {len(stored)} of {record['data_rows']}"
    if expect.data_rows is not None:
        assert record["data_rows"] == expect.data_rows
    if expect.source_rows is not None:
        assert tuple(stored["source_row"]) == expect.source_rows
    by_row = stored.set_index("source_row")
    for column, row in expect.withheld:
        assert by_row.loc[row, column] == WITHHELD_TEXT, f"{key}: {column} row {row}"
    for column, row, value in expect.stored:
        assert _plain(by_row.loc[row, column]) == value, f"{key}: {column} row {row}"
    if not expect.withheld:
        withheld = int(stored.astype(object).eq(WITHHELD_TEXT).to_numpy().sum())
        assert withheld == 0, f"{key}: {withheld} cells withheld that should not be"


def _check_nothing_stored(run: HostileRun, key: str, record: dict) -> None:
    shared = [name for name, other in run.submissions.items()
              if other["sha256"] == record["sha256"] and other["status"] == "accepted"]
    with run.connect() as connection:
        for return_type in RETURN_TYPES:
            if shared:  # the same bytes accepted under another name: look by file too
                sql = (f"SELECT count(*) FROM rows_{return_type} WHERE source_sha256 = ? "
                       "AND source_file = ?")
                parameters = [record["sha256"], key]
            else:
                sql = f"SELECT count(*) FROM rows_{return_type} WHERE source_sha256 = ?"
                parameters = [record["sha256"]]
            assert connection.execute(sql, parameters).fetchone()[0] == 0, (key, return_type)


def _variants(secret: str) -> set[str]:
    """The value as sent, without its spaces, and as a header would normalise it."""
    lowered = secret.lower()
    return {lowered, lowered.replace(" ", ""), lowered.replace(" ", "_"),
            lowered.replace(" ", "-")}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(run: HostileRun, case: Case):
    assert not run.error, run.error
    for relative, expect in case.expect.items():
        key = f"{case.name}/{relative}"
        outcome = _outcome(run, key)
        assert outcome in expect.outcomes, f"{key}: {outcome}, expected {expect.outcome}"
        if outcome == NOT_READ:
            item = run.not_read[f"returns/{key}"]
            assert key not in run.submissions
            for word in expect.words:
                assert word.lower() in item["reason"].lower(), item["reason"]
            assert EXPECTED_NAMING in item["expected"]
            continue
        record = run.submissions[key]
        findings = run.findings.get((record["sha256"], key), [])
        _check_findings(key, findings, "error", expect.errors, expect.exact)
        _check_findings(key, findings, "warning", expect.warnings, expect.exact)
        for finding in findings:
            _check_message(key, finding)
        for word in expect.words:
            assert any(word.lower() in f["message"].lower() for f in findings), word
        if outcome == REJECTED:
            # quarantined with a reason, and none of it in the analysis tables
            assert any(finding["severity"] == "error" for finding in findings), key
            _check_nothing_stored(run, key, record)
        else:
            assert not any(finding["severity"] == "error" for finding in findings), key
            _check_stored(run, key, record, expect)
    for secret in case.secrets:
        for variant in _variants(secret):
            where = run.outputs.find(variant)
            assert where < 0, (f"{case.name}: {variant!r} is in the outputs: ..."
                               f"{run.outputs[max(0, where - 150):where + 100]}...")
        if case.archive_secrets:
            assert not any(secret.encode() in content for content in run.archive), case.name


def test_exactly_the_free_text_flagged_is_withheld(run):
    """Every flagged voice text, and no other, is stored as WITHHELD_TEXT."""
    assert not run.error, run.error
    with run.connect() as connection:
        withheld = connection.execute(
            "SELECT count(*) FROM rows_voice WHERE what_we_heard = ? OR what_changed = ?",
            [WITHHELD_TEXT, WITHHELD_TEXT]).fetchone()[0]
    expected = sum(len(expect.withheld) for case in CASES for expect in case.expect.values()
                   if any(column.startswith("what_") for column, _row in expect.withheld))
    assert withheld == expected > 0


def test_a_corrected_resubmission_is_the_current_return(run):
    """The _v2 file is the one the reports use; the refused original stays in the archive."""
    assert not run.error, run.error
    original = "corrected-resubmission-v2/" + corpus.file_name("training", "resubmitted")
    corrected = "corrected-resubmission-v2/" + corpus.file_name("training", "resubmitted",
                                                               version=2)
    with run.connect() as connection:
        current = connection.execute(
            "SELECT file_name FROM current_submissions WHERE slot = ?",
            [run.submissions[corrected]["slot"]]).fetchall()
        shown = connection.execute("SELECT DISTINCT source_file FROM training WHERE "
                                   "source_file LIKE 'corrected-resubmission-v2/%'").fetchall()
    assert current == [(corrected,)] and shown == [(corrected,)]
    assert run.submissions[original]["status"] == "rejected"


# --- the command, end to end ------------------------------------------------------------------

E2E_SKIP = {BIG_CASE, "fifo", "over-the-size-limit", "zip-bomb-xlsx"}
SEARCHED = {".html", ".json", ".ipynb", ".log", ".txt", ".csv", ".md", ".svg", ".xml"}


def test_the_command_runs_the_demo_with_hostile_files(tmp_path):
    """`scrutiny run` over the demo returns with hostile files among them: every report is
    written, every file accounted for, the rejected and unread ones named in the data-quality
    report, and no identifier in any output."""
    cases = [case for case in corpus.E2E_CASES if case.name not in E2E_SKIP]
    assert 18 <= len(cases) <= 40
    data, out = tmp_path / "data", tmp_path / "out"
    demo.generate(data)
    demo_files = sorted(path.relative_to(data / "returns").as_posix()
                        for path in (data / "returns").rglob("*") if path.is_file())
    hostile: dict[str, Expect] = {}
    for case in cases:
        folder = data / "returns" / "hostile" / case.name
        corpus.write_case(case, folder, tmp_path / "outside")
        hostile.update({f"hostile/{case.name}/{relative}": expect
                        for relative, expect in case.expect.items()})
    started = time.perf_counter()
    command = Path(sys.executable).with_name("scrutiny")
    argv = ([str(command)] if command.exists() else [sys.executable, "-m", "scrutiny.cli"])
    done = subprocess.run(
        [*argv, "run", "--data", str(data), "--out", str(out), "--no-progress",
         "--areas", BNES], capture_output=True, text=True, timeout=900)
    print(f"\nscrutiny run over the demo and {len(hostile)} hostile files: "
          f"{time.perf_counter() - started:.1f} s")
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr[-3000:])

    period_dir = out / "2025-26-Q4"
    manifest = json.loads((period_dir / "run.json").read_text(encoding="utf-8"))
    inputs = {item["file"]: item["status"] for item in manifest["inputs"]}
    assert len(inputs) == len(manifest["inputs"])  # each file once
    for name in demo_files:
        expected = "rejected" if Path(name).name == demo.FAULTY_RETURN else "accepted"
        assert inputs.get(name) == expected, name
    not_read = {item["path"] for item in manifest["not_read"]}
    rejected, unread = [], []
    for name, expect in hostile.items():
        if f"returns/{name}" in not_read:
            assert NOT_READ in expect.outcomes, name
            assert name not in inputs
            unread.append(f"returns/{name}")
        else:
            status = inputs.get(name)
            assert status in ("accepted", "rejected"), f"{name} is not accounted for"
            outcome = REJECTED if status == "rejected" else ACCEPTED
            assert outcome in expect.outcomes or (outcome == ACCEPTED
                                                  and WARNED in expect.outcomes), name
            if status == "rejected":
                rejected.append(name)
    assert rejected and unread

    # every report written; the data-quality report names each refused and unread file
    for page in ("index.html", "area-bath-and-north-east-somerset.html", "data-quality.html",
                 "regional-comparison.html"):
        assert (period_dir / page).is_file(), page
    quality = (period_dir / "data-quality.html").read_text(encoding="utf-8")
    for name in [*rejected, *unread]:
        assert html.escape(name, quote=False) in quality or name in quality, name

    # no identifier in any file the run wrote (the store keeps the files received)
    secrets = {variant.encode() for case in cases for secret in case.secrets
               for variant in _variants(secret)}
    assert secrets
    searched = 0
    for path in out.rglob("*"):
        if path.is_file() and path.suffix.lower() in SEARCHED:
            content = path.read_bytes().lower()
            leaked = [secret for secret in secrets if secret in content]
            assert not leaked, f"{path.relative_to(out)} holds an identifier"
            searched += 1
    assert searched >= 8
