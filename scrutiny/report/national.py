"""Benchmarks from the published statistics: each area beside England, its region, its
statistical neighbours and the partnership, with its rank among all English authorities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property

import pandas as pd

from scrutiny import charts
from scrutiny.charts import BLACK, GREY, HIGHLIGHT, PARTNERSHIP, PURPLE
from scrutiny.cycle import PARTNERSHIP_CODE, Cycle
from scrutiny.present import NOT_AVAILABLE, Section

TREND_YEARS = 5
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Department for Education, Characteristics of children in need; Children looked "
    "after in England; Children's social work workforce; DfE statistical neighbours; ONS "
    "mid-year population estimates; Ofsted, children's services inspection outcomes."
)
SYNTHETIC_NATIONAL = (
    "In this demonstration the published statistics are synthetic files in the Explore "
    "Education Statistics layout, not official statistics."
)
COMPARATOR_LABELS = {"local_authority": None, "partnership": "Partnership",
                     "region": None, "neighbour_median": "Statistical neighbours (median)",
                     "england": "England"}
LINE_STYLES = {"local_authority": (HIGHLIGHT, "-"), "partnership": (PARTNERSHIP, "-"),
               "region": (GREY, "--"), "neighbour_median": (PURPLE, ":"),
               "england": (BLACK, "-.")}


def published_text(value: float, unit: str, suppression: str = "",
                   decimals: int | None = None) -> str:
    """A figure as shown: a count whole, a percentage or rate to one decimal place, or to
    ``decimals``, the places its file publishes the statistic to (DfE gives some as whole
    numbers), where the figure has no more (a median of whole numbers may end in .5)."""
    if suppression:
        return suppression  # the published symbol, as published
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    if unit == "count":
        return f"{value:,.0f}"
    places = decimals if decimals is not None and round(value, decimals) == value else 1
    return f"{value:.{places}f}%" if unit == "percent" else f"{value:,.{places}f}"


class NationalBenchmarks:
    """The national long table of a cycle, with its comparators computed once."""

    def __init__(self, cycle: Cycle):
        self.cycle = cycle
        self._comparators: dict[str, pd.DataFrame] = {}
        self._reranked: dict[tuple[str, str], pd.DataFrame] = {}
        self.long = cycle.national.get("national", pd.DataFrame())
        self.neighbours = cycle.national.get("national_neighbours")
        self.ofsted = cycle.national.get("national_ofsted")

    @property
    def available(self) -> bool:
        return not self.long.empty

    @cached_property
    def definitions(self) -> dict:
        from scrutiny.national import BY_ID

        return BY_ID

    def unit(self, indicator_id: str) -> str:
        return unit_of(indicator_id)

    def old_code(self, area_code: str) -> str:
        return str(self.cycle.partnership.area(area_code).old_la_code)

    @cached_property
    def partnership(self) -> pd.DataFrame:
        from scrutiny.national import partnership_aggregate

        codes = [str(area.old_la_code) for area in self.cycle.partnership.areas
                 if area.old_la_code is not None]
        return partnership_aggregate(self.long, codes, area_code=PARTNERSHIP_CODE,
                                     area_name=self.cycle.partnership.name)

    @cached_property
    def ranks(self) -> pd.DataFrame:
        from scrutiny.national import la_ranks

        return la_ranks(self.long)

    def ranks_by(self, statistic: str, polarity: str) -> pd.DataFrame:
        """Every authority's rank on one statistic, best first by ``polarity``: DfE's, or a
        partnership indicator's own where its catalogue reads the statistic the other way (so
        that a row's band never contradicts its judgement)."""
        from scrutiny.national import la_ranks

        definition = self.definitions.get(statistic)
        if definition is None or str(definition.polarity) == str(polarity):
            return self.ranks
        key = (statistic, str(polarity))
        if key not in self._reranked:
            own = replace(definition, polarity=type(definition.polarity)(polarity))
            self._reranked[key] = la_ranks(self.long[self.long["indicator_id"] == statistic],
                                           {statistic: own})
        return self._reranked[key]

    def comparators(self, area_code: str) -> pd.DataFrame:
        """indicator_id, time_period, comparator, value, suppression for one area (computed
        once per area: every statistic of every step reads it)."""
        from scrutiny.national import benchmark

        if area_code not in self._comparators:
            rows = benchmark(self.long, self.old_code(area_code),
                             region_code=self.cycle.partnership.region_code,
                             neighbours=self.neighbours)
            whole = self.partnership.assign(comparator="partnership")
            columns = ["indicator_id", "time_period", "comparator", "value", "suppression"]
            self._comparators[area_code] = pd.concat([rows[columns], whole[columns]],
                                                     ignore_index=True)
        return self._comparators[area_code]

    def latest_year(self, indicator_id: str) -> int | None:
        years = self.long.loc[self.long["indicator_id"] == indicator_id, "time_period"]
        return int(years.max()) if len(years) else None

    def trend_chart(self, area_code: str, indicator_ids: list[str]) -> charts.Chart | None:
        """The last TREND_YEARS published years of each statistic for the area beside the
        partnership, region, statistical neighbours and England (hidden figures not drawn)."""
        return trend_chart(self.comparators(area_code), indicator_ids,
                           self.cycle.area_name(area_code),
                           self.cycle.partnership.region_name or "Region")

    def ofsted_table(self, area_code: str) -> pd.DataFrame:
        return ofsted_table(self.ofsted, self.old_code(area_code))

    def regional_table(self, indicator_ids: list[str]) -> pd.DataFrame:
        rows = []
        long = self.long
        region_code = self.cycle.partnership.region_code
        for indicator_id in indicator_ids:
            year = self.latest_year(indicator_id)
            if year is None:
                continue
            unit = self.unit(indicator_id)
            latest = long[(long["indicator_id"] == indicator_id) & (long["time_period"] == year)]
            row = {"Indicator": self.definitions[indicator_id].title, "Year": year}
            for area in self.cycle.partnership.areas:
                mine = latest[(latest["geographic_level"] == "local_authority")
                              & (latest["area_code"] == str(area.old_la_code))]
                row[area.name] = first_published(mine, unit)
            whole = self.partnership[(self.partnership["indicator_id"] == indicator_id)
                                     & (self.partnership["time_period"] == year)]
            row["Partnership"] = first_published(whole, unit)
            for label, level, code in (
                    (self.cycle.partnership.region_name or "Region", "region", region_code),
                    ("England", "england", None)):
                match = latest[latest["geographic_level"] == level]
                if code:
                    match = match[match["area_code"] == code]
                row[label] = first_published(match, unit)
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def synthetic(self) -> bool:
        files = self.cycle.national.get("national_files")
        if files is None or "synthetic" not in files.columns:  # stores from before 0.1.0
            return False
        return bool(files["synthetic"].fillna(False).any())

    def attribution(self, section: Section) -> None:
        if self.synthetic:
            section.notice(SYNTHETIC_NATIONAL)
        section.note(OGL_ATTRIBUTION)


def first_published(rows: pd.DataFrame, unit: str) -> str:
    """The first row's figure as published (its symbol if hidden), or a dash if none."""
    if not len(rows):
        return NOT_AVAILABLE
    return published_text(rows["value"].iloc[0], unit, rows["suppression"].iloc[0] or "")


def unit_of(indicator_id: str) -> str:
    """A published statistic's unit as the reports format it: percent, count or rate."""
    from scrutiny.national import BY_ID

    unit = BY_ID[indicator_id].unit
    return "percent" if unit == "percent" else "count" if unit == "count" else "rate"


def trend_chart(comparators: pd.DataFrame, indicator_ids: list[str], area_name: str,
                region_name: str,
                decimals: Mapping[str, int] | None = None) -> charts.Chart | None:
    """Small multiples of the last TREND_YEARS published years of each statistic: the area
    beside its comparators (``comparators``: indicator_id, time_period, comparator, value,
    suppression); hidden figures are not drawn. ``decimals``: the places each statistic is
    published to, where its figures are shown so (:func:`published_text`)."""
    from scrutiny.national import BY_ID

    years = comparators.groupby("indicator_id")["time_period"].max()
    present = [i for i in indicator_ids if i in years.index]
    if not present:
        return None
    labels = {**COMPARATOR_LABELS, "local_authority": area_name, "region": region_name}
    drawn = set(comparators["comparator"])  # no partnership line (or key) in the national mode
    styles = {comparator: (labels[comparator], colour, style)
              for comparator, (colour, style) in LINE_STYLES.items() if comparator in drawn}
    panels = []
    for indicator_id in present:
        last = int(years[indicator_id])
        rows = comparators[(comparators["indicator_id"] == indicator_id)
                           & (comparators["time_period"] > last - TREND_YEARS)]
        suppression = rows["suppression"].fillna("")
        unit = unit_of(indicator_id)
        panels.append((BY_ID[indicator_id].title, rows.assign(
            value=rows["value"].where(suppression == ""),
            shown=[published_text(value, unit, symbol, (decimals or {}).get(indicator_id))
                   for value, symbol in zip(rows["value"], suppression, strict=True)])))
    return charts.trend_lines(panels, styles)


OFSTED_JUDGEMENTS = {
    "Overall effectiveness": "overall_effectiveness",
    "Impact of leaders on social work practice": "leadership",
    "Experiences and progress of children who need help and protection": "help_and_protection",
    "Experiences and progress of children in care": "children_in_care",
    "Experiences and progress of care leavers": "care_leavers",
}


def ofsted_table(ofsted: pd.DataFrame | None, old_la_code: str) -> pd.DataFrame:
    """The judgements of an authority's latest Ofsted inspection (ILACS), one row each."""
    if ofsted is None or ofsted.empty:
        return pd.DataFrame()
    mine = ofsted[ofsted["old_la_code"].astype(str) == str(old_la_code)]
    if mine.empty:
        return pd.DataFrame()
    row = mine.iloc[0]
    date = pd.to_datetime(row.get("inspection_date"))
    return pd.DataFrame([
        {"Judgement": label, "Grade": row.get(column, NOT_AVAILABLE) or NOT_AVAILABLE,
         "Inspection": f"{date:%B %Y}" if not pd.isna(date) else NOT_AVAILABLE}
        for label, column in OFSTED_JUDGEMENTS.items() if column in row.index])


def add_area_benchmarks(section: Section, cycle: Cycle, area_code: str,
                        indicator_ids: list[str], benchmarks: NationalBenchmarks,
                        table: pd.DataFrame, anchor: str, *, ofsted: bool = False) -> None:
    """A step's published statistics (the framework's ``published_statistics`` panel) in an
    area report, with the latest Ofsted judgements if the panel asks for them."""
    section.heading("Benchmarks from published statistics")
    if not benchmarks.available:
        section.note("No national statistics were supplied for this run (scrutiny run "
                     "--national-dir), so this area is compared only with the partnership.")
        return
    name = cycle.area_name(area_code)
    section.table(table, f"{name} beside the partnership, region, statistical neighbours and "
                         "England (latest published year)", anchor=anchor)
    section.note("Symbols are DfE's: c suppressed, low / k / u low reliability, x not "
                 "available, z not applicable. 95% CI from the published numerator and "
                 "denominator. Against: ▲ better or ▼ worse where the interval excludes the "
                 "comparator's figure (against another area, where the intervals do not "
                 "overlap); ↑ higher or ↓ lower where neither direction is better; ● similar "
                 "otherwise. Band and rank: among all English local authorities, as DfE's LAIT "
                 "(band A the best quarter, or the highest where neither direction is better).")
    section.figure(benchmarks.trend_chart(area_code, indicator_ids),
                   f"The last {TREND_YEARS} published years for {name}, the partnership, the "
                   "region, the statistical neighbours' median and England.")
    if ofsted:
        judgements = benchmarks.ofsted_table(area_code)
        if judgements.empty:
            section.note("No Ofsted inspection outcomes were supplied for this area.")
        else:
            section.table(judgements, "Ofsted judgements at the latest inspection of children's "
                                  "services (ILACS)")
    benchmarks.attribution(section)
