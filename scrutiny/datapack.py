"""Accessible XLSX data packs: each report's figures as a workbook a spreadsheet user can use.

This module owns the ``.xlsx`` data packs of a quarterly run, written with gptables in the style
of UK official statistics (the GSS guidance on releasing statistics in spreadsheets): a cover
sheet, a contents sheet and a notes sheet, then one table per sheet, each with a title, a line
saying how to read it, a source line and column headings that say their unit. No merged cells,
no blank rows or cells inside a table, no meaning carried by colour alone.

- :func:`area_pack`: one area's indicators, a sheet per step of the framework, its published
  statistics, and the indicator definitions;
- :func:`regional_pack`: every area and the partnership side by side, a sheet per step, and
  the long table of every judgement (the rows of ``data/indicators.csv``);
- :func:`quality_pack`: the returns received for the period and their status, and the rules
  the rejected returns broke.

It computes, rounds and suppresses nothing itself: the figures are those of
``data/indicators.csv`` (:func:`scrutiny.report.data.indicators_table`), rounded as the reports
show them, and a hidden figure keeps its symbol in square brackets, as the GSS guidance on
symbols asks: ``[c]`` confidential (a small number suppressed), ``[x]`` not available, ``[z]``
not applicable, and DfE's own symbols (``[low]``, ``[u]``...) as DfE publishes them. A figure
that is shown is written as a number, so that a spreadsheet user can compute with it.

Text that came from a return (file names, column names, the findings) is neutralised against
formula injection (:mod:`scrutiny.spreadsheets`), and the workbook is written with xlsxwriter's
``strings_to_formulas`` and ``strings_to_urls`` off, so no text becomes a formula or a link.
gptables' own markup in text (``$$note$$`` references, ``[text](url)`` links) is broken up in
every text cell, so a return cannot add a note or a link. A workbook is written whole or not at
all (a temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import gptables as gpt
import pandas as pd

from scrutiny.cycle import PARTNERSHIP_CODE, Cycle
from scrutiny.judgements import (
    ENGLAND,
    NEIGHBOURS,
    PARTNERSHIP,
    PUBLISHED,
    REGION,
    Judgements,
)
from scrutiny.national.indicators import BY_ID as PUBLISHED_DEFINITIONS
from scrutiny.render import write_bytes_atomically
from scrutiny.report.common import CycleFigures, window_text
from scrutiny.report.data import definitions_table, indicators_table
from scrutiny.report.quality import QualityReport
from scrutiny.spreadsheets import neutralise, neutralised

SOURCE = ("Returns to the partnership, checked against their data contracts; DfE published "
          "statistics, Open Government Licence.")
RETURNS_SOURCE = "Returns to the partnership, checked against their data contracts."
SYNTHETIC_NOTICE = (
    "Synthetic demonstration data: every figure is generated for a demonstration partnership. "
    "The area names and codes are real, but the figures are made up and say nothing about "
    "those areas.")

# The official shorthand for a figure that is not shown (GSS symbols in tables).
X, Z = "[x]", "[z]"
SHORTHAND = {
    "c": "[c] confidential: a small number, suppressed so that no child or family can be "
         "identified (or a figure that would reveal one).",
    "x": "[x] not available: a month or a return in the window was missing or rejected, or "
         "the figure was not published.",
    "z": "[z] not applicable: there is nothing to measure, or the column does not apply to "
         "the row (for example no comparator for the partnership itself).",
}
DFE_SHORTHAND = {
    "low": "[low] (DfE): the figure rounds to 0 but is not 0.",
    "u": "[u] (DfE): low reliability.",
}
SHORTHAND_LEGEND = ("Shorthand: [c] confidential (a small number, suppressed); [x] not "
                    "available; [z] not applicable.")
# the data-quality pack counts files and rows, not children: nothing in it is suppressed
RETURNS_SHORTHAND = {
    "x": "[x] not available: not recorded for this file (for example the rows of a file that "
         "could not be read).",
    "z": "[z] not applicable: the rule concerns the whole file, or the file has no area or "
         "period, or there is nothing to list.",
}
RETURNS_LEGEND = "Shorthand: [x] not available; [z] not applicable."

UNIT_WORDS = {"count": "number", "percent": "percentage",
              "rate_per_10k": "rate per 10,000 children aged 0 to 17"}
JUDGED = ("better", "worse", "similar")
MIXED_UNITS = "see Unit column"

# xlsxwriter: never turn text into a formula or a link; build the file in memory
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "in_memory": True}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
_NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?$")
_ALPHANUMERIC = re.compile(r"[a-zA-Z0-9]")


# --- notes shared by the packs ----------------------------------------------------------------

def _notes(threshold: int, synthetic: bool) -> dict[str, str]:
    """Every note a pack may reference, by key (a table lists the keys it needs)."""
    notes = {
        "shorthand": " ".join(SHORTHAND.values()),
        "returns_shorthand": " ".join(RETURNS_SHORTHAND.values()),
        "dfe_symbols": " ".join(DFE_SHORTHAND.values()) + " Any other symbol in square "
                       "brackets is DfE's own, as DfE publishes it: see the DfE publication.",
        "suppression": (
            f"Disclosure control: a figure built on fewer than {threshold} (but some) children "
            "or events is shown as [c], and another figure is hidden where a total would "
            "reveal one. Hidden figures are never compared or judged."),
        "rounding": (
            "Figures are rounded as the reports show them: counts to whole numbers, rates and "
            "percentages to one decimal place. They are written as numbers, so a total or a "
            "difference can be computed from them, but unrounded figures may differ slightly."),
        "windows": (
            "Flows (for example referrals) are judged over the 12 months to the end of the "
            "quarter (window year), positions (for example children on a plan) at the end of "
            "the quarter (window quarter). Rates are per 10,000 children aged 0 to 17; a "
            "quarter's rate covers those three months, not a year. Published: DfE's latest "
            "published year, to 31 March."),
        "intervals": (
            "95% confidence intervals: Wilson score intervals for percentages, exact Poisson "
            "intervals for counts and rates."),
        "judgements": (
            "Against a comparator: higher or lower where the figure's 95% confidence interval "
            "excludes the comparator's figure (against another area, where the two intervals "
            "do not overlap), similar otherwise; better or worse instead of higher or lower "
            "where the indicator has a better direction. Not compared: a figure is hidden or "
            "missing, or the figures are counts. Region, statistical neighbours (their median) "
            "and England: DfE's latest published figure for the matching statistic."),
        "ranks": (
            "Band and rank in England: the area's latest published figure among all English "
            "local authorities, as DfE's LAIT: band A is the best quarter (the highest where "
            "neither direction is better), rank 1 the best."),
        "trends": (
            "Trends: rising or falling where each figure (quarter by quarter over the last 4 "
            "quarters, or year by year at this quarter over the last 3 years, or the last 3 "
            "published years) is higher or lower than the one before and the latest interval "
            "excludes the first; otherwise no clear direction. [x] where a figure of the "
            "series is hidden or missing."),
        "spc": (
            "Monthly variation and assurance: the monthly control chart (XmR, NHS 'Making Data "
            "Count'); assurance against the catalogue's target. [x] where a monthly figure is "
            "small or there are fewer than 12 months; [z] where the indicator is not monthly."),
        "file_rows": (
            "Rows: the number of rows of the file that broke the rule, counted as spreadsheet "
            "rows (the header is row 1); [z] where the rule concerns the whole file."),
        "text": (
            "Text from a return (file names, column names, values) is shown as it was sent, "
            "except that text a spreadsheet would read as a formula starts with an apostrophe, "
            "and two dollar signs in a row, or a closing square bracket followed by an "
            "opening round one, are split by a space (so they are not read as a note "
            "reference or a link)."),
        "sha256": (
            "sha256: the fingerprint of the file's bytes. Each accepted row in the store "
            "records the sha256 of the file it came from, so every figure can be traced to a "
            "received file."),
    }
    if synthetic:
        notes["synthetic"] = SYNTHETIC_NOTICE
    return notes


# --- cells ------------------------------------------------------------------------------------

def _figure(text: str, blank: str = Z) -> object:
    """A figure of indicators.csv as a cell: a number where it is shown, else its symbol in
    square brackets (a published statistic keeps DfE's own symbol)."""
    text = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    if text == "":
        return blank
    match = _NUMBER.match(text)
    if match:
        return float(text) if match.group(1) is not None else int(text)
    return f"[{text}]"


def _number_format(text: object) -> str | None:
    """The cell format that shows a figure as indicators.csv rounds it."""
    match = _NUMBER.match(str(text))
    if not match:
        return None
    decimals = len(match.group(1) or "")
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _markup_safe(value: object) -> object:
    """Text that gptables cannot read as a note reference or a link, and that is not empty of
    letters and digits (gptables refuses a cell of symbols only)."""
    if not isinstance(value, str):
        return value
    value = re.sub(r"\$(?=\$)", "$ ", value).replace("](", "] (")
    if not _ALPHANUMERIC.search(value):
        value = f"{value} (no letters or digits)"
    return value


def _sheet_names(wanted: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, unique Excel sheet names (at most 31 characters, none of []:*?/\\ or ')."""
    used = {name.lower() for name in taken}
    names = []
    for name in wanted:
        base = _SHEET_FORBIDDEN.sub("", name).strip()[:31] or "Sheet"
        candidate, n = base, 2
        while candidate.lower() in used or candidate.lower() == "history":
            suffix = f"_{n}"
            candidate, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(candidate.lower())
        names.append(candidate)
    return names


def _table_name(sheet: str) -> str:
    """A valid Excel table name for a sheet's table (letters, digits and underscores)."""
    name = re.sub(r"\W", "_", sheet, flags=re.ASCII).strip("_").lower() or "table"
    return f"{name}_table" if name[0].isalpha() else f"t_{name}_table"


@dataclass
class _Sheet:
    """One sheet's table: the frame (text in text columns, indicators.csv figures as text in
    ``figures`` columns) and what gptables needs to say about it."""

    label: str
    frame: pd.DataFrame
    title: str
    instructions: str
    source: str
    notes: Sequence[str] = ()
    figures: Sequence[str] = ()  # columns of figures as indicators.csv writes them
    blanks: dict[str, str] = field(default_factory=dict)  # shorthand for an empty cell
    units: dict[str, str] = field(default_factory=dict)
    legend: Sequence[str] = (SHORTHAND_LEGEND,)
    drop_inapplicable: int | None = None  # drop columns all [z] after the first n
    widths: list[float] = field(default_factory=list, init=False)  # set by gptable()

    def cells(self) -> tuple[pd.DataFrame, dict[tuple[int, int], str]]:
        """The frame as written (figures as numbers or shorthand, no empty cell, text made
        safe) and the number format of each figure, by (row, column)."""
        frame = self.frame.reset_index(drop=True).astype(object)
        texts = {}
        for column in frame.columns:
            blank = self.blanks.get(column, Z)
            if column in self.figures:
                texts[column] = list(frame[column])
                frame[column] = [_figure(text, blank) for text in texts[column]]
            else:
                frame[column] = [blank if _empty(value) else value for value in frame[column]]
        if self.drop_inapplicable is not None:
            n = self.drop_inapplicable
            frame = frame[list(frame.columns[:n]) + [
                column for column in frame.columns[n:] if not (frame[column] == Z).all()]]
        formats = {}
        for col, column in enumerate(frame.columns):
            for row, text in enumerate(texts.get(column, ())):
                fmt = _number_format(text)
                if fmt:
                    formats[row, col] = fmt
        frame = neutralised(frame).map(_markup_safe)
        frame.columns = [str(_markup_safe(column)) for column in frame.columns]
        return frame, formats

    def gptable(self, table_name: str) -> gpt.GPTable:
        frame, formats = self.cells()
        units = {column: unit for column, unit in self.units.items() if column in frame.columns}
        self.widths = _widths(frame, units)
        references = "".join(f"$${key}$$" for key in self.notes)
        instructions = self.instructions + (" Notes: " + references if references else "")
        return gpt.GPTable(
            table=frame, table_name=table_name, title=_cover_text(self.title),
            instructions=instructions, source=f"Source: {self.source}",
            legend=list(self.legend), units=units or None, index_columns={2: 0},
            additional_formatting=_compressed(formats))


def _empty(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


def _compressed(formats: dict[tuple[int, int], str]) -> list[dict]:
    """gptables formatting that gives each figure its number format in few entries: a format
    for each row (the one most of its figures need), then one for each column whose figures
    nearly all need the same (numerators, denominators), then the cells left over. (An entry
    per cell is slow on the long table.)"""
    columns: dict[int, Counter] = {}
    for (_, col), fmt in formats.items():
        columns.setdefault(col, Counter())[fmt] += 1
    fixed = {}
    for col, counts in columns.items():
        fmt, n = counts.most_common(1)[0]
        if n >= 0.9 * sum(counts.values()):
            fixed[col] = fmt
    rows: dict[int, Counter] = {}
    for (row, col), fmt in formats.items():
        if col not in fixed:
            rows.setdefault(row, Counter())[fmt] += 1
    row_format = {row: counts.most_common(1)[0][0] for row, counts in rows.items()}
    by_format: dict[str, list[int]] = {}
    for row, fmt in row_format.items():
        by_format.setdefault(fmt, []).append(row + 1)  # row 0 of gptables' formats: headings
    entries: list[dict] = [
        {"row": {"rows": rows_, "format": {"num_format": fmt}, "include_names": False}}
        for fmt, rows_ in by_format.items()]
    entries += [{"column": {"columns": [col], "format": {"num_format": fmt},
                            "include_names": False}} for col, fmt in fixed.items()]
    entries += [{"cell": {"cells": (row + 1, col), "format": {"num_format": fmt}}}
                for (row, col), fmt in formats.items()
                if fixed.get(col, row_format.get(row)) != fmt]
    return entries


def _widths(frame: pd.DataFrame, units: dict[str, str]) -> list[float]:
    """Column widths (in characters) that fit the headings and most text, wrapping long text
    (gptables' own fitting measures every cell, which is slow on the long table)."""
    widths = []
    for column in frame.columns:
        heading = [str(column), f"({units[column]})" if column in units else ""]
        longest = max(len(line) for line in heading) * 1.1  # headings are bold
        cells = [len(f"{value:,}") if isinstance(value, int | float) else len(str(value))
                 for value in frame[column]]
        widths.append(min(max(longest, max(cells, default=0), 6), 50) * 1.15 + 2)
    return widths


# --- writing ----------------------------------------------------------------------------------

@dataclass
class _Pack:
    """A workbook's cover text and tables."""

    title: str
    intro: list[str]
    about: list[str]
    notes: dict[str, str]
    sheets: list[_Sheet]

    def write(self, path: Path) -> Path:
        path = Path(path)
        labels = _sheet_names([sheet.label for sheet in self.sheets],
                              taken=("Cover", "Contents", "Notes"))
        tables = {label: sheet.gptable(_table_name(label))
                  for label, sheet in zip(labels, self.sheets, strict=True)}
        used = list(dict.fromkeys(key for sheet in self.sheets for key in sheet.notes))
        notes = pd.DataFrame({"Note reference": used,
                              "Note text": [self.notes[key] for key in used]})
        cover = gpt.Cover(title=_cover_text(self.title),
                          intro=[_cover_text(text) for text in self.intro],
                          about=[_cover_text(text) for text in self.about])
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            # gptables 2.0 uses pandas features pandas 3 deprecates (inplace=, copy=,
            # future.no_silent_downcasting): expected, and not ours to fix. Its own warnings
            # (an empty cell, a note not referenced) are left alone: they would be our bugs.
            for category in (DeprecationWarning, FutureWarning):
                warnings.filterwarnings("ignore", category=category, module=r"gptables\.")
            workbook = gpt.produce_workbook(
                buffer, tables, cover=cover, contentsheet_label="Contents",
                contentsheet_options={
                    "title": "Table of contents",
                    "instructions": "This worksheet contains one table: each sheet of the "
                    "workbook, with a link to it, and its title."},
                notes_table=notes, notesheet_label="Notes",
                notesheet_options={
                    "title": "Notes",
                    "instructions": "This worksheet contains one table: the notes the tables "
                    "refer to, numbered as [note 1], [note 2] and so on."},
                auto_width={"Contents": True, "Notes": False, **dict.fromkeys(labels, False)},
                workbook_options=dict(WORKBOOK_OPTIONS))
        for label, sheet in zip(labels, self.sheets, strict=True):
            worksheet = workbook.get_worksheet_by_name(label)
            for col, width in enumerate(sheet.widths):
                worksheet.set_column(col, col, width)
        notesheet = workbook.get_worksheet_by_name("Notes")
        notesheet.set_column(0, 0, 14)
        notesheet.set_column(1, 1, 110)
        workbook.set_properties({"title": self.title, "author": "scrutiny",
                                 "comments": "Built by the scrutiny package with gptables."})
        workbook.close()
        write_bytes_atomically(path, buffer.getvalue())
        return path


def _cover_text(text: str) -> str:
    """Cover text and table titles are ours, but names and titles come from configuration:
    no formula, no markup."""
    return str(_markup_safe(neutralise(text)))


# --- what the figure packs share ----------------------------------------------------------------

class _Figures:
    """indicators.csv (as published) beside the judgements it came from, looked up by figure."""

    def __init__(self, judgements: Judgements):
        self.judgements = judgements
        self.cycle = judgements.cycle
        self.framework = judgements.framework
        self.published = indicators_table(judgements)  # same index as judgements.table
        records = self.published.assign(
            n_ranked=judgements.table["n_ranked"],
            comparator_period=judgements.table["comparator_period"]).to_dict("records")
        self._first: dict[tuple[str, str, str], dict] = {}
        self._against: dict[tuple[str, str, str, str], dict] = {}
        for record in records:
            key = (record["indicator_id"], record["area_code"], record["window"])
            self._first.setdefault(key, record)
            self._against[(*key, record["comparator"])] = record

    def first(self, indicator_id: str, code: str, window: str) -> dict | None:
        """A figure as published (its first row: value, interval, band, trend, SPC)."""
        return self._first.get((indicator_id, code, window))

    def against(self, indicator_id: str, code: str, window: str,
                comparator: str) -> dict | None:
        """The row of a figure against one comparator, as published."""
        return self._against.get((indicator_id, code, window, comparator))

    def unit(self, indicator_id: str) -> str:
        unit = self.judgements.unit(indicator_id)
        if unit == "rate" and indicator_id in PUBLISHED_DEFINITIONS:  # cases per FTE...
            return PUBLISHED_DEFINITIONS[indicator_id].unit
        return UNIT_WORDS.get(unit, unit.replace("_", " "))

    def window_words(self, indicator_id: str, window: str, period: str) -> str:
        if window == PUBLISHED:
            return f"{period}: year to 31 March {int(period[:4]) + 1}" if period[:4].isdigit() \
                else period
        return window_text(self.judgements.figures, window, self.framework.indicator(indicator_id))

    def name(self, code: str) -> str:
        return "Partnership" if code == PARTNERSHIP_CODE else self.cycle.area_name(code)

    def spc_blank(self, indicator_id: str) -> str:
        """[x] where a monthly indicator has no control chart (small numbers, too few months),
        [z] where the indicator is not monthly (or is a published statistic)."""
        if indicator_id in self.judgements.published_statistics:
            return Z
        return X if self.framework.indicator(indicator_id).monthly else Z

    def cover_about(self) -> list[str]:
        period = self.cycle.period
        return [
            f"Period: {_period_words(self.cycle)}.",
            f"Source: {SOURCE}",
            "Suppression: figures built on fewer than "
            f"{self.framework.disclosure_threshold} (but some) children or events are shown "
            "as [c], and another figure is hidden where a total would reveal one.",
            SHORTHAND["c"], SHORTHAND["x"], SHORTHAND["z"],
            "DfE's own symbols are kept, in square brackets: " + " ".join(DFE_SHORTHAND.values()),
            "Figures are rounded as the reports show them and written as numbers. Every table "
            "says where its figures come from; the notes sheet explains the methods.",
            f"The same figures are in data/indicators.csv beside the reports for {period.label}.",
        ]

    def definitions(self) -> _Sheet:
        table = definitions_table(self.judgements)
        frame = pd.DataFrame({
            "Indicator": table["title"],
            "Indicator ID": table["indicator_id"],
            "Step": table["step"],
            "Themes": table["themes"],
            "Unit": [self.unit(ind) for ind in table["indicator_id"]],
            "Better direction": table["polarity"].map(_polarity_words),
            "Source": table["source"],
            "Definition": table["definition"],
            "Question for the partners": table["question"],
            "Target": table["target"],
        })
        return _Sheet(
            "Definitions", frame, "Indicator definitions",
            "This worksheet contains one table, with one row per indicator: what it measures, "
            "its unit, which direction is better and where it comes from.",
            SOURCE, notes=("shorthand",), figures=("Target",),
            units={"Target": "in the indicator's unit"})


@lru_cache(maxsize=1)  # one run's at a time: a long session does not keep every run's
def figures_for(judgements: Judgements) -> _Figures:
    """The published figures of a run's judgements, looked up by figure: built once and read
    by every pack (the runner builds them before its processes fork, so each inherits them)."""
    return _Figures(judgements)


def _polarity_words(polarity: str) -> str:
    return {"higher_is_better": "higher is better", "lower_is_better": "lower is better",
            "context": "neither (context)"}.get(str(polarity), str(polarity).replace("_", " "))


def _period_words(cycle: Cycle) -> str:
    period = cycle.period
    if period.is_quarter:
        return (f"quarter {period.quarter} of {period.year.label} ({period.label}), "
                f"{period.start:%-d %B %Y} to {period.end:%-d %B %Y}")
    return f"{period.label}, {period.start:%-d %B %Y} to {period.end:%-d %B %Y}"


def _judgement_word(row: dict | None) -> str:
    """better / worse / similar where a direction is better, else higher / lower / not
    compared; [z] where there is no such comparator."""
    if row is None:
        return Z
    return row["judgement"] if row["judgement"] in JUDGED else (row["comparison"] or Z)


def _title(cycle: Cycle, report: str) -> str:
    return f"{cycle.partnership.name}: {report}, {cycle.period.label}"


def _intro(cycle: Cycle, what: str, sheets: list[str]) -> list[str]:
    intro = []
    if cycle.partnership.synthetic:
        intro.append(SYNTHETIC_NOTICE)
    intro += [what,
              "This workbook contains a contents sheet, a notes sheet and one table per sheet: "
              + "; ".join(sheets) + ".",
              "Each table has a title, a line saying how to read it and its source; column "
              "headings say their unit. Hidden figures are shown as shorthand in square "
              "brackets, explained below and on the notes sheet."]
    return intro


# --- the area pack ------------------------------------------------------------------------------

AREA_FIGURE_COLUMNS = ["Numerator", "Denominator", "Value", "95% CI lower", "95% CI upper",
                       "Partnership value", "Region value", "Statistical neighbours median",
                       "England value", "Rank in England", "Authorities ranked"]
COMPARATORS = ((PARTNERSHIP, "Partnership value", "Against partnership"),
               (REGION, "Region value", "Against region"),
               (NEIGHBOURS, "Statistical neighbours median", "Against statistical neighbours"),
               (ENGLAND, "England value", "Against England"))


def _area_rows(figures: _Figures, code: str, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per indicator: the figure of its window with its interval, each comparator's
    figure and the judgement against it, band and rank, trends and control chart."""
    judgements = figures.judgements
    out = []
    for indicator_id, window in pairs:
        first = figures.first(indicator_id, code, window)
        if first is None:
            continue
        row = {
            "Indicator": judgements.title(indicator_id),
            "Indicator ID": indicator_id,
            "Window": window,
            "Time covered": figures.window_words(indicator_id, window, first["period"]),
            "Unit": figures.unit(indicator_id),
            "Numerator": first["numerator"], "Denominator": first["denominator"],
            "Value": first["value"], "95% CI lower": first["ci_lower"],
            "95% CI upper": first["ci_upper"],
        }
        for comparator, value, against in COMPARATORS:
            other = figures.against(indicator_id, code, window, comparator)
            row[value] = "" if other is None else other["comparator_value"]
            row[against] = _judgement_word(other)
            if comparator == PARTNERSHIP:  # the national comparators' year, before them
                national = (figures.against(indicator_id, code, window, name)
                            for name in (REGION, NEIGHBOURS, ENGLAND))
                row["National comparators' year"] = next(
                    (row_["comparator_period"] for row_ in national
                     if row_ is not None and row_["comparator_period"]), "")
        row["Band in England"] = first["quartile_band"]
        row["Rank in England"] = first["rank"]
        row["Authorities ranked"] = ("" if pd.isna(first["n_ranked"]) or not first["rank"]
                                     else str(int(first["n_ranked"])))
        if window == PUBLISHED:
            row["Trend, last 4 quarters"] = Z
            row["Trend, last 3 years"] = first["trend"] or X
        else:
            indicator = figures.framework.indicator(indicator_id)
            quarter = figures.first(indicator_id, code, "quarter")
            year = figures.first(indicator_id, code, "year")
            row["Trend, last 4 quarters"] = (
                Z if indicator.window == "year" or quarter is None else quarter["trend"] or X)
            row["Trend, last 3 years"] = Z if year is None else year["trend"] or X
        spc_blank = figures.spc_blank(indicator_id)
        row["Monthly variation"] = first["spc_variation"] or spc_blank
        # no assurance where there is a chart: the indicator has no target
        row["Assurance"] = first["spc_assurance"] or (
            Z if first["spc_variation"] else spc_blank)
        out.append(row)
    return pd.DataFrame(out)


def _figure_notes(figures: _Figures, frame: pd.DataFrame, notes: list[str]) -> list[str]:
    """A figures sheet's notes: DfE's symbols where it has published statistics, and the
    synthetic-data notice first in the demonstration."""
    notes = list(notes)
    if frame["Window"].eq(PUBLISHED).any():
        notes.insert(1, "dfe_symbols")
    if figures.cycle.partnership.synthetic:
        notes.insert(0, "synthetic")
    return notes


def _area_sheet(figures: _Figures, label: str, title: str, frame: pd.DataFrame,
                what: str) -> _Sheet:
    notes = _figure_notes(figures, frame, ["shorthand", "suppression", "rounding", "windows",
                                            "intervals", "judgements", "ranks", "trends", "spc"])
    return _Sheet(
        label, frame, title,
        f"This worksheet contains one table, with one row per {what}: its figure, 95% "
        "confidence interval and comparators, in the unit of the Unit column.",
        SOURCE, notes=notes, figures=AREA_FIGURE_COLUMNS,
        units={"Numerator": "number", "Denominator": "number", "Value": MIXED_UNITS,
               "95% CI lower": MIXED_UNITS, "95% CI upper": MIXED_UNITS,
               "Partnership value": MIXED_UNITS, "Region value": MIXED_UNITS,
               "Statistical neighbours median": MIXED_UNITS, "England value": MIXED_UNITS,
               "Rank in England": "1 is the best", "Authorities ranked": "number"},
        drop_inapplicable=10)


def area_pack(judgements: Judgements, area_code: str, path: str | Path) -> Path:
    """Write one area's data pack (``area_code`` may be the partnership's) to ``path``.

    Sheets: Cover, Contents, Notes, a sheet per step of the framework with the step's
    indicators (each in its headline window), Published_statistics (DfE's latest year, where
    the area has any) and Definitions.
    """
    figures = figures_for(judgements)
    cycle = figures.cycle
    name = cycle.area_name(area_code)
    sheets = []
    for step in figures.framework.steps:
        pairs = [(ind.id, judgements.headline_window(ind))
                 for ind in figures.framework.indicators_for(step=step.id)]
        frame = _area_rows(figures, area_code, pairs)
        if frame.empty:
            continue
        sheets.append(_area_sheet(figures, f"Step_{step.number}",
                                  f"Step {step.number}, {step.title}: indicators for {name}, "
                                  f"{cycle.period.label}", frame, "indicator"))
    published = _area_rows(figures, area_code,
                           [(statistic, PUBLISHED) for statistic in
                            judgements.published_statistics])
    if not published.empty:
        sheets.append(_area_sheet(figures, "Published_statistics",
                                  f"DfE published statistics for {name}, latest published "
                                  "year", published, "published statistic"))
    sheets.append(figures.definitions())
    report = f"data pack of the scrutiny report for {name}"
    pack = _Pack(
        _title(cycle, report),
        _intro(cycle, f"The figures of the independent scrutiny report for {name}, "
               "indicator by indicator, with their confidence intervals, comparators and "
               "judgements.", [_contents_line(sheet) for sheet in sheets]),
        figures.cover_about(), _notes(figures.framework.disclosure_threshold,
                                      cycle.partnership.synthetic), sheets)
    return pack.write(Path(path))


def _contents_line(sheet: _Sheet) -> str:
    return f"{sheet.label} ({sheet.title})"


# --- the regional pack ------------------------------------------------------------------------

def _side_by_side(figures: _Figures, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per indicator, one column per area and for the partnership: its figure."""
    codes = [*figures.cycle.area_codes, PARTNERSHIP_CODE]
    out = []
    for indicator_id, window in pairs:
        mine = {code: figures.first(indicator_id, code, window) for code in codes}
        period = next((row["period"] for row in mine.values() if row is not None), "")
        if not period:
            continue
        row = {"Indicator": figures.judgements.title(indicator_id),
               "Indicator ID": indicator_id, "Window": window,
               "Time covered": figures.window_words(indicator_id, window, period),
               "Unit": figures.unit(indicator_id)}
        for code, figure in mine.items():
            row[figures.name(code)] = "" if figure is None else figure["value"]
        out.append(row)
    return pd.DataFrame(out)


def _regional_sheet(figures: _Figures, label: str, title: str, frame: pd.DataFrame) -> _Sheet:
    areas = [figures.name(code) for code in [*figures.cycle.area_codes, PARTNERSHIP_CODE]]
    notes = _figure_notes(figures, frame, ["shorthand", "suppression", "rounding", "windows"])
    return _Sheet(
        label, frame, title,
        "This worksheet contains one table, with one row per indicator and one column per "
        "area and for the partnership as a whole: each figure in the unit of the Unit column.",
        SOURCE, notes=notes, figures=areas, blanks={area: X for area in areas},
        units={area: MIXED_UNITS for area in areas})


# The columns of indicators.csv, in its order, with the unit beside the window. (Names and
# titles are on the Areas and Definitions sheets: each column more costs about 35 ms here.)
LONG_COLUMNS = {
    "area_code": "Area code", "indicator_id": "Indicator ID", "period": "Period",
    "window": "Window", "unit": "Unit", "numerator": "Numerator", "denominator": "Denominator",
    "value": "Value", "ci_lower": "95% CI lower", "ci_upper": "95% CI upper",
    "comparator": "Comparator", "comparator_value": "Comparator value",
    "comparison": "Comparison", "judgement": "Judgement", "quartile_band": "Band in England",
    "rank": "Rank in England", "spc_variation": "Monthly variation",
    "spc_assurance": "Assurance", "trend": "Trend"}


def _long_sheet(figures: _Figures) -> _Sheet:
    frame = figures.published.copy()
    ids = frame["indicator_id"].unique()
    frame["unit"] = frame["indicator_id"].map({ind: figures.unit(ind) for ind in ids})
    # blank SPC cells: [x] for a monthly indicator without a chart, else [z]
    # and a blank assurance where there is a chart: no target, [z]
    spc_blank = frame["indicator_id"].map({ind: figures.spc_blank(ind) for ind in ids})
    charted = frame["spc_variation"] != ""
    frame["spc_assurance"] = frame["spc_assurance"].where(
        frame["spc_assurance"] != "", spc_blank.where(~charted, Z))
    frame["spc_variation"] = frame["spc_variation"].where(charted, spc_blank)
    frame["trend"] = frame["trend"].where(frame["trend"] != "", X)
    frame = frame.rename(columns=LONG_COLUMNS)[list(LONG_COLUMNS.values())]
    notes = ["shorthand", "dfe_symbols", "suppression", "rounding", "windows", "intervals",
             "judgements", "ranks", "trends", "spc"]
    if figures.cycle.partnership.synthetic:
        notes.insert(0, "synthetic")
    figure_columns = ["Numerator", "Denominator", "Value", "95% CI lower", "95% CI upper",
                      "Comparator value", "Rank in England"]
    return _Sheet(
        "All_judgements", frame,
        f"Every figure beside every comparator, {figures.cycle.period.label}",
        "This worksheet contains one table, with one row per area (and the partnership), "
        "indicator, window and comparator: the rows of data/indicators.csv, in the unit of "
        "the Unit column. Area and comparator codes are named on the Areas sheet, indicator "
        "IDs on the Definitions sheet.",
        SOURCE, notes=notes, figures=figure_columns,
        units={column: MIXED_UNITS for column in figure_columns[2:6]}
        | {"Numerator": "number", "Denominator": "number", "Rank in England": "1 is the best"})


def _areas_sheet(figures: _Figures) -> _Sheet:
    """The codes of the long table: each area, the partnership and the national comparators."""
    cycle = figures.cycle
    judgements = figures.judgements
    rows = [{"Code": code, "Name": cycle.area_name(code), "Kind": "area",
             "Children aged 0 to 17": str(cycle.population(code))} for code in cycle.area_codes]
    rows.append({"Code": PARTNERSHIP_CODE, "Name": cycle.partnership.name,
                 "Kind": "the partnership as a whole (as an area code or a comparator)",
                 "Children aged 0 to 17": str(cycle.population(PARTNERSHIP_CODE))})
    rows += [{"Code": code, "Name": judgements.comparator_name(code),
              "Kind": "national comparator (DfE published statistics)",
              "Children aged 0 to 17": ""} for code in (REGION, NEIGHBOURS, ENGLAND)]
    return _Sheet(
        "Areas", pd.DataFrame(rows), "Areas and comparators",
        "This worksheet contains one table, with one row per code used for an area or a "
        "comparator on the All_judgements sheet.", SOURCE, notes=("shorthand",),
        figures=("Children aged 0 to 17",), units={"Children aged 0 to 17": "number"})


def regional_pack(judgements: Judgements, path: str | Path) -> Path:
    """Write the regional data pack to ``path``.

    Sheets: Cover, Contents, Notes, a sheet per step (one row per indicator in its headline
    window, one column per area and the partnership), Published_statistics (side by side, where
    there are any), All_judgements (the rows of indicators.csv), Areas (the codes of the
    areas and comparators) and Definitions.
    """
    figures = figures_for(judgements)
    cycle = figures.cycle
    sheets = []
    for step in figures.framework.steps:
        pairs = [(ind.id, judgements.headline_window(ind))
                 for ind in figures.framework.indicators_for(step=step.id)]
        frame = _side_by_side(figures, pairs)
        if frame.empty:
            continue
        sheets.append(_regional_sheet(figures, f"Step_{step.number}",
                                      f"Step {step.number}, {step.title}: areas side by side, "
                                      f"{cycle.period.label}", frame))
    published = _side_by_side(figures, [(statistic, PUBLISHED) for statistic in
                                        judgements.published_statistics])
    if not published.empty:
        sheets.append(_regional_sheet(figures, "Published_statistics",
                                      "DfE published statistics: areas side by side, latest "
                                      "published year", published))
    sheets.append(_long_sheet(figures))
    sheets.append(_areas_sheet(figures))
    sheets.append(figures.definitions())
    pack = _Pack(
        _title(cycle, "data pack of the regional comparison"),
        _intro(cycle, f"The figures of the regional comparison: the {len(cycle.area_codes)} "
               f"areas of {cycle.partnership.name} side by side for every indicator, with the "
               "partnership as a whole, and every judgement against every comparator.",
               [_contents_line(sheet) for sheet in sheets]),
        figures.cover_about(), _notes(figures.framework.disclosure_threshold,
                                      cycle.partnership.synthetic), sheets)
    return pack.write(Path(path))


# --- the data-quality pack --------------------------------------------------------------------

def _quality_report(source: QualityReport | CycleFigures | Cycle) -> QualityReport:
    if isinstance(source, QualityReport):
        return source
    if isinstance(source, CycleFigures):
        return QualityReport(source)
    if isinstance(source, Cycle):
        return QualityReport(CycleFigures(source))
    raise TypeError(f"quality_pack needs a QualityReport, CycleFigures or Cycle, not "
                    f"{type(source).__name__}")


def _or_none(frame: pd.DataFrame, first: str, text: str) -> pd.DataFrame:
    """A table with no rows as one row saying so (gptables writes no empty table)."""
    if len(frame):
        return frame
    return pd.DataFrame([{column: text if column == first else "" for column in frame.columns}])


def _findings(frame: pd.DataFrame, none: str) -> pd.DataFrame:
    frame = frame.copy()
    frame["Rows"] = [str(int(n)) if pd.api.types.is_number(n) and not pd.isna(n) and n else ""
                     for n in frame["Rows"]]
    return _or_none(frame.reset_index(drop=True), "File", none)


def quality_pack(quality_report_or_cycle: QualityReport | CycleFigures | Cycle,
                 path: str | Path) -> Path:
    """Write the data-quality pack to ``path``.

    Sheets: Cover, Contents, Notes, Summary, Returns_received (each file received for the
    period: status, rows, sha256), Return_status (each area's returns: accepted, rejected or
    missing), Rejected_returns (the rules each rejected return broke and what to do),
    Warnings (on accepted returns) and Files_not_read.
    """
    report = _quality_report(quality_report_or_cycle)
    cycle = report.cycle
    label = cycle.period.label
    names = {code: cycle.area_name(code) for code in cycle.area_codes}
    synthetic = ["synthetic"] if cycle.partnership.synthetic else []

    summary = report.summary_table().rename(columns={"": "Returns", "Files": "Files"})
    summary["Files"] = summary["Files"].astype(int).astype(str)

    files = report.period_files()
    if files.empty:
        received = pd.DataFrame([{"File": f"No return was received for {label}"}])
    else:
        received = pd.DataFrame({
            "File": files["file_name"],
            "Return type": files["return_type"],
            "Area code": files["area_code"],
            "Area": files["area_code"].map(lambda c: names.get(c, "")),
            "Period": files["period"],
            "Status": files["status"],
            "Rows": files["data_rows"].map(lambda n: "" if pd.isna(n) else str(int(n))),
            "Size": files["size_bytes"].map(lambda n: "" if pd.isna(n) else str(int(n))),
            "Received": files["received_at"].map(
                lambda t: "" if pd.isna(t) else f"{t:%Y-%m-%d %H:%M}"),
            "Data contract": files["contract"],
            "sha256": files["sha256"],
        }).sort_values(["Status", "File"]).reset_index(drop=True)

    status = report.return_status()
    not_read = cycle.not_read
    not_read = _or_none(pd.DataFrame({
        "File (in the data folder)": not_read.get("path", pd.Series(dtype=str)),
        "Why it was not read": not_read.get("reason", pd.Series(dtype=str)),
        "A return is named": not_read.get("expected", pd.Series(dtype=str)),
    }).reset_index(drop=True), "File (in the data folder)", "Every file was read")

    findings_units = {"Rows": "number"}
    sheets = [
        _Sheet("Summary", summary, f"Returns for {label}",
               "This worksheet contains one table: how many returns were received, accepted "
               "and rejected.", RETURNS_SOURCE, notes=synthetic, figures=("Files",),
               units={"Files": "number"}, legend=()),
        _Sheet("Returns_received", received, f"Returns received for {label} and their status",
               "This worksheet contains one table, with one row per file received for the "
               "period: its return, area, status, rows and fingerprint. Rejected files are "
               "quarantined whole: none of their rows are in the figures.",
               RETURNS_SOURCE, notes=[*synthetic, "returns_shorthand", "text", "sha256"],
               figures=("Rows", "Size"), units={"Rows": "number", "Size": "bytes"},
               blanks={"Area": Z, "Period": Z, "Rows": X, "Size": X, "Received": X},
               legend=(RETURNS_LEGEND,)),
        _Sheet("Return_status", status,
               f"Status of each return for {label} (section 11: {cycle.period.year.label})",
               "This worksheet contains one table, with one row per area and one column per "
               "return: accepted, rejected or missing.", RETURNS_SOURCE, notes=synthetic,
               legend=()),
        _Sheet("Rejected_returns",
               _findings(report.rejected_findings(), "No return was rejected"),
               "Rules broken by rejected returns",
               "This worksheet contains one table, with one row per rule a rejected return "
               "broke: the columns and rows, what is wrong and what to do. Correct the file "
               "and send it again (for example with _v2 at the end of its name).",
               RETURNS_SOURCE, notes=[*synthetic, "returns_shorthand", "file_rows", "text"],
               figures=("Rows",), units=findings_units, legend=(RETURNS_LEGEND,)),
        _Sheet("Warnings", _findings(report.warning_findings(),
                                     "No accepted return raised a warning"),
               "Warnings on accepted returns",
               "This worksheet contains one table, with one row per warning on an accepted "
               "return. Text that may identify a child or family is withheld from every report "
               "until a corrected return replaces it; the findings name the kind of "
               "identifier, never the text.",
               RETURNS_SOURCE, notes=[*synthetic, "returns_shorthand", "file_rows", "text"],
               figures=("Rows",), units=findings_units, legend=(RETURNS_LEGEND,)),
        _Sheet("Files_not_read", not_read, "Files in the data folder that were not read",
               "This worksheet contains one table, with one row per file that is not a return "
               "the tool reads, and why. None of their contents is in the figures.",
               RETURNS_SOURCE, notes=[*synthetic, "returns_shorthand", "text"],
               legend=(RETURNS_LEGEND,)),
    ]
    about = [f"Period: {_period_words(cycle)}.", f"Source: {RETURNS_SOURCE}",
             "Counts of files and rows are about the returns, not about children, and are not "
             "suppressed.", RETURNS_SHORTHAND["x"], RETURNS_SHORTHAND["z"],
             "Text from a return is shown as it was sent, except that text a spreadsheet "
             "would read as a formula starts with an apostrophe."]
    pack = _Pack(
        _title(cycle, "data quality of the returns received and checked"),
        _intro(cycle, "Every return is checked against its data contract before any report is "
               "written. This workbook lists the returns received for the period, each "
               "rejected return with the rule it broke, the column and the rows, and what to "
               "do.", [_contents_line(sheet) for sheet in sheets]),
        about, _notes(cycle.framework.disclosure_threshold, cycle.partnership.synthetic),
        sheets)
    return pack.write(Path(path))
