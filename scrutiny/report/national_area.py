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
from scrutiny.charts import listed
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
from scrutiny.national.files import PUBLISHED
from scrutiny.national.indicators import FAMILIES, Published, RatePer10k
from scrutiny.options import ALL_ENGLAND, normalised
from scrutiny.present import NOT_AVAILABLE, Section
from scrutiny.report.national import (
    OGL_ATTRIBUTION,
    SYNTHETIC_NATIONAL,
    ofsted_table,
    published_text,
    trend_chart,
    unit_of,
)
from scrutiny.shared import share, shared
from scrutiny.stats import Polarity

MOST_TRENDS = 8  # statistics drawn in an authority's trend chart: those that stand out
MARKS = {"better": "▲ better", "worse": "▼ worse", "similar": "● similar",
         "higher": "↑ higher", "lower": "↓ lower"}
ENGLAND_NAME = "England"
# An ONS fact: London (E12000007) is Inner London (E13000001) and Outer London (E13000002),
# the regions DfE's files give London's boroughs.
LONDON, LONDON_PARTS = "E12000007", ("E13000001", "E13000002")
MOST_PLACES = 2  # a published figure has at most this many decimal places; more: computed
# How the outer bands read: where a statistic has a better direction they are its best and
# worst quarters; where it has none (ranked highest first) its highest and lowest
BAND_WORDS = {True: {BANDS[0]: "best quarter", BANDS[-1]: "worst quarter"},
              False: {BANDS[0]: "highest quarter", BANDS[-1]: "lowest quarter"}}
BAND_NOTE = ("Band and rank are among all English authorities: where the statistic has a "
             "better direction, band A is the best quarter and rank 1 the best; where it has "
             "none, band A is the highest quarter and rank 1 the highest.")
# What each family of statistics is about, for a report's introduction
TOPICS = {"cin": "children in need", "referrals": "children in need",
          "s47_icpc": "child protection", "cpp_subsequent": "child protection",
          "cpp": "child protection", "cla": "children looked after",
          "placements": "children looked after", "care_leavers": "care leavers",
          "workforce": "the social work workforce"}
NEIGHBOURS_MEDIAN = "its statistical neighbours' median"
POPULATION = "population"  # the ONS estimates, which every rate of RatePer10k divides by
# What the reports lose without a file that holds no statistics of its own
WITHOUT = {"neighbours": "the median of each authority's ten statistical neighbours",
           "ofsted": "the Ofsted judgements"}


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

    @property
    def has_neighbours(self) -> bool:
        return self.neighbours is not None and not self.neighbours.empty

    @property
    def has_ofsted(self) -> bool:
        return self.ofsted is not None and not self.ofsted.empty

    @property
    def publishers(self) -> str:
        """Whose statistics the reports have: DfE's, and Ofsted's if its file was read."""
        return "DfE's and Ofsted's" if self.has_ofsted else "DfE's"

    @cached_property
    def decimals(self) -> dict[str, int]:
        """The decimal places each statistic DfE publishes (rather than one computed here) has
        in its file: DfE gives some as whole numbers, shown so (26%, not 26.0%)."""
        published = [item.id for item in DEFINITIONS if isinstance(item.method, Published)]
        rows = self.long[self.long["indicator_id"].isin(published) & self.long["value"].notna()]
        places = {statistic: _places(group) for statistic, group in
                  rows.groupby("indicator_id")["value"]}
        return {statistic: number for statistic, number in places.items() if number is not None}

    def text(self, value: float, statistic: str, suppression: str = "") -> str:
        """A figure of ``statistic`` as shown, at the places its file publishes it to."""
        return published_text(value, unit_of(statistic), suppression,
                              self.decimals.get(statistic))

    @cached_property
    def gaps(self) -> list[str]:
        """One sentence for each expected file that was missing or could not be used: its
        name, why, and what the reports leave out without it."""
        if self.files.empty or "status" not in self.files.columns:
            return []
        problems = self.files[self.files["status"].isin(["missing", "refused"])]
        return [self._gap(row) for row in problems.itertuples()]

    def _gap(self, row) -> str:  # noqa: ANN001 (a row of itertuples)
        if row.status == "missing":
            expected = PUBLISHED.get(row.family)
            named = (f"{expected.name} (or another file named {expected.pattern})"
                     if expected else Path(row.file).name)
            sentence = f"{named} was not found"
        else:
            why = row.problem if isinstance(row.problem, str) and row.problem else "refused"
            sentence = f"{Path(row.file).name} could not be used ({why.rstrip('.')})"
        left_out = self._left_out(row.family)
        return sentence + (f": the reports leave out {'; '.join(left_out)}." if left_out
                           else ".")

    def _left_out(self, family: str) -> list[str]:
        """What has no figures for want of ``family``'s file: its own statistics, the rates
        computed from the ONS estimates, or what a file of no statistics gives."""
        present = set(self.statistics)
        if family in FAMILIES or family == POPULATION:
            return [item.title for item in DEFINITIONS if item.id not in present and (
                item.family == family
                or (family == POPULATION and isinstance(item.method, RatePer10k)))]
        lacking = {"neighbours": not self.has_neighbours, "ofsted": not self.has_ofsted}
        return [WITHOUT[family]] if lacking.get(family) else []

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
        """The old_la_codes chosen by ``--areas``: all-england, region codes (London's
        E12000007, or its two halves E13000001 and E13000002, too), or codes of current
        authorities; any case."""
        items = list(dict.fromkeys(normalised(item) for item in selection))
        areas = self.current
        if not items:
            raise NationalSelectionError(f"--areas names no authority. {self._choices()}")
        if ALL_ENGLAND in items:
            if len(items) > 1:
                raise NationalSelectionError(
                    f"--areas {','.join(items)}: all-england already includes every "
                    "authority; give it alone")
            return list(areas["old_la_code"])
        chosen, unknown = [], []
        former = self.areas.set_index("old_la_code")
        for item in items:
            in_region = areas["region_code"].isin(
                {item, *LONDON_PARTS} if item == LONDON else {item})
            if in_region.any():
                chosen += list(areas.loc[in_region, "old_la_code"])
            elif item in set(areas["old_la_code"]):
                chosen.append(item)
            elif item in former.index:
                raise NationalSelectionError(
                    f"--areas {item}: {former.loc[item, 'la_name']} has no figures after "
                    f"{former.loc[item, 'last_year']} (it has since been reorganised); give "
                    "the code of the authority that replaced it")
            else:
                unknown.append(item)
        if unknown:
            raise NationalSelectionError(
                f"--areas {', '.join(unknown)}: not in the national statistics. "
                f"{self._choices()}")
        return list(dict.fromkeys(chosen))

    def _choices(self) -> str:
        """What --areas can name, from the statistics themselves."""
        areas = self.current
        regions = set(zip(areas["region_code"], areas["region_name"], strict=True))
        if any(code in LONDON_PARTS for code, _name in regions):
            regions.add((LONDON, "London"))
        region_list = ", ".join(f"{code} ({name})" for code, name in sorted(regions))
        return (f"Give {ALL_ENGLAND}, a region code ({region_list}) or old_la_codes such as "
                f"{', '.join(list(areas['old_la_code'])[:3])}")

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


def _places(values: pd.Series) -> int | None:
    """The fewest decimal places that write every value exactly; None if more than a
    published file gives (figures computed, not published: shown to one place)."""
    array = values.to_numpy(dtype=float)
    for places in range(MOST_PLACES + 1):
        scaled = array * 10**places
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return places
    return None


def _directed(statistic: str) -> bool:
    """Whether DfE's statistic has a better direction (its band A is then the best quarter)."""
    return BY_ID[statistic].polarity != Polarity.CONTEXT


def band_text(band_letter: str, statistic: str) -> str:
    """A band as read: A and D say which quarter they are, by the statistic's direction."""
    if not band_letter:
        return NOT_AVAILABLE
    words = BAND_WORDS[_directed(statistic)].get(band_letter)
    return f"{band_letter} ({words})" if words else band_letter


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
        topics = dict.fromkeys(TOPICS[BY_ID[statistic].family]
                               for statistic in self.figures.statistics)
        section.paragraph(
            f"{self.name} ({self.region}) beside "
            f"{self._comparators('its ten statistical neighbours')} in "
            f"{self.figures.publishers} published statistics on {listed(list(topics))}, to "
            f"the year ending March {self.figures.year} ({year_label(self.figures.year)}).")
        for gap in self.figures.gaps:
            section.notice(gap)
        return section

    def _comparators(self, neighbours: str) -> str:
        """The comparators the statistics give this report (no neighbours without DfE's
        file of them), ``neighbours`` naming theirs."""
        return listed(["its region", *([neighbours] if self.figures.has_neighbours else []),
                        ENGLAND_NAME])

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
                     f"higher or lower where it has none. {BAND_NOTE}")
        return section

    def _sentence(self, row) -> str:  # noqa: ANN001 (a row of itertuples)
        word = row.judgement if row.judgement != NOT_JUDGED else row.comparison
        rank = (f", band {band_text(row.band, row.indicator_id)}, rank {int(row.rank)} of "
                f"{int(row.n_ranked)}" if row.band else "")
        text = self.figures.text
        return (f"{BY_ID[row.indicator_id].title}: {text(row.value, row.indicator_id)} in "
                f"{year_label(row.time_period)}, {word} than England "
                f"({text(row.england, row.indicator_id)}){rank}.")

    def benchmarks(self) -> Section:
        section = Section()
        table = pd.DataFrame([self._row(row) for row in self.rows.itertuples()])
        section.table(table, f"{self.name} beside {self._comparators('its statistical neighbours')}"
                             " (latest published year)")
        section.note("Symbols are DfE's: c suppressed, low / k / u low reliability, x not "
                     f"available, z not applicable. {BAND_NOTE} Trend: the direction over the "
                     "last three years, where every year moved the same way.")
        return section

    def _row(self, row) -> dict:  # noqa: ANN001 (a row of itertuples)
        statistic, text = row.indicator_id, self.figures.text
        unit = unit_of(statistic)
        interval = (f"{published_text(row.lower, unit)} to {published_text(row.upper, unit)}"
                    if not pd.isna(row.lower) else NOT_AVAILABLE)
        neighbours = ({"Statistical neighbours": text(row.neighbours, statistic)}
                      if self.figures.has_neighbours else {})
        return {
            "Statistic": BY_ID[statistic].title,
            "Year": year_label(row.time_period),
            self.name: text(row.value, statistic, row.suppression or ""),
            "95% interval": interval,
            self.region: text(row.region, statistic),
            **neighbours,
            ENGLAND_NAME: text(row.england, statistic),
            "Against England": _against(row.judgement, row.comparison),
            "Band": band_text(row.band, statistic),
            "Rank": (f"{int(row.rank)} of {int(row.n_ranked)}" if not pd.isna(row.rank)
                     else NOT_AVAILABLE),
            "Trend": _trend_text(row.trend, statistic),
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
            trend_chart(self.figures.comparators(self.code), chosen, self.name, self.region,
                        self.figures.decimals),
            f"The last five published years of the statistics where {self.name} differs from "
            "England or sits in band A or D, beside "
            f"{self._comparators(NEIGHBOURS_MEDIAN)}.")
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
            f"{self.figures.publishers} published statistics to the year ending March "
            f"{self.figures.year} ({year_label(self.figures.year)}).")
        for gap in self.figures.gaps:
            section.notice(gap)
        return section

    def regions(self) -> Section:
        """Each statistic's latest figure for England and every region."""
        long = self.figures.long
        regions = (self.figures.areas[["region_code", "region_name"]].drop_duplicates()
                   .sort_values("region_name"))
        england = england_values(long).set_index(["indicator_id", "time_period"])["value"]
        rows = []
        text = self.figures.text
        for statistic in self.figures.statistics:
            year = self.figures.latest[statistic]
            row = {"Statistic": BY_ID[statistic].title, "Year": year_label(year),
                   ENGLAND_NAME: text(england.get((statistic, year), np.nan), statistic)}
            for code, name in zip(regions["region_code"], regions["region_name"], strict=True):
                values = region_values(long, code)
                match = values[(values["indicator_id"] == statistic)
                               & (values["time_period"] == year)]
                row[name] = (text(match["value"].iloc[0], statistic,
                                  match["suppression"].iloc[0] or "")
                             if len(match) else NOT_AVAILABLE)
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
            # best and worst only where a statistic has a better direction: a rate per 10,000
            # in band A is among the highest, not the best
            directed = mine[mine["indicator_id"].map(_directed).astype(bool)]
            area = self.figures.authority(code)
            table.append({
                "Local authority": area["la_name"], "Region": area["region_name"],
                "Ofsted overall effectiveness": ofsted.get(code) or NOT_AVAILABLE,
                "Worse than England": int((mine["judgement"] == "worse").sum()),
                "Better than England": int((mine["judgement"] == "better").sum()),
                f"In band {BANDS[-1]} (worst quarter)":
                    int((directed["band"] == BANDS[-1]).sum()),
                f"In band {BANDS[0]} (best quarter)": int((directed["band"] == BANDS[0]).sum()),
                "Statistics published": int(mine["value"].notna().sum()),
            })
        section = Section()
        section.table(pd.DataFrame(table), "Each local authority against England, and its "
                                           "bands among all English authorities")
        section.note("Worse or better: the 95% interval of the authority's figure excludes "
                     "England's, for the statistics DfE gives a better direction. In band D or "
                     "A: among the worst or best quarter of English authorities, also counted "
                     "only for the statistics with a better direction (for one with none, "
                     "such as a rate per 10,000 children, band A is the highest quarter, not "
                     "the best). Each authority's own report gives every figure.")
        return section

    def about(self) -> Section:
        section = Section()
        section.note(OGL_ATTRIBUTION)
        return section
