"""Judgements, one way, in one place: every figure of a cycle beside every comparator.

One row per area (and the partnership as a whole), indicator, window and comparator, after
disclosure control. The reports, the findings and ``data/indicators.csv`` are all read from
this table, so a judgement is made once and said the same way everywhere.

- **Comparison** (Fingertips' method): "higher" or "lower" where the figure's 95% confidence
  interval excludes the comparator's value (the partnership, region, England, the statistical
  neighbours' median); against another area of the partnership, where the two intervals do not
  overlap. Otherwise "similar"; "not compared" where either figure is hidden or missing, or
  the figures are counts (an area's count and another's are not alike).
- **Judgement**: the comparison turned into "better" or "worse" by the indicator's polarity;
  "not judged" where neither direction is better (context indicators are reported as higher
  or lower, never better or worse) or nothing was compared.
- **Quartile band and rank** (DfE's LAIT): the area's place among English authorities in the
  latest published year of the matching DfE statistic; band A is the best quarter (the highest
  where neither direction is better).
- **Trend**: over the last 4 quarters (quarter rows), the last 3 years at this quarter (12-month
  rows) or the last 3 published years: "rising" where every figure is higher than the one before
  and the latest figure's interval excludes the first, "falling" likewise, otherwise "no clear
  direction"; blank where a figure of the series is hidden or missing.
- **SPC variation and assurance** (NHS "Making Data Count"): from the monthly control chart,
  with the framework's baseline and the catalogue's rebase months and targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scrutiny import spc
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.framework import Indicator
from scrutiny.stats import Polarity, compare, poisson_interval, rate_interval, wilson_interval

if TYPE_CHECKING:
    from scrutiny.periods import Period
    from scrutiny.report.common import CycleFigures

COLUMNS = ["area_code", "indicator_id", "period", "window", "numerator", "denominator", "value",
           "ci_lower", "ci_upper", "comparator", "comparator_value", "comparison", "judgement",
           "quartile_band", "rank", "spc_variation", "spc_assurance", "trend"]
PARTNERSHIP, REGION, ENGLAND, NEIGHBOURS = "partnership", "region", "england", "neighbour_median"
NATIONAL_COMPARATORS = (REGION, NEIGHBOURS, ENGLAND)
PUBLISHED = "published"  # the window of a published statistic: its year to 31 March
NOT_COMPARED, NOT_JUDGED = "not compared", "not judged"
RISING, FALLING, NO_CLEAR_DIRECTION = "rising", "falling", "no clear direction"
BANDS = "ABCD"
TREND_QUARTERS, TREND_YEARS = 4, 3

# How a figure stands after disclosure control.
SHOWN, SUPPRESSED, INCOMPLETE = "published", "suppressed", "incomplete"
NOTHING = "nothing to measure"
# A hidden figure's symbol, as in official statistics (a published statistic keeps DfE's own).
SYMBOLS = {SUPPRESSED: "c", INCOMPLETE: "x", NOTHING: "z"}


def comparison_against(lower: float, upper: float, reference: float) -> str:
    """higher / lower where the interval excludes ``reference``, else similar."""
    return compare(lower, upper, reference, Polarity.CONTEXT)


def comparison_between(lower: float, upper: float, other_lower: float,
                       other_upper: float) -> str:
    """higher / lower where two intervals do not overlap, else similar (symmetric)."""
    if any(pd.isna(v) for v in (lower, upper, other_lower, other_upper)):
        return NOT_COMPARED
    if lower > other_upper:
        return "higher"
    if upper < other_lower:
        return "lower"
    return "similar"


def judge(comparison: str, polarity: str) -> str:
    """better / similar / worse by the indicator's polarity; not judged for context ones."""
    if comparison == "similar" and polarity != Polarity.CONTEXT:
        return "similar"
    if comparison not in ("higher", "lower") or polarity == Polarity.CONTEXT:
        return NOT_JUDGED
    good = "higher" if polarity == Polarity.HIGHER_IS_BETTER else "lower"
    return "better" if comparison == good else "worse"


def direction(values: Iterable[float], lowers: Iterable[float] | None = None,
              uppers: Iterable[float] | None = None) -> str:
    """rising / falling / no clear direction over a series, oldest first ("" if a value is
    missing). Steady change: every step the same way; and real change: the latest interval,
    where there is one, excludes the first value."""
    values = np.asarray(list(values), dtype=float)
    if len(values) < 2 or np.isnan(values).any():
        return ""
    steps = np.sign(np.diff(values))
    if not (np.all(steps > 0) or np.all(steps < 0)):
        return NO_CLEAR_DIRECTION
    if lowers is not None and uppers is not None:
        lower, upper = list(lowers)[-1], list(uppers)[-1]
        if not (pd.isna(lower) or pd.isna(upper)) and lower <= values[0] <= upper:
            return NO_CLEAR_DIRECTION
    return RISING if steps[0] > 0 else FALLING


def getting(trend: str, polarity: str) -> str:
    """"worse" / "better" for a trend by polarity; "" where it has no direction or none is
    better."""
    if trend not in (RISING, FALLING) or polarity == Polarity.CONTEXT:
        return ""
    good = RISING if polarity == Polarity.HIGHER_IS_BETTER else FALLING
    return "better" if trend == good else "worse"


def band(quartile: float) -> str:
    return "" if pd.isna(quartile) else BANDS[int(quartile) - 1]


def published_interval(unit: str, scale: float | None, numerator: float,
                       denominator: float) -> tuple[float, float]:
    """95% interval of a published figure from its numerator and denominator."""
    if pd.isna(numerator):
        return np.nan, np.nan
    if unit == "percent":
        lower, upper = wilson_interval(numerator, denominator)
        return 100 * lower, 100 * upper
    if scale is None:
        return poisson_interval(numerator)
    return rate_interval(numerator, denominator, per=scale)


@dataclass
class _Figure:
    """One figure: its numbers and whether it may be shown."""

    numerator: float = np.nan
    denominator: float = np.nan
    value: float = np.nan
    lower: float = np.nan
    upper: float = np.nan
    status: str = NOTHING
    symbol: str = ""  # a published statistic's own symbol for a hidden figure
    period: str = ""

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


def _own(row: pd.Series | None) -> _Figure:
    if row is None:
        return _Figure()
    status = (INCOMPLETE if not row["complete"] else SUPPRESSED if row["suppressed"]
              else NOTHING if pd.isna(row["value"]) else SHOWN)
    return _Figure(row["numerator"], row["denominator"], row["value"], row["lower"],
                   row["upper"], status)


class Judgements:
    """The judgements of one cycle (see the module's description)."""

    def __init__(self, figures: CycleFigures):
        self.figures = figures
        self.cycle = figures.cycle
        self.framework = self.cycle.framework
        self._comparators_by_code: dict[str, dict] = {}

    # --- the table -----------------------------------------------------------------------

    @cached_property
    def table(self) -> pd.DataFrame:
        rows = [*self._indicator_rows(), *self._published_rows()]
        frame = pd.DataFrame(rows)
        for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper",
                       "comparator_value"):
            frame[column] = frame[column].astype(float)
        frame["rank"] = frame["rank"].astype("Int64")
        frame["n_ranked"] = frame["n_ranked"].astype("Int64")
        return frame

    def rows(self, indicator_id: str, area_code: str, window: str) -> pd.DataFrame:
        """Every comparator row of one figure, indexed by comparator."""
        key = (indicator_id, area_code, window)
        return self._by_figure.get(key, pd.DataFrame()).set_index("comparator")

    def row(self, indicator_id: str, area_code: str, window: str,
            comparator: str = "") -> pd.Series | None:
        rows = self.rows(indicator_id, area_code, window)
        if rows.empty:
            return None
        return rows.loc[comparator] if comparator in rows.index else None

    def figure(self, indicator_id: str, area_code: str, window: str) -> pd.Series | None:
        """The figure itself (its first row): value, interval, trend, SPC, band and rank."""
        rows = self._by_figure.get((indicator_id, area_code, window))
        return None if rows is None else rows.iloc[0]

    @cached_property
    def _by_figure(self) -> dict[tuple[str, str, str], pd.DataFrame]:
        return {key: group for key, group in
                self.table.groupby(["indicator_id", "area_code", "window"], sort=False)}

    def headline_window(self, indicator: Indicator) -> str:
        return self.figures.headline_window(indicator)

    # --- indicators of the returns -------------------------------------------------------

    def _indicator_rows(self) -> list[dict]:
        values = self.figures.values.set_index(["indicator_id", "area_code", "window"])
        codes = [*self.cycle.area_codes, PARTNERSHIP_CODE]
        figures_compared = []
        for indicator in self.framework.indicators:
            for window in ("quarter", "year"):
                figures = {code: self._own(indicator, code, window, values) for code in codes}
                national = (self._national_comparators(indicator.national_id)
                            if window == self.headline_window(indicator) else {})
                for code in codes:
                    base = self._base(indicator.id, code, self.cycle.period.label, window,
                                      figures[code])
                    base.update(self._ranked(indicator.national_id, code, indicator.polarity))
                    base.update(self._spc(indicator, code))
                    comparators = {} if code == PARTNERSHIP_CODE else {
                        PARTNERSHIP: figures[PARTNERSHIP_CODE],
                        **{other: figures[other] for other in self.cycle.area_codes
                           if other != code}}
                    comparators.update(national.get(code, {}))
                    figures_compared.append((indicator, window, base, figures[code], comparators))
        # the trends last: their earlier periods may still be computing on another CPU
        # (CycleFigures.history_aside)
        rows = []
        for indicator, window, base, own, comparators in figures_compared:
            base["trend"] = self._trend(indicator, base["area_code"], window)
            rows += self._compared(base, own, comparators, indicator.unit, indicator.polarity)
        return rows

    def _own(self, indicator: Indicator, code: str, window: str,
             values: pd.DataFrame) -> _Figure:
        figure = _own(_lookup(values, (indicator.id, code, window)))
        if indicator.unit == "rate_per_10k":  # a rate's denominator: the children it is per
            figure.denominator = float(self.cycle.population(code))
        return figure

    def _base(self, indicator_id: str, code: str, period: str, window: str,
              own: _Figure) -> dict:
        return {"area_code": code, "indicator_id": indicator_id, "period": period,
                "window": window, "status": own.status, "symbol": own.symbol,
                **({"numerator": own.numerator, "denominator": own.denominator,
                    "value": own.value, "ci_lower": own.lower, "ci_upper": own.upper}
                   if own.shown else {}),
                "quartile_band": "", "rank": pd.NA, "n_ranked": pd.NA, "rank_period": "",
                "spc_variation": "", "spc_assurance": "", "trend": ""}

    def _compared(self, base: dict, own: _Figure, comparators: dict[str, _Figure], unit: str,
                  polarity: str) -> list[dict]:
        if not comparators:
            return [{**base, "comparator": "", "comparator_status": "", "comparator_symbol": "",
                     "comparator_period": "", "comparison": "", "judgement": ""}]
        rows = []
        for name, other in comparators.items():
            comparison = NOT_COMPARED
            if own.shown and other.shown and unit != "count":
                comparison = (comparison_between(own.lower, own.upper, other.lower, other.upper)
                              if name in self.cycle.area_codes
                              else comparison_against(own.lower, own.upper, other.value))
            rows.append({**base, "comparator": name,
                         "comparator_value": other.value if other.shown else np.nan,
                         "comparator_status": other.status, "comparator_symbol": other.symbol,
                         "comparator_period": other.period, "comparison": comparison,
                         "judgement": judge(comparison, polarity)})
        return rows

    def _spc(self, indicator: Indicator, code: str) -> dict:
        frame = self.figures.spc(indicator, code)
        if frame is None:
            return {}
        # the variation and assurance are of the chart's latest month: only this quarter's last
        # month may speak for the quarter (an area that sent nothing for it has an older one)
        months = frame.index[frame["value"].notna()]
        if not len(months) or str(months[-1]) != str(self.cycle.period.months[-1]):
            return {}
        return {"spc_variation": spc.variation(frame, indicator.polarity),
                "spc_assurance": spc.assurance(frame, indicator.target, indicator.polarity)}

    def trend_periods(self, window: str) -> list[Period]:
        """The periods a trend in ``window`` is read over, oldest first: quarter by quarter,
        or the same quarter a year apart."""
        shift, count = (1, TREND_QUARTERS) if window == "quarter" else (4, TREND_YEARS)
        return [self.cycle.period.shift(-shift * back) for back in reversed(range(count))]

    def history_wanted(self) -> list[tuple[Period, str]]:
        """Every (period, window) whose figures the trends read."""
        return [(period, window) for window in ("quarter", "year")
                for period in self.trend_periods(window)]

    def _trend(self, indicator: Indicator, code: str, window: str) -> str:
        if indicator.window == "year" and window == "quarter":
            window = "year"  # the figure always covers 12 months
        points = [self.figures.history(period, window) for period in self.trend_periods(window)]
        series = [_lookup(frame, (indicator.id, code, window)) for frame in points]
        if any(row is None or _own(row).status != SHOWN for row in series):
            return ""
        return direction([row["value"] for row in series], [row["lower"] for row in series],
                         [row["upper"] for row in series])

    # --- published statistics --------------------------------------------------------------

    @cached_property
    def _national(self):
        from scrutiny.report.national import NationalBenchmarks

        return NationalBenchmarks(self.cycle)

    def old_code(self, code: str) -> str:
        area = self.cycle.partnership.area(code)
        return "" if area.old_la_code is None else str(area.old_la_code)

    @cached_property
    def _published_by_key(self) -> dict[tuple[str, int, str], pd.Series]:
        """Each published figure of the partnership's LAs and of the partnership (recomputed),
        by statistic, year and code: looked up once per figure, not filtered each time."""
        bench = self._national
        codes = {self.old_code(code): code for code in self.cycle.area_codes
                 if self.old_code(code)}
        long = bench.long
        la = long[(long["geographic_level"] == "local_authority")
                  & long["area_code"].astype(str).isin(codes)]
        rows = {(row.indicator_id, int(row.time_period), codes[str(row.area_code)]): row
                for row in la.itertuples(index=False)}
        rows.update({(row.indicator_id, int(row.time_period), PARTNERSHIP_CODE): row
                     for row in bench.partnership.itertuples(index=False)})
        return rows

    def _published(self, statistic: str, code: str, year: int) -> _Figure:
        """A published figure of an area (its LA) or of the partnership."""
        return self._published_figure(statistic, self._published_by_key.get(
            (statistic, year, code)), year)

    def _published_figure(self, statistic: str, row, year: int) -> _Figure:
        period = year_label(year)
        if row is None:
            return _Figure(period=period)
        symbol = str(row.suppression or "")
        if symbol or pd.isna(row.value):
            return _Figure(status=SUPPRESSED if symbol == "c" else NOTHING,
                           symbol=symbol or "x", period=period)
        definition = self._national.definitions[statistic]
        lower, upper = published_interval(self._national.unit(statistic), definition.scale,
                                          row.numerator, row.denominator)
        return _Figure(row.numerator, row.denominator, float(row.value), lower, upper,
                       SHOWN, period=period)

    def _national_comparators(self, statistic: str) -> dict[str, dict[str, _Figure]]:
        """Region, statistical neighbours' median and England for each area (region and
        England for the partnership), in the statistic's latest published year."""
        bench = self._national
        if not statistic or not bench.available:
            return {}
        year = bench.latest_year(statistic)
        if year is None:
            return {}
        out: dict[str, dict[str, _Figure]] = {}
        for code in [*self.cycle.area_codes, PARTNERSHIP_CODE]:
            if code != PARTNERSHIP_CODE and not self.old_code(code):
                continue
            # the region and England are the same for every area, so the partnership takes
            # them from its first area's benchmarks
            rows = self._comparator_rows(code if code != PARTNERSHIP_CODE
                                         else self.cycle.area_codes[0])
            wanted = NATIONAL_COMPARATORS if code != PARTNERSHIP_CODE else (REGION, ENGLAND)
            out[code] = {}
            for name in wanted:
                row = rows.get((statistic, year, name))
                if row is None:
                    continue
                symbol = str(row.suppression or "")
                out[code][name] = (
                    _Figure(status=SUPPRESSED if symbol == "c" else NOTHING, symbol=symbol or "x",
                            period=year_label(year))
                    if symbol or pd.isna(row.value)
                    else _Figure(value=float(row.value), status=SHOWN, period=year_label(year)))
        return out

    def _comparator_rows(self, code: str) -> dict[tuple[str, int, str], tuple]:
        """An area's national comparators by statistic, year and comparator."""
        if code not in self._comparators_by_code:
            frame = self._national.comparators(code)
            self._comparators_by_code[code] = {
                (row.indicator_id, int(row.time_period), row.comparator): row
                for row in frame.itertuples(index=False)}
        return self._comparators_by_code[code]

    def _ranked(self, statistic: str, code: str, polarity: str | None = None) -> dict:
        """LAIT quartile band and rank of the area's latest published figure, best first by
        ``polarity`` (default: DfE's)."""
        bench = self._national
        if not statistic or not bench.available or code == PARTNERSHIP_CODE:
            return {}
        year = bench.latest_year(statistic)
        ranks = bench.ranks if polarity is None else bench.ranks_by(statistic, polarity)
        mine = ranks[(ranks["indicator_id"] == statistic) & (ranks["time_period"] == year)
                     & (ranks["area_code"].astype(str) == self.old_code(code))]
        if mine.empty or pd.isna(mine["rank"].iloc[0]):
            return {}
        first = mine.iloc[0]
        return {"quartile_band": band(first["quartile"]), "rank": int(first["rank"]),
                "n_ranked": int(first["n_ranked"]), "rank_period": year_label(year)}

    @cached_property
    def published_statistics(self) -> dict[str, str]:
        """Each statistic the framework's published_statistics panels name, with its step."""
        out: dict[str, str] = {}
        for step, panel in self.framework.panels("published_statistics"):
            for statistic in panel.option("statistics", []):
                out.setdefault(statistic, step.id)
        return out

    def _published_rows(self) -> list[dict]:
        bench = self._national
        if not bench.available:
            return []
        codes = [*self.cycle.area_codes, PARTNERSHIP_CODE]
        rows = []
        for statistic in self.published_statistics:
            year = bench.latest_year(statistic)
            if year is None:
                continue
            polarity = str(bench.definitions[statistic].polarity)
            unit = bench.unit(statistic)
            figures = {code: self._published(statistic, code, year) for code in codes
                       if code == PARTNERSHIP_CODE or self.old_code(code)}
            national = self._national_comparators(statistic)
            for code, own in figures.items():
                base = self._base(statistic, code, year_label(year), PUBLISHED, own)
                base.update(self._ranked(statistic, code))
                history = [self._published(statistic, code, past)
                           for past in range(year - TREND_YEARS + 1, year + 1)]
                if all(point.shown for point in history):
                    base["trend"] = direction([p.value for p in history],
                                              [p.lower for p in history],
                                              [p.upper for p in history])
                comparators = {} if code == PARTNERSHIP_CODE else {
                    PARTNERSHIP: figures[PARTNERSHIP_CODE],
                    **{other: fig for other, fig in figures.items()
                       if other not in (code, PARTNERSHIP_CODE)}}
                comparators.update(national.get(code, {}))
                rows += self._compared(base, own, comparators, unit, polarity)
        return rows

    # --- what a report needs to say a figure --------------------------------------------------

    def polarity(self, indicator_id: str) -> str:
        if indicator_id in self.published_statistics:
            return str(self._national.definitions[indicator_id].polarity)
        return self.framework.indicator(indicator_id).polarity

    def unit(self, indicator_id: str) -> str:
        """count, percent, rate_per_10k, or the published statistic's rate."""
        if indicator_id in self.published_statistics:
            unit = self._national.unit(indicator_id)
            scale = self._national.definitions[indicator_id].scale
            return "rate_per_10k" if unit == "rate" and scale == 10_000 else unit
        return self.framework.indicator(indicator_id).unit

    def title(self, indicator_id: str) -> str:
        if indicator_id in self.published_statistics:
            return self._national.definitions[indicator_id].title
        return self.framework.indicator(indicator_id).title

    def comparator_name(self, comparator: str) -> str:
        if comparator in self.cycle.area_codes:
            return self.cycle.area_name(comparator)
        return {PARTNERSHIP: "the partnership", ENGLAND: "England",
                REGION: self.cycle.partnership.region_name or "the region",
                NEIGHBOURS: "the statistical neighbours' median"}.get(comparator, comparator)


def _lookup(frame: pd.DataFrame, key: tuple) -> pd.Series | None:
    try:
        return frame.loc[key]
    except KeyError:
        return None


def year_label(year: int) -> str:
    """A published year to 31 March, e.g. 2025 -> "2024-25"."""
    return f"{year - 1}-{str(year)[-2:]}"
