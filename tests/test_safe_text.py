"""Text from returns is safe wherever the tool writes it: pages, CSV and XLSX files."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from scrutiny.present import Section, table_html
from scrutiny.spreadsheets import neutralise, neutralised

HOSTILE = "<script>alert('x')</script>\x00\x07 bell\u202e gnp.exe"


def test_free_text_is_escaped_and_control_characters_never_reach_a_page():
    page = (Section("Voice <b>").paragraph(HOSTILE).bullets([HOSTILE]).note(HOSTILE)
            .table(pd.DataFrame({"What we heard": [HOSTILE], "\x00col": [1]}), HOSTILE)
            ._repr_html_())
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>" not in page
    for character in ("\x00", "\x07", "\u202e"):
        assert character not in page
    assert "bell" in page and "gnp.exe" in page  # the words themselves are kept


def test_a_table_cell_keeps_its_text_without_control_characters():
    html = table_html(pd.DataFrame({"a": ["one\x0btwo", 3]}))
    assert "onetwo" in html and "\x0b" not in html


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"),
    ("-3", "-3"),  # a plain number stays a number
    ("+4.5", "+4.5"),
    ("-1e3", "-1e3"),
    ("Bristol", "Bristol"),
    ("", ""),
])
def test_spreadsheet_formulas_are_neutralised(value, written):
    assert neutralise(value) == written


def test_non_text_values_are_left_alone():
    frame = neutralised(pd.DataFrame({"n": [-3, 4], "t": ["=1+1", "ok"], "=h": ["a", "b"]}))
    assert list(frame["n"]) == [-3, 4]
    assert list(frame["t"]) == ["'=1+1", "ok"]
    assert list(frame.columns) == ["n", "t", "'=h"]


def test_the_national_export_neutralises_text(tmp_path):
    from scrutiny.national.export import LONG_COLUMNS, write_long_table

    row = {column: None for column in LONG_COLUMNS}
    row |= {"indicator_id": "cla_rate", "time_period": 2025, "geographic_level": "Local authority",
            "area_code": "E06000022", "area_name": "=cmd()", "value": -3.0,
            "numerator": None, "denominator": None, "suppression": ""}
    out = tmp_path / "national.csv"
    write_long_table(pd.DataFrame([row]), out)
    (written,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert written["area_name"] == "'=cmd()" and written["value"] == "-3"


def test_templates_guidance_has_no_formula_cells(tmp_path):
    from scrutiny.return_templates import write_templates

    written = write_templates(tmp_path)
    for path in written:
        if path.suffix != ".xlsx":
            continue
        book = load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    assert not (isinstance(cell, str) and cell.startswith(("=", "+", "@")))
