"""What a run's reports are built from, and whether the ones already written are still current.

A run is asked for with its inputs (every file of the data folder and of the national
statistics folder), the code that builds the reports (this package, its notebooks and
contracts, and the versions of the libraries it uses) and its options. ``run.json`` records
the digest of that request, and each report's own fingerprint: the digest of what that report
reads. So:

- a run asked for exactly as a complete earlier one, whose files are all there and whose store
  nobody has written to since, has nothing to do (:func:`current_run`): it finishes in about a
  second, with only light imports;
- otherwise each report whose fingerprint is unchanged, and whose files are there, is kept, and
  only the others are run again (:func:`report_fingerprint`).

File digests are sha256 of the content, kept between runs with each file's size and modification
time, as build tools do: a file whose size and time are unchanged is not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from scrutiny import shared
from scrutiny.layout import NATIONAL_DIR
from scrutiny.resources import contracts_dir, notebooks_dir

RUN_FILE = "run.json"
PACKAGES = ("scrutiny", "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib",
            "duckdb", "great-expectations", "papermill", "nbconvert", "nbformat", "ipykernel",
            "psutil", "weasyprint", "gptables")
CODE_SUFFIXES = {".py", ".ipynb", ".json", ".j2", ".css", ".toml", ".tpl"}


def digest(value: object) -> str:
    """sha256 of a JSON-able value, independent of key order."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def package_versions() -> dict[str, str]:
    import platform

    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_digest(versions: Mapping[str, str]) -> str:
    """The code that writes the reports: this package's files, its notebooks and contracts,
    and the versions of Python and the libraries it uses."""
    package = Path(str(resources.files("scrutiny")))
    folders = [package, notebooks_dir(), contracts_dir()]
    files = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if (path.suffix in CODE_SUFFIXES and path.is_file()
                    and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts):
                files[f"{folder.name}/{path.relative_to(folder).as_posix()}"] = file_sha256(path)
    return digest({"files": files, "versions": versions})


def file_digests(folder: Path, known: Mapping[str, dict] | None = None,
                 leave_out: Iterable[Path] = ()) -> dict[str, dict]:
    """Every file under ``folder`` by its path relative to it: size, modification time and
    sha256, reusing ``known`` digests of files whose size and time are unchanged."""
    folder = Path(folder)
    known = known or {}
    left_out = [Path(path).resolve() for path in leave_out]
    found = {}
    for root, folders, names in os.walk(folder):
        here = Path(root)
        folders[:] = sorted(name for name in folders
                            if (here / name).resolve() not in left_out)
        for name in sorted(names):
            path = here / name
            if path.resolve() in left_out or not path.is_file():
                continue
            relative = path.relative_to(folder).as_posix()
            stat = path.stat()
            before = known.get(relative) or {}
            if before.get("size") == stat.st_size and before.get("mtime_ns") == stat.st_mtime_ns:
                sha = before["sha256"]
            else:
                sha = file_sha256(path)
            found[relative] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                               "sha256": sha}
    return found


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def store_state(store_path: Path) -> list:
    """The store's size and modification time, and its write-ahead log's, as run.json keeps
    them: any write changes them."""
    return [list(part) if part else None for part in shared.store_state(store_path)[1:]]


@dataclass
class Request:
    """A run as it was asked for: the digest of its inputs, code and options, and the file
    digests to reuse next time."""

    digest: str
    code: str  # the digest of the code (code_digest)
    versions: dict[str, str]  # of Python and the libraries (package_versions)
    files: dict[str, dict[str, dict]]  # "data" and "national": relative path -> digest

    def as_dict(self) -> dict:
        return {"digest": self.digest, "code": self.code, "files": self.files}


def request_for(data_dir: Path, out_dir: Path, store_path: Path, *,
                national_dir: Path | None, framework_file: Path | None,
                options: Mapping[str, object]) -> Request:
    """The request of a run: its data folder's files (and the national statistics folder's
    and the framework's, if elsewhere), the code, and the options that change what the
    reports say."""
    from scrutiny.framework import framework_files

    known = _known_files(out_dir)
    leave_out = [out_dir, store_path, Path(f"{store_path}.wal")]
    files = {"data": file_digests(data_dir, known.get("data"), leave_out)}
    if national_dir is not None and not _inside(national_dir, data_dir):
        files["national"] = file_digests(Path(national_dir), known.get("national"), leave_out)
    contents = {part: {name: item["sha256"] for name, item in found.items()}
                for part, found in files.items()}
    if framework_file is not None:
        contents["framework"] = {name: file_sha256(path) for name, path in
                                 framework_files(data_dir, framework_file).items()}
    versions = package_versions()
    code = code_digest(versions)
    return Request(digest({"files": contents, "code": code, "options": options}), code,
                   versions, files)


def run_request(data_dir: Path, out_dir: Path, store_path: Path | None,
                national_dir: Path | None, framework_file: Path | None, period: str | None,
                area_codes: list[str] | None, formats: Sequence[str]) -> Request:
    """What a run is asked for : its inputs, the code and the
    options that change what the reports say."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    store_path = Path(store_path or out_dir / "scrutiny.duckdb")
    if national_dir is None and (data_dir / NATIONAL_DIR).is_dir():
        national_dir = data_dir / NATIONAL_DIR  # as the runner reads it
    return request_for(data_dir, out_dir, store_path, national_dir=national_dir,
                       framework_file=framework_file, options={
                           "period": period, "areas": sorted(area_codes or []),
                           "formats": sorted(set(["html", *formats])),
                           "store": str(store_path.resolve()),
                           "national_dir": str(Path(national_dir).resolve())
                           if national_dir else None})


def _inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def _known_files(out_dir: Path) -> dict:
    """The file digests the latest run in ``out_dir`` recorded."""
    runs = sorted(_runs(out_dir), key=lambda item: item[1].get("started_at") or "")
    return runs[-1][1].get("request", {}).get("files", {}) if runs else {}


def _runs(out_dir: Path) -> list[tuple[Path, dict]]:
    found = []
    for run_file in Path(out_dir).glob(f"*/{RUN_FILE}"):
        try:
            found.append((run_file, json.loads(run_file.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # not a run of ours, or half-written: nothing to reuse
    return found


def current_run(out_dir: Path, request: Request, store_path: Path) -> tuple[Path, dict] | None:
    """The complete earlier run asked for exactly as ``request``, whose files are all still
    there and whose store has not been written to since it finished; else None."""
    for run_file, run in _runs(out_dir):
        if (run.get("request", {}).get("digest") == request.digest
                and run.get("status") == "complete"
                and run.get("store_state") == store_state(store_path)
                and all((run_file.parent / name).is_file() for name in outputs(run))):
            return run_file, run
    return None


def outputs(run: Mapping) -> list[str]:
    """Every file a run wrote, relative to its period's folder."""
    names = ["index.html", *run.get("data", [])]
    for report in run.get("reports", []):
        names += [name for name in (report.get("html"), report.get("pdf")) if name]
    companions = run.get("companions", {})
    names += list(companions.get("data_packs", {}).values())
    for page in companions.get("children_pages", []):
        names += [name for name in (page.get("html"), page.get("pdf")) if name]
    return names


def earlier_reports(period_dir: Path) -> dict[str, dict]:
    """The reports of the run last written to ``period_dir`` that succeeded, by file name,
    if their files are all still there."""
    try:
        run = json.loads((Path(period_dir) / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    kept = {}
    for report in run.get("reports", []):
        files = [report.get("html"), report.get("notebook"), report.get("pdf")]
        if (report.get("status") == "ok" and report.get("fingerprint")
                and all((Path(period_dir) / name).is_file() for name in files if name)):
            kept[report["html"]] = report
    return kept


def report_fingerprint(*parts: object) -> str:
    """A report's fingerprint: the digest of everything it reads (see the runner)."""
    return digest(list(parts))
