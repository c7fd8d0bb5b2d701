"""Finding returned files in a data folder and reading them as text, byte for byte.

Every cell is read as text so that nothing a data officer sent is changed before the contract
has judged it: "007" stays "007", "-3" stays "-3", and a blank stays blank.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scrutiny.returns import EXTENSIONS, FileNameError, ReturnName, parse_file_name

RETURNS_DIR = "returns"
# Excel turns typed dates into datetimes; accept them as the date the officer meant.
_EXCEL_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")


class UnreadableFile(ValueError):
    """A file that cannot be read as a table."""


@dataclass
class Submission:
    """One received file: where it came from, its exact bytes and what its name says."""

    path: Path
    content: bytes = field(repr=False)
    sha256: str
    name: ReturnName | None
    name_error: str = ""

    @property
    def file_name(self) -> str:
        return self.path.name


def discover(data_dir: Path) -> list[Path]:
    """Every CSV/XLSX under ``data_dir/returns`` (or ``data_dir`` itself), in name order."""
    root = Path(data_dir) / RETURNS_DIR
    root = root if root.is_dir() else Path(data_dir)
    files = (path for path in root.rglob("*")
             # "~$" files are Excel's lock files for open workbooks, not returns
             if path.is_file() and path.suffix.lower() in EXTENSIONS
             and not path.name.startswith("~$"))
    return sorted(files, key=lambda path: (path.name, str(path)))


def receive(path: Path) -> Submission:
    content = path.read_bytes()
    try:
        name, error = parse_file_name(path.name), ""
    except FileNameError as problem:
        name, error = None, str(problem)
    return Submission(path, content, hashlib.sha256(content).hexdigest(), name, error)


def read_table(submission: Submission) -> pd.DataFrame:
    """The file as a frame of text cells (None for blank), headers trimmed and lower-cased.

    Wholly blank lines are dropped, but the index keeps each row's position in the file, so
    that findings name the row a data officer sees in their spreadsheet.
    """
    suffix = submission.path.suffix.lower()
    try:
        if suffix == ".csv":
            _check_row_lengths(submission.content)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pd.errors.ParserWarning)  # checked above
                frame = pd.read_csv(
                    io.BytesIO(submission.content), dtype=str, keep_default_na=False,
                    encoding="utf-8-sig", skip_blank_lines=False,
                    index_col=False,  # a stray trailing comma must not shift a row's values
                )
        else:
            frame = pd.read_excel(io.BytesIO(submission.content), dtype=str, sheet_name=0)
    except UnreadableFile:
        raise
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            "the file is not UTF-8 text: save it from Excel as 'CSV UTF-8' and resend"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise UnreadableFile("the file is empty: it needs at least the header row") from error
    except Exception as error:  # parsers raise many kinds (zip, XML, CSV); all mean unreadable
        raise UnreadableFile(f"the file cannot be read as a table ({error})") from error
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    frame = frame.apply(_clean_text).astype(object)
    return frame[frame.notna().any(axis=1)]


def _check_row_lengths(content: bytes) -> None:
    """Refuse a row with more values than the header has columns (empty extras are the
    harmless trailing commas Excel leaves; a real extra value would otherwise be lost)."""
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    header = next(rows, [])
    for number, row in enumerate(rows, start=2):
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise UnreadableFile(
                f"row {number} has {len(row)} values but the header has {len(header)} "
                "columns: a value is in an extra column, or text containing a comma needs "
                "quotes"
            )


def _clean_text(column: pd.Series) -> pd.Series:
    text = column.astype(object).map(lambda cell: None if pd.isna(cell) else str(cell).strip())
    text = text.map(lambda cell: _EXCEL_MIDNIGHT.sub(r"\1", cell) if cell else None)
    return text
