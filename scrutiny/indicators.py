"""Indicator values for a cycle: from the current returns to numerator, denominator and value.

One function, :func:`indicator_values`, computes every catalogue indicator for every area and
for the partnership as a whole, over the quarter or the 12 months ending with it, with a 95%
confidence interval. Partnership figures are recomputed from summed numerators and
denominators, never averaged. A flow over months an area has not (validly) returned is left
blank and marked incomplete rather than understated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny.cycle import PARTNERSHIP_CODE, Cycle
from scrutiny.framework import Indicator
from scrutiny.measures import MeasureContext, run_measure
from scrutiny.periods import Period
from scrutiny.returns import ANNUAL_RETURNS
from scrutiny.stats import poisson_interval, rate_interval, wilson_interval

WINDOWS = {"quarter": 1, "year": 4}  # how many quarters each window covers
WINDOW_LABELS = {"quarter": "quarter", "year": "12 months"}
VALUE_COLUMNS = ["indicator_id", "area_code", "window", "numerator", "denominator", "value",
                 "lower", "upper", "complete"]


def window_months(period: Period, window: str) -> list[str]:
    return [month for quarter in period.previous_quarters(WINDOWS[window])
            for month in quarter.months]


def window_bounds(period: Period, window: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    first = period.previous_quarters(WINDOWS[window])[0]
    return pd.Timestamp(first.start), pd.Timestamp(period.end)


# --- indicators reported monthly -------------------------------------------------------------

def monthly(cycle: Cycle, indicator_id: str) -> pd.DataFrame:
    """Monthly numerator, denominator and value per area and for the partnership."""
    indicator = cycle.framework.indicator(indicator_id)
    rows = cycle.indicators[cycle.indicators["indicator_id"] == indicator_id]
    rows = rows.groupby(["area_code", "month"], as_index=False)[["numerator", "denominator"]].sum(
        min_count=1)
    months_all = rows.groupby("month")["area_code"].nunique()
    complete_months = months_all[months_all == len(cycle.area_codes)].index
    total = (rows[rows["month"].isin(complete_months)]
             .groupby("month", as_index=False)[["numerator", "denominator"]].sum(min_count=1))
    total["area_code"] = PARTNERSHIP_CODE
    frame = pd.concat([rows, total], ignore_index=True)
    frame["value"] = _value(indicator, frame, cycle)
    return frame.sort_values(["area_code", "month"]).reset_index(drop=True)


def _from_monthly(cycle: Cycle, indicator: Indicator, window: str) -> pd.DataFrame:
    months = window_months(cycle.period, window)
    rows = cycle.indicators[(cycle.indicators["indicator_id"] == indicator.id)
                            & cycle.indicators["month"].isin(months)]
    if indicator.aggregation == "stock":
        months = months[-1:]
        rows = rows[rows["month"] == months[0]]
    sums = rows.groupby("area_code")[["numerator", "denominator"]].sum(min_count=1)
    reported = rows.groupby("area_code")["month"].nunique()
    frame = pd.DataFrame(index=pd.Index(cycle.area_codes, name="area_code"))
    frame = frame.join(sums).join(reported.rename("months"))
    frame["complete"] = frame["months"].fillna(0).astype(int) == len(months)
    return frame.drop(columns="months").reset_index()


# --- indicators computed from the other returns by their measure ---------------------------

def _latest_snapshot(frame: pd.DataFrame) -> pd.DataFrame:
    """Each area's newest snapshot (e.g. the action tracker) up to the period."""
    if frame.empty:
        return frame
    latest = frame.groupby("area_code")["period"].transform("max")
    return frame[frame["period"] == latest]


def _rows(cycle: Cycle, indicator: Indicator, window: str) -> pd.DataFrame:
    """The rows of the indicator's return its measure sees (the catalogue's ``rows``)."""
    frame = cycle.returns[indicator.source]
    if indicator.rows == "snapshot":
        return _latest_snapshot(frame)
    if indicator.rows == "all":
        return frame
    if indicator.rows == "month":
        return frame[frame["month"].isin(window_months(cycle.period, window))]
    start, end = window_bounds(cycle.period, window)
    dates = pd.to_datetime(frame[indicator.rows])
    return frame[(dates >= start) & (dates <= end)]


def _source_periods(cycle: Cycle, indicator: Indicator, window: str) -> list[Period]:
    """The returns a figure needs: every quarter of its window, or the period's own snapshot;
    an annual return (section 11) stands until the next, so needs none in particular."""
    if indicator.source in ANNUAL_RETURNS:
        return []
    if indicator.rows == "snapshot":
        return [cycle.period]
    return cycle.period.previous_quarters(WINDOWS[window])


def _measured(cycle: Cycle, indicator: Indicator, window: str) -> pd.DataFrame:
    """Sum the measure by area; an area is complete only if it returned every period."""
    window = indicator.window or window
    rows = _rows(cycle, indicator, window)
    start, end = window_bounds(cycle.period, window)
    parts = run_measure(indicator, cycle.framework, rows,
                        MeasureContext(cycle.period, start, end, cycle.framework))
    sums = parts.groupby("area_code")[["numerator", "denominator"]].sum(min_count=1)
    result = pd.DataFrame(index=pd.Index(cycle.area_codes, name="area_code")).join(sums)
    result["numerator"] = result["numerator"].fillna(0)
    if parts["denominator"].notna().any() or indicator.is_percent:
        result["denominator"] = result["denominator"].fillna(0)
    periods = _source_periods(cycle, indicator, window)
    result["complete"] = [
        cycle.returned(indicator.source, code, periods) if periods
        else bool((rows["area_code"] == code).any()) or cycle.returned(indicator.source, code, [])
        for code in result.index
    ]
    return result.reset_index()


# --- values and intervals ---------------------------------------------------------------------

def _value(indicator: Indicator, frame: pd.DataFrame, cycle: Cycle) -> pd.Series:
    numerator = frame["numerator"].astype(float)
    if indicator.unit == "percent":
        denominator = frame["denominator"].astype(float)
        return (100 * numerator / denominator.where(denominator > 0)).astype(float)
    if indicator.unit == "rate_per_10k":
        population = frame["area_code"].map(cycle.population).astype(float)
        return 10_000 * numerator / population
    return numerator


def _interval(indicator: Indicator, frame: pd.DataFrame, cycle: Cycle) -> tuple:
    numerator = frame["numerator"].astype(float).to_numpy()
    if indicator.unit == "percent":
        lower, upper = wilson_interval(numerator, frame["denominator"].astype(float).to_numpy())
        return 100 * np.asarray(lower), 100 * np.asarray(upper)
    if indicator.unit == "rate_per_10k":
        population = frame["area_code"].map(cycle.population).astype(float).to_numpy()
        return rate_interval(numerator, population, per=10_000)
    return poisson_interval(numerator)


def indicator_values(cycle: Cycle, window: str = "year",
                     indicators: list[Indicator] | None = None) -> pd.DataFrame:
    """Every indicator for every area and the partnership, over ``window`` ending the period."""
    frames = []
    for indicator in indicators or list(cycle.framework.indicators):
        frame = (_from_monthly(cycle, indicator, window) if indicator.monthly
                 else _measured(cycle, indicator, window))
        frame.loc[~frame["complete"], ["numerator", "denominator"]] = np.nan
        total = pd.DataFrame([{
            "area_code": PARTNERSHIP_CODE,
            "numerator": frame["numerator"].sum(min_count=1) if frame["complete"].all() else np.nan,
            "denominator": frame["denominator"].sum(min_count=1)
            if frame["complete"].all() else np.nan,
            "complete": bool(frame["complete"].all()),
        }])
        frame = pd.concat([frame, total], ignore_index=True)
        frame["indicator_id"] = indicator.id
        frame["window"] = window
        frame["value"] = _value(indicator, frame, cycle)
        frame["lower"], frame["upper"] = _interval(indicator, frame, cycle)
        frames.append(frame)
    values = pd.concat(frames, ignore_index=True)[VALUE_COLUMNS]
    for column in ("numerator", "denominator", "value", "lower", "upper"):
        values[column] = values[column].astype(float)
    return values
