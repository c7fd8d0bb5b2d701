"""What every report shares: the cycle's figures made publishable, headers, indicator tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from scrutiny import charts
from scrutiny.cycle import PARTNERSHIP_CODE, Cycle, load_cycle
from scrutiny.disclosure import mark_suppressed, primary_mask
from scrutiny.forking import can_fork, forked_pool
from scrutiny.framework import Indicator
from scrutiny.indicators import indicator_values, monthly
from scrutiny.judgements import NOTHING, PUBLISHED, SHOWN, SYMBOLS, Judgements
from scrutiny.periods import Period, month_label
from scrutiny.present import (
    NOT_AVAILABLE,
    UNIT_LABELS,
    Section,
    format_value,
    is_small,
    shown_count,
    shown_value,
)
from scrutiny.shared import share, shared
from scrutiny.spc import xmr

SYNTHETIC_NOTICE = (
    "Synthetic demonstration data. This report is built from generated returns for a "
    "demonstration partnership: the area names and codes are real, but every figure is "
    "synthetic and says nothing about those areas."
)
SPC_MIN_MONTHS = 12


@dataclass
class CycleFigures:
    """A cycle and its indicator values for both windows, suppressed once for all reports."""

    cycle: Cycle
    _monthly: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _history: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, repr=False)
    _spc: dict[tuple[str, str], pd.DataFrame | None] = field(default_factory=dict, repr=False)
    _aside: Future | None = field(default=None, repr=False)  # see history_aside

    @classmethod
    def open(cls, store_path: str | Path, period: str) -> CycleFigures:
        """The cycle's figures: the run's own if it shared them and the store is unchanged
        since, else read from the store."""
        figures = shared(store_path, f"cycle {period}")
        return figures if figures is not None else cls(load_cycle(Path(store_path), period))

    def share(self) -> None:
        """Let the reports of this process, and of the processes it forks, open these figures
        instead of computing them again, for as long as the store is unchanged."""
        share(self.cycle.store_path, f"cycle {self.cycle.period.label}", self)

    @property
    def threshold(self) -> int:
        """The framework's disclosure threshold: fewer than this (but some) is shown as c."""
        return self.cycle.framework.disclosure_threshold

    def small(self, count: float) -> bool:
        return is_small(count, self.threshold)

    def count(self, count: float) -> str:
        """A count of children or events as it may be published."""
        return shown_count(count, self.threshold)

    def percent(self, numerator: float, denominator: float) -> str:
        """numerator as a percentage of denominator, as it may be published."""
        value = 100 * numerator / denominator if denominator else float("nan")
        return shown_value(pd.Series({"numerator": numerator, "denominator": denominator,
                                      "value": value}), "percent", self.threshold)

    @cached_property
    def values(self) -> pd.DataFrame:
        frames = [indicator_values(self.cycle, window) for window in ("quarter", "year")]
        units = {ind.id: ind.unit for ind in self.cycle.framework.indicators}
        return mark_suppressed(pd.concat(frames, ignore_index=True), units, PARTNERSHIP_CODE,
                               self.threshold)

    def history(self, period: Period, window: str) -> pd.DataFrame:
        """Indicator values at an earlier (or this) period, suppressed as published, indexed
        by indicator, area and window: the points of a trend."""
        key = (period.label, window)
        if key not in self._history and self._aside is not None:
            future, self._aside = self._aside, None
            with suppress(Exception):  # the process failed or died: they are computed here
                self._history.update(future.result())
        if key not in self._history:
            self._history[key] = self._earlier(period, window)
        return self._history[key]

    def _earlier(self, period: Period, window: str) -> pd.DataFrame:
        if period == self.cycle.period:
            frame = self.values[self.values["window"] == window]
        else:
            units = {ind.id: ind.unit for ind in self.cycle.framework.indicators}
            frame = mark_suppressed(indicator_values(self.cycle.as_of(period), window),
                                    units, PARTNERSHIP_CODE, self.threshold)
        return frame.set_index(["indicator_id", "area_code", "window"])

    @contextmanager
    def history_aside(self, wanted: Iterable[tuple[Period, str]]) -> Iterator[None]:
        """Within this block, the earlier periods' figures ``wanted`` (period, window) are
        computed in a forked process, on another CPU, while this one goes on; :meth:`history`
        takes them from it. Where the system cannot fork or has one CPU, or the process fails,
        they are computed here when asked for."""
        keys = [(period, window) for period, window in wanted
                if period != self.cycle.period and (period.label, window) not in self._history]
        if not keys or not can_fork() or (os.cpu_count() or 1) < 2:
            yield
            return
        global _ASIDE
        _ASIDE = (self, keys)
        pool = forked_pool(1)
        try:
            self._aside = pool.submit(_computed_aside)  # the process forks here
        finally:
            _ASIDE = None
        ended = False
        try:
            yield
            ended = True
        finally:
            self._aside = None
            # a failed block does not wait: the process exits once its work is done
            pool.shutdown(wait=ended, cancel_futures=True)

    @cached_property
    def judgements(self) -> Judgements:
        return Judgements(self)

    def value(self, indicator_id: str, area_code: str, window: str) -> pd.Series:
        rows = self.values[(self.values["indicator_id"] == indicator_id)
                           & (self.values["area_code"] == area_code)
                           & (self.values["window"] == window)]
        return rows.iloc[0]

    def monthly(self, indicator_id: str) -> pd.DataFrame:
        if indicator_id not in self._monthly:
            frame = monthly(self.cycle, indicator_id)
            self._monthly[indicator_id] = frame[frame["month"] <= self.cycle.period.months[-1]]
        return self._monthly[indicator_id]

    def headline_window(self, indicator: Indicator) -> str:
        """Flows are judged over 12 months (steadier, and comparable with annual statistics);
        stocks at the end of the quarter."""
        return "quarter" if indicator.aggregation == "stock" else "year"

    def spc(self, indicator: Indicator, area_code: str) -> pd.DataFrame | None:
        """The XmR frame for a monthly indicator, or None where it cannot be published (once
        per indicator and area: the judgements, findings and charts all read it)."""
        key = (indicator.id, area_code)
        if key not in self._spc:
            self._spc[key] = self._control_chart(indicator, area_code)
        return self._spc[key]

    def _control_chart(self, indicator: Indicator, area_code: str) -> pd.DataFrame | None:
        if not indicator.monthly:
            return None
        series = self.monthly(indicator.id)
        series = series[series["area_code"] == area_code].set_index("month")
        if len(series.dropna(subset=["value"])) < SPC_MIN_MONTHS:
            return None
        small = primary_mask(series["numerator"], self.threshold).any()
        if indicator.unit == "percent":
            small |= primary_mask(series["denominator"], self.threshold).any()
        if small:
            return None  # monthly points would show small numbers
        return xmr(series["value"], indicator.polarity,
                   baseline=self.cycle.framework.spc_baseline, rebase=indicator.rebase)


# What the process forked by CycleFigures.history_aside computes: set only while it forks.
_ASIDE: tuple[CycleFigures, list[tuple[Period, str]]] | None = None


def _computed_aside() -> dict[tuple[str, str], pd.DataFrame]:
    figures, keys = _ASIDE
    return {(period.label, window): figures._earlier(period, window) for period, window in keys}


def header(figures: CycleFigures, title: str, subtitle: str) -> Section:
    cycle = figures.cycle
    period = cycle.period
    section = Section(title, level=1)
    if cycle.partnership.synthetic:
        section.notice(SYNTHETIC_NOTICE)
    section.paragraph(subtitle)
    section.paragraph(
        f"Period: quarter {period.quarter} of {period.year.label} "
        f"({period.start:%-d %B %Y} to {period.end:%-d %B %Y}). Partnership: "
        f"{cycle.partnership.name}."
    )
    return section


def unit_label(indicator: Indicator) -> str:
    return UNIT_LABELS[indicator.unit]


MARKS = {"better": "▲ better", "worse": "▼ worse", "similar": "● similar",
         "higher": "↑ higher", "lower": "↓ lower"}


def judgement_text(row: pd.Series | None) -> str:
    """A judgement as a word and a symbol (never colour alone): better or worse where a
    direction is good, higher or lower where neither is, else similar or not compared."""
    if row is None:
        return NOT_AVAILABLE
    word = row["judgement"] if row["judgement"] in ("better", "worse", "similar") \
        else row["comparison"]
    return MARKS.get(word, NOT_AVAILABLE)


def figure_text(row: pd.Series | None, unit: str) -> str:
    """A figure as published: its value, or c (suppressed) or x (not available)."""
    if row is None:
        return NOT_AVAILABLE
    if row["status"] == SHOWN:
        return format_value(row["value"], unit)
    return row["symbol"] or _symbol(row["status"])


def comparator_text(row: pd.Series | None, unit: str) -> str:
    if row is None or not row.name:
        return NOT_AVAILABLE
    if row["comparator_status"] == SHOWN:
        return format_value(row["comparator_value"], unit)
    return row["comparator_symbol"] or _symbol(row["comparator_status"])


def _symbol(status: str) -> str:
    """c or x for a hidden figure; a dash where there is nothing to measure (as the tables'
    note says: does not apply)."""
    return NOT_AVAILABLE if status == NOTHING else SYMBOLS.get(status, NOT_AVAILABLE)


def window_text(figures: CycleFigures, window: str, indicator: Indicator) -> str:
    end = month_label(figures.cycle.period.months[-1])
    if indicator.window == "year" or (window == "year" and indicator.aggregation == "flow"):
        return f"12 months to {end}"
    if indicator.aggregation == "stock":
        return f"at end of {end}"
    return f"quarter to {end}"


def _trend_word(row: pd.Series | None) -> str:
    return row["trend"] if row is not None and row["trend"] else NOT_AVAILABLE


def indicator_table(figures: CycleFigures, indicators: list[Indicator],
                    area_code: str) -> pd.DataFrame:
    """One row per indicator: the headline figure with its window, interval and denominator,
    this quarter, the trends, and the monthly control chart's variation and assurance."""
    judgements = figures.judgements
    rows = []
    for indicator in indicators:
        window = figures.headline_window(indicator)
        unit = indicator.unit
        headline = judgements.figure(indicator.id, area_code, window)
        quarter = judgements.figure(indicator.id, area_code, "quarter")
        year = judgements.figure(indicator.id, area_code, "year")
        shown = headline is not None and headline["status"] == SHOWN
        rows.append({
            "Indicator": indicator.title,
            "Unit": unit_label(indicator),
            "Window": window_text(figures, window, indicator),
            "Figure": figure_text(headline, unit),
            "95% CI": (f"{format_value(headline['ci_lower'], unit)} to "
                       f"{format_value(headline['ci_upper'], unit)}"
                       if shown and not pd.isna(headline["ci_lower"]) else NOT_AVAILABLE),
            "Out of": (f"{headline['denominator']:,.0f} {indicator.of}".strip()
                       if shown and unit == "percent" else NOT_AVAILABLE),
            "This quarter (not annualised)": (figure_text(quarter, unit) if window == "year"
                             and indicator.window != "year" else NOT_AVAILABLE),
            "Last 4 quarters": (_trend_word(quarter) if indicator.window != "year"
                                else NOT_AVAILABLE),
            "Last 3 years": _trend_word(year),
            "Monthly variation": (headline["spc_variation"] or NOT_AVAILABLE
                                  if headline is not None else NOT_AVAILABLE),
            "Assurance": (headline["spc_assurance"] or NOT_AVAILABLE
                          if headline is not None else NOT_AVAILABLE),
        })
    return _without_empty_columns(pd.DataFrame(rows), keep=3)


def comparison_table(figures: CycleFigures, indicator_ids: list[str], area_code: str,
                     window_of: Callable[[str], str], *, published: bool = False
                     ) -> pd.DataFrame:
    """One row per indicator: each comparator's figure and the judgement against it, a
    column each; the quartile band and rank in England where DfE publishes the figure."""
    judgements = figures.judgements
    cycle = figures.cycle
    region = cycle.partnership.region_name or "Region"
    rows = []
    for indicator_id in indicator_ids:
        window = window_of(indicator_id)
        unit = judgements.unit(indicator_id)
        rows_ = judgements.rows(indicator_id, area_code, window)
        if rows_.empty:
            continue

        def against(name: str, rows_=rows_) -> pd.Series | None:
            return rows_.loc[name] if name in rows_.index else None

        first = rows_.iloc[0]
        year = first["period"] if published else next(
            (row["comparator_period"] for _, row in rows_.iterrows() if row["comparator_period"]),
            "")
        row = {"Indicator": judgements.title(indicator_id),
               "Figure": figure_text(first, unit)}
        if published:  # a published figure's own interval and trend, beside it
            row["95% CI"] = (f"{format_value(first['ci_lower'], unit)} to "
                             f"{format_value(first['ci_upper'], unit)}"
                             if first["status"] == SHOWN and not pd.isna(first["ci_lower"])
                             else NOT_AVAILABLE)
            row["Last 3 years"] = _trend_word(first)
        if area_code != PARTNERSHIP_CODE:
            row["Partnership"] = comparator_text(against("partnership"), unit)
            row["Against partnership"] = judgement_text(against("partnership"))
        row["Published year"] = year or NOT_AVAILABLE
        for name, label, against_label in (
                ("region", region, "Against region"),
                ("neighbour_median", "Statistical neighbours (median)", "Against neighbours"),
                ("england", "England", "Against England")):
            row[label] = comparator_text(against(name), unit)
            row[against_label] = judgement_text(against(name))
        row["Band in England"] = first["quartile_band"] or NOT_AVAILABLE
        row["Rank in England"] = (f"{first['rank']} of {first['n_ranked']}"
                                  if not pd.isna(first["rank"]) else NOT_AVAILABLE)
        rows.append(row)
    return _without_empty_columns(pd.DataFrame(rows), keep=2)


def published_table(figures: CycleFigures, statistics: list[str],
                    area_code: str) -> pd.DataFrame:
    """DfE's published statistics for an area beside its comparators, latest year."""
    return comparison_table(figures, statistics, area_code, lambda _: PUBLISHED, published=True)


def _without_empty_columns(table: pd.DataFrame, keep: int) -> pd.DataFrame:
    """Drop columns with nothing in any row (e.g. England where no statistic is published),
    keeping the first ``keep``."""
    if table.empty:
        return table
    empty = [column for column in table.columns[keep:]
             if (table[column] == NOT_AVAILABLE).all()]
    return table.drop(columns=empty)


def table_note(figures: CycleFigures) -> str:
    """How to read an indicator table."""
    return (
        "Flows (e.g. referrals) are judged over the 12 months to the end of the quarter, and "
        "shown for the quarter too; positions (e.g. children on a plan) at the end of the "
        "quarter. Rates are per 10,000 children aged 0-17; a quarter's rate covers those three "
        "months, not a year. 95% CI: the 95% confidence interval of the figure, over its "
        "window. Trends: rising or falling where each figure (quarter by quarter, or year by "
        "year at this quarter) is higher or lower than the one before and the latest interval "
        "excludes the first. Monthly variation and assurance: the control chart (NHS "
        "'Making Data Count'); assurance against the catalogue's target. c: suppressed (fewer "
        f"than {figures.threshold}). x: not available (a month or return in the window was "
        "missing or rejected). –: does not apply."
    )


def comparison_note() -> str:
    return (
        "Against: ▲ better or ▼ worse where the 95% confidence interval excludes the "
        "comparator's figure; ↑ higher or ↓ lower where neither direction is better; ● "
        "similar otherwise. Region, statistical neighbours and England: DfE's latest "
        "published figure for the matching statistic (year to 31 March). Band and rank in "
        "England: the area's latest published figure among all English local authorities, "
        "as DfE's LAIT: band A is the best quarter (the highest where neither direction is "
        "better), rank 1 the best."
    )


def spc_charts(figures: CycleFigures, indicators: list[Indicator], area_code: str
               ) -> list[tuple[Indicator, charts.Chart, pd.DataFrame]]:
    """An XmR chart for each indicator whose monthly series can be published."""
    drawn = []
    for indicator in indicators:
        frame = figures.spc(indicator, area_code)
        if frame is not None:
            label = (unit_label(indicator) if indicator.unit != "rate_per_10k"
                     else "per 10,000 (month)")
            drawn.append((indicator, charts.spc_chart(indicator.title, frame, label,
                                                      indicator.target), frame))
    return drawn


def returns_status(figures: CycleFigures, area_code: str, sources: list[str]) -> list[str]:
    """Plain-English notes on the area's returns for the period that are missing."""
    cycle = figures.cycle
    notes = []
    for source in sources:
        periods = [cycle.period.year] if source == "section11" else [cycle.period]
        if not cycle.returned(source, area_code, periods):
            notes.append(
                f"No accepted {source} return from {cycle.area_name(area_code)} for "
                f"{periods[0].label}: figures that need it are marked incomplete. The "
                "data-quality report says whether it was rejected and what to correct."
            )
    return notes


def about(figures: CycleFigures) -> Section:
    cycle = figures.cycle
    submissions = cycle.submissions
    if not submissions.empty:
        in_scope = submissions["period"].map(
            lambda label: Period.parse(label) <= (cycle.period if Period.parse(label).is_quarter
                                                  else cycle.period.year))
        submissions = submissions[in_scope]
    section = Section("About this report")
    section.paragraph(
        "Every figure is computed by the scrutiny package from returns that passed their data "
        "contracts; rejected returns are quarantined and listed in the data-quality report. "
        "Each row in the store records the sha256 of the file it came from."
    )
    section.bullets([
        "Percentages: 95% Wilson score intervals. Rates and counts: 95% exact Poisson intervals.",
        "Monthly trends: statistical process control (XmR charts, NHS 'Making Data Count'): a "
        "point outside the process limits, 7 points on one side of the mean, 6 rising or "
        "falling, or 2 of 3 near a limit is a special cause; its marker and colour say "
        "improvement or concern where the indicator has a better direction, and the icons "
        "beside each chart give the latest month's variation and assurance.",
        f"Disclosure control: figures built on fewer than {figures.threshold} (but some) are "
        "shown as c, and "
        "another figure is hidden where a total would reveal one. Trend charts are drawn "
        "only where no monthly figure is small.",
        f"Returns behind this report: {len(submissions)} accepted files "
        f"({submissions['data_rows'].sum():,.0f} rows) up to {cycle.period.label}."
        if not submissions.empty else "No accepted returns.",
    ])
    return section


