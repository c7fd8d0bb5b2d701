"""Turning figures into what a report shows: formatted, suppressed where small, escaped.

A :class:`Section` collects headings, paragraphs, tables and charts and renders them as one
HTML block, so each notebook cell makes one call and shows one output. All text that came
from a return (free text, codes) is HTML-escaped here, in one place.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from scrutiny.charts import Chart, svg, svg_size
from scrutiny.disclosure import DEFAULT_THRESHOLD, SUPPRESSED

NOT_AVAILABLE = "–"  # no data (nothing returned, or nothing to measure)
INCOMPLETE = "incomplete"  # some months of the window were not (validly) returned
HALF_COLUMN_PX = 520  # a chart this narrow sits beside another in the reading column
UNIT_LABELS = {"count": "number", "percent": "%", "rate_per_10k": "per 10,000 children"}


# C0 and C1 control characters (NUL and friends) and the bidirectional overrides that can make
# text read other than it is: never passed to a page
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def showable(text: str) -> str:
    """Text with the characters a page must never carry removed (not yet escaped)."""
    return _UNSHOWABLE.sub("", text)


def escaped(text: object) -> str:
    """Any text for HTML: unshowable characters removed, then escaped."""
    return html.escape(showable(str(text)))


def format_value(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_AVAILABLE
    if unit == "percent":
        return f"{value:.1f}%"
    if unit in ("rate_per_10k", "rate"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def is_small(count: float, threshold: int = DEFAULT_THRESHOLD) -> bool:
    return count is not None and not pd.isna(count) and 0 < count < threshold


def shown_value(row: pd.Series, unit: str, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The publishable text for one indicator value (``row`` from indicator_values)."""
    if not row.get("complete", True):
        return INCOMPLETE
    if row.get("suppressed", False) or is_small(row["numerator"], threshold) or (
        unit == "percent" and is_small(row["denominator"], threshold)
    ):
        return SUPPRESSED
    return format_value(row["value"], unit)


def shown_count(count: float, threshold: int = DEFAULT_THRESHOLD) -> str:
    if count is None or pd.isna(count):
        return NOT_AVAILABLE
    return SUPPRESSED if is_small(count, threshold) else f"{count:,.0f}"


def figure_html(chart: Chart, caption: str, anchor: str = "", data_caption: str = "",
                aside: str = "") -> str:
    """A chart as a figure: the SVG, named for assistive technology by its text alternative
    (written from its data), the caption, anything to show beside it (``aside``: markup made by
    the package, such as the variation icons), and its data in a table a reader can open."""
    picture = svg(chart.figure)
    width, _height = svg_size(picture)
    # an image, not its parts, for a screen reader; the text alternative is its name
    picture = picture.replace("<svg", f'<svg role="img" aria-label="{escaped(chart.description)}"'
                              f' class="chart-image"', 1)
    # at its natural size (1 pt = 4/3 px) its text is the size it was drawn at
    half = " half" if width * 4 / 3 <= HALF_COLUMN_PX else ""
    identity = f' id="{escaped(anchor)}"' if anchor else ""
    table = table_html(chart.data, data_caption or f"The figures in this chart: {caption}")
    return (f'<figure class="chart{half}"{identity}>'
            + (f'<div class="chart-aside">{aside}</div>' if aside else "")
            + f"{picture}<figcaption>{escaped(caption)}</figcaption>"
            f"<details><summary>Show the data in this chart</summary>{table}</details>"
            "</figure>")


_TABLE_TAG = re.compile(r"<table[^>]*>")
_INDENT = re.compile(r"\n\s+")


def table_html(frame: pd.DataFrame, caption: str = "", anchor: str = "") -> str:
    frame = frame.map(lambda cell: showable(cell) if isinstance(cell, str) else cell)
    frame.columns = [showable(str(column)) for column in frame.columns]
    table = frame.to_html(index=False, escape=True, na_rep=NOT_AVAILABLE, border=0)
    # pandas' own attributes and indentation are for its notebook look, not the publication's
    table = _TABLE_TAG.sub("<table>", table, count=1).replace(
        '<tr style="text-align: right;">', "<tr>", 1)
    table = _INDENT.sub("\n", table)
    if caption:
        table = table.replace(">", f"><caption>{escaped(caption)}</caption>", 1)
    if anchor:
        table = table.replace("<table", f'<table id="{escaped(anchor)}"', 1)
    return table


@dataclass
class Section:
    """One report section: renders as a single HTML output in a notebook."""

    title: str = ""
    level: int = 2
    blocks: list[str] = field(default_factory=list)
    kind: str = ""  # a class for the stylesheet: "step" starts a new printed page

    def paragraph(self, text: str) -> Section:
        self.blocks.append(f"<p>{escaped(text)}</p>")
        return self

    def heading(self, text: str, level: int = 3) -> Section:
        self.blocks.append(f"<h{level}>{escaped(text)}</h{level}>")
        return self

    def notice(self, text: str) -> Section:
        self.blocks.append(f'<div class="scrutiny-notice" role="note">{escaped(text)}</div>')
        return self

    def note(self, text: str) -> Section:
        self.blocks.append(f'<p class="scrutiny-note">{escaped(text)}</p>')
        return self

    def raw(self, markup: str) -> Section:
        """Markup the package made itself (never text from a return): icons, their key."""
        self.blocks.append(markup)
        return self

    def bullets(self, items: list[str]) -> Section:
        if items:
            inner = "".join(f"<li>{escaped(item)}</li>" for item in items)
            self.blocks.append(f"<ul>{inner}</ul>")
        return self

    def table(self, frame: pd.DataFrame, caption: str = "", anchor: str = "") -> Section:
        if frame.empty:
            return self.note(f"{caption}: nothing to show for this period." if caption
                             else "Nothing to show for this period.")
        self.blocks.append(table_html(frame, caption, anchor))
        return self

    def figure(self, chart: Chart | None, caption: str, anchor: str = "",
               data_caption: str = "", aside: str = "") -> Section:
        if chart is not None:
            self.blocks.append(figure_html(chart, caption, anchor, data_caption, aside))
        return self

    def findings(self, findings: list[tuple[str, str, str]]) -> Section:
        """Findings as a list: each (sentence, question, id of the table or chart it comes
        from), the question under the sentence and a link to its evidence."""
        if findings:
            items = "".join(
                f"<li>{escaped(sentence)}"
                + (f' <a href="#{escaped(link)}">See the figures.</a>' if link else "")
                + (f'<br><span class="scrutiny-question">Question for the partners: '
                   f"{escaped(question)}</span>" if question else "") + "</li>"
                for sentence, question, link in findings)
            self.blocks.append(f'<ul class="scrutiny-findings">{items}</ul>')
        return self

    def _repr_html_(self) -> str:
        heading = (f"<h{self.level}>{escaped(self.title)}</h{self.level}>"
                   if self.title else "")
        kind = f" {escaped(self.kind)}" if self.kind else ""
        return (f'<section class="scrutiny-section{kind}">{heading}{"".join(self.blocks)}'
                "</section>")

    def __str__(self) -> str:  # what a plain-text front end shows
        return self.title
