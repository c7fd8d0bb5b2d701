"""Reading returns as Excel saves them, and quoting wrong values without quoting a child.

The cases come from an audit of real-looking workbooks: a name typed beside a count, a month,
a date or as a code was quoted back in the data-quality report; a formula whose saved result
is blank, a hidden sheet, a byte-order mark in a header, a header with a note in brackets and
a Strict Open XML workbook each made a good return unreadable. Expected values are written
out by hand, not computed by the code under test.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from scrutiny.contracts import (
    check,
    found_phrase,
    load_contracts,
    parameters_for,
    quotable,
    validation_frame,
)
from scrutiny.framework import load_framework
from scrutiny.returns import parse_file_name
from scrutiny.sources import (
    Submission,
    UnreadableFile,
    _choose_sheet,
    _formula_cells_without_result,
    header_name,
    normalise_header,
    read_table,
)
from tests.test_contracts import PARTNERSHIP, VALID, build, write_csv

# --- quoting a wrong value ---------------------------------------------------------------------

# what the audit found quoted back, by the rule of the column it was typed into
AUDIT_LEAKS = [("whole_number", "Jayden Smith 12"), ("whole_number", "Amelia W aged 7"),
               ("month", "Tyler Nowak Jan-26"), ("date", "Jayden Smith 1/2"),
               ("code_list", "TylerNowak")]
NAMES = ("jayden", "smith", "amelia", "tyler", "nowak")


def _phrase(rule: str, *values: str) -> str:
    frame = pd.DataFrame({"cell": list(values), "_row": list(range(2, 2 + len(values)))})
    return found_phrase(frame, "cell", range(2, 2 + len(values)), rule)


@pytest.mark.parametrize(("rule", "value"), AUDIT_LEAKS)
def test_a_name_beside_a_figure_or_typed_as_a_code_is_not_quoted(rule, value):
    phrase = _phrase(rule, value)
    assert phrase.startswith(" (found 1 value not shown here: ")
    assert not any(name in phrase.lower() for name in NAMES), phrase


@pytest.mark.parametrize(("rule", "value"), [
    ("whole_number", "-3"), ("whole_number", "1,234"), ("whole_number", "5.5"),
    ("whole_number", "12%"), ("whole_number", "+7"), ("whole_number", "1 234"),
    ("month", "2026-13"), ("month", "Jan-26"), ("month", "January 2026"),
    ("month", "1-Jan-26"), ("month", "Sept-25"), ("date", "2025-02-30"), ("date", "1/2"),
    ("date", "2026-01-09 10:30"),
    ("code_list", "E06000099"), ("code_list", "W06000015"),
])
def test_a_wrong_number_date_or_area_code_is_still_quoted(rule, value):
    assert quotable(value, rule)
    assert _phrase(rule, value) == f" (found '{value}')"


@pytest.mark.parametrize(("rule", "value"), [
    ("whole_number", "12 kids"), ("whole_number", "twelve"), ("whole_number", "12 (Jo)"),
    ("whole_number", "1234567890123"),  # 13 digits: no count, maybe a record number
    ("whole_number", "943 476 5919"),  # an NHS number (valid check digit)
    ("month", "May 12"),  # a first name and an age as much as a month
    ("month", "Jan-26 Tyler"), ("date", "Amy 2026-01-09"), ("date", "12/03/2014"),
    ("code_list", "child_protection_plans"), ("code_list", "TylerNowak"),
    ("code_list", "Tyler"), ("code_list", "e06000099"), ("code_list", "X12345678"),
])
def test_values_of_no_safe_shape_are_not_quoted(rule, value):
    assert not quotable(value, rule)
    assert value.lower() not in _phrase(rule, value).lower()


def test_quoted_and_hidden_values_are_told_apart():
    phrase = _phrase("whole_number", "-4", "Jayden Smith 12", "Amelia W aged 7")
    assert phrase == (" (found '-4'; 2 values not shown here: only values shaped like a "
                      "number are quoted)")


def test_names_from_the_audit_are_in_no_finding(tmp_path):
    """The audit's returns, read and checked as ingest does: no name in any finding."""
    contracts, framework = load_contracts(), load_framework()
    parameters = parameters_for(PARTNERSHIP, framework)
    checked_files = {}
    for return_type, changes in (
            ("indicators", {(2, "numerator"): "Jayden Smith 12",
                            (3, "numerator"): "Amelia W aged 7",
                            (4, "month"): "Tyler Nowak Jan-26", (5, "agency"): "TylerNowak"}),
            ("actions", {(2, "due"): "Jayden Smith 1/2"})):
        valid = VALID[return_type]
        header, rows = build(valid)
        for (row, column), value in changes.items():
            rows[row - 2][column] = value
        path = write_csv(tmp_path / valid.file_name("leak"), header, rows)
        submission = _submission(path.name, path.read_bytes())
        contract = contracts[return_type]
        table = read_table(submission, {column.name: column.type for column in contract.columns})
        frame = validation_frame(contract, submission.name, path.name, table.frame, framework)
        checked_files[return_type] = check(contract, {path.name: frame}, parameters)[path.name]
    findings = [finding for found in checked_files.values() for finding in found]
    rules = sorted((finding.rule, finding.columns) for finding in findings)
    for expected in (("code_list", ("agency",)), ("date", ("due",)), ("month", ("month",)),
                     ("whole_number", ("numerator",))):
        assert expected in rules
    words = " ".join(f"{f.message} {f.fix} {' '.join(f.columns)}" for f in findings).lower()
    assert not any(name in words for name in NAMES), words


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "name"), [
    ("\ufeffarea_code", "area_code"), ("\ufeff\ufeffarea_code", "area_code"),
    ("\u200bindicator_id", "indicator_id"), ("area\u00a0code", "area_code"),
    ("month\u00a0", "month"), ("numer\u00adator", "numerator"),
    ("deno\u2060minator", "denominator"), (" Area Code ", "area_code"),
])
def test_characters_that_show_nothing_are_not_part_of_a_header(header, name):
    assert normalise_header(header) == name


COLUMNS = ("area_code", "numerator", "denominator", "notified_date", "agency")


@pytest.mark.parametrize(("header", "name"), [
    ("Denominator (count)", "denominator"), ("Numerator [count]", "numerator"),
    ("Notified date (dd/mm/yyyy)", "notified_date"), ("(ONS) area code", "area_code"),
    ("Agency (see list)", "agency"),
    # the rest must be the column exactly
    ("Notes (count)", "notes_(count)"), ("Denominator total (count)", "denominator_total_(count)"),
    # a note that names or holds an identifier is not set aside
    ("notified_date (child's DOB)", "notified_date_(child's_dob)"),
    ("agency (call 07700 900123)", "agency_(call_07700_900123)"),
])
def test_a_note_in_brackets_is_set_aside_when_the_rest_names_a_column(header, name):
    assert header_name(header, COLUMNS) == name


# --- formulas --------------------------------------------------------------------------------

_SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          "<sheetData>{}</sheetData></worksheet>")


@pytest.mark.parametrize(("cells", "missing"), [
    ('<row r="2"><c r="E2" t="str"><f>IF(A2="","",A2)</f><v></v></c></row>', set()),
    ('<row r="2"><c r="E2" t="str"><f>IF(A2="","",A2)</f><v/></c></row>', set()),
    ('<row r="2"><c r="E2"><f>1+1</f><v>2</v></c></row>', set()),
    ('<row r="2"><c r="E2" t="b"><f>A2&gt;0</f><v>1</v></c></row>', set()),
    ('<row r="2"><c r="E2"><f>1+1</f><v/></c></row>', {(2, 5)}),  # as openpyxl leaves it
    ('<row r="2"><c r="E2"><f>1+1</f></c></row>', {(2, 5)}),
    ('<row r="3"><c r="A3"><v>1</v></c><c r="C3"><f>A3</f></c></row>', {(3, 3)}),
    ('<row r="7"><c><v>1</v></c><c><f>A7</f></c></row><row><c><f>A7</f></c></row>',
     {(7, 2), (8, 1)}),  # cells and rows without their references
])
def test_only_a_formula_without_a_saved_result_is_missing_its_value(cells, missing):
    assert _formula_cells_without_result(_SHEET.format(cells).encode()) == missing


def _submission(file_name: str, content: bytes) -> Submission:
    return Submission(Path(file_name), file_name, content, hashlib.sha256(content).hexdigest(),
                      parse_file_name(file_name))


def _rezip(content: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, change(entry.filename, source.read(entry.filename)))
    return out.getvalue()


INDICATORS = {"area_code": "code", "month": "month", "indicator_id": "code",
              "numerator": "integer", "denominator": "integer", "agency": "code"}
HEADER = list(INDICATORS)
ROWS = [["E06000024", "2026-01", "referrals", 98, None, "local_authority"],
        ["E06000024", "2026-01", "rereferrals", 17, 98, "local_authority"]]


def _workbook(*sheets: tuple[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    for index, (title, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_saved_blank_result_is_a_blank_cell_and_unread_formulas_are_ignored():
    rows = [[*ROWS[0][:4], '=IF(FALSE,0,"")', ROWS[0][5], "=D2>0"],
            [*ROWS[1][:4], '=IF(TRUE,98,"")', ROWS[1][5], "=D3>0"],
            [None, None, None, None, "=1+1"]]  # a formula on an empty row below the data
    content = _workbook(("indicators", [[*HEADER, "check"], *rows]))

    def as_excel_saves(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        data = data.replace(b"<v></v>", b"<v />")  # as openpyxl writes it where lxml is
        data = data.replace(b'<c r="E2"><f>IF(FALSE,0,"")</f><v /></c>',
                            b'<c r="E2" t="str"><f>IF(FALSE,0,"")</f><v></v></c>')
        return data.replace(b'<c r="E3"><f>IF(TRUE,98,"")</f><v /></c>',
                            b'<c r="E3"><f>IF(TRUE,98,"")</f><v>98</v></c>')

    table = read_table(_submission("indicators_E06000024_2025-26-Q4_f.xlsx",
                                   _rezip(content, as_excel_saves)), INDICATORS)
    assert [finding.rule for finding in table.findings] == []
    assert table.frame["denominator"].tolist() == [None, "98"]
    assert list(table.frame.index) == [2, 3]


def test_a_formula_without_a_result_in_a_column_read_is_still_refused():
    rows = [ROWS[0], [*ROWS[1][:4], "=90+8", ROWS[1][5]]]
    table = read_table(_submission("indicators_E06000024_2025-26-Q4_f.xlsx",
                                   _workbook(("indicators", [HEADER, *rows]))), INDICATORS)
    (finding,) = table.findings
    assert (finding.rule, finding.columns, finding.row_numbers) == ("formula", ("denominator",),
                                                                   (3,))


# --- sheets ------------------------------------------------------------------------------------

_RETURN = [HEADER, *ROWS]
_HEADER_ONLY = [HEADER]
_LISTS = [["area_code", "indicator_id", "agency"], ["E06000022", "cpp", "police"]]


@pytest.mark.parametrize(("sheets", "hidden", "chosen"), [
    ({"Return": _RETURN, "Template": _HEADER_ONLY}, {"Template"}, "Return"),
    ({"Template": _HEADER_ONLY, "Return": _RETURN}, {"Template"}, "Return"),
    ({"Return": _RETURN, "Lists": _LISTS}, {"Lists"}, "Return"),
    ({"Lists": _LISTS, "Return": _RETURN}, {"Lists"}, "Return"),
    ({"Old": _RETURN, "Return": _RETURN}, {"Old"}, "Return"),  # a hidden earlier quarter
    ({"Template": _HEADER_ONLY, "Return": _RETURN}, set(), "Return"),  # data over a header
    ({"Blank": _HEADER_ONLY, "Data": _RETURN}, {"Data"}, "Data"),  # data wherever it is
    ({"First": _HEADER_ONLY, "Second": _HEADER_ONLY}, set(), "First"),  # a nil return
])
def test_the_return_is_the_visible_sheet_with_data(sheets, hidden, chosen):
    assert _choose_sheet(sheets, INDICATORS, hidden) == chosen


@pytest.mark.parametrize(("hidden", "says"), [(set(), "2 sheets"),
                                              ({"January", "February"}, "2 hidden sheets")])
def test_two_sheets_of_data_under_the_header_are_refused(hidden, says):
    with pytest.raises(UnreadableFile) as refused:
        _choose_sheet({"January": _RETURN, "February": _RETURN, "Notes": [["x"]]}, INDICATORS,
                      hidden)
    message = str(refused.value)
    assert message.startswith(f"{says} hold the return's header row with data below it "
                              "(January, February)")
    assert "delete the other sheets" in message


def test_a_hidden_lists_sheet_is_read_from_a_real_workbook():
    content = _workbook(("Return", _RETURN), ("Lists", _LISTS), hidden=("Lists",))
    table = read_table(_submission("indicators_E06000024_2025-26-Q4_l.xlsx", content),
                       INDICATORS)
    assert table.findings == []
    assert table.frame["indicator_id"].tolist() == ["referrals", "rereferrals"]


# --- Strict Open XML -------------------------------------------------------------------------


def test_a_strict_open_xml_workbook_is_refused_with_how_to_save_it():
    def strict(_name: str, data: bytes) -> bytes:
        return (data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                             b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                         b"http://purl.oclc.org/ooxml/officeDocument/relationships"))

    content = _rezip(_workbook(("indicators", _RETURN)), strict)
    with pytest.raises(UnreadableFile) as refused:
        read_table(_submission("indicators_E06000024_2025-26-Q4_s.xlsx", content), INDICATORS)
    assert "Strict Open XML" in str(refused.value)
    assert "'Excel Workbook (.xlsx)'" in str(refused.value)
