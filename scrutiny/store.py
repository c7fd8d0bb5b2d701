"""The embedded store: one DuckDB file holding every received return and its accepted rows.

Append-only. ``submissions`` keeps each received file byte for byte with its sha256, when it
was received and whether its contract accepted it; ``findings`` keeps what the contract found;
``rows_<type>`` keeps accepted rows, each traceable to its file by ``source_sha256``. The views
named after each return type show the current data: rows of the newest accepted submission
for each slot (return type, area, period, submitter), so a corrected resubmission supersedes
the earlier file without deleting it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from scrutiny.contracts import Contract, Finding, rows_phrase
from scrutiny.privacy import WITHHELD_TEXT

if TYPE_CHECKING:
    from scrutiny.sources import Submission

_SQL_TYPES = {"integer": "BIGINT", "date": "DATE"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,     -- relative to the returns folder: no absolute paths
    return_type VARCHAR,
    area_code VARCHAR,
    period VARCHAR,
    label VARCHAR,
    version INTEGER,
    slot VARCHAR,
    size_bytes BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- accepted | rejected
    contract VARCHAR,
    data_rows INTEGER,
    content BLOB NOT NULL,            -- the file exactly as received
    PRIMARY KEY (sha256, file_name)   -- two areas' identical nil returns are two submissions
);
CREATE TABLE IF NOT EXISTS findings (
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    columns VARCHAR[],
    rows INTEGER NOT NULL,
    row_numbers INTEGER[],
    message VARCHAR NOT NULL,
    fix VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS not_read (  -- files of the data folder not read, at the last run
    path VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    expected VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS in_folder (  -- the returns in the data folder at the last run
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    slot VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS set_aside (  -- accepted files that repeat another's rows
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL
);
CREATE OR REPLACE VIEW current_submissions AS
SELECT * EXCLUDE (content) FROM submissions s
WHERE status = 'accepted'
  -- a slot with files in the data folder now is what those files hold: a file saved over
  -- stops counting. A slot with none keeps what was received before, so a folder may hold
  -- only the latest quarter, or only the files sent since the last run.
  AND (EXISTS (SELECT 1 FROM in_folder f WHERE f.file_name = s.file_name
                                            AND f.sha256 = s.sha256)
       OR NOT EXISTS (SELECT 1 FROM in_folder f WHERE f.slot = s.slot))
  AND NOT EXISTS (SELECT 1 FROM set_aside a WHERE a.file_name = s.file_name
                                             AND a.sha256 = s.sha256)
QUALIFY row_number() OVER (PARTITION BY slot ORDER BY version DESC, received_at DESC,
                                        file_name DESC) = 1;
"""


class StoreError(RuntimeError):
    """A store that is missing or cannot be opened."""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only and not path.is_file():
        raise StoreError(f"no store at {path}: run `scrutiny run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        raise StoreError(f"cannot open the store {path}: {error}") from error


@contextmanager
def open_store(path: Path, *, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(path, read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def create_schema(connection: duckdb.DuckDBPyConnection, contracts: dict[str, Contract]) -> None:
    connection.execute(_SCHEMA)
    for contract in contracts.values():
        columns = ",\n".join(
            f"    {column.name} {_SQL_TYPES.get(column.type, 'VARCHAR')}"
            for column in contract.columns
        )
        table = f"rows_{contract.return_type}"
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (\n{columns},\n"
            "    source_sha256 VARCHAR NOT NULL,\n    source_file VARCHAR NOT NULL,\n"
            "    source_row INTEGER NOT NULL\n)"
        )
        connection.execute(
            f"CREATE OR REPLACE VIEW {contract.return_type} AS SELECT r.*, s.period, s.label "
            f"FROM {table} r JOIN current_submissions s "
            "ON r.source_sha256 = s.sha256 AND r.source_file = s.file_name"
        )


def known_submissions(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(file name, sha256) of everything received so far."""
    rows = connection.execute("SELECT file_name, sha256 FROM submissions").fetchall()
    return {(name, sha) for name, sha in rows}


@dataclass
class Accepted:
    """An accepted file to be stored: its validation frame, its identity and which cells of
    free text are withheld (by column, the spreadsheet rows whose text may identify someone:
    they are stored as :data:`WITHHELD_TEXT`, never as sent)."""

    frame: pd.DataFrame
    sha256: str
    file_name: str
    withheld: dict[str, set[int]]


def typed_rows_of(contract: Contract, files: Sequence[Accepted]) -> list[pd.DataFrame]:
    """Accepted files' rows converted to the contract's types, with their provenance, a frame
    a file in the files' order. The files (of one return type) are converted together:
    pandas' cost is per call, and a quarter brings hundreds of small files."""
    if not files:
        return []
    combined = pd.concat([item.frame for item in files], ignore_index=True)
    sizes = [len(item.frame) for item in files]
    rows: dict[str, object] = {}
    for column in contract.columns:
        text = combined[column.name] if column.name in combined.columns else None
        if text is not None and any(column.name in item.withheld for item in files):
            hidden = np.concatenate([item.frame["_row"].isin(
                item.withheld.get(column.name, ())).to_numpy(dtype=bool) for item in files])
            text = text.where(~hidden, WITHHELD_TEXT)
        if text is None:
            rows[column.name] = pd.Series(None, index=combined.index, dtype=object)
        elif column.type == "integer":
            rows[column.name] = pd.to_numeric(text).astype("Int64")
        elif column.type == "date":
            rows[column.name] = pd.to_datetime(text, format="%Y-%m-%d").dt.date
        else:
            rows[column.name] = text.astype(object)
    rows["source_sha256"] = np.repeat(np.array([item.sha256 for item in files], dtype=object),
                                      sizes)
    rows["source_file"] = np.repeat(np.array([item.file_name for item in files], dtype=object),
                                    sizes)
    rows["source_row"] = combined["_row"].astype("int32")
    typed = pd.DataFrame(rows, index=combined.index)
    starts = np.cumsum([0, *sizes])
    return [typed.iloc[start:end].reset_index(drop=True)
            for start, end in zip(starts[:-1], starts[1:], strict=True)]


@dataclass
class StoredFile:
    """One received file as the store keeps it: its status, findings and accepted rows."""

    submission: Submission
    status: str  # accepted | rejected
    contract: Contract | None
    data_rows: int | None
    findings: list[Finding]
    rows: pd.DataFrame | None = None  # typed_rows_of, for an accepted file


def record_submissions(connection: duckdb.DuckDBPyConnection, files: Sequence[StoredFile],
                       received_at: datetime) -> None:
    """Write received files, their findings and their accepted rows in one transaction: all
    of them or none (a statement a file at a time would cost more than the files' rows)."""
    if not files:
        return
    connection.execute("BEGIN TRANSACTION")
    try:
        _insert_frame(connection, "submissions", pd.DataFrame([
            _submission_row(item, received_at) for item in files], columns=_SUBMISSION_COLUMNS))
        _insert_findings(connection, [(item.submission.sha256, finding) for item in files
                                      for finding in item.findings])
        by_type: dict[str, list[pd.DataFrame]] = {}
        for item in files:
            if item.rows is not None and len(item.rows):
                by_type.setdefault(item.submission.name.return_type, []).append(item.rows)
        for return_type, frames in by_type.items():
            _insert_frame(connection, f"rows_{return_type}", pd.concat(frames, ignore_index=True))
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise


_SUBMISSION_COLUMNS = ["sha256", "file_name", "source_path", "return_type", "area_code",
                       "period", "label", "version", "slot", "size_bytes", "received_at",
                       "status", "contract", "data_rows", "content"]
_FINDING_COLUMNS = ["sha256", "file_name", "severity", "rule", "columns", "rows",
                    "row_numbers", "message", "fix"]


def _submission_row(item: StoredFile, received_at: datetime) -> list:
    submission, name = item.submission, item.submission.name
    return [submission.sha256, submission.file_name, submission.file_name,
            name.return_type if name else None, name.area_code if name else None,
            name.period.label if name else None, name.label if name else None,
            name.version if name else None, name.slot if name else None,
            len(submission.content), received_at, item.status,
            item.contract.name if item.contract else None, item.data_rows, submission.content]


def _insert_findings(connection: duckdb.DuckDBPyConnection,
                     findings: Sequence[tuple[str, Finding]]) -> None:
    """Findings, each with the sha256 of the file it is about."""
    _insert_frame(connection, "findings", pd.DataFrame([
        [sha256, finding.file_name, finding.severity, finding.rule, list(finding.columns),
         finding.rows, list(finding.row_numbers), finding.message, finding.fix]
        for sha256, finding in findings], columns=_FINDING_COLUMNS))


def _insert_frame(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame
                  ) -> None:
    if frame.empty:
        return
    connection.register("incoming", frame)
    try:
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    finally:
        connection.unregister("incoming")


SETTINGS = "settings"
PARTNERSHIP_SETTING = "partnership.toml"
FRAMEWORK_PREFIX = "framework/"  # framework.toml, indicators.toml, measures/<module>.py


def save_settings(connection: duckdb.DuckDBPyConnection, partnership_text: str,
                  framework_texts: dict[str, str]) -> None:
    """Keep the run's configuration in the store, so reports need only the store: the
    partnership and the framework files as read this run (earlier ones replaced whole)."""
    connection.execute(f"CREATE TABLE IF NOT EXISTS {SETTINGS} "
                       "(name VARCHAR PRIMARY KEY, value VARCHAR)")
    connection.execute("BEGIN TRANSACTION")
    connection.execute(f"DELETE FROM {SETTINGS} WHERE name = ? OR starts_with(name, ?)",
                       [PARTNERSHIP_SETTING, FRAMEWORK_PREFIX])
    connection.executemany(f"INSERT INTO {SETTINGS} VALUES (?, ?)", [
        [PARTNERSHIP_SETTING, partnership_text],
        *([FRAMEWORK_PREFIX + name, text] for name, text in framework_texts.items())])
    connection.execute("COMMIT")


def load_settings(connection: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, str]]:
    """The partnership text and the framework texts kept by :func:`save_settings`."""
    rows = dict(connection.execute(f"SELECT name, value FROM {SETTINGS}").fetchall())
    framework = {name.removeprefix(FRAMEWORK_PREFIX): text for name, text in rows.items()
                 if name.startswith(FRAMEWORK_PREFIX)}
    return rows[PARTNERSHIP_SETTING], framework


def save_not_read(connection: duckdb.DuckDBPyConnection, not_read: list[dict]) -> None:
    """Replace the list of files not read with this run's (the folder as it is now)."""
    connection.execute("BEGIN TRANSACTION")
    connection.execute("DELETE FROM not_read")
    if not_read:
        connection.executemany("INSERT INTO not_read VALUES (?, ?, ?)",
                               [[item["path"], item["reason"], item["expected"]]
                                for item in not_read])
    connection.execute("COMMIT")


def save_in_folder(connection: duckdb.DuckDBPyConnection,
                   rows: Sequence[tuple[str, str, str]]) -> None:
    """Replace the list of returns in the data folder, (file name, sha256, slot), with this
    run's (the folder as it is now), which decides the current submissions (see
    ``current_submissions``)."""
    connection.execute("BEGIN TRANSACTION")
    connection.execute("DELETE FROM in_folder")
    if rows:
        connection.executemany("INSERT INTO in_folder VALUES (?, ?, ?)", rows)
    connection.execute("COMMIT")


REPEATS_RULE = "repeats_another_return"


def set_aside_repeats(connection: duckdb.DuckDBPyConnection,
                      contracts: dict[str, Contract]) -> None:
    """Leave out of the current data each accepted file that repeats rows of another current
    file of the same return, area and period (rows with the same contract key: the same
    indicator and month, say): added together they would count the same children twice. The
    file received first is kept (then by name); each file left out that is in the data folder
    gets a warning saying why. Worked out again at every run."""
    connection.execute("BEGIN TRANSACTION")
    connection.execute("DELETE FROM set_aside")
    connection.execute("DELETE FROM findings WHERE rule = ?", [REPEATS_RULE])
    in_folder = set(connection.execute("SELECT file_name, sha256 FROM in_folder").fetchall())
    findings = []
    for contract in contracts.values():
        while repeats := _repeats(connection, contract):
            connection.executemany("INSERT INTO set_aside VALUES (?, ?)",
                                   [(name, sha256) for sha256, name, *_ in repeats])
            findings += [(sha256, _repeat_finding(name, kept, rows, contract))
                         for sha256, name, kept, rows in repeats
                         if (name, sha256) in in_folder]  # not one removed since
    _insert_findings(connection, findings)
    connection.execute("COMMIT")


def _repeats(connection: duckdb.DuckDBPyConnection, contract: Contract
             ) -> list[tuple[str, str, str, list[int]]]:
    """(sha256, file name, the file kept, its rows repeated) of each current file that repeats
    rows of an earlier current file that is not itself repeating another: left out a round at
    a time, so a file repeating only a file that is left out is kept."""
    if not contract.key:
        return []
    keys = ", ".join(f"r.{column}" for column in contract.key)
    return connection.execute(f"""
        WITH keyed AS (
            SELECT r.source_sha256 AS sha256, r.source_file AS file_name, r.source_row,
                   first_value(r.source_file) OVER same_row AS kept_file,
                   first_value(r.source_sha256) OVER same_row AS kept_sha256
            FROM rows_{contract.return_type} r JOIN current_submissions s
              ON r.source_sha256 = s.sha256 AND r.source_file = s.file_name
            WINDOW same_row AS (PARTITION BY s.area_code, s.period, {keys}
                           ORDER BY s.received_at, s.file_name, s.sha256)),
        repeating AS (
            SELECT sha256, file_name, min(kept_file) AS kept_file,
                   list(source_row ORDER BY source_row) AS repeated
            FROM keyed WHERE NOT (file_name = kept_file AND sha256 = kept_sha256)
            GROUP BY sha256, file_name)
        SELECT sha256, file_name, kept_file, repeated FROM repeating
        WHERE kept_file NOT IN (SELECT file_name FROM repeating)
        ORDER BY file_name
    """).fetchall()


def _repeat_finding(file_name: str, kept: str, rows: list[int], contract: Contract
                    ) -> Finding:
    key = ", ".join(contract.key)
    return Finding(
        file_name, REPEATS_RULE, "warning", tuple(contract.key), len(rows), tuple(rows),
        f"{rows_phrase(rows)} {'gives' if len(rows) == 1 else 'give'} the same {key} as "
        f"{kept}, another return for the same area "
        f"and period: added together they would be counted twice, so the reports use {kept} "
        "and leave this file out",
        f"if this file corrects {kept}, send it named as {kept}'s next version (_v2 at the "
        "end of that name), which replaces it; if it is another submitter's return, it must "
        "not repeat the other's rows")


def note_same_slot(connection: duckdb.DuckDBPyConnection,
                   stored_now: set[tuple[str, str]]) -> None:
    """Warn where two different accepted files fill the same return slot with the same version
    (say, the same name in two subfolders): both are kept, and the report uses one of them.
    ``stored_now`` is the (sha256, file name) of each file this run stored."""
    if not stored_now:
        return
    groups = connection.execute("""
        SELECT slot, version, list(sha256 ORDER BY received_at DESC, file_name DESC),
               list(file_name ORDER BY received_at DESC, file_name DESC),
               (SELECT max(newer.version) FROM submissions newer
                WHERE newer.slot = s.slot AND newer.status = 'accepted')
        FROM submissions s WHERE status = 'accepted'
        GROUP BY slot, version HAVING count(DISTINCT sha256) > 1
    """).fetchall()
    for slot, version, hashes, names, newest in groups:
        if not stored_now & set(zip(hashes, names, strict=True)) or version != newest:
            continue
        message = (f"{len(names)} different files are the {slot} return (version {version}): "
                   f"{', '.join(names)}; the reports use {names[0]}")
        fix = (f"if another of them is the right one, resend it with _v{version + 1} at the "
               "end of its name, and remove the other copies from the data folder")
        _insert_findings(connection, [
            (sha256, Finding(name, "same_return_twice", "warning", (), 0, (), message, fix))
            for sha256, name in zip(hashes, names, strict=True)])


# The published statistics of a run, written by scrutiny.national.ingest.save_national.
NATIONAL_TABLES = ("national", "national_neighbours", "national_ofsted", "national_areas",
                   "national_files")
