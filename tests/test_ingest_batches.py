"""A return type's files are framed for their contract, and typed for the store, together (a
quarter brings hundreds of small files, and pandas' cost is per call): each file still keeps
exactly its own rows, and a file the tool cannot frame or type is refused alone while the
other files of its type are stored."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from scrutiny import ingest as ingest_module
from scrutiny import store
from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from tests.test_contracts import BNES, BRISTOL, NORTH_SOMERSET, PARTNERSHIP, VALID, write_csv

AREAS = (NORTH_SOMERSET, BRISTOL, BNES)
FAULTY = BRISTOL  # the area whose file the tool is made to fail on


def _written(folder: Path) -> dict[str, list[dict[str, str]]]:
    """One indicators return for each of three areas (the same figures, each area's own
    code), and a second type's return, by file name."""
    written = {}
    for area in AREAS:
        valid = VALID["indicators"]
        rows = tuple({**row, "area_code": area} for row in valid.rows)
        mine = replace(valid, area_code=area, rows=rows)
        write_csv(folder / mine.file_name(), list(rows[0]), list(rows))
        written[mine.file_name()] = list(rows)
    training = VALID["training"]
    write_csv(folder / training.file_name(), list(training.rows[0]), list(training.rows))
    written[training.file_name()] = list(training.rows)
    return written


def _ingested(folder: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each file's status, and its findings' messages."""
    result = ingest(folder, folder / "store.duckdb", PARTNERSHIP, load_framework(),
                    progress=False)
    messages: dict[str, list[str]] = {}
    for file_name, message in _query(folder, "SELECT file_name, message FROM findings"):
        messages.setdefault(file_name, []).append(message)
    return {item["file"]: item["status"] for item in result.files}, messages


def _query(folder: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    # closed at once: a connection left for the garbage collector could be collected in the
    # process the next ingest forks to check contracts
    with duckdb.connect(str(folder / "store.duckdb"), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def test_each_file_of_a_type_keeps_exactly_its_own_rows(tmp_path):
    written = _written(tmp_path)
    statuses, _messages = _ingested(tmp_path)
    assert statuses == dict.fromkeys(written, "accepted")
    for file_name, rows in written.items():
        if not file_name.startswith("indicators"):
            continue
        stored = _query(tmp_path, "SELECT source_row, area_code, indicator_id, numerator, "
                                  "denominator FROM rows_indicators WHERE source_file = ? "
                                  "ORDER BY source_row", [file_name])
        assert stored == [
            (number, row["area_code"], row["indicator_id"], int(row["numerator"]),
             int(row["denominator"]) if row["denominator"] else None)
            for number, row in enumerate(rows, start=2)]  # spreadsheet rows, after the header


def _failing_for(function, file_names):
    def failing(*args, **kwargs):
        if any(FAULTY in name for name in file_names(*args)):
            raise ValueError("a fault of the tool's, on this file")
        return function(*args, **kwargs)
    return failing


def _others_stored(folder: Path, written: dict, statuses: dict) -> None:
    faulty = next(name for name in written if FAULTY in name)
    assert statuses == {**dict.fromkeys(written, "accepted"), faulty: "rejected"}
    stored = dict(_query(folder, "SELECT source_file, count(*) FROM rows_indicators "
                                 "GROUP BY source_file"))
    assert stored == {name: len(rows) for name, rows in written.items()
                      if name.startswith("indicators") and name != faulty}
    assert _query(folder, "SELECT count(*) FROM rows_training") == [(len(VALID["training"].rows),)]


def test_a_file_that_cannot_be_framed_is_refused_alone(tmp_path, monkeypatch):
    written = _written(tmp_path)
    monkeypatch.setattr(ingest_module, "validation_frames", _failing_for(
        ingest_module.validation_frames,
        lambda _contract, received, _framework: [file_name for _n, file_name, _t in received]))
    statuses, messages = _ingested(tmp_path)
    _others_stored(tmp_path, written, statuses)
    faulty = next(name for name in written if FAULTY in name)
    assert messages[faulty] == ["the file could not be read (ValueError)"]


def test_a_file_that_cannot_be_typed_for_the_store_is_refused_alone(tmp_path, monkeypatch):
    written = _written(tmp_path)
    monkeypatch.setattr(store, "typed_rows_of", _failing_for(
        store.typed_rows_of, lambda _contract, files: [item.file_name for item in files]))
    statuses, messages = _ingested(tmp_path)
    _others_stored(tmp_path, written, statuses)
    faulty = next(name for name in written if FAULTY in name)
    assert messages[faulty] == [
        "the file passed its checks but could not be stored (ValueError)"]

