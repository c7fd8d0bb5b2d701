"""Receiving a cycle's returns: read each new file, screen it, check its contract, store it.

Runs in the parent process before any notebook starts (validate once, in the runner). Every
file in the data folder ends in exactly one state: accepted, accepted with warnings,
quarantined with its findings, already stored, or not read (with the reason). Whatever one
file holds, reading, screening, checking and storing it is contained: its fault is recorded
against it and the others go on. A file already in the store (same name and sha256) is not
read again. The contracts are checked in a process of their own (scrutiny.checker), while
this one reads; the files of a return type are stored in one transaction, so a crash leaves
all of a file or none of it, and a re-run stores what the crash lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from scrutiny import store
from scrutiny.checker import ContractChecker
from scrutiny.contracts import (
    Contract,
    ContractError,
    Finding,
    check,
    load_contracts,
    parameters_for,
    validation_frames,
)
from scrutiny.framework import Framework
from scrutiny.partnership import Partnership
from scrutiny.privacy import Screened, screen
from scrutiny.returns import FileNameError, parse_file_name
from scrutiny.sources import (
    Submission,
    Table,
    UnreadableFile,
    discover,
    read_table,
    receive,
    returns_root,
)


@dataclass
class IngestResult:
    files: list[dict] = field(default_factory=list)  # one entry per file seen: name, sha, status
    # files in the data folder that are not returns the tool reads: path, reason, expected
    not_read: list[dict] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for item in self.files if item["status"] == status)

    def in_words(self) -> str:
        """What happened to the data folder's files, in sentences for the index page."""
        new, earlier = self.count("accepted"), self.count("already stored")
        rejected, unread = self.count("rejected"), len(self.not_read)
        sentences = [f"The data folder held {_counted(len(self.files) + unread, 'file')}."]
        if new + earlier:
            sentences.append(
                f"{_counted(new + earlier, 'return', capital=True)} passed "
                f"{'its data contract' if new + earlier == 1 else 'their data contracts'}"
                + (f": {new:,} new in this run and {earlier:,} stored by an earlier run."
                   if new and earlier else
                   " and had been stored by an earlier run." if earlier else "."))
        sentences.append(
            f"{_counted(rejected, 'return', capital=True)} {'was' if rejected == 1 else 'were'}"
            " quarantined: the data-quality report says what to correct."
            if rejected else "No return was quarantined.")
        if unread:
            sentences.append(f"{_counted(unread, 'file', capital=True)} "
                             f"{'was' if unread == 1 else 'were'} not read: the data-quality "
                             "report says why and what name or format each needs.")
        return " ".join(sentences)

    def summary(self) -> str:
        return (
            f"{len(self.files) + len(self.not_read)} files: {self.count('accepted')} accepted, "
            f"{self.count('rejected')} quarantined, {self.count('already stored')} already "
            f"stored, {len(self.not_read)} not read"
        )


def _counted(count: int, noun: str, capital: bool = False) -> str:
    words = f"{count:,} {noun}{'' if count == 1 else 's'}"
    return words[0].upper() + words[1:] if capital else words


@dataclass
class _Received:
    """A read and screened return waiting for its contract check."""

    submission: Submission
    table: Table
    screened: Screened
    frame: pd.DataFrame | None = None  # the contract's validation frame, once its type is read


def _whole_file_finding(submission: Submission, rule: str, message: str, fix: str) -> Finding:
    return Finding(submission.file_name, rule, "error", (), 0, (), message, fix)


def ingest(data_dir: Path, store_path: Path, partnership: Partnership, framework: Framework,
           *, progress: bool = True, checker: ContractChecker | None = None) -> IngestResult:
    """Receive the data folder's returns into the store.

    The files are read a return type at a time, and each type's are sent to ``checker`` (its
    own if none is given) as soon as they are read; this process reads on, then types and
    stores each return type's files while the next type is checked."""
    contracts = load_contracts()
    parameters = parameters_for(partnership, framework)
    result = IngestResult()
    found = discover(data_dir)
    result.not_read = found.not_read
    received_at = datetime.now(UTC).replace(tzinfo=None)
    stored_now: set[tuple[str, str]] = set()  # (sha256, file name) stored by this run
    refused: list[store.StoredFile] = []  # refused before any contract check
    in_folder: list[tuple[str, str, str]] = []  # (file name, sha256, slot) of every return
    # read from the folder, new or not (not the files' bytes: they need not stay in memory)

    def quarantine(submission: Submission, finding: Finding,
                   contract: Contract | None = None) -> None:
        refused.append(store.StoredFile(submission, "rejected", contract, None, [finding]))
        result.files.append(_entry(submission, "rejected"))

    with ExitStack() as stack:
        if checker is None:
            checker = stack.enter_context(ContractChecker())
        connection = stack.enter_context(store.open_store(store_path, read_only=False))
        store.create_schema(connection, contracts)
        known = store.known_submissions(connection)
        pending: dict[str, list[_Received]] = defaultdict(list)
        checks: dict[str, Callable[[], dict[str, list[Finding]]]] = {}

        def send_for_checking(return_type: str) -> None:
            if pending.get(return_type) and return_type not in checks:
                contract = contracts[return_type]
                frames, failed = _framed(contract, pending[return_type], framework)
                for item, error in failed:
                    pending[return_type].remove(item)
                    quarantine(item.submission, _unreadable(item.submission, error), contract)
                if pending[return_type]:
                    checks[return_type] = checker.submit(_check_contained, contract, frames,
                                                         parameters)

        # a return type's files one after another, so that each type is checked once read
        returns = sorted(((_named_type(path), path, file_name)
                          for path, file_name in found.returns), key=lambda entry: entry[0])
        for named, path, file_name in tqdm(returns, desc="Reading returns", unit="file",
                                           disable=not progress):
            if named not in pending:  # the types read so far are complete
                for return_type in pending:
                    send_for_checking(return_type)
            try:
                submission = receive(path, file_name)
            except OSError as error:
                result.not_read.append({"path": file_name, "expected": "",
                                        "reason": f"cannot be opened ({error.strerror})"})
                continue
            if submission.name is not None:
                in_folder.append((submission.file_name, submission.sha256,
                                  submission.name.slot))
            if (submission.file_name, submission.sha256) in known:
                result.files.append(_entry(submission, "already stored"))
                continue
            checker.start()  # a new file: great-expectations is imported while we read on
            known.add((submission.file_name, submission.sha256))
            problem = _unusable(submission, partnership)
            if problem:
                quarantine(submission, problem)
                continue
            contract = contracts[submission.name.return_type]
            try:
                received = _read(submission, contract)
            except UnreadableFile as error:
                quarantine(submission, _whole_file_finding(
                    submission, "unreadable", str(error),
                    "resend the return saved as CSV UTF-8 or as an Excel workbook (.xlsx)"),
                    contract)
            except Exception as error:  # noqa: BLE001 - one file's fault must not stop the run
                quarantine(submission, _unreadable(submission, error), contract)
            else:
                pending[contract.return_type].append(received)

        for return_type in pending:
            send_for_checking(return_type)
        _store_all(connection, refused, received_at)
        checked = {return_type: items for return_type, items in pending.items() if items}
        for return_type, items in tqdm(checked.items(), desc="Checking contracts",
                                       unit="return type", disable=not progress):
            findings = checks[return_type]()  # the next type is checked while this is stored
            files = _with_rows(contracts[return_type], [
                _checked_file(contracts[return_type], item, findings[item.submission.file_name]
                              + _not_over(item.submission, received_at.date()))
                for item in items], items)
            for item, status in zip(items, _store_all(connection, files, received_at),
                                    strict=True):
                result.files.append(_entry(item.submission, status))
                stored_now.add((item.submission.sha256, item.submission.file_name))
        store.note_same_slot(connection, stored_now)
        store.save_not_read(connection, result.not_read)
        store.save_in_folder(connection, in_folder)
        store.set_aside_repeats(connection, contracts)
    return result


def _named_type(path: Path) -> str:
    """The return type a file's name gives ("" if it gives none)."""
    try:
        return parse_file_name(path.name).return_type
    except FileNameError:
        return ""


def returns_folder_problem(data_dir: Path) -> str:
    """Why the data folder has nothing to read, in one sentence; "" if it has returns."""
    found = discover(data_dir)
    if found.returns:
        return ""
    root = returns_root(data_dir)
    if not found.not_read:
        return (f"there are no returns in {root}: put the quarter's .csv or .xlsx returns "
                "there, named like indicators_E06000022_2025-26-Q4.csv")
    first = found.not_read[0]
    return (f"none of the {len(found.not_read)} file(s) in {Path(data_dir)} is a return the "
            f"tool reads (for example {first['path']}: {first['reason']})")


def _read(submission: Submission, contract: Contract) -> _Received:
    table = read_table(submission, {column.name: column.type for column in contract.columns})
    return _Received(submission, table, screen(contract, table))


def _unreadable(submission: Submission, error: Exception) -> Finding:
    return _whole_file_finding(
        submission, "unreadable", f"the file could not be read ({type(error).__name__})",
        "save it again from Excel as CSV UTF-8 and resend; if it still fails, send the file "
        "to the tool's maintainers")


def _framed(contract: Contract, items: list[_Received], framework: Framework
            ) -> tuple[dict[str, pd.DataFrame], list[tuple[_Received, Exception]]]:
    """The validation frames of one return type's files, by file name (each item's ``frame``
    is set), and the files that could not be framed, with why: all the files together, or,
    if that fails, file by file, so that only a file at fault is refused."""
    def frame(chosen: list[_Received]) -> dict[str, pd.DataFrame]:
        frames = validation_frames(contract, [
            (item.submission.name, item.submission.file_name, item.table.frame)
            for item in chosen], framework)
        for item in chosen:
            item.frame = frames[item.submission.file_name]
        return frames

    try:
        return frame(items), []
    except Exception:  # noqa: BLE001 - find the file at fault below
        pass
    frames: dict[str, pd.DataFrame] = {}
    failed: list[tuple[_Received, Exception]] = []
    for item in items:
        try:
            frames.update(frame([item]))
        except Exception as error:  # noqa: BLE001 - one file's fault must not stop the run
            failed.append((item, error))
    return frames, failed


def _check_contained(contract: Contract, frames: dict[str, pd.DataFrame],
                     parameters: dict[str, list[str]]) -> dict[str, list[Finding]]:
    """The contract's findings for each file (validation frames by file name): all files of
    a type in one validation, or file by file if that fails, so that a file the suite cannot
    run on is the only one refused."""
    try:
        return check(contract, frames, parameters)
    except ContractError:
        pass
    findings: dict[str, list[Finding]] = {}
    for file_name, frame in frames.items():
        try:
            findings.update(check(contract, {file_name: frame}, parameters))
        except ContractError as error:
            findings[file_name] = [Finding(
                file_name, "contract", "error", (), 0, (),
                f"the {contract.name} contract could not be applied to this file "
                f"({str(error)[:200]})",
                "send the file to the tool's maintainers: this is a fault in the tool")]
    return findings


def _unusable(submission: Submission, partnership: Partnership) -> Finding | None:
    """A whole-file problem that stops the contract being applied at all."""
    if submission.name is None:
        return _whole_file_finding(submission, "file_name", submission.name_error,
                                   "rename the file and resend it")
    if submission.name.area_code not in partnership.area_codes:
        return _whole_file_finding(
            submission, "file_name",
            f"{submission.file_name}: {submission.name.area_code} is not an area of "
            f"{partnership.name}",
            f"use one of the partnership's area codes: {', '.join(partnership.area_codes)}")
    return None


def _not_over(submission: Submission, today: date) -> list[Finding]:
    """A warning for a return sent before its period was over: at best part of it, at worst
    a mistyped year (a year's return may be sent once the year has begun)."""
    period = submission.name.period
    if period.end < today if period.is_quarter else period.start <= today:
        return []
    what = "quarter" if period.is_quarter else "year"
    when = period.end if period.is_quarter else period.start
    return [Finding(
        submission.file_name, "period_not_over", "warning", (), 0, (),
        f"the {what} in the file name, {period.label}, "
        + (f"does not end until {when:%-d %B %Y}: a return for it can only be part of it"
           if period.is_quarter else f"has not begun (it begins on {when:%-d %B %Y})"),
        "check the year in the file name"
        + ("; send the quarter's return once the quarter has ended" if period.is_quarter else ""))]


def _checked_file(contract: Contract, item: _Received, contract_findings: list[Finding]
                  ) -> store.StoredFile:
    """A checked file as it is to be stored: accepted (its rows are typed by
    :func:`_with_rows`), or rejected."""
    findings = item.table.findings + item.screened.findings + contract_findings
    stored = store.StoredFile(item.submission, "accepted", contract, len(item.frame), findings)
    if any(finding.is_error for finding in findings):
        stored.status = "rejected"
    return stored


def _with_rows(contract: Contract, files: list[store.StoredFile], items: list[_Received]
               ) -> list[store.StoredFile]:
    """The checked files with the typed rows of those accepted: all together, or, if that
    fails, file by file, so that only a file that cannot be typed is refused."""
    accepted = [(position, store.Accepted(item.frame, item.submission.sha256,
                                          item.submission.file_name, item.screened.withheld))
                for position, (stored, item) in enumerate(zip(files, items, strict=True))
                if stored.status == "accepted"]
    try:
        typed = store.typed_rows_of(contract, [entry for _position, entry in accepted])
    except Exception:  # noqa: BLE001 - find the file at fault below
        typed = None
    files = list(files)
    for number, (position, entry) in enumerate(accepted):
        if typed is not None:
            files[position].rows = typed[number]
            continue
        try:
            files[position].rows = store.typed_rows_of(contract, [entry])[0]
        except Exception as error:  # noqa: BLE001 - refuse the file, keep the run going
            files[position] = _not_storable(files[position], error)
    return files


def _store_all(connection, files: list[store.StoredFile], received_at: datetime) -> list[str]:
    """Store the files in one transaction; if that fails, file by file, each all or nothing,
    so that only a file that cannot be stored is refused. Each file's status, as stored."""
    try:
        store.record_submissions(connection, files, received_at)
        return [item.status for item in files]
    except Exception:  # noqa: BLE001 - find the file at fault below
        pass
    statuses = []
    for item in files:
        try:
            store.record_submissions(connection, [item], received_at)
        except Exception as error:  # noqa: BLE001 - refuse the file, keep the run going
            item = _not_storable(item, error)
            store.record_submissions(connection, [item], received_at)
        statuses.append(item.status)
    return statuses


def _not_storable(item: store.StoredFile, error: Exception) -> store.StoredFile:
    return store.StoredFile(item.submission, "rejected", item.contract, item.data_rows, [
        _whole_file_finding(
            item.submission, "unreadable",
            f"the file passed its checks but could not be stored ({type(error).__name__})",
            "send the file to the tool's maintainers: this is a fault in the tool")])


def _entry(submission: Submission, status: str) -> dict:
    return {"file": submission.file_name, "sha256": submission.sha256, "status": status}
