"""A corpus of hostile and malformed returns, each with what a data officer should be told.

Every case is built from small valid returns (the rows of ``tests/test_contracts.py``'s
``VALID``) and written
under its own folder, ``returns/<case name>/``. Each file of a case has an :class:`Expect`:
its outcome (``accepted``, ``accepted with warning``, ``rejected`` or ``not read``), the
findings it must raise (rule, columns, spreadsheet rows, words of the message) and what must
be stored. ``secrets`` are identifier values that must never appear in any output.

Every file name carries the case name as its submitter label, so that no two cases fill the
same return slot by accident (only the cases about the same return twice do so on purpose).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from scrutiny.partnership import Partnership
from tests.test_contracts import (
    BRISTOL,
    NOT_OURS,
    VALID,
)
from tests.test_contracts import PARTNERSHIP as VALID_PARTNERSHIP

PARTNERSHIP = Partnership(name="Avon and Somerset (hostile test)", areas=VALID_PARTNERSHIP.areas)


def partnership_toml(partnership: Partnership = PARTNERSHIP) -> str:
    lines = [f'name = "{partnership.name}"', ""]
    for area in partnership.areas:
        lines += ["[[areas]]", f'code = "{area.code}"', f'name = "{area.name}"',
                  f"old_la_code = {area.old_la_code}", f"children_0_17 = {area.children_0_17}",
                  ""]
    return "\n".join(lines)


# Limits the hostile run sets in scrutiny.sources (so that no test writes 64 MB)
MAX_FILE_BYTES = 24 * 2**20
MAX_UNPACKED_BYTES = 8 * 2**20

# --- valid base returns (spreadsheet rows 2, 3, ...) -------------------------------------------


@dataclass(frozen=True)
class Base:
    return_type: str
    area_code: str
    period: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# the valid returns of the contract tests, as header and rows of cells
BASE: dict[str, Base] = {
    return_type: Base(valid.return_type, valid.area_code, valid.period, tuple(valid.rows[0]),
                      tuple(tuple(row.values()) for row in valid.rows))
    for return_type, valid in VALID.items()
}
INTEGER_COLUMNS = frozenset({
    "numerator", "denominator", "places", "attended", "evaluations", "met_needs", "cases",
    "outstanding", "good", "requires_improvement", "inadequate", "participants"})
DATE_COLUMNS = frozenset({
    "raised", "due", "completed", "incident_known_date", "notified_date", "rapid_review_date",
    "published_date"})

# --- identifier values: none of them may appear in any output ---------------------------------

# Each case gets values of its own, so that a value found in the outputs names the case that
# leaked it. All are made up: NHS numbers are valid (mod 11) in the 943 range, phone numbers
# are in Ofcom's drama ranges, e-mail addresses at example.com.
_SERIAL = itertools.count(1)


def nhs_number() -> str:
    """A new valid NHS number written ``943 476 5919``."""
    while True:
        body = f"{943_476_000 + 37 * next(_SERIAL):09d}"
        check = 11 - sum(int(digit) * weight
                         for digit, weight in zip(body, range(10, 1, -1), strict=True)) % 11
        if check != 10:
            digits = body + str(check % 11)
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def upn() -> str:
    return f"A8012{next(_SERIAL):08d}"


def postcode() -> str:
    n = next(_SERIAL)
    return f"BS{n % 90 + 1} {n % 9 + 1}{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}X"


def phone() -> str:
    return f"07700 900{next(_SERIAL):03d}"


def landline() -> str:
    return f"0117 496 0{next(_SERIAL):03d}"


def email() -> str:
    return f"parent.{next(_SERIAL)}@example.com"


def street_address() -> str:
    n = next(_SERIAL)
    return f"{n} {('Acacia', 'Brunswick', 'Cotham', 'Dove', 'Elton')[n % 5]} Avenue"


def date_of_birth() -> str:
    return f"{next(_SERIAL) % 28 + 1:02d}/03/2014"


def ni_number() -> str:
    return f"JX 12 34 {next(_SERIAL) % 90 + 10} C"


def child_name() -> str:
    return ("Jayden Smith-Okafor", "Amelia Wright-Hussain", "Tyler Nowak-Evans")[
        next(_SERIAL) % 3]


PERSON_NAME = "John Smith"
MEGABYTE_MARKER = "hostile-megabyte-cell-"
OUTSIDE_MARKER = "OUTSIDE-THE-DATA-FOLDER-7731"

# --- writing returns -----------------------------------------------------------------------------

Cell = str | int | datetime | None
Grid = list[list[Cell] | None]  # None is a blank line (CSV) or an empty row (XLSX)


def file_name(return_type: str, label: str, extension: str = "csv", *, area: str | None = None,
              period: str | None = None, version: int = 1) -> str:
    base = BASE[return_type]
    suffix = f"_v{version}" if version > 1 else ""
    return (f"{return_type}_{area or base.area_code}_{period or base.period}_{label}{suffix}"
            f".{extension}")


def grid(return_type: str, changes: dict[tuple[int, str], Cell] | None = None, *,
         drop: tuple[str, ...] = (), typed: bool = False) -> Grid:
    """The valid return as rows of cells with the header first; ``changes`` maps (spreadsheet
    row, column) to a new value; ``typed`` gives XLSX cells their Excel types."""
    base = BASE[return_type]
    header = [column for column in base.header if column not in drop]
    rows: Grid = [list(header)]
    for row in base.rows:
        values = dict(zip(base.header, row, strict=True))
        out: list[Cell] = []
        for column in header:
            value: Cell = values[column]
            if typed:
                value = _typed(column, value)
            out.append(value)
        rows.append(out)
    for (number, column), value in (changes or {}).items():
        rows[number - 1][header.index(column)] = value  # type: ignore[index]
    return rows


def _typed(column: str, text: str) -> Cell:
    if text == "":
        return None
    if column in INTEGER_COLUMNS and text.isdigit():
        return int(text)
    if column in DATE_COLUMNS:
        return datetime.fromisoformat(text)
    return text


def csv_bytes(rows: Grid, *, encoding: str = "utf-8", newline: str = "\n",
              delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, delimiter=delimiter)
    for row in rows:
        if row is None:
            buffer.write(newline)
        else:
            writer.writerow(["" if value is None else str(value) for value in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(*sheets: tuple[str, Grid], merges: tuple[str, ...] = (),
               hidden: tuple[str, ...] = ()) -> bytes:
    """A real workbook written by openpyxl: typed cells, blanks as empty cells, formulas
    without a saved result; ``merges`` are ranges of the first sheet; ``hidden`` names the
    sheets hidden (Excel's Format > Hide Sheet)."""
    workbook = Workbook()
    for index, (title, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(row if row is not None else [])
        if title in hidden:
            sheet.sheet_state = "hidden"
    for cell_range in merges:
        workbook.worksheets[0].merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(content: bytes, change: Callable[[str, bytes], bytes | None],
           extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = change(entry.filename, source.read(entry.filename))
            if data is not None:
                target.writestr(entry.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _random_bytes(seed: int, size: int, *, without: bytes = b"") -> bytes:
    data = random.Random(seed).randbytes(size)
    return bytes(byte for byte in data if byte not in without)


# --- what a case expects ----------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    """One finding: its rule, and (unless None) its columns and spreadsheet rows."""

    rule: str
    columns: tuple[str, ...] | None = None
    rows: tuple[int, ...] | None = None
    words: tuple[str, ...] = ()  # the message must contain each (case-insensitive)


ACCEPTED, WARNED, REJECTED, NOT_READ = ("accepted", "accepted with warning", "rejected",
                                        "not read")
OUTCOMES = (ACCEPTED, WARNED, REJECTED, NOT_READ)


@dataclass(frozen=True)
class Expect:
    outcome: str | tuple[str, ...]  # one outcome, or the outcomes allowed
    errors: tuple[Want, ...] = ()
    warnings: tuple[Want, ...] = ()
    exact: bool = True  # no finding other than those listed
    words: tuple[str, ...] = ()  # not read: the reason holds each; otherwise some message does
    data_rows: int | None = None  # accepted: data rows stored
    source_rows: tuple[int, ...] | None = None  # accepted: the spreadsheet rows stored
    withheld: tuple[tuple[str, int], ...] = ()  # (column, row) stored as WITHHELD_TEXT
    stored: tuple[tuple[str, int, object], ...] = ()  # (column, row, value) stored exactly

    @property
    def outcomes(self) -> tuple[str, ...]:
        return (self.outcome,) if isinstance(self.outcome, str) else self.outcome


Maker = Callable[[Path, Path], None]  # (path to create, a folder outside the data folder)


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, bytes | Maker]  # path under returns/<name>/ -> bytes or a maker
    expect: dict[str, Expect]
    secrets: tuple[str, ...] = ()
    archive_secrets: bool = False  # secrets not even in the archive (submissions.content)
    e2e: bool = False  # also in the end-to-end run of the command
    about: str = ""

    def __post_init__(self) -> None:
        assert set(self.files) == set(self.expect), self.name
        for expect in self.expect.values():
            assert set(expect.outcomes) <= set(OUTCOMES), self.name


CASES: list[Case] = []


def add(name: str, files: dict[str, bytes | Maker], expect: dict[str, Expect], **options
        ) -> None:
    assert name not in {case.name for case in CASES}, name
    CASES.append(Case(name, files, expect, **options))


def one(name: str, return_type: str, content: bytes | Maker, expect: Expect, *,
        extension: str = "csv", **options) -> None:
    """A case of one file, named as a return of ``return_type`` labelled with the case."""
    add(name, {file_name(return_type, name, extension): content}, {
        file_name(return_type, name, extension): expect}, **options)


def unreadable(*words: str) -> Expect:
    return Expect(REJECTED, errors=(Want("unreadable", (), (), words),))


def not_read(*words: str) -> Expect:
    return Expect(NOT_READ, words=words)


# --- 1. files that are not a table -----------------------------------------------------------

VALID_CSV = {rt: csv_bytes(grid(rt)) for rt in BASE}
VALID_XLSX = {rt: xlsx_bytes((rt, grid(rt, typed=True))) for rt in BASE}

one("empty-file", "indicators", b"", unreadable("empty"), e2e=True)
one("whitespace-only", "indicators", b"  \r\n\t\n   \n", unreadable("empty"))
one("header-only", "reviews", csv_bytes(grid("reviews")[:1]),
    Expect(ACCEPTED, data_rows=0), e2e=True,
    about="a quarter with no notifications: the header row alone is a valid nil return")
one("binary-junk", "indicators", _random_bytes(1, 4096), unreadable())
one("binary-junk-no-nul", "training", _random_bytes(2, 4096, without=b"\x00"),
    unreadable("not UTF-8"))
one("random-bytes-named-xlsx", "indicators", _random_bytes(3, 4096),
    unreadable("not an Excel workbook"), extension="xlsx")


def _zip_of(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


one("zip-not-a-workbook", "actions", _zip_of(**{"notes.txt": b"minutes of the meeting"}),
    unreadable("damaged"), extension="xlsx")
one("truncated-xlsx", "actions", VALID_XLSX["actions"][: len(VALID_XLSX["actions"]) // 2],
    unreadable("damaged"), extension="xlsx", e2e=True)
one("csv-renamed-xlsx", "audits", VALID_CSV["audits"], unreadable("not an Excel workbook"),
    extension="xlsx")
one("xlsx-renamed-csv", "audits", VALID_XLSX["audits"], unreadable("Excel workbook"))
one("old-excel-renamed-xlsx", "audits", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048),
    unreadable(".xls"), extension="xlsx")
one("utf16-csv", "indicators", codecs.BOM_UTF16_LE + csv_bytes(
    grid("indicators"), encoding="utf-16-le"), unreadable("UTF-16"), e2e=True)
one("windows-1252-curly-apostrophe", "voice", csv_bytes(grid("voice", {
    (3, "what_we_heard"): "Parents said they didn’t know who to call, and the £5 bus fare "
                          "stopped them coming"}), encoding="cp1252"),
    Expect(WARNED, warnings=(Want("encoding", (), (), ("Windows-1252",)),), stored=(
        ("what_we_heard", 3, "Parents said they didn’t know who to call, and the £5 bus fare "
                             "stopped them coming"),)), e2e=True)
one("bytes-in-no-encoding", "indicators",
    VALID_CSV["indicators"].replace(b"local_authority\n", b"local_\x81\x8d\x90\n", 1),
    unreadable("not UTF-8"))
one("nul-bytes", "indicators",
    VALID_CSV["indicators"].replace(b"education", b"educa\x00tion"), unreadable("NUL"))
one("semicolon-separated", "indicators", csv_bytes(grid("indicators"), delimiter=";"),
    unreadable("semicolons"))
one("tab-separated", "training", csv_bytes(grid("training"), delimiter="\t"),
    unreadable("tabs"))
one("unclosed-quote", "voice",
    VALID_CSV["voice"].replace(b"Children said they wanted", b'"Children said they wanted'),
    unreadable("quote"))

# --- 2. headers ------------------------------------------------------------------------------


def _with_column(return_type: str, header: str, values: dict[int, Cell],
                 changes: dict[tuple[int, str], Cell] | None = None) -> Grid:
    rows = grid(return_type, changes)
    rows[0].append(header)  # type: ignore[union-attr]
    for number in range(2, len(rows) + 1):
        rows[number - 1].append(values.get(number))  # type: ignore[union-attr]
    return rows


one("duplicated-header-numerator", "indicators", csv_bytes(_with_column(
    "indicators", "Numerator ", {2: "99", 3: "17", 4: "90", 5: "15", 6: "170", 7: "0"})),
    Expect(REJECTED, errors=(Want("duplicate_column", ("numerator",), (),
                                  ("numerator", "Numerator")),)), e2e=True,
    about="numerator and 'Numerator ' with conflicting values: never resolved silently")
one("two-identical-headers", "indicators", csv_bytes(_with_column(
    "indicators", "agency", {n: "police" for n in range(2, 8)})),
    Expect(REJECTED, errors=(Want("duplicate_column", ("agency",), (), ("agency",)),)))
one("value-in-column-with-no-header", "indicators",
    VALID_CSV["indicators"].replace(b"17,98,local_authority\n", b"17,98,local_authority,police\n"),
    Expect(REJECTED, errors=(Want("unnamed_column", ("column G",), (3,), ("column G",)),)))
one("header-less", "indicators", csv_bytes(grid("indicators")[1:]),
    unreadable("no header row"), about="the officer deleted the header row")
_EMAIL = email()
one("header-less-identifier-in-first-row", "voice", csv_bytes(grid("voice", {
    (2, "what_we_heard"): f"Mum asked that letters go to {_EMAIL} instead of home"})[1:]),
    Expect(REJECTED, errors=(Want("unreadable", (), ()),), exact=False), secrets=(_EMAIL,),
    about="with no header, the first row must not be echoed back as column names")
one("missing-required-column", "indicators", csv_bytes(grid("indicators", drop=("agency",))),
    Expect(REJECTED, errors=(Want("columns", ("agency",), (), ("agency",)),)))
one("extra-harmless-column", "indicators", csv_bytes(_with_column(
    "indicators", "quarter_note", {2: "provisional", 5: "revised"})),
    Expect(WARNED, warnings=(Want("extra_column", ("quarter_note",), None, ("quarter_note",)),),
           data_rows=6))
one("messy-header-case-and-spaces", "training", VALID_CSV["training"].replace(
    b"area_code,month,course", b"\xef\xbb\xbf  Area Code ,MONTH,Course", 1),
    Expect(ACCEPTED, data_rows=5))
one("csv-two-byte-order-marks", "indicators",
    codecs.BOM_UTF8 * 2 + VALID_CSV["indicators"], Expect(ACCEPTED, data_rows=6),
    about="a BOM written twice: the second is part of the first header cell, and invisible")
one("invisible-characters-in-header-xlsx", "indicators", xlsx_bytes(("indicators", [
    ["\ufeffarea_code", "month\u00a0", "\u200bindicator_id", "numer\u00adator",
     "deno\u2060minator", "Agency"], *grid("indicators", typed=True)[1:]])),
    Expect(ACCEPTED, data_rows=6, stored=(("denominator", 3, 98),)), extension="xlsx",
    about="a BOM, zero-width and non-breaking spaces, a soft hyphen and a word joiner: "
          "headers that look right are right")
one("header-notes-in-brackets", "indicators", xlsx_bytes(("indicators", [
    ["Area code", "Month", "Indicator ID", "Numerator (count)", "Denominator [count]",
     "Agency"], *grid("indicators", typed=True)[1:]])),
    Expect(ACCEPTED, data_rows=6, stored=(("numerator", 2, 98), ("denominator", 3, 98),
                                          ("denominator", 2, None))), extension="xlsx",
    about="a note in brackets after the column's words is not part of its name")
one("date-header-with-format-note", "reviews", csv_bytes([
    ["Notified date (dd/mm/yyyy)" if column == "notified_date" else column
     for column in BASE["reviews"].header],
    *grid("reviews", {(number, "notified_date"): "/".join(reversed(
        BASE["reviews"].rows[number - 2][3].split("-"))) for number in range(2, 6)})[1:]]),
    Expect(ACCEPTED, data_rows=4, stored=(("notified_date", 2, "2026-01-07"),
                                          ("notified_date", 5, "2026-03-25"))),
    about="the format in brackets is not a date of birth, and UK dates below it are read")
_DOB = date_of_birth()
one("date-header-with-identifier-note", "reviews", csv_bytes([
    ["notified_date (child's DOB)" if column == "notified_date" else column
     for column in BASE["reviews"].header],
    *grid("reviews", {(number, "notified_date"): _DOB for number in range(2, 6)})[1:]]),
    Expect(REJECTED, errors=(Want("identifier_column", None, None, ("date of birth",)),
                             Want("columns", ("notified_date",)))), secrets=(_DOB,),
    about="a note that names an identifier is not set aside: that column is not the return's")

# --- 3. cells: blanks, Excel types, dates -------------------------------------------------------

one("mixed-blank-and-filled-xlsx", "actions", xlsx_bytes(("actions", grid("actions", typed=True))),
    Expect(ACCEPTED, data_rows=5, stored=(("completed", 4, None), ("completed", 6, None),
                                          ("completed", 2, "2025-09-15"))), extension="xlsx",
    e2e=True, about="blank completed on open actions beside filled ones: the original crash")
one("excel-typed-dates", "reviews", xlsx_bytes(("reviews", grid("reviews", typed=True))),
    Expect(ACCEPTED, data_rows=4, stored=(("notified_date", 2, "2026-01-07"),
                                          ("rapid_review_date", 5, None))), extension="xlsx")
one("month-turned-into-date", "indicators", xlsx_bytes(("indicators", grid("indicators", {
    (number, "month"): datetime(2026, (number - 2) // 2 + 1, 1) for number in range(2, 8)},
    typed=True))),
    Expect(ACCEPTED, data_rows=6, stored=(("month", 2, "2026-01"), ("month", 7, "2026-03"))),
    extension="xlsx")
one("uk-dates-in-csv", "actions", csv_bytes(grid("actions", {
    (2, "raised"): "12/06/2025", (2, "due"): "30/09/2025", (2, "completed"): "15/09/2025",
    (4, "raised"): "03/11/2025 00:00"})),
    Expect(ACCEPTED, data_rows=5, stored=(("raised", 2, "2025-06-12"),
                                          ("completed", 2, "2025-09-15"),
                                          ("raised", 4, "2025-11-03"))))
one("typed-numbers-as-floats", "training", xlsx_bytes(("training", grid("training", {
    (2, "places"): 24.0, (3, "attended"): 33.0}, typed=True))),
    Expect(ACCEPTED, data_rows=5, stored=(("places", 2, 24), ("attended", 3, 33))),
    extension="xlsx")
one("blank-lines-keep-row-numbers", "indicators", csv_bytes(
    [*grid("indicators")[:3], None, None, *grid("indicators", {(5, "numerator"): "-4"})[3:]]),
    Expect(REJECTED, errors=(Want("whole_number", ("numerator",), (7,), ("row 7",)),)),
    about="two blank lines after row 3: the fault on the file's 7th line is row 7")
one("bom-and-crlf", "audits", b"\xef\xbb\xbf" + csv_bytes(grid("audits"), newline="\r\n"),
    Expect(ACCEPTED, data_rows=3))
one("old-mac-line-endings", "audits", csv_bytes(grid("audits"), newline="\r"),
    Expect(ACCEPTED, data_rows=3))
one("upper-case-extension", "audits", VALID_CSV["audits"], Expect(ACCEPTED, data_rows=3),
    extension="CSV")

_TITLE = [["North Somerset: indicators return"], ["Quarter 4, 2025-26 (provisional)"], None]


def _titled(rows: Grid) -> Grid:
    return [*_TITLE, *rows]


one("title-rows-xlsx", "indicators", xlsx_bytes(("Return", _titled(grid("indicators",
                                                                        typed=True)))),
    Expect(ACCEPTED, data_rows=6, source_rows=tuple(range(5, 11))), extension="xlsx",
    about="two title rows and a blank row above the header: the header is sheet row 4")
one("title-rows-xlsx-fault", "indicators", xlsx_bytes(("Return", _titled(grid(
    "indicators", {(4, "numerator"): "-3"}, typed=True)))),
    Expect(REJECTED, errors=(Want("whole_number", ("numerator",), (7,), ("row 7", "-3")),)),
    extension="xlsx", e2e=True,
    about="the fault is on the 3rd data row, which is sheet row 7 below the title rows")
one("title-rows-csv", "audits", csv_bytes(_titled(grid("audits"))),
    Expect(ACCEPTED, data_rows=3, source_rows=(5, 6, 7)))
one("title-rows-csv-fault", "audits", csv_bytes(_titled(grid("audits", {
    (3, "completed"): "2025-12-15"}))),
    Expect(REJECTED, errors=(Want("period", ("completed",), (6,), ("row 6",)),)))
one("merged-title-cell", "indicators", xlsx_bytes(
    ("Return", [["North Somerset: indicators return"], *grid("indicators", typed=True)]),
    merges=("A1:F1",)),
    Expect(ACCEPTED, data_rows=6, source_rows=tuple(range(3, 9))), extension="xlsx")
one("merged-data-cells", "indicators", xlsx_bytes(
    ("indicators", grid("indicators", typed=True)), merges=("F2:F3",)),
    Expect(REJECTED, errors=(Want("merged_cells", ("agency",), (2, 3), ("F2:F3",)),
                             Want("required", ("agency",), (3,))), exact=False),
    extension="xlsx", e2e=True)
one("formula-without-result", "indicators", xlsx_bytes(("indicators", grid("indicators", {
    (4, "numerator"): "=90+1"}, typed=True))),
    Expect(REJECTED, errors=(Want("formula", ("numerator",), (4,), ("row 4", "formula")),),
           exact=False), extension="xlsx", e2e=True)
one("excel-error-value", "indicators", xlsx_bytes(("indicators", grid("indicators", {
    (3, "denominator"): "#DIV/0!"}, typed=True))),
    Expect(REJECTED, errors=(Want("excel_error", ("denominator",), (3,), ("#DIV/0!",)),),
           exact=False), extension="xlsx")
one("excel-error-in-csv", "training", csv_bytes(grid("training", {(5, "attended"): "#N/A"})),
    Expect(REJECTED, errors=(Want("excel_error", ("attended",), (5,), ("#N/A",)),),
           exact=False))
_GUIDANCE = [["How to fill in the indicators return"], [],
             ["area_code: the ONS code of the area"], ["month: YYYY-MM"],
             ["numerator: a whole number"]]
one("guidance-sheet-first", "indicators", xlsx_bytes(
    ("Guidance", _GUIDANCE), ("Return", grid("indicators", typed=True))),
    Expect(ACCEPTED, data_rows=6), extension="xlsx",
    about="the template's guidance sheet comes first; the return is on the second sheet")
one("two-sheets-with-the-header", "indicators", xlsx_bytes(
    ("January", grid("indicators", typed=True)), ("February", grid("indicators", typed=True))),
    unreadable("2 sheets", "January", "February", "delete the other sheets"), extension="xlsx")
one("hidden-template-sheet", "indicators", xlsx_bytes(
    ("Return", grid("indicators", typed=True)), ("Template", grid("indicators")[:1]),
    hidden=("Template",)),
    Expect(ACCEPTED, data_rows=6), extension="xlsx",
    about="a hidden copy of the template's header row is not a second return")
_LISTS = [["area_code", "indicator_id", "agency"], ["E06000022", "referrals", "police"],
          ["E06000023", "cpp", "health"], ["E06000024", "cme", "education"]]
one("hidden-lists-sheet", "indicators", xlsx_bytes(
    ("Return", grid("indicators", typed=True)), ("Lists", _LISTS), hidden=("Lists",)),
    Expect(ACCEPTED, data_rows=6, stored=(("agency", 7, "education"),)), extension="xlsx",
    about="a hidden sheet of drop-down lists headed with three of the return's columns")
one("visible-lists-sheet", "indicators", xlsx_bytes(
    ("Return", grid("indicators", typed=True)), ("Lists", _LISTS)),
    unreadable("2 sheets", "Return", "Lists", "hidden"), extension="xlsx",
    about="two visible sheets with the header and data: which is the return is not guessed")
one("hidden-last-quarter-sheet", "indicators", xlsx_bytes(
    ("Q3 (sent)", grid("indicators", {(2, "numerator"): 77}, typed=True)),
    ("Q4", grid("indicators", typed=True)), hidden=("Q3 (sent)",)),
    Expect(ACCEPTED, data_rows=6, stored=(("numerator", 2, 98),)), extension="xlsx",
    about="the visible sheet is the return, not a hidden earlier one before it")


def _strict(content: bytes) -> bytes:
    """The workbook as Excel's 'Strict Open XML Spreadsheet' names its parts' namespaces."""
    def change(_name: str, data: bytes) -> bytes:
        return (data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                             b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                         b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    return _rezip(content, change)


one("strict-open-xml-workbook", "indicators", _strict(VALID_XLSX["indicators"]),
    unreadable("Strict Open XML", "Excel Workbook (.xlsx)"), extension="xlsx")
one("empty-workbook", "indicators", xlsx_bytes(("Sheet1", [])), unreadable("no sheet"),
    extension="xlsx")
one("header-below-row-20", "indicators", xlsx_bytes(("Return", [
    *([["notes"]] * 21), *grid("indicators", typed=True)])),
    unreadable("no header row"), extension="xlsx",
    about="a header beyond the rows searched is not found: refused")


def _lying_dimension(content: bytes) -> bytes:
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<dimension ref="[A-Z0-9:]+" ?/>',
                          b'<dimension ref="A1:XFD1048576" />', data)
        return data
    changed = _rezip(content, change)
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(changed)).read(
        "xl/worksheets/sheet1.xml")
    return changed


one("xlsx-claims-a-million-rows", "indicators", _lying_dimension(VALID_XLSX["indicators"]),
    Expect(ACCEPTED, data_rows=6), extension="xlsx")
one("zip-bomb-xlsx", "indicators", _rezip(VALID_XLSX["indicators"], lambda _n, data: data,
                                          {"xl/media/padding.bin": bytes(MAX_UNPACKED_BYTES)}),
    unreadable("unpacks to more than"), extension="xlsx",
    about="unpacks beyond the limit (set to 8 MB for the test): refused before opening")
_MEGABYTE = (MEGABYTE_MARKER * (2**20 // len(MEGABYTE_MARKER) + 1))[: 2**20]
one("one-megabyte-cell", "voice", csv_bytes(grid("voice", {(2, "what_changed"): _MEGABYTE})),
    Expect(REJECTED, errors=(Want("cell_too_long", ("what_changed",), (2,), ("32,767",)),)),
    secrets=(MEGABYTE_MARKER * 3,), e2e=True)


def _many_training_rows(count: int) -> bytes:
    header = ",".join(BASE["training"].header)
    themes = ("early_help", "exploitation", "missing", "domestic_abuse")
    lines = [header] + [
        f"E06000024,2026-0{1 + n % 3},Course {n:06d} on working together,"
        f"{themes[n % 4]},virtual,30,25,20,18" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


BIG_ROWS = 200_000
BIG_CASE = "two-hundred-thousand-rows"
one(BIG_CASE, "training", _many_training_rows(BIG_ROWS),
    Expect((ACCEPTED, WARNED, REJECTED), exact=False),
    about="whatever the product does with it, the run finishes and accounts for the file")

# --- 4. identifiers -------------------------------------------------------------------------


def _identifier_column(name: str, return_type: str, header: str, make: Callable[[], str],
                       kind: str, rows: tuple[int, ...] = (3,), e2e: bool = False) -> None:
    column = header.strip().lower().replace(" ", "_")
    value = make()
    one(name, return_type, csv_bytes(_with_column(return_type, header,
                                                  {row: value for row in rows})),
        Expect(REJECTED, errors=(Want("identifier_column", (column,), None, (kind,)),)),
        secrets=(value,), e2e=e2e)


_identifier_column("nhs-number-column", "reviews", "NHS number", nhs_number, "NHS number",
                   e2e=True)
_identifier_column("child-name-column", "voice", "Child name", child_name, "name", (2, 4))
_identifier_column("dob-column", "reviews", "DOB", date_of_birth, "date of birth")
_identifier_column("upn-column", "audits", "UPN", upn, "unique pupil number")
_identifier_column("postcode-column", "voice", "postcode", postcode, "postcode")
_identifier_column("address-column", "reviews", "address", street_address, "address")
_identifier_column("phone-column", "voice", "phone", phone, "phone number")
_identifier_column("email-column", "actions", "email", email, "email address")
_NHS, _NHS_UNSPACED = nhs_number(), nhs_number().replace(" ", "")
one("notes-column-holding-nhs-numbers", "reviews", csv_bytes(_with_column(
    "reviews", "notes", {2: "Child " + _NHS, 4: _NHS_UNSPACED, 5: "no concerns"})),
    Expect(REJECTED, errors=(Want("identifier_column", ("notes",), None, ("NHS number",)),)),
    secrets=(_NHS, _NHS_UNSPACED), e2e=True,
    about="an innocuous header over a column of NHS numbers")


def _free_text(name: str, return_type: str, column: str, row: int, template: str,
               kind: str, make: Callable[[], str], e2e: bool = False) -> None:
    secret = make()
    text = template.format(secret)
    one(name, return_type, csv_bytes(grid(return_type, {(row, column): text})),
        Expect(WARNED, warnings=(Want("personal_data", (column,), (row,), (kind,)),),
               withheld=((column, row),)), secrets=(secret,), e2e=e2e)


_free_text("postcode-in-what-we-heard", "voice", "what_we_heard", 2,
           "A girl living at {} said nobody called her back", "postcode", postcode, e2e=True)
_free_text("phone-in-what-we-heard", "voice", "what_we_heard", 3,
           "Young person asked us to text {} rather than ring", "phone number", phone)
_free_text("email-in-what-we-heard", "voice", "what_we_heard", 4,
           "Mum asked that letters go to {} instead of home", "email address", email)
_free_text("nhs-number-in-what-we-heard", "voice", "what_we_heard", 2,
           "Health visitor said NHS no {} was on the wrong record", "NHS number", nhs_number)
_free_text("upn-in-what-we-heard", "voice", "what_we_heard", 3,
           "Pupil's UPN {} was on the referral form", "unique pupil number", upn)
_free_text("dob-in-what-changed", "voice", "what_changed", 2,
           "The boy born {} now has an advocate", "date of birth", date_of_birth)
_free_text("address-in-what-changed", "voice", "what_changed", 4,
           "Family at {} were offered a key worker", "street address", street_address)
_free_text("ni-number-in-what-changed", "voice", "what_changed", 2,
           "Care leaver's NI number {} given to the PA", "national insurance number",
           ni_number)
_free_text("postcode-in-review-themes", "reviews", "themes", 3,
           "partnership;{}", "postcode", postcode)


def _in_key(name: str, return_type: str, column: str, row: int, template: str, kind: str,
            make: Callable[[], str], e2e: bool = False) -> None:
    secret = make()
    one(name, return_type, csv_bytes(grid(return_type, {(row, column): template.format(secret)})),
        Expect(REJECTED, errors=(Want("identifier", (column,), (row,), (kind,)),)),
        secrets=(secret,), e2e=e2e)


_in_key("email-in-training-course", "training", "course", 4,
        "Child exploitation (book with {})", "email address", email)
_in_key("nhs-number-in-action-ref", "actions", "action_ref", 3, "BNES-{}", "NHS number",
        lambda: nhs_number().replace(" ", ""), e2e=True)
_in_key("upn-in-audit-ref", "audits", "audit_ref", 2, "{}", "unique pupil number", upn)
_in_key("postcode-in-review-ref", "reviews", "review_ref", 5, "BRIS {}", "postcode", postcode)
_in_key("phone-in-section11-agency", "section11", "agency", 3,
        "Avon and Somerset Constabulary {}", "phone number", landline)
_NHS = nhs_number()
one("nhs-number-in-count-spaced", "indicators", csv_bytes(grid("indicators", {
    (2, "numerator"): _NHS})),
    Expect(REJECTED, errors=(Want("identifier", ("numerator",), (2,), ("NHS number",)),),
           exact=False), secrets=(_NHS,))
_NHS = nhs_number().replace(" ", "")
one("nhs-number-in-count-unspaced", "indicators", csv_bytes(grid("indicators", {
    (4, "numerator"): _NHS})),
    Expect(REJECTED, errors=(Want("identifier", ("numerator",), (4,), ("NHS number",)),),
           exact=False), secrets=(_NHS,), e2e=True,
    about="ten digits are a whole number to the contract: only the screen can refuse them")
one("name-in-agency-code", "indicators", csv_bytes(grid("indicators", {
    (6, "agency"): PERSON_NAME})),
    Expect(REJECTED, errors=(Want("code_list", ("agency",), (6,), ("row 6",)),),
           exact=False), secrets=(PERSON_NAME,), e2e=True)
_POSTCODE = postcode()
one("postcode-in-area-code", "training", csv_bytes(grid("training", {
    (4, "area_code"): _POSTCODE})),
    Expect(REJECTED, errors=(Want("code_list", ("area_code",), (4,), ("postcode",)),
                             Want("area", ("area_code",), (4,))), exact=False),
    secrets=(_POSTCODE,))
_UPN = upn()
one("upn-in-date-column", "actions", csv_bytes(grid("actions", {(4, "raised"): _UPN})),
    Expect(REJECTED, errors=(Want("date", ("raised",), (4,), ("unique pupil number",)),),
           exact=False),
    secrets=(_UPN,))
# names beside a figure, a month or a date: shaped like no number, month, date or code, so
# never quoted (the names are made up, and differ from child_name()'s)
_NAMES = ("Kayden Smyth", "Amelia W", "Tyla Novak", "TylaNovak", "Rhys Okoro")
_NAMED = "names-in-counts-months-dates-and-codes"
add(_NAMED, {
    file_name("indicators", _NAMED): csv_bytes(grid("indicators", {
        (2, "numerator"): f"{_NAMES[0]} 12", (3, "numerator"): f"{_NAMES[1]} aged 7",
        (4, "month"): f"{_NAMES[2]} Jan-26", (5, "agency"): _NAMES[3],
        (6, "numerator"): "-4"})),
    file_name("actions", _NAMED): csv_bytes(grid("actions", {
        (2, "due"): f"{_NAMES[4]} 1/2", (3, "raised"): "2025-02-30"}))}, {
    file_name("indicators", _NAMED): Expect(REJECTED, errors=(
        Want("whole_number", ("numerator",), (2, 3, 6), ("'-4'", "2 values not shown")),
        Want("month", ("month",), (4,), ("not shown",)),
        Want("code_list", ("agency",), (5,), ("not shown", "never quoted"))), exact=False),
    file_name("actions", _NAMED): Expect(REJECTED, errors=(
        Want("date", ("due",), (2,), ("not shown",)),
        Want("date", ("raised",), (3,), ("'2025-02-30'",))), exact=False)},
    secrets=_NAMES, e2e=True,
    about="a child's name typed beside a count, month or date, or as a code, is not quoted "
          "back; a wrong number or date still is")

for _name, _column, _text in (
        ("realistic-year-7", "what_we_heard",
         "Year 7 pupils said the move to secondary school was when they most needed someone "
         "to talk to"),
        ("realistic-section-47", "what_changed",
         "Section 47 enquiries rose in 2024-25, so a second strategy meeting slot was added "
         "each week"),
        ("realistic-icpc", "what_we_heard",
         "Parents said the ICPC within 15 working days felt rushed; 3 of 4 wanted more notice"),
        ("realistic-ages-and-times", "what_changed",
         "Drop-in for 11-16 year olds now runs 4-6pm on Tuesdays at the youth centre, room 2")):
    one(_name, "voice", csv_bytes(grid("voice", {(3, _column): _text})),
        Expect(ACCEPTED, data_rows=3, stored=((_column, 3, _text),)),
        about="ordinary free text with numbers in it must not be flagged")

# --- 5. hostile free text, kept as text -------------------------------------------------------

_INJECTION = ('=HYPERLINK("http://evil.example/x","Click for the report")',
              "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")
one("formula-injection-text", "voice", csv_bytes(grid("voice", {
    (2, "what_we_heard"): _INJECTION[0], (3, "what_we_heard"): _INJECTION[1],
    (4, "what_changed"): _INJECTION[2]})),
    Expect(ACCEPTED, data_rows=3, stored=(("what_we_heard", 2, _INJECTION[0]),
                                          ("what_we_heard", 3, _INJECTION[1]),
                                          ("what_changed", 4, _INJECTION[2]))), e2e=True)
_SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(2)> & 'quotes' \"too\""
one("html-and-script-in-text", "voice", csv_bytes(grid("voice", {(3, "what_we_heard"): _SCRIPT})),
    Expect(ACCEPTED, data_rows=3, stored=(("what_we_heard", 3, _SCRIPT),)), e2e=True)
_CONTROL = "Children said\x07 the bell\x1b[31m rang\x0b too early\x7f \u202egnorw\u202c"
one("control-characters-in-text", "voice", csv_bytes(grid("voice", {
    (4, "what_we_heard"): _CONTROL})),
    Expect((ACCEPTED, WARNED), exact=False, data_rows=3),
    about="control characters are not an identifier: the file is read and kept")

# --- 6. file names and files that are not read ------------------------------------------------

one("text-file", "indicators", b"call BNES about Q4\n", not_read("text file"),
    extension="txt", e2e=True)
one("old-excel-xls", "indicators", b"\xd0\xcf\x11\xe0" + bytes(512),
    not_read("Excel 97-2003"), extension="xls")
one("opendocument-ods", "indicators", _zip_of(mimetype=b"application/vnd.oasis"),
    not_read("OpenDocument"), extension="ods")
one("macro-workbook-xlsm", "indicators", VALID_XLSX["indicators"],
    not_read("macro-enabled"), extension="xlsm")
one("no-extension", "indicators", VALID_CSV["indicators"], not_read("not a return"),
    extension="csv_")
add("unknown-return-type", {"foo_E06000022_2025-26-Q4.csv": VALID_CSV["indicators"]},
    {"foo_E06000022_2025-26-Q4.csv": not_read("'foo' is not a return type")}, e2e=True)
add("name-does-not-parse", {"Indicators Q4.csv": VALID_CSV["indicators"]},
    {"Indicators Q4.csv": not_read("does not follow", "indicators_E06000022_2025-26-Q4.csv")},
    e2e=True)
_ANNUAL = file_name("section11", "annual-with-quarter", period="2025-26-Q4")
add("annual-return-named-with-a-quarter", {_ANNUAL: VALID_CSV["section11"]},
    {_ANNUAL: not_read("financial year", "section11_E06000022_2025-26.csv")})
add("quarterly-return-named-with-a-year", {
    file_name("indicators", "quarterly-with-year", period="2025-26"): VALID_CSV["indicators"]},
    {file_name("indicators", "quarterly-with-year", period="2025-26"): not_read("quarter")})
_NOT_OURS_FILE = file_name("indicators", "area-not-in-partnership", area=NOT_OURS)
add("area-not-in-partnership", {_NOT_OURS_FILE: csv_bytes(grid("indicators", {
    (n, "area_code"): NOT_OURS for n in range(2, 8)}))},
    {_NOT_OURS_FILE: Expect(REJECTED, errors=(Want("file_name", (), (), (
        NOT_OURS, "is not an area of")),))}, e2e=True)
add("excel-lock-file", {"~$indicators_E06000024_2025-26-Q4.xlsx": b"\x0bjo bloggs" + bytes(150)},
    {"~$indicators_E06000024_2025-26-Q4.xlsx": not_read("lock file")})
add("hidden-files", {".DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(64),
                     "._indicators_E06000024_2025-26-Q4_hidden-files.csv": b"\x00\x05\x16\x07"},
    {".DS_Store": not_read("hidden"),
     "._indicators_E06000024_2025-26-Q4_hidden-files.csv": not_read("hidden")})


def _oversize(path: Path, _outside: Path) -> None:
    with path.open("wb") as handle:  # a sparse file: nothing like 24 MB is written
        handle.write(VALID_CSV["indicators"])
        handle.truncate(MAX_FILE_BYTES + 1)


one("over-the-size-limit", "indicators", _oversize, not_read("larger than"),
    about="the limit is set to 24 MB for the test; the file is sparse")

# --- 7. links, pipes and folders ----------------------------------------------------------------


def _link_outside(path: Path, outside: Path) -> None:
    target = outside / "voice_E06000023_2025-26-Q4_outside.csv"
    target.write_bytes(csv_bytes(grid("voice", {
        (2, "what_we_heard"): f"Young people said {OUTSIDE_MARKER} about the hub"})))
    path.symlink_to(target)


def _link_inside(path: Path, _outside: Path) -> None:
    path.symlink_to(file_name("audits", "symlink-inside-target"))


def _link_to_folder(path: Path, outside: Path) -> None:
    folder = outside / "a-folder"
    folder.mkdir(exist_ok=True)
    (folder / file_name("audits", "in-linked-folder")).write_bytes(VALID_CSV["audits"])
    path.symlink_to(folder, target_is_directory=True)


def _broken_link(path: Path, _outside: Path) -> None:
    path.symlink_to(path.parent / "no-such-file.csv")


def _fifo(path: Path, _outside: Path) -> None:
    os.mkfifo(path)


one("symlink-to-a-file-outside", "voice", _link_outside,
    not_read("outside the data folder"), secrets=(OUTSIDE_MARKER,), archive_secrets=True,
    e2e=True)
add("symlink-to-a-file-inside", {
    file_name("audits", "symlink-inside-target"): VALID_CSV["audits"],
    file_name("audits", "symlink-inside"): _link_inside}, {
    file_name("audits", "symlink-inside-target"): Expect(ACCEPTED, data_rows=3),
    file_name("audits", "symlink-inside"): Expect(ACCEPTED, data_rows=3)})
add("symlink-to-a-folder", {"linked-folder": _link_to_folder},
    {"linked-folder": not_read("link to a folder")})
one("broken-symlink", "audits", _broken_link, not_read("broken link"))
one("fifo", "audits", _fifo, not_read("not a regular file"))

# --- 8. the same return more than once ------------------------------------------------------------

_TWICE = file_name("audits", "same-name-two-folders")
add("same-name-two-folders", {
    f"north/{_TWICE}": VALID_CSV["audits"],
    f"south/{_TWICE}": csv_bytes(grid("audits", {(3, "good"): "2", (3, "outstanding"): "1"}))},
    {f"north/{_TWICE}": Expect(WARNED, warnings=(Want("same_return_twice", (), (),
                                                      ("north/", "south/")),), data_rows=3,
                               stored=(("good", 3, 3), ("outstanding", 3, 0))),
     f"south/{_TWICE}": Expect(WARNED, warnings=(Want("same_return_twice", (), (),
                                                      ("north/", "south/")),), data_rows=3,
                               stored=(("good", 3, 2), ("outstanding", 3, 1)))}, e2e=True,
    about="two different files of the same name: two submissions, each with its own rows")
_COPY = file_name("section11", "same-file-twice")
add("same-file-twice", {f"first/{_COPY}": VALID_CSV["section11"],
                        f"second/{_COPY}": VALID_CSV["section11"]},
    {f"first/{_COPY}": Expect(ACCEPTED, data_rows=4),
     f"second/{_COPY}": Expect(ACCEPTED, data_rows=4)},
    about="identical bytes in two folders: both received, neither overwrites the other")
add("corrected-resubmission-v2", {
    file_name("training", "resubmitted"): csv_bytes(grid("training", {(4, "attended"): "48"})),
    file_name("training", "resubmitted", version=2): VALID_CSV["training"]}, {
    file_name("training", "resubmitted"): Expect(REJECTED, errors=(
        Want("consistency", ("places", "attended"), (4,)),)),
    file_name("training", "resubmitted", version=2): Expect(ACCEPTED, data_rows=5)})

# --- 9. contract rules, so that every rule of the data officer's list is met -------------------

one("indicators-contract-faults", "indicators", csv_bytes(grid("indicators", {
    (2, "numerator"): "", (3, "numerator"): "120", (4, "month"): "2026-13",
    (5, "area_code"): BRISTOL, (6, "indicator_id"): "child_protection_plans",
    (7, "month"): "2026-04"})),
    Expect(REJECTED, errors=(
        Want("required", ("numerator",), (2,)),
        Want("consistency", ("denominator", "numerator"), (3,)),
        Want("month", ("month",), (4,), ("2026-13",)),
        Want("area", ("area_code",), (5,)),
        Want("code_list", ("indicator_id",), (6,), ("not shown",)),
        Want("period", ("month",), (7,)))))
one("actions-date-faults", "actions", csv_bytes(grid("actions", {
    (3, "raised"): "2025-02-30", (4, "due"): "2025-10-31", (5, "action_ref"): "BNES-A033"})),
    Expect(REJECTED, errors=(
        Want("date", ("raised",), (3,), ("2025-02-30",)),
        Want("date_order", ("due", "raised"), (4,)),
        Want("duplicate", ("action_ref",), (4, 5)))))
one("whole-number-faults", "audits", csv_bytes(grid("audits", {
    (2, "cases"): "eight", (4, "good"): "5.5"})),
    Expect(REJECTED, errors=(Want("whole_number", ("cases",), (2,)),
                             Want("whole_number", ("good",), (4,), ("5.5",))), exact=False))


# --- 10. identifiers where no column is expected to hold them ----------------------------------

_EMAIL = email()
one("identifier-typed-in-header-row", "voice", csv_bytes(_with_column("voice", _EMAIL, {})),
    Expect(REJECTED, errors=(Want("identifier_column", None, None, ("email address",)),),
           exact=False), secrets=(_EMAIL,),
    about="an e-mail address typed in the header row beside the columns, with nothing below")
_EMAIL, _PHONE = email(), phone()
one("identifier-in-title-row", "audits", csv_bytes(
    [[f"Prepared by {_EMAIL}, tel {_PHONE}"], *grid("audits")]),
    Expect(ACCEPTED, data_rows=3, source_rows=(3, 4, 5)), secrets=(_EMAIL, _PHONE),
    about="a title row above the header is skipped, and never echoed back")
_NHS = nhs_number()
one("identifier-in-sheet-names", "indicators", xlsx_bytes(
    (_NHS, grid("indicators", typed=True)), ("Sheet2", grid("indicators", typed=True))),
    Expect(REJECTED, errors=(Want("unreadable", (), ()),)), extension="xlsx",
    secrets=(_NHS,), about="two sheets hold the return; one is named with an NHS number")
_NHS = nhs_number()
one("identifier-in-sheet-name-no-header", "indicators", xlsx_bytes(
    (_NHS, grid("indicators", typed=True)[1:]), ("Notes", [["checked"]])),
    Expect(REJECTED, errors=(Want("unreadable", (), ()),)), extension="xlsx",
    secrets=(_NHS,), about="no sheet has the header; the sheets' names hold an NHS number")
_PHONE = phone().replace(" ", "")
one("phone-in-count-unspaced", "training", csv_bytes(grid("training", {
    (3, "places"): _PHONE})),
    Expect(REJECTED, errors=(Want("identifier", ("places",), (3,), ("phone number",)),),
           exact=False), secrets=(_PHONE,))
_NHS = nhs_number()
one("nhs-number-hyphenated-in-count", "audits", csv_bytes(grid("audits", {
    (3, "cases"): _NHS.replace(" ", "-")})),
    Expect(REJECTED, errors=(Want("identifier", ("cases",), (3,), ("NHS number",)),),
           exact=False), secrets=(_NHS.replace(" ", "-"), _NHS))
one("excel-sep-line", "audits", b"sep=,\n" + VALID_CSV["audits"],
    Expect(ACCEPTED, data_rows=3, source_rows=(3, 4, 5)),
    about="Excel's 'sep=,' hint line above the header")
one("multi-line-cell-then-fault", "voice", csv_bytes(grid("voice", {
    (2, "what_we_heard"): "Young people said:\n- the hub closes too early\n- the bus is late",
    (4, "participants"): "four"})),
    Expect(REJECTED, errors=(Want("whole_number", ("participants",), (4,)),)),
    about="a cell of three lines is one spreadsheet row: the fault is still row 4")


def _saved_result(content: bytes) -> bytes:
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            changed = re.sub(rb"(<f>90\+1</f>)(<v\s*/>|<v></v>)?", rb"\1<v>91</v>", data)
            assert changed != data
            return changed
        return data
    return _rezip(content, change)


one("formula-with-saved-result", "indicators", _saved_result(xlsx_bytes(("indicators", grid(
    "indicators", {(4, "numerator"): "=90+1"}, typed=True)))),
    Expect(ACCEPTED, data_rows=6, stored=(("numerator", 4, 91),)), extension="xlsx",
    about="a formula Excel has calculated and saved: its value is read")


def _as_excel_saves(content: bytes, results: dict[str, str | None]) -> bytes:
    """Formula cells given the results Excel saves: a number (``<v>98</v>``), or for None a
    blank text result (``t="str"`` and an empty ``<v></v>``); other formulas keep none."""
    def saved(match: re.Match[bytes]) -> bytes:
        reference, formula = match[1].decode(), match[2]
        if reference not in results:
            return match[0]
        result = results[reference]
        kind, value = (b' t="str"', b"") if result is None else (b"", result.encode())
        return b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (reference.encode(), kind, formula,
                                                         value)

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            # openpyxl writes no result as <v/>, or as <v></v> where lxml is installed
            return re.sub(rb'<c r="([A-Z]+\d+)"><f>(.*?)</f>(?:<v ?/>|<v></v>)</c>', saved,
                          data)
        return data
    return _rezip(content, change)


_DENOMINATORS = {number: row[4] for number, row in enumerate(BASE["indicators"].rows, start=2)}
one("formula-with-saved-blank-result", "indicators", _as_excel_saves(xlsx_bytes(("indicators", grid(
    "indicators", {(number, "denominator"): f'=IF({"TRUE" if value else "FALSE"},{value or 0},"")'
                   for number, value in _DENOMINATORS.items()}, typed=True))),
    {f"E{number}": value or None for number, value in _DENOMINATORS.items()}),
    Expect(ACCEPTED, data_rows=6, stored=(("denominator", 2, None), ("denominator", 3, 98))),
    extension="xlsx", about='=IF(..., "") saved as a blank result: a blank cell, not refused')
_CHECKS = _with_column("indicators", "check", {
    number: f'=IF(D{number}="","",D{number}>=0)' for number in range(2, 8)})
one("formula-unread-column-and-empty-rows", "indicators", _as_excel_saves(xlsx_bytes(
    ("indicators", [*_CHECKS, *([None] * 5 + [[None, None, None, None, "=1+1"]])])),
    {f"G{number}": "1" for number in range(2, 5)}),
    Expect(WARNED, warnings=(Want("extra_column", ("check",)),), data_rows=6),
    extension="xlsx", about="formulas with no saved result in a column the return does not "
    "read, and on an empty row below the data: nothing of the return is lost")


# --- 11. XML attacks inside a workbook ----------------------------------------------------------

XXE_MARKER = "READ-THROUGH-AN-XML-ENTITY-5150"


def _with_doctype(doctype: bytes) -> bytes:
    """A voice workbook whose first sheet declares ``doctype`` and uses entity &xxe;."""
    base = xlsx_bytes(("voice", grid("voice", {(2, "what_we_heard"): "ENTITY-HERE"})))

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"<worksheet", doctype + b"<worksheet", 1)
            data = data.replace(b"ENTITY-HERE", b"&xxe;")
        return data
    return _rezip(base, change)


def _xxe(path: Path, outside: Path) -> None:
    secret = outside / "xxe-secret.txt"
    secret.write_text(XXE_MARKER + "\n", encoding="utf-8")
    path.write_bytes(_with_doctype(
        b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">]>'))


one("external-entity-in-workbook", "voice", _xxe, unreadable(), extension="xlsx",
    secrets=(XXE_MARKER,), archive_secrets=True,
    about="an XML external entity naming a file outside the data folder: never resolved")
_LAUGHS = (b'<!DOCTYPE worksheet [<!ENTITY a "lollollollollollollollollollol">'
           + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(),
                                                (b"&" + chr(97 + i).encode() + b";") * 10)
                      for i in range(9))
           + b'<!ENTITY xxe "&j;">]>')
one("billion-laughs-workbook", "voice", _with_doctype(_LAUGHS), unreadable(),
    extension="xlsx", about="nested entities that expand to 30 GB: refused, not expanded")
_BIG_HEADER = ("megabyte-header-" * (2**20 // 16 + 1))[: 2**20]
one("megabyte-header-cell", "indicators", csv_bytes(_with_column("indicators", _BIG_HEADER, {})),
    Expect((WARNED, REJECTED), exact=False), secrets=("megabyte-header-" * 3,),
    about="an extra header cell of 1 MB: accounted for, and never echoed back")


CASE_NAMES = [case.name for case in CASES]
E2E_CASES = [case for case in CASES if case.e2e]


def write_case(case: Case, folder: Path, outside: Path) -> list[Path]:
    """Write a case's files under ``folder``; the paths written (links and pipes included)."""
    outside.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, content in case.files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path, outside)
        else:
            path.write_bytes(content)
        written.append(path)
    return written

