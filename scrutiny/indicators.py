"""Indicator values for a cycle: from the current returns to numerator, denominator and value.

One function, :func:`indicator_values`, computes every catalogue indicator for every area and
for the partnership as a whole, over the quarter or the 12 months ending with it, with a 95%
confidence interval. Partnership figures are recomputed from summed numerators and
denominators, never averaged. A flow over months an area has not (validly) returned is left
blank and marked incomplete rather than understated.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from scrutiny.cycle import PARTNERSHIP_CODE, Cycle
from scrutiny.framework import Indicator
from scrutiny.periods import Period
from scrutiny.stats import poisson_interval, rate_interval, wilson_interval
from scrutiny.working_days import add_working_days, working_days_between

WINDOWS = {"quarter": 1, "year": 4}  # how many quarters each window covers
WINDOW_LABELS = {"quarter": "quarter", "year": "12 months"}
NOTIFY_WORKING_DAYS, RAPID_REVIEW_WORKING_DAYS, LCSPR_MONTHS = 5, 15, 6
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


# --- indicators computed from the other returns -----------------------------------------------

def _latest_snapshot(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Each area's newest snapshot (e.g. the action tracker) at or before ``period``."""
    if frame.empty:
        return frame
    latest = frame.groupby("area_code")["period"].transform("max")
    return frame[frame["period"] == latest]


def _source_periods(cycle: Cycle, source: str, window: str | None) -> list[Period]:
    """The returns a figure needs: every quarter of a flow's window, or the period's own
    snapshot (``window`` None); section 11 is annual, and the latest year returned stands."""
    if source == "section11":
        return []
    if window is None:
        return [cycle.period]
    return cycle.period.previous_quarters(WINDOWS[window])


def _per_area(cycle: Cycle, frame: pd.DataFrame, numerator: pd.Series,
              denominator: pd.Series | None, source: str, window: str | None) -> pd.DataFrame:
    """Sum a derived measure by area; an area is complete only if it returned every period."""
    parts = pd.DataFrame({"area_code": frame["area_code"], "numerator": numerator})
    if denominator is not None:
        parts["denominator"] = denominator
    sums = parts.groupby("area_code").sum(min_count=1) if len(parts) else parts.set_index(
        "area_code")
    result = pd.DataFrame(index=pd.Index(cycle.area_codes, name="area_code")).join(sums)
    result["numerator"] = result["numerator"].fillna(0)
    if denominator is not None:
        result["denominator"] = result["denominator"].fillna(0)
    else:
        result["denominator"] = np.nan
    periods = _source_periods(cycle, source, window)
    result["complete"] = [
        cycle.returned(source, code, periods) if periods
        else bool((frame["area_code"] == code).any()) or cycle.returned(source, code, [])
        for code in result.index
    ]
    return result.reset_index()


def _dated_in_window(frame: pd.DataFrame, column: str, cycle: Cycle, window: str) -> pd.DataFrame:
    start, end = window_bounds(cycle.period, window)
    dates = pd.to_datetime(frame[column])
    return frame[(dates >= start) & (dates <= end)]


def _months_in_window(frame: pd.DataFrame, cycle: Cycle, window: str) -> pd.DataFrame:
    return frame[frame["month"].isin(window_months(cycle.period, window))]


def _s11_standards_met(cycle: Cycle, window: str) -> pd.DataFrame:
    latest = _latest_snapshot(cycle.section11, cycle.period)
    return _per_area(cycle, latest, (latest["rating"] == "fully_met").astype(int),
                     pd.Series(1, index=latest.index), "section11", None)


def _overdue(cycle: Cycle, sources: tuple[str, ...] | None) -> pd.DataFrame:
    actions = _latest_snapshot(cycle.actions, cycle.period)
    if sources:
        actions = actions[actions["source"].isin(sources)]
    open_ = actions[actions["status"] != "completed"]
    overdue = (pd.to_datetime(open_["due"]) < pd.Timestamp(cycle.period.end)).astype(int)
    return _per_area(cycle, open_, overdue, pd.Series(1, index=open_.index), "actions", None)


def _review_actions_completed(cycle: Cycle, window: str) -> pd.DataFrame:
    actions = _latest_snapshot(cycle.actions, cycle.period)
    due = actions[(actions["source"] == "cspr")
                  & (pd.to_datetime(actions["due"]) <= pd.Timestamp(cycle.period.end))]
    on_time = (due["status"] == "completed") & (
        pd.to_datetime(due["completed"]) <= pd.to_datetime(due["due"]))
    return _per_area(cycle, due, on_time.astype(int), pd.Series(1, index=due.index), "actions",
                     None)


def _notifications_5wd(cycle: Cycle, window: str) -> pd.DataFrame:
    notified = _dated_in_window(cycle.reviews, "notified_date", cycle, window)
    days = working_days_between(notified["incident_known_date"], notified["notified_date"])
    return _per_area(cycle, notified, (days <= NOTIFY_WORKING_DAYS).astype(int),
                     pd.Series(1, index=notified.index), "reviews", window)


def _rapid_reviews_15wd(cycle: Cycle, window: str) -> pd.DataFrame:
    notified = _dated_in_window(cycle.reviews, "notified_date", cycle, window)
    deadline = add_working_days(notified["notified_date"], RAPID_REVIEW_WORKING_DAYS)
    held = pd.to_datetime(notified["rapid_review_date"])
    # judged once the review is held or its deadline has passed by the end of the period
    judged = held.notna() | (deadline < pd.Timestamp(cycle.period.end))
    on_time = held.notna() & (held <= deadline)
    return _per_area(cycle, notified, (on_time & judged).astype(int), judged.astype(int),
                     "reviews", window)


def _lcspr_published_6m(cycle: Cycle, window: str) -> pd.DataFrame:
    reviews = cycle.reviews[cycle.reviews["decision"] == "lcspr"]
    deadline = pd.to_datetime(reviews["rapid_review_date"]) + pd.DateOffset(months=LCSPR_MONTHS)
    start, end = window_bounds(cycle.period, "year")  # few reviews: always the last 12 months
    due = reviews[(deadline >= start) & (deadline <= end)]
    published = pd.to_datetime(due["published_date"])
    on_time = published.notna() & (published <= deadline[due.index])
    return _per_area(cycle, due, on_time.astype(int), pd.Series(1, index=due.index), "reviews",
                     "year")


def _training(column: str, of: str | None) -> Callable[[Cycle, str], pd.DataFrame]:
    def compute(cycle: Cycle, window: str) -> pd.DataFrame:
        runs = _months_in_window(cycle.training, cycle, window)
        return _per_area(cycle, runs, runs[column], runs[of] if of else None, "training", window)
    return compute


def _voice_participants(cycle: Cycle, window: str) -> pd.DataFrame:
    activities = _months_in_window(cycle.voice, cycle, window)
    return _per_area(cycle, activities, activities["participants"], None, "voice", window)


def _voice_changes(cycle: Cycle, window: str) -> pd.DataFrame:
    activities = _months_in_window(cycle.voice, cycle, window)
    changed = activities["what_changed"].fillna("").str.strip().ne("").astype(int)
    return _per_area(cycle, activities, changed, pd.Series(1, index=activities.index), "voice",
                     window)


def _audit_good_or_better(cycle: Cycle, window: str) -> pd.DataFrame:
    audits = _dated_in_window(cycle.audits, "completed", cycle, window)
    return _per_area(cycle, audits, audits["outstanding"] + audits["good"], audits["cases"],
                     "audits", window)


DERIVED: dict[str, Callable[[Cycle, str], pd.DataFrame]] = {
    "s11_standards_met": _s11_standards_met,
    "leadership_actions_overdue":
        lambda cycle, window: _overdue(cycle, ("inspection", "section11")),
    "actions_overdue": lambda cycle, window: _overdue(cycle, None),
    "review_actions_completed": _review_actions_completed,
    "notifications_5wd": _notifications_5wd,
    "rapid_reviews_15wd": _rapid_reviews_15wd,
    "lcspr_published_6m": _lcspr_published_6m,
    "training_attended": _training("attended", None),
    "training_take_up": _training("attended", "places"),
    "training_met_needs": _training("met_needs", "evaluations"),
    "voice_participants": _voice_participants,
    "voice_changes": _voice_changes,
    "audit_good_or_better": _audit_good_or_better,
}


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
        if indicator.source == "indicators":
            frame = _from_monthly(cycle, indicator, window)
        elif indicator.id in DERIVED:
            frame = DERIVED[indicator.id](cycle, window)
        else:
            continue  # a catalogue entry added by an analyst without a computation yet
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
