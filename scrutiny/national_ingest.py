"""Reading the published national statistics for a run, once, in the runner.

The files (downloaded by the user from Explore Education Statistics, or the demo's synthetic
copies) are checked by their contracts and loaded by :mod:`scrutiny.national`; what loads is
kept in the store for the notebooks, with each file's sha256, and a refused file family is
recorded with its reason while the rest go on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from scrutiny import store


def ingest_national(national_dir: Path, store_path: Path, *, synthetic: bool = False
                    ) -> list[dict]:
    """Load ``national_dir`` into the store; returns one entry per file for run.json.

    ``synthetic`` marks the demo's generated files, so reports never present them as
    official statistics.
    """
    from scrutiny.national import load_national

    data = load_national(national_dir)
    refused = {problem.file: problem for problem in data.problems}
    files = []
    for path in sorted(Path(national_dir).iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".csv", ".ods"):
            continue
        problem = refused.pop(path.name, None)
        files.append({
            "file": str(path),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
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
        store.save_national(connection, data, files)
    return files
