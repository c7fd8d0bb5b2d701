"""The XLSX data packs (scrutiny.datapack): accessible workbooks in the GSS style (cover,
contents and notes first, one table per sheet with its title in A1, no blank cells), whose figures
are those of the run's data/indicators.csv (read here from the CSV the run wrote, not from the
code that wrote it), written as numbers, with hidden figures as [c], [x] and [z], and with text
from a return never becoming a formula or a link."""

from __future__ import annotations

import dataclasses
import os
import re
import time
import warnings

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import range_boundaries

from scrutiny import datapack
from scrutiny.cycle import PARTNERSHIP_CODE, load_cycle
from scrutiny.report.common import CycleFigures
from scrutiny.report.quality import QualityReport

PERIOD = "2025-26-Q4"
AREAS = ["E06000022", "E06000023", "E06000024", "E06000025", "E06000066"]
FIRST_SHEETS = ["Cover", "Contents", "Notes"]
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HOSTILE_FILE = '=HYPERLINK("http://evil.example/","click me")'
HOSTILE = {
    "rule": "=cmd|' /C calc'!A0",
    "column": "@SUM(A1:A9)",
    "message": "-2+3 and [click](http://evil.example/)",
    "fix": "+1 then see $$shorthand$$",
    "not_read": "=1+1.csv",
    "symbols": "%%%",
}
# indicators.csv columns as the figure sheets head them
FIGURES = {"Numerator": "numerator", "Denominator": "denominator", "Value": "value",
           "95% CI lower": "ci_lower", "95% CI upper": "ci_upper"}
COMPARATORS = {"Partnership value": "partnership", "Region value": "region",
               "Statistical neighbours median": "neighbour_median", "England value": "england"}
AGAINST = {"Against partnership": "partnership", "Against region": "region",
           "Against statistical neighbours": "neighbour_median", "Against England": "england"}


def _expected(text: str, blank: str = "[z]") -> object:
    """A figure of indicators.csv as the pack must show it: a number, or its symbol in square
    brackets; an empty cell as the shorthand for why it is empty."""
    if text == "":
        return blank
    try:
        return float(text)
    except ValueError:
        return f"[{text}]"


def _same(cell: object, expected: object) -> bool:
    if isinstance(expected, float):  # a number, written as one
        return isinstance(cell, int | float) and not isinstance(cell, bool) and cell == expected
    return cell == expected


def _headline(framework, indicator_id: str) -> str:
    return "quarter" if framework.indicator(indicator_id).aggregation == "stock" else "year"


def _table(sheet) -> tuple[list[str], list[tuple]]:
    """The one table of a sheet: its headings (first line, without the unit) and rows."""
    (table,) = sheet.tables.values()
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    rows = list(sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                max_col=max_col, values_only=True))
    return [str(heading).split("\n")[0] for heading in rows[0]], rows[1:]


def _records(sheet) -> list[dict]:
    headings, rows = _table(sheet)
    return [dict(zip(headings, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def figures(cycle_outputs) -> CycleFigures:
    figures = CycleFigures(load_cycle(cycle_outputs["store"], PERIOD))
    figures.judgements.table  # noqa: B018 - built once for the module (about 3 s)
    return figures


@pytest.fixture(scope="module")
def csv(cycle_outputs) -> pd.DataFrame:
    return pd.read_csv(cycle_outputs["out_dir"] / PERIOD / "data" / "indicators.csv", dtype=str,
                       keep_default_na=False)


@pytest.fixture(scope="module")
def packs(figures, tmp_path_factory) -> dict:
    """Every pack of the demo, built with warnings as errors (none may reach the run log)."""
    folder = tmp_path_factory.mktemp("datapacks")
    judgements = figures.judgements
    built, seconds = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for code in [*AREAS, PARTNERSHIP_CODE]:
            start = time.perf_counter()
            built[code] = datapack.area_pack(judgements, code, folder / f"area-{code}.xlsx")
            seconds[code] = time.perf_counter() - start
        start = time.perf_counter()
        built["regional"] = datapack.regional_pack(judgements, folder / "regional.xlsx")
        seconds["regional"] = time.perf_counter() - start
        start = time.perf_counter()
        built["quality"] = datapack.quality_pack(QualityReport(figures), folder / "quality.xlsx")
        seconds["quality"] = time.perf_counter() - start
    print("data pack seconds:", {name: round(s, 2) for name, s in seconds.items()})
    return {name: openpyxl.load_workbook(path) for name, path in built.items()} | {
        "paths": built}


def _workbooks(packs) -> dict:
    return {name: book for name, book in packs.items() if name != "paths"}


def test_every_pack_opens_with_cover_contents_and_notes_and_names_its_sheets_validly(packs):
    for name, book in _workbooks(packs).items():
        assert book.sheetnames[:3] == FIRST_SHEETS, name
        assert len(book.sheetnames) > 4, name
        lowered = [sheet.lower() for sheet in book.sheetnames]
        assert len(set(lowered)) == len(lowered), name
        for sheet in book.sheetnames:
            assert 0 < len(sheet) <= 31 and not FORBIDDEN.search(sheet), (name, sheet)
            assert not sheet.startswith("'") and not sheet.endswith("'")
    assert packs["E06000023"].sheetnames[3:] == [
        "Step_1", "Step_2", "Step_3", "Step_4", "Step_5", "Step_6", "Published_statistics",
        "Definitions"]
    assert packs["regional"].sheetnames[-3:] == ["All_judgements", "Areas", "Definitions"]
    assert packs["quality"].sheetnames[3:] == ["Summary", "Returns_received", "Return_status",
                                               "Rejected_returns", "Warnings",
                                               "Files_not_read"]


def test_every_table_sheet_has_one_table_titled_in_a1_with_a_header_and_no_blank_cell(packs):
    for name, book in _workbooks(packs).items():
        names = set()
        contents = _records(book["Contents"])
        assert [row["Sheet name"] for row in contents] == book.sheetnames[3:], name
        for sheet in book.worksheets:
            assert not sheet.merged_cells.ranges, (name, sheet.title)
            if sheet.title == "Cover":
                assert not sheet.tables
                continue
            assert len(sheet.tables) == 1, (name, sheet.title)
            (table,) = sheet.tables.values()
            names.add(table.name)
            title = sheet["A1"].value
            assert isinstance(title, str) and title.strip(), (name, sheet.title)
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            assert min_col == 1 and min_row > 2 and max_row > min_row, (name, sheet.title)
            assert max_col == sheet.max_column and max_row == sheet.max_row
            headings, rows = _table(sheet)
            assert all(heading.strip() for heading in headings), (name, sheet.title)
            assert len(set(headings)) == len(headings)
            for row in rows:  # no blank row, and no blank cell: a reason in shorthand instead
                assert all(value is not None and str(value).strip() for value in row), (
                    name, sheet.title, row)
            if sheet.title not in ("Contents", "Notes"):
                assert [t for t in (sheet.cell(r, 1).value for r in range(2, min_row))
                        if t and t.startswith("Source: ")], (name, sheet.title)
        assert len(names) == len(book.worksheets) - 1, name  # table names unique


def test_the_cover_says_what_the_pack_is_where_it_comes_from_and_how_figures_are_hidden(
        packs, figures):
    cycle = figures.cycle
    for name in ("E06000023", "regional", "quality"):
        text = "\n".join(str(cell.value) for cell in packs[name]["Cover"]["A"] if cell.value)
        assert packs[name]["Cover"]["A1"].value.startswith(f"{cycle.partnership.name}: ")
        assert packs[name]["Cover"]["A1"].value.endswith(f", {PERIOD}")
        assert "Synthetic demonstration data: every figure is generated" in text
        assert "Returns to the partnership, checked against their data contracts" in text
        assert "1 January 2026 to 31 March 2026" in text
        assert "[x] not available" in text and "[z] not applicable" in text
        if name != "quality":
            assert "DfE published statistics, Open Government Licence" in text
            assert "[c] confidential" in text
            assert (f"fewer than {cycle.framework.disclosure_threshold} (but some) children"
                    in text)
    assert "Bristol, City of" in packs["E06000023"]["Cover"]["A1"].value


def test_notes_are_numbered_as_the_tables_refer_to_them_and_explain_the_shorthand(packs):
    for name, book in _workbooks(packs).items():
        notes = _records(book["Notes"])
        assert [row["Note number"] for row in notes] == list(range(1, len(notes) + 1))
        referred = set()
        for sheet in book.worksheets[3:]:
            instructions = sheet["A2"].value
            referred |= {int(n) for n in re.findall(r"\[note (\d+)\]", instructions)}
        assert referred == {row["Note number"] for row in notes}, name
        text = " ".join(row["Note text"] for row in notes)
        assert "[x] not available" in text and "[z] not applicable" in text
        assert "$$" not in text


@pytest.mark.parametrize("code", AREAS)
def test_every_figure_of_an_area_pack_is_its_row_of_indicators_csv(packs, csv, figures, code):
    framework = figures.cycle.framework
    book = packs[code]
    seen = []
    suppressed = 0
    for sheet in book.sheetnames[3:]:
        if sheet == "Definitions":
            continue
        for row in _records(book[sheet]):
            indicator_id, window = row["Indicator ID"], row["Window"]
            if sheet == "Published_statistics":
                assert window == "published"
            else:
                assert window == _headline(framework, indicator_id)
                assert framework.indicator(indicator_id).step == framework.steps[
                    int(sheet.split("_")[1]) - 1].id
            seen.append(indicator_id)
            rows = csv[(csv["area_code"] == code) & (csv["indicator_id"] == indicator_id)
                       & (csv["window"] == window)]
            first = rows.iloc[0]
            for heading, column in FIGURES.items():
                assert _same(row[heading], _expected(first[column])), (sheet, heading, row)
            suppressed += first["value"] == "c"
            against = rows.set_index("comparator")
            for heading, comparator in COMPARATORS.items():
                if heading in row:
                    wanted = (_expected(against.loc[comparator, "comparator_value"])
                              if comparator in against.index else "[z]")
                    assert _same(row[heading], wanted), (sheet, heading, row)
            for heading, comparator in AGAINST.items():
                if heading in row:
                    if comparator not in against.index:
                        assert row[heading] == "[z]"
                        continue
                    mine = against.loc[comparator]
                    assert row[heading] == (mine["judgement"] if mine["judgement"] in
                                            ("better", "worse", "similar")
                                            else mine["comparison"]), (sheet, heading, row)
            if "Band in England" in row:
                assert row["Band in England"] == (first["quartile_band"] or "[z]")
                assert _same(row["Rank in England"], _expected(first["rank"]))
    assert sorted(seen) == sorted([ind.id for ind in framework.indicators]
                                  + list(figures.judgements.published_statistics))
    if code == "E06000022":  # the demo suppresses small numbers: they are [c], not numbers
        assert suppressed


def test_a_suppressed_figure_is_shown_as_c_and_never_as_a_number(packs, csv):
    hidden = csv[(csv["value"] == "c") & (csv["window"] != "published")]
    assert len(hidden)
    found = 0
    for code in AREAS:
        for sheet in packs[code].worksheets[3:]:
            for row in _records(sheet) if sheet.title.startswith("Step_") else []:
                mine = hidden[(hidden["area_code"] == code)
                              & (hidden["indicator_id"] == row["Indicator ID"])
                              & (hidden["window"] == row["Window"])]
                if len(mine):
                    found += 1
                    assert [row[h] for h in FIGURES] == ["[c]"] * 5
    assert found


def test_regional_pack_sets_the_areas_side_by_side_and_lists_every_row_of_indicators_csv(
        packs, csv, figures):
    cycle = figures.cycle
    book = packs["regional"]
    codes = {cycle.area_name(code): code for code in cycle.area_codes} | {
        "Partnership": PARTNERSHIP_CODE}
    headline = csv.drop_duplicates(["area_code", "indicator_id", "window"]).set_index(
        ["area_code", "indicator_id", "window"])
    for sheet in book.sheetnames[3:]:
        if not (sheet.startswith("Step_") or sheet == "Published_statistics"):
            continue
        records = _records(book[sheet])
        assert records
        for row in records:
            for name, code in codes.items():
                key = (code, row["Indicator ID"], row["Window"])
                wanted = _expected(headline.loc[key, "value"]) if key in headline.index \
                    else "[x]"
                assert _same(row[name], wanted), (sheet, name, row)

    headings, rows = _table(book["All_judgements"])
    assert len(rows) == len(csv)
    long = pd.DataFrame(rows, columns=headings)
    columns = {"Area code": "area_code", "Indicator ID": "indicator_id", "Period": "period",
               "Window": "window", "Comparator": "comparator", "Comparison": "comparison",
               "Judgement": "judgement", "Band in England": "quartile_band"}
    for heading, column in columns.items():
        assert list(long[heading]) == [value or "[z]" for value in csv[column]], heading
    for heading, column in {**FIGURES, "Comparator value": "comparator_value",
                            "Rank in England": "rank"}.items():
        for cell, text in zip(long[heading], csv[column], strict=True):
            assert _same(cell, _expected(text)), (heading, cell, text)
    assert list(long["Trend"]) == [value or "[x]" for value in csv["trend"]]
    for heading, column in {"Monthly variation": "spc_variation",
                            "Assurance": "spc_assurance"}.items():
        for cell, text in zip(long[heading], csv[column], strict=True):
            assert cell == text if text else cell in ("[x]", "[z]")


def test_shown_figures_are_numbers_with_the_decimals_the_reports_show(packs, csv):
    sheet = packs["regional"]["All_judgements"]
    (table,) = sheet.tables.values()
    _, min_row, _, _ = range_boundaries(table.ref)
    headings = [str(cell.value).split("\n")[0] for cell in sheet[min_row]]
    value = headings.index("Value") + 1
    for offset, text in enumerate(csv["value"]):
        cell = sheet.cell(min_row + 1 + offset, value)
        if text in ("c", "x", "z", "") or not text[0].isdigit():
            assert cell.data_type == "s"
            continue
        assert cell.data_type == "n"
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert cell.number_format == "#,##0" + ("." + "0" * decimals if decimals else "")


def test_the_quality_pack_lists_the_returns_received_and_the_rejected_returns_findings(
        packs, figures):
    book = packs["quality"]
    report = QualityReport(figures)
    received = _records(book["Returns_received"])
    files = report.period_files()
    assert sorted(row["File"] for row in received) == sorted(files["file_name"])
    assert {row["Status"] for row in received} == set(files["status"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", row["sha256"]) for row in received)
    rejected = _records(book["Rejected_returns"])
    findings = report.rejected_findings()
    assert len(rejected) == len(findings) > 0
    assert {row["Rule"] for row in rejected} == set(findings["Rule"])
    assert all(isinstance(row["Rows"], int) or row["Rows"] == "[z]" for row in rejected)
    status = _records(book["Return_status"])
    assert any("rejected" in row.values() for row in status)


def _hostile_cycle(figures):
    cycle = figures.cycle
    received = cycle.received
    rejected = received[received["status"] == "rejected"].iloc[[0]].copy()
    rejected["file_name"] = HOSTILE_FILE
    rejected["sha256"] = "f" * 64
    finding = cycle.findings.iloc[0].to_dict() | {
        "sha256": "f" * 64, "file_name": HOSTILE_FILE, "severity": "error",
        "rule": HOSTILE["rule"], "columns": [HOSTILE["column"], HOSTILE["symbols"]],
        "message": HOSTILE["message"], "fix": HOSTILE["fix"]}
    not_read = pd.DataFrame({"path": [HOSTILE["not_read"]], "reason": [HOSTILE["symbols"]],
                             "expected": [""]})
    return dataclasses.replace(
        cycle, received=pd.concat([received, rejected], ignore_index=True),
        findings=pd.concat([cycle.findings, pd.DataFrame([finding])], ignore_index=True),
        not_read=not_read)


def test_text_from_a_return_never_becomes_a_formula_a_link_or_a_note(figures, tmp_path):
    cycle = _hostile_cycle(figures)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = datapack.quality_pack(cycle, tmp_path / "quality.xlsx")
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if sheet.title != "Contents":
                    assert cell.hyperlink is None, (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert "'" + HOSTILE_FILE in texts
    assert "'" + HOSTILE["rule"] in texts
    assert "'" + HOSTILE["not_read"] in texts
    assert f"'{HOSTILE['column']}, {HOSTILE['symbols']}" in texts
    assert "'-2+3 and [click] (http://evil.example/)" in texts
    assert "'+1 then see $ $shorthand$ $" in texts
    assert f"{HOSTILE['symbols']} (no letters or digits)" in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)
    notes = _records(book["Notes"])
    assert len(notes) == len(_records(openpyxl.load_workbook(
        datapack.quality_pack(figures, tmp_path / "plain.xlsx"))["Notes"]))


def test_a_pack_is_written_whole_with_the_mode_of_a_plain_file(packs, figures, tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    for path in packs["paths"].values():
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
        assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    path = tmp_path / "again.xlsx"
    path.write_bytes(b"an older pack")
    datapack.quality_pack(QualityReport(figures), path)
    assert path.read_bytes()[:2] == b"PK"  # replaced whole by the new workbook
    assert [p.name for p in tmp_path.iterdir()] == ["again.xlsx"]


def test_sheet_names_are_made_valid_and_unique():
    names = datapack._sheet_names(["Step: 1/2", "step: 1/2", "x" * 40, "x" * 40, "'quoted'",
                                   "[]", "Notes"], taken=("Cover", "Contents", "Notes"))
    assert names[:2] == ["Step 12", "step 12_2"]
    assert all(len(name) <= 31 and not FORBIDDEN.search(name) and "'" not in name
               for name in names)
    assert len({name.lower() for name in names}) == len(names)
    assert "Notes" not in names
