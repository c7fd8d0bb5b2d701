"""Comparators for the national long table, computed one way, in one place.

- England and region: the published rows.
- Statistical neighbours: the MEDIAN of the values of an LA's ten DfE statistical neighbours
  (as DfE's children's social care dashboard does), over the neighbours with a value.
- Partnership: an aggregate of several LAs from their numerators and denominators.
- Rank and quartile among all English LAs for the year, direction-aware by polarity.

Every function takes the long table (`indicators.LONG_COLUMNS`) and returns a tidy frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from scrutiny.national.areas import ENGLAND_CODE
from scrutiny.national.indicators import BY_ID, LONG_COLUMNS, IndicatorDefinition

# When members of an aggregate carry different symbols, the one shown is the first here:
# suppression wins over "not available", which wins over the rest.
SYMBOL_PRIORITY = ("c", "x", "u", "low", "k", "z")
NOT_AVAILABLE = "x"

RANK_ORDER = {
    "lower_is_better": "ascending: lowest value ranked 1 (lower is better)",
    "higher_is_better": "descending: highest value ranked 1 (higher is better)",
    "context": "descending: highest value ranked 1 (context indicator, not a judgement)",
}


def _la_rows(long: pd.DataFrame) -> pd.DataFrame:
    return long[long["geographic_level"] == "local_authority"]


def england_values(long: pd.DataFrame) -> pd.DataFrame:
    """England's rows of the long table."""
    rows = long[(long["geographic_level"] == "england") & (long["area_code"] == ENGLAND_CODE)]
    return rows.reset_index(drop=True)


def region_values(long: pd.DataFrame, region_code: str) -> pd.DataFrame:
    """One region's rows of the long table (e.g. South West, E12000009)."""
    rows = long[(long["geographic_level"] == "region") & (long["area_code"] == region_code)]
    return rows.reset_index(drop=True)


def region_of(areas: pd.DataFrame, old_la_code: str) -> str:
    """An LA's region code, from `NationalData.areas`."""
    match = areas.loc[areas["old_la_code"] == old_la_code, "region_code"]
    if match.empty:
        raise KeyError(f"unknown local authority {old_la_code!r}")
    return str(match.iloc[0])


def neighbour_medians(
    long: pd.DataFrame, neighbours: pd.DataFrame, la_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Median of each LA's statistical neighbours, per indicator and year.

    `neighbours` is the long frame of `ees.read_statistical_neighbours`. Suppressed and
    missing neighbour values are left out of the median; `n_neighbours` says how many values
    it rests on (of `n_expected`). The one published model (2025) is used for every year.
    Returns `area_code, indicator_id, time_period, value, n_neighbours, n_expected`.
    """
    pairs = neighbours[["old_la_code", "neighbour_code"]]
    if la_codes is not None:
        pairs = pairs[pairs["old_la_code"].isin(set(la_codes))]
    expected = pairs.groupby("old_la_code").size().rename("n_expected")
    values = _la_rows(long)[["indicator_id", "time_period", "area_code", "value"]]
    joined = pairs.merge(values, left_on="neighbour_code", right_on="area_code", how="inner")
    grouped = joined.groupby(["old_la_code", "indicator_id", "time_period"], sort=True)["value"]
    out = grouped.agg(value="median", n_neighbours="count").reset_index()
    out = out.merge(expected, left_on="old_la_code", right_index=True, how="left")
    out = out.rename(columns={"old_la_code": "area_code"})
    out["n_neighbours"] = out["n_neighbours"].astype("int64")
    return out[["area_code", "indicator_id", "time_period", "value", "n_neighbours", "n_expected"]]


def _pick_symbol(symbols: Iterable[str]) -> str:
    present = {s for s in symbols if s}
    if not present:
        return ""
    for symbol in SYMBOL_PRIORITY:
        if symbol in present:
            return symbol
    return sorted(present)[0]


def partnership_aggregate(
    long: pd.DataFrame,
    la_codes: Iterable[str],
    *,
    area_code: str | None = None,
    area_name: str = "Partnership",
    shared_returns: pd.DataFrame | None = None,
    definitions: Mapping[str, IndicatorDefinition] = BY_ID,
) -> pd.DataFrame:
    """Aggregate of several LAs, as rows of the long table (geographic_level "partnership").

    Counts are summed; rates and percentages are recomputed from the summed numerators and
    denominators (so a published, rounded figure is not averaged). The aggregate is
    suppressed when any member is: value NaN and `suppression` the member's symbol (or "x"
    when a member has no figure that year). `shared_returns` (`NationalData.shared_returns`)
    makes a return that covers two members count once.
    """
    codes = list(dict.fromkeys(la_codes))
    if not codes:
        raise ValueError("a partnership needs at least one local authority")
    area_code = area_code or "+".join(codes)
    rows = _la_rows(long)
    rows = rows[rows["area_code"].isin(set(codes)) & rows["indicator_id"].isin(definitions)]
    rows = rows.assign(_covers=1)
    if shared_returns is not None and not shared_returns.empty:
        rows = rows.merge(
            shared_returns, on=["indicator_id", "time_period", "area_code"], how="left"
        )
        rows["joint_code"] = rows["joint_code"].fillna("")
        is_joint = rows["joint_code"] != ""
        covers = rows[is_joint].groupby(["indicator_id", "time_period", "joint_code"]).size()
        rows = pd.concat(
            [
                rows[~is_joint],
                rows[is_joint]
                .drop_duplicates(["indicator_id", "time_period", "joint_code"])
                .drop(columns="_covers")
                .merge(
                    covers.rename("_covers").reset_index(),
                    on=["indicator_id", "time_period", "joint_code"],
                ),
            ],
            ignore_index=True,
        )

    results = []
    for (indicator_id, year), group in rows.groupby(["indicator_id", "time_period"], sort=True):
        definition = definitions[indicator_id]
        scale = definition.scale
        numerator = group["numerator"].sum(min_count=1)
        denominator = group["denominator"].sum(min_count=1)
        symbol = _pick_symbol(group["suppression"])
        unknown = group["numerator"].isna().any() or (
            scale is not None and group["denominator"].isna().any()
        )
        if not symbol and (unknown or group["_covers"].sum() < len(codes)):
            symbol = NOT_AVAILABLE
        if symbol:
            value = np.nan
        elif scale is None:
            value = float(numerator)
        else:
            value = float(numerator) / float(denominator) * scale
        results.append(
            {
                "indicator_id": indicator_id,
                "time_period": int(year),
                "geographic_level": "partnership",
                "area_code": area_code,
                "area_name": area_name,
                "value": value,
                "numerator": np.nan if symbol else float(numerator),
                "denominator": np.nan if symbol or scale is None else float(denominator),
                "suppression": symbol,
            }
        )
    if not results:
        return pd.DataFrame(columns=list(LONG_COLUMNS))
    return pd.DataFrame(results, columns=list(LONG_COLUMNS))


def la_ranks(
    long: pd.DataFrame, definitions: Mapping[str, IndicatorDefinition] = BY_ID
) -> pd.DataFrame:
    """Rank and quartile of every LA among all English LAs with a value, per indicator and
    year. Rank 1 is the best (lowest for lower-is-better, highest for higher-is-better);
    context indicators are ranked by value descending and `rank_order` says so. Ties share the
    best rank; quartile q holds ranks r with (r - 1) / n in [(q - 1) / 4, q / 4). LAs without
    a value (suppressed, missing) are listed with no rank.

    Returns `indicator_id, time_period, area_code, area_name, value, suppression, rank,
    n_ranked, quartile, rank_order`.
    """
    rows = _la_rows(long)[
        ["indicator_id", "time_period", "area_code", "area_name", "value", "suppression"]
    ].copy()
    polarity = (
        rows["indicator_id"]
        .map({key: d.polarity for key, d in definitions.items()})
        .fillna("context")
    )
    # Rank a signed value ascending, so one pass serves both directions.
    signed = np.where(polarity == "lower_is_better", rows["value"], -rows["value"])
    rows["_key"] = signed
    groups = rows.groupby(["indicator_id", "time_period"])["_key"]
    rank = groups.rank(method="min", ascending=True)
    n_ranked = groups.transform("count")
    # Quartile 1 is the first quarter of ranks; the best LA is in quartile 1 however few rank.
    quartile = np.floor((rank - 1) * 4 / n_ranked) + 1
    rows["rank"] = pd.array(rank, dtype="Int64")
    rows["n_ranked"] = n_ranked.astype("int64")
    rows["quartile"] = pd.array(quartile, dtype="Int64")
    rows["rank_order"] = polarity.map(RANK_ORDER)
    rows = rows.drop(columns="_key")
    return rows.sort_values(
        ["indicator_id", "time_period", "rank", "area_code"], na_position="last", ignore_index=True
    )


def benchmark(
    long: pd.DataFrame,
    old_la_code: str,
    *,
    region_code: str,
    neighbours: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One LA beside its region, England and its statistical neighbours' median.

    Returns `indicator_id, time_period, comparator, area_code, area_name, value,
    suppression, n_neighbours` with comparator in local_authority / region / england /
    neighbour_median (n_neighbours only for the median).
    """
    columns = ["indicator_id", "time_period", "area_code", "area_name", "value", "suppression"]
    la = _la_rows(long)
    parts = [
        la.loc[la["area_code"] == old_la_code, columns].assign(comparator="local_authority"),
        region_values(long, region_code)[columns].assign(comparator="region"),
        england_values(long)[columns].assign(comparator="england"),
    ]
    if neighbours is not None:
        medians = neighbour_medians(long, neighbours, [old_la_code])
        parts.append(
            medians.assign(
                comparator="neighbour_median",
                area_name="Statistical neighbours (median)",
                suppression="",
            )[[*columns, "comparator", "n_neighbours"]]
        )
    out = pd.concat(parts, ignore_index=True)
    if "n_neighbours" not in out:
        out["n_neighbours"] = np.nan
    out["n_neighbours"] = out["n_neighbours"].astype("Int64")
    order = {"local_authority": 0, "region": 1, "england": 2, "neighbour_median": 3}
    out = out.sort_values(
        ["indicator_id", "time_period", "comparator"],
        key=lambda s: s.map(order) if s.name == "comparator" else s,
        ignore_index=True,
    )
    return out[
        [
            "indicator_id",
            "time_period",
            "comparator",
            "area_code",
            "area_name",
            "value",
            "suppression",
            "n_neighbours",
        ]
    ]
