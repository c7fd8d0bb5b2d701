"""Receiving a cycle's returns: read each new file, check it against its contract, store it.

Runs in the parent process before any notebook starts (validate once, in the runner). A file
already in the store (same sha256) is not read again; a file that breaks a rule of severity
"error" is quarantined whole with its findings; warnings are kept beside accepted rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from scrutiny import store
from scrutiny.contracts import (
    Contract,
    Finding,
    check,
    load_contracts,
    parameters_for,
    validation_frame,
)
from scrutiny.framework import Framework
from scrutiny.partnership import Partnership
from scrutiny.sources import Submission, UnreadableFile, discover, read_table, receive


@dataclass
class IngestResult:
    files: list[dict] = field(default_factory=list)  # one entry per file seen: name, sha, status

    def count(self, status: str) -> int:
        return sum(1 for item in self.files if item["status"] == status)

    def summary(self) -> str:
        return (
            f"{len(self.files)} files: {self.count('accepted')} accepted, "
            f"{self.count('rejected')} quarantined, {self.count('already stored')} already stored"
        )


def _whole_file_finding(submission: Submission, rule: str, message: str, fix: str) -> Finding:
    return Finding(submission.file_name, rule, "error", (), 0, (), message, fix)


def ingest(data_dir: Path, store_path: Path, partnership: Partnership, framework: Framework,
           *, progress: bool = True) -> IngestResult:
    contracts = load_contracts()
    parameters = parameters_for(partnership, framework)
    result = IngestResult()
    received_at = datetime.now(UTC).replace(tzinfo=None)
    with store.open_store(store_path, read_only=False) as connection:
        store.create_schema(connection, contracts)
        known = store.known_submissions(connection)
        pending: dict[str, list[tuple[Submission, pd.DataFrame]]] = defaultdict(list)
        for path in tqdm(discover(data_dir), desc="Reading returns", unit="file",
                         disable=not progress):
            submission = receive(path)
            identity = (submission.file_name, submission.sha256)
            if identity in known:
                result.files.append(_entry(submission, "already stored"))
                continue
            known.add(identity)
            problem = _unusable(submission, partnership)
            if problem:
                store.record_submission(
                    connection, submission=submission, status="rejected",
                    received_at=received_at, contract=None, data_rows=None,
                    findings=[problem], rows=None)
                result.files.append(_entry(submission, "rejected"))
                continue
            try:
                table = read_table(submission)
            except UnreadableFile as error:
                finding = _whole_file_finding(submission, "unreadable", str(error),
                                              "resend the return saved as CSV UTF-8 or XLSX")
                store.record_submission(
                    connection, submission=submission, status="rejected",
                    received_at=received_at, contract=contracts[submission.name.return_type],
                    data_rows=None, findings=[finding], rows=None)
                result.files.append(_entry(submission, "rejected"))
                continue
            pending[submission.name.return_type].append((submission, table))

        for return_type, items in tqdm(sorted(pending.items()), desc="Checking contracts",
                                       unit="return type", disable=not progress):
            contract = contracts[return_type]
            frames = {
                sub.file_name: validation_frame(contract, sub.name, sub.file_name, table, framework)
                for sub, table in items
            }
            findings = check(contract, frames, parameters)
            for submission, _table in items:
                _store_checked(connection, contract, submission, frames[submission.file_name],
                               findings[submission.file_name], received_at, result)
    return result


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


def _store_checked(connection, contract: Contract, submission: Submission, frame: pd.DataFrame,
                   findings: list[Finding], received_at: datetime, result: IngestResult) -> None:
    accepted = not any(finding.is_error for finding in findings)
    rows = (store.typed_rows(contract, frame, submission.sha256, submission.file_name)
            if accepted else None)
    store.record_submission(
        connection, submission=submission, status="accepted" if accepted else "rejected",
        received_at=received_at, contract=contract, data_rows=len(frame),
        findings=findings, rows=rows)
    result.files.append(_entry(submission, "accepted" if accepted else "rejected"))


def _entry(submission: Submission, status: str) -> dict:
    return {"file": str(submission.path), "sha256": submission.sha256, "status": status}
