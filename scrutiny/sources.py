"""Finding the files in a data folder and reading each return as a table of text cells.

Every file in the data folder is accounted for: :func:`discover` sorts it into a return to
read or a file not read, with the reason and the naming expected. :func:`read_table` reads a
CSV or XLSX return whatever it holds: a file that cannot be read as a table raises
:class:`UnreadableFile` with one sentence a data officer can act on; a table that can be read
comes back with the problems found on the way (duplicated headers, values in a column with no
header, merged cells, formulas with no saved result, Excel error values, over-long cells) as
findings, so that one file's faults never stop the others.

Cells are kept as text, exactly as sent, so that the contract judges what the officer wrote:
"007" stays "007" and a blank stays blank. The only changes are to spreadsheet renderings of
dates whose meaning is not in doubt: an Excel date cell, a UK ``dd/mm/yyyy`` date that Excel
writes when it saves a CSV, and a month that Excel has turned into a date (``Jan-26``) are put
in the ISO form the contract asks for.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath

import pandas as pd

from scrutiny.contracts import Finding, rows_phrase
from scrutiny.layout import CONFIG_FILES, OWN_DIRS, RETURNS_DIR
from scrutiny.privacy import (
    column_label,
    identifier_column_kind,
    identifier_kinds,
    kinds_phrase,
    repeatable,
)
from scrutiny.returns import EXTENSIONS, FileNameError, ReturnName, expected_name, parse_file_name

# Limits: far above any real return, low enough that a hostile file cannot exhaust the machine
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # an XLSX is a zip: refuse a "zip bomb" before opening
MAX_CELL_CHARS = 32_767  # Excel's own limit: a longer cell cannot have come from a spreadsheet
HEADER_SEARCH_ROWS = 20  # title rows above the header are skipped up to this depth

EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
_OTHER_FORMATS = {
    ".xls": "an Excel 97-2003 workbook: save it as .xlsx (Excel Workbook) or CSV UTF-8",
    ".xlsm": "a macro-enabled workbook: save it as .xlsx (Excel Workbook) or CSV UTF-8",
    ".xlsb": "a binary Excel workbook: save it as .xlsx (Excel Workbook) or CSV UTF-8",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or CSV UTF-8",
    ".numbers": "a Numbers spreadsheet: export it as .xlsx or CSV UTF-8",
    ".txt": "a text file: a return is a .csv or .xlsx file",
    ".tsv": "a tab-separated file: save it as CSV UTF-8 (comma delimited)",
    ".pdf": "a PDF: returns are read only as .csv or .xlsx files",
    ".docx": "a Word document: returns are read only as .csv or .xlsx files",
}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$")
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00)?$")
_ISO_FIRST_OF_MONTH = re.compile(r"^(\d{4})-(\d{2})-01$")
_MONTH_WORDS = re.compile(r"^([A-Za-z]{3,9})[-\s](\d{2}|\d{4})$")
# "Jan", "January" (and "Sept"): the names Excel shows for a month; nothing looser
_MONTHS = {name.lower(): number for number in range(1, 13)
           for name in (calendar.month_abbr[number], calendar.month_name[number])} | {"sept": 9}


class UnreadableFile(ValueError):
    """A file that cannot be read as a table; the message says what to do."""


@dataclass
class Submission:
    """One received return: where it came from, its exact bytes and what its name says.

    ``file_name`` is the path relative to the returns folder (``2025-26-Q4/x.csv``), so two
    files with the same name in different subfolders stay two submissions.
    """

    path: Path
    file_name: str
    content: bytes = field(repr=False)
    sha256: str
    name: ReturnName | None
    name_error: str = ""


@dataclass
class Discovery:
    """The data folder sorted: returns to read, and every other file with why it is not read."""

    returns: list[tuple[Path, str]] = field(default_factory=list)  # (path, relative name)
    not_read: list[dict] = field(default_factory=list)  # path, reason, expected


@dataclass
class Table:
    """A return read as text: named columns, indexed by spreadsheet row number."""

    file_name: str
    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)  # problems found while reading
    column_letters: dict[str, str] = field(default_factory=dict)  # column name -> "C"


def returns_root(data_dir: Path) -> Path:
    root = Path(data_dir) / RETURNS_DIR
    return root if root.is_dir() else Path(data_dir)


def discover(data_dir: Path) -> Discovery:
    """Every file under the data folder, sorted into returns to read and files not read.

    Links are followed only to files inside the data folder; links to folders are not
    followed (no loops, no escape). The configuration files and the folders of published
    statistics, measures, deep dives and tests are read by their own stages.
    """
    data_dir = Path(data_dir)
    inside = data_dir.resolve()
    root = returns_root(data_dir)
    found = Discovery()
    for folder, subfolders, files in os.walk(data_dir, followlinks=False):
        here = Path(folder)
        if here == data_dir:
            subfolders[:] = [name for name in subfolders if name not in OWN_DIRS]
        for name in sorted(subfolders):
            if (here / name).is_symlink():
                found.not_read.append(_not_read(
                    data_dir, here / name,
                    "a link to a folder: links to folders are not followed; put the returns "
                    "in the folder itself"))
        for name in files:
            path = here / name
            if here == data_dir and name in CONFIG_FILES:
                continue
            if _path_identifiers(data_dir, path):
                # the path itself would carry an identifier into the store and the reports
                found.not_read.append(_not_read(data_dir, path, ""))
                continue
            reason = _why_not_read(path, inside, root)
            if reason:
                found.not_read.append(_not_read(data_dir, path, reason))
            else:
                found.returns.append((path, path.relative_to(root).as_posix()))
    found.returns.sort(key=lambda item: (PurePosixPath(item[1]).name, item[1]))
    found.not_read.sort(key=lambda item: item["path"])
    return found


def _why_not_read(path: Path, inside: Path, root: Path) -> str:
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.exists():
            return "a broken link: the file it points to does not exist"
        if not target.is_relative_to(inside):
            return ("a link to a file outside the data folder: links are not followed outside "
                    "the data folder; copy the file itself into the folder")
    try:
        status = path.stat()
    except OSError as error:
        return f"cannot be opened ({error.strerror or type(error).__name__})"
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if path.name.startswith("~$"):
        return "Excel's lock file for a workbook that was open when the folder was copied"
    if path.name.startswith("."):
        return "a hidden file (left by the operating system or an editor)"
    if not path.is_relative_to(root):
        return f"outside the {RETURNS_DIR}/ folder: returns are read only from there"
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        return _OTHER_FORMATS.get(suffix, "not a return: only .csv and .xlsx files are read")
    try:
        parse_file_name(path.name)
    except FileNameError as error:
        if error.meant and (path.parent / error.meant).exists():  # a browser's "(1)" copy, say
            return (f"{error}; a file of that name is already in the folder: if this is a "
                    "copy of it, remove one")
        return str(error)
    if status.st_size > MAX_FILE_BYTES:
        return (f"larger than {MAX_FILE_BYTES // 2**20} MB, far more than any return: check it "
                "is the right file")
    return ""


def _not_read(data_dir: Path, path: Path, reason: str) -> dict:
    example = expected_name("indicators")
    shown = path.relative_to(data_dir).as_posix()
    kinds = _path_identifiers(data_dir, path)
    if kinds:
        shown = _masked(shown)
        reason = (f"its name or folder looks like it holds {kinds_phrase(kinds)}, so it is not "
                  "read and that part of its name is not shown: rename it without it")
    return {"path": shown, "reason": reason,
            "expected": f"returntype_areacode_period.csv or .xlsx, e.g. {example}"}


def _path_identifiers(data_dir: Path, path: Path) -> list[str]:
    return identifier_kinds(_as_words(path.relative_to(data_dir).as_posix()))


def _as_words(text: str) -> str:
    return text.replace("_", " ").replace("/", " / ")


def _masked(relative: str) -> str:
    """A path with each part that looks like an identifier replaced, so that a data officer
    can still find the file: ``q4/indicators_..._(not shown).csv``."""
    folders, _, name = relative.rpartition("/")
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    shown = [part if not identifier_kinds(_as_words(part)) else "(not shown)"
             for part in folders.split("/") if part]
    shown.append("_".join("(not shown)" if identifier_kinds(_as_words(piece)) else piece
                          for piece in stem.split("_")))
    masked = "/".join(shown)
    if identifier_kinds(_as_words(masked + dot + suffix)):  # spread over several parts
        masked = "/".join([*shown[:-1], "(not shown)"])
    return masked + dot + suffix


def receive(path: Path, file_name: str | None = None) -> Submission:
    """Read a file's bytes once; ``file_name`` is its name relative to the returns folder."""
    content = Path(path).read_bytes()
    try:
        name, error = parse_file_name(Path(path).name), ""
    except FileNameError as problem:
        name, error = None, str(problem)
    return Submission(Path(path), file_name or Path(path).name, content,
                      hashlib.sha256(content).hexdigest(), name, error)


def read_table(submission: Submission, columns: Mapping[str, str] | None = None) -> Table:
    """The return as text cells (None for blank), with what reading it found.

    ``columns`` maps the contract's column names to their types; it finds the header row
    below any title rows and picks the sheet that holds the return. Raises UnreadableFile for
    a file that is not a table at all.
    """
    columns = dict(columns or {})
    suffix = submission.path.suffix.lower()
    if not submission.content.strip():
        raise UnreadableFile("the file is empty: it needs at least the header row")
    warning = ""
    if suffix == ".csv":
        grid, warning = _csv_rows(submission.content)
        formula_cells, merged = set(), []
    else:
        grid, formula_cells, merged = _xlsx_rows(submission.content, columns)
    table = _as_table(submission.file_name, grid, columns, formula_cells, merged)
    if warning:
        table.findings.append(Finding(submission.file_name, "encoding", "warning", (), 0, (),
                                      warning, "save the return from Excel as 'CSV UTF-8'"))
    return table


# --- CSV ------------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> tuple[list[list[str]], str]:
    """The file's rows of cells, and a warning about its encoding if there is one."""
    if content.startswith(b"PK\x03\x04"):
        raise UnreadableFile("the file is an Excel workbook saved with a .csv name: rename it "
                             ".xlsx, or save it from Excel as CSV UTF-8")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("the file is an old Excel (.xls) workbook saved with a .csv name: "
                             "save it from Excel as CSV UTF-8")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile("the file is UTF-16 text (Excel's 'Unicode Text'): save it from "
                             "Excel as CSV UTF-8")
    if b"\x00" in content:
        raise UnreadableFile("the file holds NUL bytes, so it is not a text CSV (it may be "
                             "damaged, or another kind of file renamed .csv): save it from "
                             "Excel as CSV UTF-8 and send it again")
    text, warning = _decode(content)
    first_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    most = {mark: max((line.count(mark) for line in first_lines), default=0)
            for mark in (",", ";", "\t")}
    other = max(";", "\t", key=most.get)
    if most[other] >= 2 and most[other] > most[","]:  # a comma in text is not a separator
        separator = "semicolons" if other == ";" else "tabs"
        raise UnreadableFile(f"the columns are separated by {separator}, not commas: save it "
                             "from Excel as CSV UTF-8 (comma delimited)")
    csv.field_size_limit(MAX_FILE_BYTES)  # over-long cells are reported, not fatal
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as error:
        raise UnreadableFile(f"the CSV is malformed ({error}): a quote mark may be unclosed; "
                             "open it in Excel, check the text cells and save it as CSV UTF-8"
                             ) from error
    return rows, warning


def _decode(content: bytes) -> tuple[str, str]:
    """The text, and a warning if it had to be read as Windows-1252.

    Excel's plain 'CSV (Comma delimited)' writes Windows-1252: a curly apostrophe or a pound
    sign in it is not UTF-8. Such a file is read, with a warning to check those characters.
    """
    try:
        return content.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), (
            "the file is not UTF-8, so it was read as Windows-1252 (Excel's 'CSV (Comma "
            "delimited)'): check that characters such as ’, £ and é look right in the reports")
    except UnicodeDecodeError:
        pass
    raise UnreadableFile("the file is not UTF-8 text (it may be saved in another encoding, or "
                         "not be a CSV at all): save it from Excel as 'CSV UTF-8' and send it "
                         "again")


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_rows(content: bytes, columns: Mapping[str, str]
               ) -> tuple[list[list[object]], set[tuple[int, int]], list[str]]:
    """The chosen sheet's rows as cell values, its formula cells without a saved result (row,
    column numbers from 1) and its merged ranges."""
    from openpyxl import load_workbook

    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("the workbook is password-protected or an old Excel (.xls) file: "
                             "remove the password and save it as .xlsx (Excel Workbook)")
    if not content.startswith(b"PK\x03\x04"):
        raise UnreadableFile("the file is not an Excel workbook, although its name ends .xlsx "
                             "(it may be a CSV renamed): save it from Excel as .xlsx or as "
                             "CSV UTF-8")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile("the workbook is damaged and cannot be opened: save it again "
                             "from Excel as .xlsx and send it again") from error
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise UnreadableFile("the workbook unpacks to more than "
                             f"{MAX_UNPACKED_BYTES // 2**20} MB, far more than any return: "
                             "send the return sheet alone as CSV UTF-8")
    try:
        if _is_strict(archive):
            raise UnreadableFile(
                "the workbook is saved as 'Strict Open XML Spreadsheet', which cannot be read: "
                "open it in Excel, choose File > Save As > 'Excel Workbook (.xlsx)' (or 'CSV "
                "UTF-8') and send that file")
        sheets_xml = [archive.read(part) for part in parts
                      if part.filename.startswith("xl/worksheets/")
                      and part.filename.endswith(".xml")]
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True,
                             keep_links=False)
        sheets, hidden, paths = {}, set(), {}
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # a stated size of A1:XFD1048576 must not be trusted
            sheets[sheet.title] = [list(row) for row in sheet.iter_rows(values_only=True)]
            if sheet.sheet_state != "visible":  # "hidden" or "veryHidden"
                hidden.add(sheet.title)
            paths[sheet.title] = sheet._worksheet_path  # openpyxl keeps no public name for it
        book.close()
        title = _choose_sheet(sheets, columns, hidden)
        formulas: set[tuple[int, int]] = set()
        merged: list[str] = []
        if any(b"<f>" in xml or b"<f " in xml for xml in sheets_xml):
            formulas = _formula_cells_without_result(archive.read(paths[title]))
        if any(b"<mergeCell " in xml for xml in sheets_xml):
            merged = _merged_ranges(content, title)
    except UnreadableFile:
        raise
    except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged workbook
        raise UnreadableFile("the workbook is damaged and cannot be opened: save it again "
                             "from Excel as .xlsx and send it again") from error
    return sheets[title], formulas, merged


# Excel's "Strict Open XML Spreadsheet" names its parts in these namespaces; openpyxl reads
# only the usual ("transitional") ones, and would find no sheets at all.
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/"


def _is_strict(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook is saved in Strict Open XML: its package or workbook part says so."""
    names = [name for name in archive.namelist()
             if name in ("_rels/.rels", "[Content_Types].xml") or name.endswith("workbook.xml")]
    return any(_STRICT_NAMESPACE in archive.read(name) for name in names)


def _choose_sheet(sheets: dict[str, list[list[object]]], columns: Mapping[str, str],
                  hidden: set[str] | frozenset[str] = frozenset()) -> str:
    """The sheet that holds the return: the one whose header row names the return's columns
    (a guidance sheet beside it is fine); with no contract to go on, the first sheet.

    Where several sheets have the header (a hidden template, a hidden list feeding the
    drop-downs), the one with data rows below it is the return, and a visible sheet is
    preferred to a hidden one. Two such sheets that both hold data are refused: which one is
    the return is not for the tool to guess.
    """
    if not sheets:
        raise UnreadableFile("the workbook has no sheets")
    titles = list(sheets)
    if not columns:
        return titles[0]
    shown = {title: title if repeatable(title) else "a sheet whose name is not shown"
             for title in titles}
    with_data = {}  # the sheets with the header: whether data rows follow it
    for title in titles:
        position = _header_position(_as_text_rows(sheets[title][:HEADER_SEARCH_ROWS]), columns)
        if position is not None:
            with_data[title] = _has_values(sheets[title][position + 1:])
    matching = list(with_data)
    if len(matching) == 1:
        return matching[0]
    if not matching:
        filled = [title for title in titles if _has_values(sheets[title])]
        if len(filled) == 1:
            return filled[0]  # one sheet of data: its missing columns are reported
        raise UnreadableFile(
            f"no sheet of the workbook has the return's header row ({', '.join(columns)}); "
            f"sheets: {', '.join(shown.values())}: put the return on one sheet with the "
            "template's header row")
    # sheets with data rows first (a header alone is a nil return), then visible ones
    candidates = [title for title in matching if with_data[title]] or matching
    visible = [title for title in candidates if title not in hidden] or candidates
    if len(visible) == 1 or not with_data[visible[0]]:
        return visible[0]  # with no data anywhere, any of them is the same nil return
    where = "hidden " if all(title in hidden for title in visible) else ""
    raise UnreadableFile(
        f"{len(visible)} {where}sheets hold the return's header row with data below it "
        f"({', '.join(shown[title] for title in visible)}), so which is the return cannot be "
        "told: keep the return on one sheet, and delete the other sheets or move them to "
        "another workbook (a sheet of drop-down lists may stay if it is hidden), then resend")


def _has_values(rows: Iterable[Iterable[object]]) -> bool:
    return any(cell_text(cell) is not None for row in rows for cell in row)


def _formula_cells_without_result(sheet_xml: bytes) -> set[tuple[int, int]]:
    """The cells of a worksheet part that hold a formula but no saved result.

    Read from the XML, since openpyxl reads a saved blank result and no saved result alike as
    None; only the second is a value that cannot be known.
    """
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.xml.functions import iterparse  # defused, as openpyxl parses the workbook

    found = set()
    row_number = column_number = 0
    for event, element in iterparse(io.BytesIO(sheet_xml), events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":  # a row without its number follows the one before
                row_number = int(element.get("r") or row_number + 1)
                column_number = 0
            continue
        if tag == "c":
            reference = element.get("r")
            column_number = (coordinate_to_tuple(reference)[1] if reference
                             else column_number + 1)
            if not _has_saved_result(element):
                found.add((row_number, column_number))
        elif tag == "row":
            element.clear()  # a sheet of many rows is read in constant memory
    return found


def _has_saved_result(cell) -> bool:
    """Whether a sheet's ``<c>`` element holds a value: a formula's saved result, or no formula.

    Excel saves a formula whose result is blank (``=IF(A2="","",A2)``) as text, ``t="str"``,
    with an empty ``<v></v>``: that is a blank cell. An empty ``<v/>`` of any other type (as
    openpyxl writes a formula it cannot calculate), or no ``<v>`` at all, is no result.
    """
    parts = {child.tag.rpartition("}")[2]: child for child in cell}
    if "f" not in parts:
        return True
    value = parts.get("v")
    return value is not None and (bool(value.text) or cell.get("t") == "str")


def _merged_ranges(content: bytes, title: str) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=False, data_only=True,
                         keep_links=False)
    ranges = [str(cell_range) for cell_range in book[title].merged_cells.ranges]
    book.close()
    return ranges


# --- from rows of cells to a table ----------------------------------------------------------


def _as_table(file_name: str, grid: list[list[object]], columns: Mapping[str, str],
              formula_cells: set[tuple[int, int]], merged: list[str]) -> Table:
    from openpyxl.utils import range_boundaries  # openpyxl is slow to import: only when read

    rows = _as_text_rows(grid)
    findings: list[Finding] = []

    def problem(rule: str, names: Iterable[str], numbers: Iterable[int], message: str,
                fix: str, severity: str = "error") -> None:
        numbers = tuple(sorted(set(numbers)))
        phrase = f"{rows_phrase(numbers)}: " if numbers else ""
        findings.append(Finding(file_name, rule, severity, tuple(names), len(numbers),
                                numbers, phrase + message, fix))

    position = _header_position(rows[:HEADER_SEARCH_ROWS], columns)
    if position is None:
        first = next((row for row in rows if any(cell is not None for cell in row)), [])
        if not {header_name(cell, columns) for cell in first if cell} & set(columns):
            raise UnreadableFile(
                "the file has no header row: the first row must name the columns, as in the "
                f"template ({', '.join(columns)})")
        position = rows.index(first)
    header = rows[position] if rows else []
    header_row = position + 1
    width = max((len(row) for row in rows), default=0)
    header = header + [None] * (width - len(header))
    names = [header_name(cell, columns) if cell else "" for cell in header]
    letters = {names[index]: column_letter(index + 1) for index in range(width) if names[index]}

    # the same column named twice: refused, never silently resolved
    seen: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        if name:
            seen.setdefault(name, []).append(index)
    for name, indexes in seen.items():
        if len(indexes) > 1:
            where = " and ".join(column_label(column_letter(i + 1), str(header[i]))
                                 for i in indexes[:3])
            shown = column_label("", name).removeprefix("column ").strip("() ") or "a column"
            problem("duplicate_column", [shown], [], f"the header names {shown} more than "
                    f"once: {where}", "keep one column for each name in the header row and resend")

    data = [(number, row) for number, row in enumerate(rows[position + 1:], start=header_row + 1)
            if any(cell is not None for cell in row)]
    # values under a column with no header would be lost: refuse them
    for index in range(width):
        if names[index]:
            continue
        holding = [number for number, row in data if index < len(row) and row[index] is not None]
        if holding:
            problem("unnamed_column", [f"column {column_letter(index + 1)}"], holding,
                    f"column {column_letter(index + 1)} has values but no header: a value "
                    "is in an extra column, or text containing a comma needs quotes",
                    "give the column its header from the template, or delete the stray "
                    "values, and resend")

    frame = pd.DataFrame(
        [[row[index] if index < len(row) else None for index in range(width)
          if names[index] and seen[names[index]][0] == index] for _number, row in data],
        columns=[name for index, name in enumerate(names)
                 if name and seen[name][0] == index],
        index=pd.Index([number for number, _row in data], name="row"), dtype=object)

    for name in frame.columns:
        cells = frame[name]
        too_long = cells.map(lambda cell: cell is not None and len(cell) > MAX_CELL_CHARS)
        if too_long.any():
            problem("cell_too_long", [name], cells.index[too_long],
                    f"{name} holds more than {MAX_CELL_CHARS:,} characters (Excel's limit for "
                    "a cell)", f"shorten {name} and resend")
            frame.loc[too_long, name] = None  # not kept, and never shown
        errors = cells.map(lambda cell: cell in EXCEL_ERRORS)
        if errors.any():
            codes = ", ".join(sorted(set(cells[errors])))
            problem("excel_error", [name], cells.index[errors],
                    f"{name} holds an Excel error ({codes}) instead of a value",
                    f"correct the formula or type the value in {name}, and resend")
        kind = columns.get(name)
        if kind in ("date", "month"):
            frame[name] = cells.map(lambda cell, kind=kind: _iso_date_text(cell, kind))
    # a formula matters only where its value is read: a column of the return, a data row
    data_rows = {number for number, _row in data}
    formula_rows: dict[str, list[int]] = {}
    for row_number, column_number in formula_cells:
        name = names[column_number - 1] if column_number <= width else ""
        if row_number in data_rows and name and (not columns or name in columns):
            formula_rows.setdefault(name, []).append(row_number)
    for name, numbers in formula_rows.items():
        problem("formula", [name], numbers, f"{name} holds a formula with no saved result, so "
                "its value cannot be read", "open the workbook in Excel, let it calculate, "
                "save it and resend (or paste the values in place of the formulas)")
    for cell_range in merged:
        _left, first, _right, last = range_boundaries(cell_range)
        if last > header_row:  # merged title or header cells are harmless; in the data, not
            problem("merged_cells", _range_columns(cell_range, names), range(
                max(first, header_row + 1), last + 1),
                f"cells {cell_range} are merged, so only the first cell holds the value",
                "unmerge the cells, fill in the value on every row and resend")
    # blank is None everywhere (pandas may have made some blanks NaN on the way)
    frame = frame.astype(object)
    frame = frame.where(frame.notna(), None)
    return Table(file_name, frame, findings, letters)


def _as_text_rows(grid: Iterable[Iterable[object]]) -> list[list[str | None]]:
    return [[cell_text(cell) for cell in row] for row in grid]


def _header_position(rows: list[list[str | None]], columns: Mapping[str, str]) -> int | None:
    """The index of the first row naming at least half the contract's columns (two at least):
    title rows above the header are skipped."""
    if not columns:
        return 0 if rows else None
    wanted = set(columns)
    needed = max(2, (len(wanted) + 1) // 2) if len(wanted) > 1 else 1
    for index, row in enumerate(rows):
        named = {header_name(cell, wanted) for cell in row if cell}
        if len(named & wanted) >= needed:
            return index
    return None


def normalise_header(text: object) -> str:
    """``" Area Code"``, ``"area-code"`` and ``area_code`` after a byte-order mark all name
    ``area_code``.

    Characters that show nothing (a byte-order mark, a zero-width space: Unicode's format
    characters, category Cf) are dropped, so that a header that looks right is right; any run
    of spaces (non-breaking ones too) or hyphens is one underscore.
    """
    shown = "".join(char for char in str(text) if unicodedata.category(char) != "Cf")
    return re.sub(r"[\s\-]+", "_", shown.strip().lower())


# A note in brackets after a header's words: "Denominator (count)", "Due (dd/mm/yyyy)"
_NOTE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def header_name(text: str, columns: Collection[str]) -> str:
    """The column a header cell names: ``normalise_header``, or the return's column that the
    header's words name once a note in brackets is set aside (``Denominator (count)`` is
    ``denominator``). A note that names or holds an identifier ("Due (child's DOB)") is not
    set aside: that column is not the return's, and is screened as such.
    """
    name = normalise_header(text)
    notes = _NOTE.findall(text)
    if name in columns or not notes:
        return name
    bare = normalise_header(_NOTE.sub(" ", text))
    if bare not in columns:
        return name
    named = any(identifier_column_kind(note) or identifier_kinds(note) for note in notes)
    return name if named else bare


def cell_text(value: object) -> str | None:
    """One cell as the text a data officer sees; None for blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time(0)
                else value.isoformat(sep=" "))
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value).strip()
    return text or None


def _iso_date_text(cell: str | None, kind: str) -> str | None:
    """Unambiguous spreadsheet renderings of a date or month in ISO form; others unchanged."""
    if cell is None:
        return None
    iso = _ISO_MIDNIGHT.match(cell)
    if iso:
        cell = iso[1]
    uk = _UK_DATE.match(cell)
    if uk:
        try:
            cell = date(int(uk[3]), int(uk[2]), int(uk[1])).isoformat()
        except ValueError:
            return cell  # not a real date: the contract reports it as sent
    if kind == "month":
        first = _ISO_FIRST_OF_MONTH.match(cell)
        if first:
            return f"{first[1]}-{first[2]}"
        words = _MONTH_WORDS.match(cell)
        number = _MONTHS.get(words[1].lower()) if words else None
        if words and number:
            year = words[2] if len(words[2]) == 4 else f"20{words[2]}"
            return f"{year}-{number:02d}"
    return cell


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _range_columns(cell_range: str, names: list[str]) -> list[str]:
    from openpyxl.utils import range_boundaries

    first, _top, last, _bottom = range_boundaries(cell_range)
    return [names[i - 1] or f"column {column_letter(i)}" for i in range(first, last + 1)
            if i <= len(names)]

