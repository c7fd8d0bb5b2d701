"""What every report shares: the cycle's figures made publishable, headers, indicator tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from scrutiny import charts
from scrutiny.cycle import PARTNERSHIP_CODE, Cycle, load_cycle
from scrutiny.disclosure import mark_suppressed, primary_mask
from scrutiny.framework import Indicator
from scrutiny.indicators import indicator_values, monthly
from scrutiny.periods import Period, month_label
from scrutiny.present import (
    NOT_AVAILABLE,
    STYLE,
    UNIT_LABELS,
    Section,
    format_value,
    is_small,
    shown_count,
    shown_interval,
    shown_value,
)
from scrutiny.spc import summarise, xmr
from scrutiny.stats import compare

SYNTHETIC_NOTICE = (
    "Synthetic demonstration data. This report is built from generated returns for a "
    "demonstration partnership: the area names and codes are real, but every figure is "
    "synthetic and says nothing about those areas."
)
SPC_MIN_MONTHS = 12
COMPARISON_WORDS = {"better": "better", "worse": "worse", "similar": "similar",
                    "higher": "higher", "lower": "lower", "not compared": NOT_AVAILABLE}


@dataclass
class CycleFigures:
    """A cycle and its indicator values for both windows, suppressed once for all reports."""

    cycle: Cycle
    _monthly: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, store_path: str | Path, period: str) -> CycleFigures:
        return cls(load_cycle(Path(store_path), period))

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

    def shown(self, row: pd.Series, unit: str) -> str:
        return shown_value(row, unit, self.threshold)

    @cached_property
    def values(self) -> pd.DataFrame:
        frames = [indicator_values(self.cycle, window) for window in ("quarter", "year")]
        units = {ind.id: ind.unit for ind in self.cycle.framework.indicators}
        return mark_suppressed(pd.concat(frames, ignore_index=True), units, PARTNERSHIP_CODE,
                               self.threshold)

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

    def comparison(self, indicator: Indicator, area_code: str) -> str:
        if indicator.unit == "count":
            return NOT_AVAILABLE  # an area's count and the partnership's total are not alike
        window = self.headline_window(indicator)
        own = self.value(indicator.id, area_code, window)
        whole = self.value(indicator.id, PARTNERSHIP_CODE, window)
        if own["suppressed"] or whole["suppressed"] or not own["complete"]:
            return NOT_AVAILABLE
        return COMPARISON_WORDS[compare(own["lower"], own["upper"], whole["value"],
                                        indicator.polarity)]

    def england(self, indicator: Indicator) -> pd.Series | None:
        """England's latest published figure for the indicator's DfE statistic, if any."""
        national = self.cycle.national.get("national")
        if not indicator.national_id or national is None or national.empty:
            return None
        rows = national[(national["indicator_id"] == indicator.national_id)
                        & (national["geographic_level"] == "england")]
        return None if rows.empty else rows.sort_values("time_period").iloc[-1]

    def against_england(self, indicator: Indicator, area_code: str) -> str:
        """England's published figure, and whether this area's interval excludes it."""
        england = self.england(indicator)
        if england is None:
            return NOT_AVAILABLE
        if england["suppression"]:
            return f"{england['suppression']} ({england['time_period']})"
        text = f"{format_value(england['value'], indicator.unit)} ({england['time_period']})"
        own = self.value(indicator.id, area_code, self.headline_window(indicator))
        if own["suppressed"] or not own["complete"]:
            return text
        verdict = compare(own["lower"], own["upper"], england["value"], indicator.polarity)
        return f"{text}: {COMPARISON_WORDS[verdict]}"

    def spc(self, indicator: Indicator, area_code: str) -> pd.DataFrame | None:
        """The XmR frame for a monthly indicator, or None where it cannot be published."""
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
        return xmr(series["value"], indicator.polarity)

    def trend(self, indicator: Indicator, area_code: str) -> str:
        if not indicator.monthly:
            return "not monthly"
        frame = self.spc(indicator, area_code)
        if frame is None:
            return "not charted: small monthly numbers"
        verdict = summarise(frame, indicator.polarity)
        earlier = frame.loc[frame.index.isin(self.cycle.period.months[:-1])
                            & frame["special_cause"]]
        if not frame["special_cause"].iloc[-1] and len(earlier):
            months = ", ".join(month_label(month) for month in earlier.index)
            verdict += f"; special cause earlier in the quarter ({months})"
        return verdict


def header(figures: CycleFigures, title: str, subtitle: str) -> Section:
    cycle = figures.cycle
    period = cycle.period
    section = Section(title, level=1)
    section.blocks.insert(0, STYLE)
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


def indicator_table(figures: CycleFigures, indicators: list[Indicator],
                    area_code: str) -> pd.DataFrame:
    """One row per indicator: quarter, 12 months, interval, partnership, comparison, trend."""
    rows = []
    for indicator in indicators:
        quarter = figures.value(indicator.id, area_code, "quarter")
        year = figures.value(indicator.id, area_code, "year")
        window = figures.headline_window(indicator)
        headline = quarter if window == "quarter" else year
        whole = figures.value(indicator.id, PARTNERSHIP_CODE, window)
        rows.append({
            "Indicator": indicator.title,
            "Unit": unit_label(indicator),
            "Quarter": figures.shown(quarter, indicator.unit),
            "12 months": (figures.shown(year, indicator.unit) if window == "year"
                          else "position at quarter end"),
            "95% interval": shown_interval(headline, indicator.unit, figures.threshold),
            "Partnership": figures.shown(whole, indicator.unit),
            "Compared with partnership": figures.comparison(indicator, area_code),
            "England (DfE)": figures.against_england(indicator, area_code),
            "Trend (monthly)": figures.trend(indicator, area_code),
        })
    table = pd.DataFrame(rows)
    if (table["England (DfE)"] == NOT_AVAILABLE).all():
        table = table.drop(columns="England (DfE)")  # no published statistic to compare with
    return table


def table_note(figures: CycleFigures) -> str:
    """How to read an indicator table."""
    return (
        "Flows (e.g. referrals) are shown for the quarter and for the 12 months ending with "
        "it; positions (e.g. children on a plan) at the end of the quarter. Rates are per "
        "10,000 children aged 0-17 (a quarter's rate covers three months). 'Compared with "
        "partnership' says better or worse (or higher or lower, where neither is better) only "
        "where the 95% confidence interval excludes the partnership figure. c: suppressed "
        f"(fewer than {figures.threshold}). incomplete: a month or return in the period was "
        "missing or rejected. 'England (DfE)' is England's latest published figure for the "
        "year ending 31 March, with the same test against this area's figure."
    )


def spc_figure(figures: CycleFigures, indicators: list[Indicator], area_code: str):
    charts_ = []
    labels = []
    for indicator in indicators:
        frame = figures.spc(indicator, area_code)
        if frame is not None:
            charts_.append((indicator.title, frame))
            labels.append(unit_label(indicator) if indicator.unit != "rate_per_10k"
                          else "per 10,000 (month)")
    if not charts_:
        return None, []
    return charts.spc_grid(charts_, labels), [title for title, _ in charts_]


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
        "falling, or 2 of 3 near a limit is a special cause; its colour says improvement or "
        "concern where the indicator has a better direction.",
        f"Disclosure control: figures built on fewer than {figures.threshold} (but some) are "
        "shown as c, and "
        "another figure is hidden where a total would reveal one. Trend charts are drawn "
        "only where no monthly figure is small.",
        f"Returns behind this report: {len(submissions)} accepted files "
        f"({submissions['data_rows'].sum():,.0f} rows) up to {cycle.period.label}."
        if not submissions.empty else "No accepted returns.",
    ])
    return section


