"""Reports from the published statistics alone: one per local authority, and a national
comparison (``scrutiny run --areas all-england``, a region code, or a list of old_la_codes).

Every local authority's latest published figure of each statistic is set against its
region, its statistical neighbours' median and England, with its 95% interval, its LAIT band
(A-D) and rank among all English authorities, and its direction over the last three years;
then its trends and its latest Ofsted judgements. The figures for every authority are
computed once per run (:class:`NationalFigures`) and shared with the reports.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny import store
from scrutiny.judgements import (
    BANDS,
    NOT_COMPARED,
    NOT_JUDGED,
    TREND_YEARS,
    band,
    comparison_against,
    direction,
    getting,
    judge,
    published_interval,
    year_label,
)
from scrutiny.national import BY_ID, DEFINITIONS, la_ranks, neighbour_medians
from scrutiny.national.comparators import england_values, region_values
from scrutiny.present import NOT_AVAILABLE, Section
from scrutiny.report.national import (
    OGL_ATTRIBUTION,
    SYNTHETIC_NATIONAL,
    first_published,
    ofsted_table,
    published_text,
    trend_chart,
    unit_of,
)
from scrutiny.shared import share, shared

MOST_TRENDS = 8  # statistics drawn in an authority's trend chart: those that stand out
MARKS = {"better": "▲ better", "worse": "▼ worse", "similar": "● similar",
         "higher": "↑ higher", "lower": "↓ lower"}
ENGLAND_NAME = "England"


class NationalSelectionError(ValueError):
    """--areas names no authority, region or code of the national statistics."""


class NationalFigures:
    """The national statistics of a store, with every authority's benchmarks computed once."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.long = tables.get("national", pd.DataFrame())
        self.neighbours = tables.get("national_neighbours")
        self.ofsted = tables.get("national_ofsted")
        self.areas = tables.get("national_areas", pd.DataFrame()).copy()
        self.files = tables.get("national_files", pd.DataFrame())
        if not self.areas.empty:
            self.areas["old_la_code"] = self.areas["old_la_code"].astype(str)

    @classmethod
    def open(cls, store_path: str | Path) -> NationalFigures:
        """The run's figures if it shared them and the store is unchanged, else the store's."""
        figures = shared(store_path, "national")
        if figures is not None:
            return figures
        with store.open_store(Path(store_path), read_only=True) as connection:
            present = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
            tables = {name: connection.execute(f"SELECT * FROM {name}").df()
                      for name in store.NATIONAL_TABLES if name in present}
        return cls(tables)

    def share(self, store_path: str | Path) -> None:
        """Compute what every report reads, and share it with the reports forked after."""
        self.benchmarks  # noqa: B018
        share(store_path, "national", self)

    # --- what the statistics cover -----------------------------------------------------

    @property
    def synthetic(self) -> bool:
        if self.files.empty or "synthetic" not in self.files.columns:
            return False
        return bool(self.files["synthetic"].fillna(False).astype(bool).any())

    @cached_property
    def statistics(self) -> list[str]:
        """The statistics with figures, in the catalogue's order."""
        present = set(self.long["indicator_id"]) if not self.long.empty else set()
        return [definition.id for definition in DEFINITIONS if definition.id in present]

    @cached_property
    def latest(self) -> dict[str, int]:
        return {statistic: int(year) for statistic, year in
                self.long.groupby("indicator_id")["time_period"].max().items()}

    @property
    def year(self) -> int:
        """The latest year published of any statistic (2025: the year to 31 March 2025)."""
        return max(self.latest.values())

    def authority(self, old_la_code: str) -> pd.Series:
        return self.areas.set_index("old_la_code").loc[str(old_la_code)]

    @property
    def current(self) -> pd.DataFrame:
        """The authorities with figures in the latest year of the files: DfE's files also
        list authorities since reorganised (Dorset, Poole and Bournemouth to 2019, for
        example), with their older years."""
        areas = self.areas.sort_values(["region_name", "la_name"])
        if "last_year" not in areas.columns:
            return areas
        return areas[areas["last_year"] >= areas["last_year"].max()]

    def select(self, selection: list[str]) -> list[str]:
        """The old_la_codes chosen by ``--areas``: all-england, region codes, or codes (of
        current authorities)."""
        areas = self.current
        if [item.lower() for item in selection] == ["all-england"]:
            return list(areas["old_la_code"])
        chosen, unknown = [], []
        regions = set(areas["region_code"])
        former = self.areas.set_index("old_la_code")
        for item in selection:
            if item in regions:
                chosen += list(areas.loc[areas["region_code"] == item, "old_la_code"])
            elif item in set(areas["old_la_code"]):
                chosen.append(item)
            elif item in former.index:
                raise NationalSelectionError(
                    f"--areas {item}: {former.loc[item, 'la_name']} has no figures after "
                    f"{former.loc[item, 'last_year']} (it has since been reorganised); give "
                    "the code of the authority that replaced it")
            else:
                unknown.append(item)
        if unknown or not chosen:
            region_list = ", ".join(f"{code} ({name})" for code, name in sorted(
                set(zip(areas["region_code"], areas["region_name"], strict=True))))
            raise NationalSelectionError(
                f"--areas {', '.join(unknown or selection)}: not in the national statistics. "
                f"Give all-england, a region code ({region_list}) or old_la_codes such as "
                f"{', '.join(list(areas['old_la_code'])[:3])}")
        return list(dict.fromkeys(chosen))

    # --- benchmarks, every authority at once ------------------------------------------

    @cached_property
    def ranks(self) -> pd.DataFrame:
        return la_ranks(self.long)

    @cached_property
    def benchmarks(self) -> pd.DataFrame:
        """One row per authority and statistic, at the statistic's latest year: the figure,
        its interval, its comparators, how it compares with England, its band and rank."""
        long = self.long
        latest = long["time_period"] == long["indicator_id"].map(self.latest)
        las = long[latest & (long["geographic_level"] == "local_authority")].copy()
        las = las[las["area_code"].isin(set(self.areas["old_la_code"]))]
        england = england_values(long).set_index(["indicator_id", "time_period"])["value"]
        las["england"] = [england.get(key, np.nan) for key in
                          zip(las["indicator_id"], las["time_period"], strict=True)]
        region_of = self.areas.set_index("old_la_code")["region_code"]
        las["region_code"] = las["area_code"].map(region_of)
        regions = pd.concat([region_values(long, code).assign(region_code=code)
                             for code in sorted(set(region_of.dropna()))], ignore_index=True)
        regions = regions.set_index(["region_code", "indicator_id", "time_period"])["value"]
        las["region"] = [regions.get(key, np.nan) for key in zip(
            las["region_code"], las["indicator_id"], las["time_period"], strict=True)]
        if self.neighbours is not None and not self.neighbours.empty:
            medians = neighbour_medians(long, self.neighbours).set_index(
                ["area_code", "indicator_id", "time_period"])["value"]
            las["neighbours"] = [medians.get(key, np.nan) for key in zip(
                las["area_code"], las["indicator_id"], las["time_period"], strict=True)]
        else:
            las["neighbours"] = np.nan
        intervals = [self._interval(row) for row in las.itertuples()]
        las["lower"] = [lower for lower, _upper in intervals]
        las["upper"] = [upper for _lower, upper in intervals]
        # a count is the size of the authority: set beside others, never judged against them
        counts = las["indicator_id"].map(unit_of) == "count"
        las["comparison"] = [
            NOT_COMPARED if count else comparison_against(lower, upper, england)
            for lower, upper, england, count in
            zip(las["lower"], las["upper"], las["england"], counts, strict=True)]
        las["judgement"] = [judge(comparison, BY_ID[statistic].polarity)
                            for comparison, statistic in
                            zip(las["comparison"], las["indicator_id"], strict=True)]
        ranks = self.ranks.set_index(["indicator_id", "time_period", "area_code"])
        keys = list(zip(las["indicator_id"], las["time_period"], las["area_code"], strict=True))
        las["rank"] = [ranks["rank"].get(key, pd.NA) for key in keys]
        las["n_ranked"] = [ranks["n_ranked"].get(key, pd.NA) for key in keys]
        las["band"] = [band(ranks["quartile"].get(key, np.nan)) for key in keys]
        las.loc[counts.to_numpy(), ["rank", "n_ranked"]] = pd.NA
        las.loc[counts.to_numpy(), "band"] = ""
        las["trend"] = [self._trend(code, statistic) for code, statistic in
                        zip(las["area_code"], las["indicator_id"], strict=True)]
        return las.reset_index(drop=True)

    @staticmethod
    def _interval(row) -> tuple[float, float]:  # noqa: ANN001 (a row of itertuples)
        if row.suppression:
            return np.nan, np.nan
        definition = BY_ID[row.indicator_id]
        return published_interval(definition.unit, definition.scale, row.numerator,
                                  row.denominator)

    @cached_property
    def _series(self) -> dict[tuple[str, str], pd.Series]:
        las = self.long[self.long["geographic_level"] == "local_authority"]
        return {key: group.set_index("time_period")["value"].where(group.set_index(
                    "time_period")["suppression"].fillna("") == "")
                for key, group in las.groupby(["area_code", "indicator_id"])}

    def _trend(self, old_la_code: str, statistic: str) -> str:
        series = self._series.get((old_la_code, statistic))
        if series is None:
            return ""
        last = self.latest[statistic]
        years = range(last - TREND_YEARS + 1, last + 1)
        return direction([series.get(year, np.nan) for year in years])

    def comparators(self, old_la_code: str) -> pd.DataFrame:
        """indicator_id, time_period, comparator, value, suppression: the authority, its
        region, its statistical neighbours' median and England, every year."""
        from scrutiny.national import benchmark

        region = self.authority(old_la_code)["region_code"]
        rows = benchmark(self.long, str(old_la_code), region_code=region,
                         neighbours=self.neighbours)
        return rows[["indicator_id", "time_period", "comparator", "value", "suppression"]]


def _trend_text(trend: str, statistic: str) -> str:
    if not trend:
        return NOT_AVAILABLE
    judged = getting(trend, BY_ID[statistic].polarity)
    return f"{trend} ({'getting ' + judged})" if judged else trend


def _against(judgement: str, comparison: str) -> str:
    word = judgement if judgement != NOT_JUDGED else comparison
    return MARKS.get(word, NOT_AVAILABLE)


class NationalAreaReport:
    """One local authority from the published statistics; each method is a notebook cell."""

    def __init__(self, figures: NationalFigures, old_la_code: str):
        self.figures = figures
        self.code = str(old_la_code)
        area = figures.authority(self.code)
        self.name, self.region = area["la_name"], area["region_name"] or "Region"

    @classmethod
    def open(cls, store_path: str | Path, old_la_code: str) -> NationalAreaReport:
        return cls(NationalFigures.open(store_path), old_la_code)

    @cached_property
    def rows(self) -> pd.DataFrame:
        rows = self.figures.benchmarks
        rows = rows[rows["area_code"] == self.code]
        order = {statistic: number for number, statistic in enumerate(self.figures.statistics)}
        return rows.sort_values("indicator_id", key=lambda ids: ids.map(order))

    def title(self) -> Section:
        section = Section(f"{self.name}: published statistics", level=1)
        if self.figures.synthetic:
            section.notice(SYNTHETIC_NATIONAL)
        section.paragraph(
            f"{self.name} ({self.region}) beside its region, its ten statistical neighbours "
            "and England in DfE's and Ofsted's published statistics on children in need, "
            "child protection, children looked after, care leavers and the social work "
            f"workforce, to the year ending March {self.figures.year} "
            f"({year_label(self.figures.year)}).")
        return section

    def summary(self) -> Section:
        """Where the authority differs from England (its interval excludes England's figure),
        worse first, with its band among all English authorities."""
        section = Section()
        differs = self.rows[self.rows["comparison"].isin(["higher", "lower"])]
        order = {"worse": 0, NOT_JUDGED: 1, "better": 2}
        differs = differs.sort_values("judgement", key=lambda column: column.map(order))
        if differs.empty:
            section.paragraph(f"No published statistic for {self.name} differs significantly "
                              "from England's.")
        else:
            section.bullets([self._sentence(row) for row in differs.itertuples()])
        section.note("Significantly different: the 95% interval of the authority's figure "
                     "(from its published numerator and denominator) excludes England's "
                     "figure. Worse or better where DfE's statistic has a better direction; "
                     "higher or lower where it has none. Band A is the best quarter of English "
                     "authorities, D the worst.")
        return section

    def _sentence(self, row) -> str:  # noqa: ANN001 (a row of itertuples)
        unit = unit_of(row.indicator_id)
        word = row.judgement if row.judgement != NOT_JUDGED else row.comparison
        rank = (f", band {row.band}, rank {int(row.rank)} of {int(row.n_ranked)}"
                if row.band else "")
        return (f"{BY_ID[row.indicator_id].title}: {published_text(row.value, unit)} in "
                f"{year_label(row.time_period)}, {word} than England "
                f"({published_text(row.england, unit)}){rank}.")

    def benchmarks(self) -> Section:
        section = Section()
        table = pd.DataFrame([self._row(row) for row in self.rows.itertuples()])
        section.table(table, f"{self.name} beside its region, statistical neighbours and "
                             "England (latest published year)")
        section.note("Symbols are DfE's: c suppressed, low / k / u low reliability, x not "
                     "available, z not applicable. Trend: the direction over the last three "
                     "years, where every year moved the same way.")
        return section

    def _row(self, row) -> dict:  # noqa: ANN001 (a row of itertuples)
        unit = unit_of(row.indicator_id)
        interval = (f"{published_text(row.lower, unit)} to {published_text(row.upper, unit)}"
                    if not pd.isna(row.lower) else NOT_AVAILABLE)
        return {
            "Statistic": BY_ID[row.indicator_id].title,
            "Year": year_label(row.time_period),
            self.name: published_text(row.value, unit, row.suppression or ""),
            "95% interval": interval,
            self.region: published_text(row.region, unit),
            "Statistical neighbours": published_text(row.neighbours, unit),
            ENGLAND_NAME: published_text(row.england, unit),
            "Against England": _against(row.judgement, row.comparison),
            "Band": row.band or NOT_AVAILABLE,
            "Rank": (f"{int(row.rank)} of {int(row.n_ranked)}" if not pd.isna(row.rank)
                     else NOT_AVAILABLE),
            "Trend": _trend_text(row.trend, row.indicator_id),
        }

    def trends(self) -> Section:
        """The statistics that stand out (different from England, or in band A or D)."""
        section = Section()
        stand_out = self.rows[self.rows["comparison"].isin(["higher", "lower"])
                              | self.rows["band"].isin([BANDS[0], BANDS[-1]])]
        chosen = list(stand_out["indicator_id"])[:MOST_TRENDS]
        if not chosen:
            section.paragraph("No statistic differs from England or sits in the top or bottom "
                              "band, so none is charted.")
            return section
        section.figure(
            trend_chart(self.figures.comparators(self.code), chosen, self.name, self.region),
            f"The last five published years of the statistics where {self.name} differs from "
            "England or sits in band A or D, beside its region, its statistical neighbours' "
            "median and England.")
        more = len(stand_out) - MOST_TRENDS
        if more > 0:
            section.note(f"{more} more {'statistic stands' if more == 1 else 'statistics stand'}"
                         " out; the table above gives their figures and direction.")
        return section

    def ofsted(self) -> Section:
        section = Section()
        judgements = ofsted_table(self.figures.ofsted, self.code)
        if judgements.empty:
            section.paragraph(f"No Ofsted inspection outcome was supplied for {self.name}.")
        else:
            section.table(judgements, "Ofsted judgements at the latest inspection of "
                                      "children's services (ILACS)")
        return section

    def about(self) -> Section:
        section = Section()
        section.note(OGL_ATTRIBUTION)
        return section


class NationalComparison:
    """Every selected authority side by side; each method is a notebook cell."""

    def __init__(self, figures: NationalFigures, old_la_codes: list[str]):
        self.figures = figures
        self.codes = [str(code) for code in old_la_codes]

    @classmethod
    def open(cls, store_path: str | Path, areas: str) -> NationalComparison:
        """``areas`` as ``--areas`` gives them: all-england, region codes or old_la_codes,
        comma-separated."""
        figures = NationalFigures.open(store_path)
        return cls(figures, figures.select([item.strip() for item in areas.split(",")
                                            if item.strip()]))

    def title(self) -> Section:
        section = Section("National comparison: published statistics", level=1)
        if self.figures.synthetic:
            section.notice(SYNTHETIC_NATIONAL)
        section.paragraph(
            f"{len(self.codes)} local authorities side by side, and England's regions, in "
            "DfE's and Ofsted's published statistics to the year ending March "
            f"{self.figures.year} ({year_label(self.figures.year)}).")
        return section

    def regions(self) -> Section:
        """Each statistic's latest figure for England and every region."""
        long = self.figures.long
        regions = (self.figures.areas[["region_code", "region_name"]].drop_duplicates()
                   .sort_values("region_name"))
        england = england_values(long).set_index(["indicator_id", "time_period"])["value"]
        rows = []
        for statistic in self.figures.statistics:
            year, unit = self.figures.latest[statistic], unit_of(statistic)
            row = {"Statistic": BY_ID[statistic].title, "Year": year_label(year),
                   ENGLAND_NAME: published_text(england.get((statistic, year), np.nan), unit)}
            for code, name in zip(regions["region_code"], regions["region_name"], strict=True):
                values = region_values(long, code)
                match = values[(values["indicator_id"] == statistic)
                               & (values["time_period"] == year)]
                row[name] = first_published(match, unit)
            rows.append(row)
        section = Section()
        section.table(pd.DataFrame(rows), "England and its regions (latest published year)")
        return section

    def authorities(self) -> Section:
        """Each authority: its Ofsted grade and how many statistics are worse or better than
        England's, and in the bottom or top band."""
        rows = self.figures.benchmarks
        rows = rows[rows["area_code"].isin(self.codes)]
        ofsted = (self.figures.ofsted.assign(old_la_code=lambda frame: frame["old_la_code"]
                                             .astype(str))
                  .set_index("old_la_code")["overall_effectiveness"]
                  if self.figures.ofsted is not None and not self.figures.ofsted.empty
                  else pd.Series(dtype=object))
        table = []
        for code in self.codes:
            mine = rows[rows["area_code"] == code]
            area = self.figures.authority(code)
            table.append({
                "Local authority": area["la_name"], "Region": area["region_name"],
                "Ofsted overall effectiveness": ofsted.get(code) or NOT_AVAILABLE,
                "Worse than England": int((mine["judgement"] == "worse").sum()),
                "Better than England": int((mine["judgement"] == "better").sum()),
                f"In band {BANDS[-1]} (worst quarter)": int((mine["band"] == BANDS[-1]).sum()),
                f"In band {BANDS[0]} (best quarter)": int((mine["band"] == BANDS[0]).sum()),
                "Statistics published": int(mine["value"].notna().sum()),
            })
        section = Section()
        section.table(pd.DataFrame(table), "Each local authority against England, and its "
                                           "bands among all English authorities")
        section.note("Worse or better: the 95% interval of the authority's figure excludes "
                     "England's, for the statistics DfE gives a better direction. Each "
                     "authority's own report gives every figure.")
        return section

    def about(self) -> Section:
        section = Section()
        section.note(OGL_ATTRIBUTION)
        return section
