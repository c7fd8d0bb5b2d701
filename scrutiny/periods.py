"""Reporting periods: financial-year quarters and years (1 April to 31 March).

A quarter is written ``2025-26-Q4`` (January to March 2026); a financial year ``2025-26``.
Quarter 1 is April to June, as local authorities report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

_QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period label that is not a financial quarter or year."""


@dataclass(frozen=True, order=True)
class Period:
    """A financial-year quarter (``quarter`` 1-4) or a whole financial year (``quarter`` 0)."""

    start_year: int
    quarter: int = 0

    @classmethod
    def parse(cls, label: str) -> Period:
        label = label.strip()
        if match := _QUARTER.match(label):
            start, end, quarter = int(match[1]), int(match[2]), int(match[3])
        elif match := _YEAR.match(label):
            start, end, quarter = int(match[1]), int(match[2]), 0
        else:
            raise PeriodError(
                f"{label!r} is not a period: write a financial quarter such as 2025-26-Q4 "
                "or a financial year such as 2025-26"
            )
        if (start + 1) % 100 != end:
            raise PeriodError(f"{label!r}: the years must be consecutive, e.g. 2025-26")
        return cls(start, quarter)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The financial quarter containing ``day``."""
        start_year = day.year if day.month >= 4 else day.year - 1
        return cls(start_year, (day.month - 4) % 12 // 3 + 1)

    @property
    def is_quarter(self) -> bool:
        return self.quarter != 0

    @property
    def label(self) -> str:
        year = f"{self.start_year}-{(self.start_year + 1) % 100:02d}"
        return f"{year}-Q{self.quarter}" if self.quarter else year

    @property
    def year(self) -> Period:
        """The financial year this period falls in."""
        return Period(self.start_year)

    @property
    def start(self) -> date:
        if not self.quarter:
            return date(self.start_year, 4, 1)
        month = 4 + 3 * (self.quarter - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        months = 3 if self.quarter else 12
        return (pd.Timestamp(self.start) + pd.DateOffset(months=months, days=-1)).date()

    @property
    def months(self) -> list[str]:
        """The months of the period as ``YYYY-MM``."""
        count = 3 if self.quarter else 12
        return [p.strftime("%Y-%m") for p in pd.period_range(self.start, periods=count, freq="M")]

    def shift(self, quarters: int) -> Period:
        """The quarter ``quarters`` later (or earlier, if negative)."""
        if not self.quarter:
            return Period(self.start_year + quarters)
        index = self.start_year * 4 + self.quarter - 1 + quarters
        return Period(index // 4, index % 4 + 1)

    def previous_quarters(self, count: int) -> list[Period]:
        """The ``count`` quarters ending with this one, oldest first."""
        return [self.shift(-offset) for offset in range(count - 1, -1, -1)]

    def __str__(self) -> str:
        return self.label


def month_label(month: str) -> str:
    """``2026-03`` -> ``Mar 2026``."""
    return pd.Period(month, freq="M").strftime("%b %Y")
