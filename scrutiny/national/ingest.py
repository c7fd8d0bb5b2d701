"""Reading the published national statistics for a run, once, in the runner, into the store.

The files (downloaded by the user from Explore Education Statistics, or the demo's synthetic
copies) are checked by their contracts and loaded by :func:`scrutiny.national.load_national`;
what loads is kept in the store for the notebooks (the tables ``store.NATIONAL_TABLES``, which
the cycle reads back), with each file's sha256, and a refused file family is recorded with its
reason while the rest go on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from scrutiny import store
from scrutiny.checker import ContractChecker
from scrutiny.national.load import NationalData, load_national

FILE_COLUMNS = ["file", "sha256", "family", "status", "problem", "synthetic"]


def ingest_national(national_dir: Path, store_path: Path, *, synthetic: bool = False,
                    checker: ContractChecker | None = None) -> list[dict]:
    """Load ``national_dir`` into the store; returns one entry per file for run.json.

    ``synthetic`` marks the demo's generated files, so reports never present them as
    official statistics. Files the store already holds, unchanged (the same names and sha256),
    are not read again: the store is left as it is. With ``checker``, the files are read and
    checked in its process (where great-expectations is imported already).
    """
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in sorted(Path(national_dir).iterdir())
               if path.is_file() and path.suffix.lower() in (".csv", ".ods")}
    stored = _stored_files(store_path)
    if stored and {Path(item["file"]).name: item["sha256"] for item in stored
                   if item["status"] != "missing"} == digests and all(
            bool(item["synthetic"]) == synthetic for item in stored):
        return [{**item, "file": str(Path(national_dir) / Path(item["file"]).name)}
                for item in stored]
    data = checker.run(load_national, national_dir) if checker else load_national(national_dir)
    refused = {problem.file: problem for problem in data.problems}
    files = []
    for path in sorted(Path(national_dir).iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".csv", ".ods"):
            continue
        problem = refused.pop(path.name, None)
        files.append({
            "file": str(path),
            "sha256": digests[path.name],
            "family": problem.family if problem else "",
            "status": "refused" if problem else "used",
            "problem": problem.problem if problem else "",
            "synthetic": synthetic,
        })
    for problem in refused.values():  # a file that was expected but not found
        files.append({"file": str(Path(national_dir) / problem.file), "sha256": "",
                      "family": problem.family, "status": "missing",
                      "problem": problem.problem, "synthetic": synthetic})
    with store.open_store(store_path, read_only=False) as connection:
        save_national(connection, data, files)
    return files


def _stored_files(store_path: Path) -> list[dict]:
    """The national files the store was last loaded from (none for a new store)."""
    if not Path(store_path).exists():
        return []
    with store.open_store(store_path, read_only=True) as connection:
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        if "national_files" not in tables:
            return []
        frame = connection.execute("SELECT * FROM national_files").df()
    if not set(FILE_COLUMNS) <= set(frame.columns):
        return []  # a store from an earlier version: load again
    frame = frame[FILE_COLUMNS].astype(object).where(frame[FILE_COLUMNS].notna(), "")
    # plain Python values, as run.json needs them (not numpy's)
    return [{key: value.item() if hasattr(value, "item") else value
             for key, value in row.items()} for row in frame.to_dict("records")]


def save_national(connection: duckdb.DuckDBPyConnection, data: NationalData,
                  files: list[dict]) -> None:
    """Replace the national statistics (reference data, re-read whole each run).

    ``files`` lists each source file with its sha256 and whether it was used or refused (and
    why).
    """
    frames = {
        "national": data.table,
        "national_neighbours": data.neighbours,
        "national_ofsted": data.ofsted,
        "national_areas": (data.areas.drop(columns=["ons_codes"], errors="ignore")
                           if data.areas is not None else None),
        "national_files": pd.DataFrame(files, columns=FILE_COLUMNS),
    }
    connection.execute("BEGIN TRANSACTION")
    try:
        # the store names the tables (the cycle reads them back by those names)
        for name in store.NATIONAL_TABLES:
            frame = frames[name]
            connection.execute(f"DROP TABLE IF EXISTS {name}")
            if frame is not None:
                connection.register("incoming", frame)
                connection.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
                connection.unregister("incoming")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
