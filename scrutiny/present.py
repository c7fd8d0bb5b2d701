"""Turning figures into what a report shows: formatted, suppressed where small, escaped.

A :class:`Section` collects headings, paragraphs, tables and charts and renders them as one
HTML block, so each notebook cell makes one call and shows one output. All text that came
from a return (free text, codes) is HTML-escaped here, in one place.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # reports render without a screen
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from scrutiny.disclosure import DEFAULT_THRESHOLD, SUPPRESSED  # noqa: E402

NOT_AVAILABLE = "–"  # no data (nothing returned, or nothing to measure)
INCOMPLETE = "incomplete"  # some months of the window were not (validly) returned
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


def figure_html(figure: plt.Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escaped(alt)}" '
            f'style="max-width:100%"><figcaption>{escaped(alt)}</figcaption></figure>')


def table_html(frame: pd.DataFrame, caption: str = "", anchor: str = "") -> str:
    frame = frame.map(lambda cell: showable(cell) if isinstance(cell, str) else cell)
    frame.columns = [showable(str(column)) for column in frame.columns]
    table = frame.to_html(index=False, escape=True, na_rep=NOT_AVAILABLE, border=0,
                          classes="scrutiny-table")
    if caption:
        table = table.replace(">", f"><caption>{escaped(caption)}</caption>", 1)
    if anchor:
        table = table.replace("<table", f'<table id="{escaped(anchor)}"', 1)
    return table


STYLE = """<style>
.scrutiny-section{font-family:Arial,Helvetica,sans-serif;max-width:1100px}
.scrutiny-table{border-collapse:collapse;margin:0.5em 0 1.2em 0;font-size:0.9em}
.scrutiny-table caption{text-align:left;font-weight:bold;padding:0.3em 0}
.scrutiny-table th,.scrutiny-table td,.jp-RenderedHTMLCommon table.scrutiny-table td,
.jp-RenderedHTMLCommon table.scrutiny-table th{border-bottom:1px solid #ccc;padding:4px 8px;
 text-align:left;vertical-align:top}
.scrutiny-table th{background:#f0f0f0}
.scrutiny-notice{border-left:6px solid #b58800;background:#fff7e0;padding:0.6em 1em;margin:1em 0}
.scrutiny-note{color:#444;font-size:0.9em}
.scrutiny-findings li{margin-bottom:0.6em}
.scrutiny-question{font-style:italic;color:#333}
</style>"""


@dataclass
class Section:
    """One report section: renders as a single HTML output in a notebook."""

    title: str = ""
    level: int = 2
    blocks: list[str] = field(default_factory=list)

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

    def figure(self, figure: plt.Figure | None, alt: str, anchor: str = "") -> Section:
        if figure is not None:
            html_ = figure_html(figure, alt)
            if anchor:
                html_ = html_.replace("<figure", f'<figure id="{escaped(anchor)}"', 1)
            self.blocks.append(html_)
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
        return f'<section class="scrutiny-section">{heading}{"".join(self.blocks)}</section>'

    def __str__(self) -> str:  # what a plain-text front end shows
        return self.title
