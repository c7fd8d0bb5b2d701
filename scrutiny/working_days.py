"""Working days between dates, as statutory timescales count them (England and Wales).

Statutory guidance counts working days: Monday to Friday excluding bank holidays in England.
"""

from __future__ import annotations

from functools import cache

import holidays
import numpy as np
import pandas as pd


@cache
def _bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days from ``start`` to ``end`` (the start day not counted); NaN if either is blank.

    A notification made the next working day after the incident became known is 1 working day.
    """
    start_dates = pd.to_datetime(start)
    end_dates = pd.to_datetime(end)
    known = start_dates.notna() & end_dates.notna()
    result = pd.Series(np.nan, index=start.index, dtype=float)
    if not known.any():
        return result
    years = pd.concat([start_dates[known], end_dates[known]]).dt.year
    holidays_ = _bank_holidays(int(years.min()), int(years.max()))
    first = start_dates[known].values.astype("datetime64[D]") + np.timedelta64(1, "D")
    last = end_dates[known].values.astype("datetime64[D]") + np.timedelta64(1, "D")
    # busday_count counts [first, last); shifting both by a day counts (start, end]
    forward = np.where(last >= first, np.busday_count(first, last, holidays=holidays_),
                       -np.busday_count(last, first, holidays=holidays_))
    result[known] = forward.astype(float)
    return result


def add_working_days(start: pd.Series, days: int) -> pd.Series:
    """The date ``days`` working days after each date in ``start``."""
    start_dates = pd.to_datetime(start)
    result = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
    known = start_dates.notna()
    if not known.any():
        return result
    years = start_dates[known].dt.year
    holidays_ = _bank_holidays(int(years.min()), int(years.max()) + 1)
    # a non-working start day counts from the working day before it, so +1 is the next one
    shifted = np.busday_offset(start_dates[known].values.astype("datetime64[D]"), days,
                               roll="backward", holidays=holidays_)
    result[known] = pd.to_datetime(shifted)
    return result
