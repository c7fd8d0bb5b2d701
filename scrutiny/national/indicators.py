"""National indicator definitions and their computation into one long table.

Each file family (one EES file) is read once and yields its indicators as rows of
`indicator_id, time_period, geographic_level, area_code, area_name, value, numerator,
denominator, suppression`. Three ways of getting a value:

- `Count`: the published count (value = numerator = count).
- `RatePer10k`: DfE's method, count / ONS children aged 0-17 at mid-year t-1 * 10,000 (the
  estimate available when year t was published), unrounded.
- `Published`: a figure DfE publishes beside its inputs (percentages, the looked-after rate,
  workforce rates), used as published; the inputs are kept as numerator and denominator so
  that aggregates can be recomputed from them.

A symbol in a published cell never becomes a number: value (and numerator) are NaN and
`suppression` carries the symbol; derived rates inherit the symbol of their inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from scrutiny.national.areas import LEVEL_ORDER
from scrutiny.national.ees import drop_placeholders, expand_joint_returns, read_ees, split_values
from scrutiny.national.errors import NationalDataError
from scrutiny.national.files import PUBLISHED

LONG_COLUMNS = (
    "indicator_id",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "value",
    "numerator",
    "denominator",
    "suppression",
)
KEYS = ["time_period", "geographic_level", "area_code", "area_name", "joint_code"]

Polarity = Literal["higher_is_better", "lower_is_better", "context"]

# Symbol given to a rate whose population estimate is absent from the ONS file altogether.
NOT_AVAILABLE = "x"


@dataclass(frozen=True)
class Count:
    measure: str


@dataclass(frozen=True)
class RatePer10k:
    measure: str


@dataclass(frozen=True)
class Published:
    value: str
    numerator: str
    denominator: tuple[str, ...]  # summed, e.g. agency + in post FTE
    scale: float = 100.0  # value = numerator / denominator * scale, up to published rounding


Method = Count | RatePer10k | Published


@dataclass(frozen=True)
class Family:
    """One EES file and the measures read from it.

    `measures` maps a measure name to (column, pivot value); the pivot value selects the row
    of `pivot` (e.g. `breakdown`) for files that hold one measure per row.
    """

    name: str
    measures: Mapping[str, tuple[str, str | None]]
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pivot: str | None = None

    @property
    def pattern(self) -> str:
        """How the loader finds the family's file (`files.PUBLISHED`)."""
        return PUBLISHED[self.name].pattern


@dataclass(frozen=True)
class IndicatorDefinition:
    id: str
    title: str
    unit: str
    polarity: Polarity
    family: str
    method: Method
    computed: str
    period: str

    @property
    def scale(self) -> float | None:
        """value = numerator / denominator * scale; None for counts."""
        if isinstance(self.method, Count):
            return None
        if isinstance(self.method, RatePer10k):
            return 10_000.0
        return self.method.scale


_PLACEMENT = "Location of new placements during the year"
_DISTANT = "Placed outside LA boundary more than 20 miles from home"
_NEET = "Total not in education, employment or training"

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("cin", {"cin": ("At31_episodes", None)}),
        Family(
            "referrals",
            {
                "referrals": ("referral_count", None),
                "rereferrals": ("rereferral_count", None),
                "rereferral_percent": ("rereferral_percent", None),
            },
        ),
        Family(
            "s47_icpc",
            {"s47": ("Section47", None), "icpc": ("ICPC", None)},
        ),
        Family(
            "cpp_subsequent",
            {
                "started": ("CPP_start", None),
                "subsequent": ("CPP_subsequent", None),
                "subsequent_percent": ("CPP_subsequent_percent", None),
            },
        ),
        Family("cpp", {"cpp": ("CPP_At31", None)}),
        Family(
            "cla",
            {
                "cla": ("children_count", None),
                "rate": ("rate_per_10000", None),
                "population": ("population_estimate", None),
            },
            filters={"population_type": ("Children looked after on 31 March each year",)},
        ),
        Family(
            "placements",
            {
                "distant": ("children_count", _DISTANT),
                "distant_percent": ("children_percent", _DISTANT),
                "total": ("children_count", "Total new placements"),
            },
            filters={"characteristic": (_PLACEMENT,)},
            pivot="breakdown",
        ),
        Family(
            "care_leavers",
            {
                "neet": ("care_leaver_count", _NEET),
                "neet_percent": ("care_leaver_percent", _NEET),
                "total": ("care_leaver_count", "Total"),
            },
            filters={"care_leaver_age": ("19 to 21 years",)},
            pivot="breakdown",
        ),
        Family(
            "workforce",
            {
                name: (name, None)
                for name in (
                    "inpost_fte",
                    "leavers_fte",
                    "turnover_rate_fte",
                    "agency_fte",
                    "agency_rate_fte",
                    "vacancy_fte",
                    "vacancy_rate_fte",
                    "cases",
                    "case_holders_fte",
                    "caseload_fte",
                )
            },
        ),
    )
}

_RATE = "rate per 10,000 children aged 0-17"
_RATE_HOW = "{what} / ONS children aged 0-17 at mid-year t-1 * 10,000 (DfE's method), unrounded"
_YEAR = "year ending 31 March"
_AT31 = "at 31 March"
_SEPT = "at 30 September of time_period (workforce census year, as DfE labels it)"


def _count_and_rate(
    stem: str, family: str, measure: str, what: str, period: str
) -> tuple[IndicatorDefinition, IndicatorDefinition]:
    return (
        IndicatorDefinition(
            f"{stem}_count",
            f"{what} ({period})",
            "count",
            "context",
            family,
            Count(measure),
            f"published count of {what.lower()}",
            period,
        ),
        IndicatorDefinition(
            f"{stem}_rate_per_10k",
            f"{what} per 10,000 children ({period})",
            _RATE,
            "context",
            family,
            RatePer10k(measure),
            _RATE_HOW.format(what=what.lower()),
            period,
        ),
    )


DEFINITIONS: tuple[IndicatorDefinition, ...] = (
    *_count_and_rate("cin", "cin", "cin", "Children in need", _AT31),
    *_count_and_rate("referrals", "referrals", "referrals", "Referrals", _YEAR),
    IndicatorDefinition(
        "rereferral_percent",
        "Re-referrals within 12 months, % of referrals",
        "percent",
        "lower_is_better",
        "referrals",
        Published("rereferral_percent", "rereferrals", ("referrals",)),
        "published rereferral_percent; numerator rereferral_count, denominator referral_count",
        _YEAR,
    ),
    *_count_and_rate("s47", "s47_icpc", "s47", "Section 47 enquiries", _YEAR),
    *_count_and_rate("icpc", "s47_icpc", "icpc", "Initial child protection conferences", _YEAR),
    *_count_and_rate("cpp", "cpp", "cpp", "Children on a child protection plan", _AT31),
    IndicatorDefinition(
        "cpp_subsequent_percent",
        "Child protection plans started that were a second or subsequent plan, %",
        "percent",
        "lower_is_better",
        "cpp_subsequent",
        Published("subsequent_percent", "subsequent", ("started",)),
        "published CPP_subsequent_percent; numerator CPP_subsequent, denominator CPP_start",
        _YEAR,
    ),
    IndicatorDefinition(
        "cla_count",
        f"Children looked after ({_AT31})",
        "count",
        "context",
        "cla",
        Count("cla"),
        "published children_count, children looked after on 31 March",
        _AT31,
    ),
    IndicatorDefinition(
        "cla_rate_per_10k",
        f"Children looked after per 10,000 children ({_AT31})",
        _RATE,
        "context",
        "cla",
        Published("rate", "cla", ("population",), scale=10_000.0),
        "DfE's published rate_per_10000 (rounded to a whole number); numerator children_count,"
        " denominator the population_estimate published beside it (ONS mid-year t-1)",
        _AT31,
    ),
    IndicatorDefinition(
        "placements_distant_percent",
        "New placements outside the LA and more than 20 miles from home, % of new placements",
        "percent",
        "lower_is_better",
        "placements",
        Published("distant_percent", "distant", ("total",)),
        "published children_percent (whole number) of 'Placed outside LA boundary more than "
        "20 miles from home'; denominator 'Total new placements' (includes distance not known)",
        _YEAR,
    ),
    IndicatorDefinition(
        "care_leavers_neet_19_21_percent",
        "Care leavers aged 19-21 not in education, employment or training, %",
        "percent",
        "lower_is_better",
        "care_leavers",
        Published("neet_percent", "neet", ("total",)),
        "published care_leaver_percent (whole number) of 'Total not in education, employment "
        "or training', age 19 to 21; denominator 'Total' (includes information not known)",
        _YEAR,
    ),
    IndicatorDefinition(
        "sw_turnover_percent",
        "Children and family social worker turnover rate (FTE), %",
        "percent",
        "lower_is_better",
        "workforce",
        Published("turnover_rate_fte", "leavers_fte", ("inpost_fte",)),
        "published turnover_rate_fte = leavers FTE / FTE in post * 100",
        _SEPT,
    ),
    IndicatorDefinition(
        "sw_agency_percent",
        "Agency social worker rate (FTE), %",
        "percent",
        "lower_is_better",
        "workforce",
        Published("agency_rate_fte", "agency_fte", ("agency_fte", "inpost_fte")),
        "published agency_rate_fte = agency FTE / (agency + in post FTE) * 100",
        _SEPT,
    ),
    IndicatorDefinition(
        "sw_vacancy_percent",
        "Social worker vacancy rate (FTE), %",
        "percent",
        "lower_is_better",
        "workforce",
        Published("vacancy_rate_fte", "vacancy_fte", ("vacancy_fte", "inpost_fte")),
        "published vacancy_rate_fte = vacancies FTE / (vacancies + in post FTE) * 100",
        _SEPT,
    ),
    IndicatorDefinition(
        "sw_caseload",
        "Average caseload per case-holding social worker (FTE)",
        "cases per FTE case holder",
        "lower_is_better",
        "workforce",
        Published("caseload_fte", "cases", ("case_holders_fte",), scale=1.0),
        "published caseload_fte = cases / case-holding FTE",
        _SEPT,
    ),
)
BY_ID: dict[str, IndicatorDefinition] = {d.id: d for d in DEFINITIONS}


def definitions_frame() -> pd.DataFrame:
    """The indicator catalogue as a table (one row per indicator)."""
    return pd.DataFrame(
        [
            {
                "indicator_id": d.id,
                "title": d.title,
                "unit": d.unit,
                "polarity": d.polarity,
                "source": FAMILIES[d.family].pattern,
                "computed": d.computed,
                "period": d.period,
            }
            for d in DEFINITIONS
        ]
    )


@dataclass
class FamilyResult:
    table: pd.DataFrame  # long table rows
    sources: pd.DataFrame  # the rows read, for the LA lookup (codes, names, regions)
    shared_returns: pd.DataFrame  # indicator_id, time_period, area_code, joint_code
    dropped_placeholders: int


def family_columns(family: Family) -> list[str]:
    """The columns of the family's file that the loader reads (besides the geography)."""
    columns = sorted({column for column, _ in family.measures.values()})
    if family.pivot:
        columns.append(family.pivot)
    return columns


def read_family(
    family: Family, path: Path, raw: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, int]:
    """The family's measures, one row per area and year (measure columns as raw strings).
    `raw`: the file already read (`ees.read_available_columns`)."""
    frame = read_ees(path, family_columns(family), filters=family.filters, raw=raw)
    if frame.empty:
        wanted = "; ".join(f"{k} in {list(v)}" for k, v in family.filters.items())
        raise NationalDataError(path, f"no rows for England, regions or LAs ({wanted or 'all'})")
    value_columns = sorted({column for column, _ in family.measures.values()})
    frame, dropped = drop_placeholders(frame, value_columns)
    frame = expand_joint_returns(frame)
    context = ["region_code", "region_name", "new_la_code"]

    if family.pivot is None:
        duplicated = frame.duplicated(["time_period", "geographic_level", "area_code"])
        if duplicated.any():
            first = frame[duplicated].iloc[0]
            raise NationalDataError(
                path, f"more than one row for {first['area_code']} in {first['time_period']}"
            )
        wide = frame[KEYS + context].copy()
        for measure, (column, _) in family.measures.items():
            wide[measure] = frame[column]
        return wide, len(dropped)

    wide = None
    for measure, (column, pivot_value) in family.measures.items():
        part = frame[frame[family.pivot] == pivot_value]
        if part.empty:
            raise NationalDataError(path, f"no rows with {family.pivot} = {pivot_value!r}")
        if part.duplicated(["time_period", "geographic_level", "area_code"]).any():
            raise NationalDataError(path, f"more than one row per area for {pivot_value!r}")
        part = part[KEYS + context + [column]].rename(columns={column: measure})
        if wide is None:
            wide = part
        else:
            wide = wide.merge(part.drop(columns=context), on=KEYS, how="outer")
    assert wide is not None
    return wide, len(dropped)


def _population_for(wide: pd.DataFrame, population: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Population (and its symbol) at mid-year t-1 for each row of `wide`."""
    keyed = population.rename(columns={"mid_year": "_pop_year"})[
        ["geographic_level", "area_code", "_pop_year", "population", "population_symbol"]
    ]
    lookup = wide[["geographic_level", "area_code"]].assign(_pop_year=wide["time_period"] - 1)
    merged = lookup.merge(keyed, on=["geographic_level", "area_code", "_pop_year"], how="left")
    absent = merged["population_symbol"].isna().to_numpy()
    symbols = merged["population_symbol"].to_numpy(dtype=object)
    symbols[absent] = NOT_AVAILABLE
    return merged["population"].to_numpy(dtype="float64"), symbols


def _indicator_rows(
    definition: IndicatorDefinition, wide: pd.DataFrame, population: pd.DataFrame | None
) -> pd.DataFrame:
    method = definition.method
    primary = method.value if isinstance(method, Published) else method.measure
    # A measure whose row is absent (outer merge) was not published: no row, nothing invented.
    wide = wide[wide[primary].notna()]
    if isinstance(method, Count):
        value, symbol = split_values(wide[method.measure])
        numerator, denominator = value, np.full(len(wide), np.nan)
    elif isinstance(method, RatePer10k):
        numerator, count_symbol = split_values(wide[method.measure])
        assert population is not None
        denominator, pop_symbol = _population_for(wide, population)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = numerator / denominator * 10_000.0
        symbol = np.where(count_symbol != "", count_symbol, pop_symbol)
        value = np.where(symbol == "", value, np.nan)
    else:
        value, symbol = split_values(wide[method.value])
        numerator, _ = split_values(wide[method.numerator])
        parts = [split_values(wide[name])[0] for name in method.denominator]
        denominator = np.sum(parts, axis=0)  # NaN if any part is a symbol
    return pd.DataFrame(
        {
            "indicator_id": definition.id,
            "time_period": wide["time_period"].to_numpy(dtype="int64"),
            "geographic_level": wide["geographic_level"].to_numpy(),
            "area_code": wide["area_code"].to_numpy(),
            "area_name": wide["area_name"].to_numpy(),
            "value": np.asarray(value, dtype="float64"),
            "numerator": np.asarray(numerator, dtype="float64"),
            "denominator": np.asarray(denominator, dtype="float64"),
            "suppression": np.asarray(symbol, dtype=object),
            "joint_code": wide["joint_code"].to_numpy(),
        }
    )


def compute_family(
    family: Family, path: Path, population: pd.DataFrame | None, raw: pd.DataFrame | None = None
) -> tuple[FamilyResult, list[str]]:
    """The family's indicators as long-table rows, plus notes on what could not be computed.

    Without a population table, rates per 10,000 are left out (noted) and the rest computed.
    `raw`: the file already read, so that it is read once when its contract is checked.
    """
    wide, dropped = read_family(family, path, raw)
    notes: list[str] = []
    parts = []
    for definition in DEFINITIONS:
        if definition.family != family.name:
            continue
        if isinstance(definition.method, RatePer10k) and population is None:
            notes.append(f"{definition.id} not computed: no population estimates loaded")
            continue
        parts.append(_indicator_rows(definition, wide, population))
    rows = pd.concat(parts, ignore_index=True) if parts else empty_long_table()
    shared = rows.loc[
        rows["joint_code"] != "", ["indicator_id", "time_period", "area_code", "joint_code"]
    ].reset_index(drop=True)
    sources = wide[
        [
            "time_period",
            "geographic_level",
            "area_code",
            "area_name",
            "region_code",
            "region_name",
            "new_la_code",
        ]
    ]
    result = FamilyResult(rows.drop(columns="joint_code"), sources, shared, dropped)
    return result, notes


def empty_long_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": pd.Series(dtype=object),
            "time_period": pd.Series(dtype="int64"),
            "geographic_level": pd.Series(dtype=object),
            "area_code": pd.Series(dtype=object),
            "area_name": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "numerator": pd.Series(dtype="float64"),
            "denominator": pd.Series(dtype="float64"),
            "suppression": pd.Series(dtype=object),
            "joint_code": pd.Series(dtype=object),
        }
    )


def sort_long_table(table: pd.DataFrame) -> pd.DataFrame:
    """Catalogue order of indicators, then year, England/regions/LAs, area code."""
    order = {d.id: i for i, d in enumerate(DEFINITIONS)}
    levels = {level: i for i, level in enumerate(LEVEL_ORDER)}
    keyed = table.assign(
        _i=table["indicator_id"].map(order).fillna(len(order)),
        _l=table["geographic_level"].map(levels).fillna(len(levels)),
    )
    keyed = keyed.sort_values(["_i", "time_period", "_l", "area_code"], kind="stable")
    return keyed.drop(columns=["_i", "_l"]).reset_index(drop=True)[list(LONG_COLUMNS)]
