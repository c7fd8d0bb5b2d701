"""Readers for the Explore Education Statistics (EES) tidy CSV layout.

What the published files do that a naive reader gets wrong (see the data README):

- column order differs between files, so every column is selected by name;
- some files start with a UTF-8 byte order mark, some do not;
- names contain commas inside quotes ("Bristol, City of");
- numeric columns hold symbols (`c` suppressed, `low`, `k`, `u` low reliability, `x` not
  available, `z` not applicable), which are kept as symbols, never read as zero or dropped;
- local authorities change ONS code (Somerset), so they are keyed on `old_la_code`;
- a few returns cover two authorities at once ("314 / 318": Kingston upon Thames and Richmond
  upon Thames in the workforce census).

Also here: the ONS population of children aged 0-17 and DfE's statistical neighbours, both
published in the same CSV layout.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.national.areas import ENGLAND_CODE, LA_LIFETIMES, LEVELS, la_existed
from scrutiny.national.errors import NationalDataError

GEOGRAPHY_COLUMNS = (
    "time_period",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "la_name",
)
OPTIONAL_GEOGRAPHY_COLUMNS = ("new_la_code",)

# Symbols documented by EES / the GSS standard. Anything else non-numeric is kept verbatim too.
SYMBOLS = frozenset({"c", "low", "k", "u", "x", "z", ""})
PLACEHOLDER_SYMBOLS = frozenset({"z", "x"})

POPULATION_AGE_GROUP = "Children aged 0 to 17 years"


def _clean_name(name: str) -> str:
    # A BOM can survive as a character when a file has been re-saved twice; strip it wherever.
    return name.replace("\ufeff", "").strip()


def read_header(path: Path) -> list[str]:
    """The column names of a CSV file, BOM and surrounding spaces removed."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except FileNotFoundError:
        raise NationalDataError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise NationalDataError(path, f"not UTF-8 text ({exc.reason})") from None
    if not first.strip():
        raise NationalDataError(path, "file is empty (no header row)")
    return [_clean_name(name) for name in next(csv.reader([first]))]


def require_columns(path: Path, header: Sequence[str], required: Collection[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise NationalDataError(path, f"missing required column(s): {', '.join(missing)}")


def _read_columns(path: Path, wanted: Collection[str]) -> pd.DataFrame:
    wanted = set(wanted)
    try:
        frame = pd.read_csv(
            path,
            # Plain Python strings: cheaper than pandas' string dtype for this much small work.
            dtype=object,
            keep_default_na=False,  # "" stays "", and no string such as "NA" becomes NaN
            encoding="utf-8-sig",
            usecols=lambda name: _clean_name(name) in wanted,
        )
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise NationalDataError(path, f"cannot be parsed as CSV ({exc})") from None
    frame.columns = [_clean_name(name) for name in frame.columns]
    if frame.columns.duplicated().any():
        dup = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise NationalDataError(path, f"duplicate column(s): {', '.join(dup)}")
    return frame


def read_available_columns(path: Path, wanted: Sequence[str]) -> pd.DataFrame:
    """The columns of `wanted` that the CSV file has (others are left out, not an error),
    every cell a string ("" when empty), one row per data row in file order: data row i
    (from 0) is line i + 2 of the file."""
    header = read_header(path)
    present = [name for name in wanted if name in header]
    if not present:
        return pd.DataFrame(index=pd.RangeIndex(0))
    return _read_columns(path, present).reset_index(drop=True)


def strip_values(column: pd.Series) -> pd.Series:
    """`column` with surrounding spaces removed (checked on distinct values: cheap when, as
    usual, there is nothing to strip)."""
    if any(value != value.strip() for value in pd.unique(column)):
        return column.str.strip()
    return column


def parse_time_period(path: Path, raw: pd.Series) -> np.ndarray:
    """`time_period` as the year the period ends: 2025 stays 2025; EES six-digit financial or
    academic years such as 202425 become 2025."""
    years: dict[str, int] = {}
    for value in pd.unique(raw):
        text = value.strip()
        if len(text) == 4 and text.isdigit():
            years[value] = int(text)
        elif len(text) == 6 and text.isdigit():
            years[value] = int(text[:4]) + 1
        else:
            raise NationalDataError(path, f"unrecognised time_period value {value!r}")
    return raw.map(years).to_numpy(dtype="int64")


def read_ees(
    path: Path,
    columns: Sequence[str],
    *,
    filters: Mapping[str, Collection[str]] | None = None,
    raw: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read the named `columns` of an EES tidy CSV for England, regions and local authorities.

    Returns one row per source row at those levels with `time_period` (int),
    `geographic_level` (england / region / local_authority), `area_code` (country code,
    region code or old_la_code), `area_name`, `region_code`, `region_name`, `new_la_code`
    and the requested columns as stripped strings (symbols untouched). `filters` keeps only
    rows whose column value is in the given collection; those columns must exist. `raw` is
    the file already read (`read_available_columns`, e.g. for its data contract): it is used
    instead of reading the file again.
    """
    filters = dict(filters or {})
    header = read_header(path) if raw is None else list(raw.columns)
    required = [*GEOGRAPHY_COLUMNS, *columns, *filters]
    require_columns(path, header, required)
    optional = [name for name in OPTIONAL_GEOGRAPHY_COLUMNS if name in header]
    if raw is None:
        raw = _read_columns(path, [*required, *optional])

    # Select rows first, so that the rest of the work is done on the rows kept only.
    level = strip_values(raw["geographic_level"]).map(LEVELS)
    keep = level.notna()
    for name, allowed in filters.items():
        keep &= strip_values(raw[name]).isin(set(allowed))
    raw, level = raw[keep], level[keep]
    col = {name: strip_values(raw[name]) for name in dict.fromkeys([*required, *optional])}

    is_la = (level == "local_authority").to_numpy()
    is_region = (level == "region").to_numpy()
    if (col["old_la_code"][is_la] == "").any():
        raise NationalDataError(path, "local authority rows without an old_la_code")

    out = pd.DataFrame(
        {
            "time_period": parse_time_period(path, col["time_period"]),
            "geographic_level": level.to_numpy(dtype=object),
            "area_code": np.where(
                is_la,
                col["old_la_code"],
                np.where(is_region, col["region_code"], col["country_code"]),
            ),
            "area_name": np.where(
                is_la,
                col["la_name"],
                np.where(is_region, col["region_name"], col["country_name"]),
            ),
            "region_code": col["region_code"].to_numpy(),
            "region_name": col["region_name"].to_numpy(),
            "new_la_code": (
                col["new_la_code"].to_numpy() if optional else np.full(len(raw), "", dtype=object)
            ),
        }
    )
    england = (out["geographic_level"] == "england").to_numpy()
    # Some files leave country_code blank on the national row; England is England.
    out.loc[england & (out["area_code"] == ""), "area_code"] = ENGLAND_CODE
    out.loc[england & (out["area_name"] == ""), "area_name"] = "England"
    for name in dict.fromkeys([*columns, *filters]):
        out[name] = col[name].to_numpy()
    return out


def split_values(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Split published cells into numbers and symbols.

    Returns (values, symbols): values are floats (NaN where the cell is not a number),
    symbols are the published symbol where the cell is not a number and "" where it is.
    Missing cells (NaN, e.g. a row absent after a merge) count as "" with a NaN value.
    """
    numbers = pd.to_numeric(raw, errors="coerce")
    values = np.array(numbers.to_numpy(dtype="float64", na_value=np.nan), copy=True)  # writable
    symbols = np.full(len(values), "", dtype=object)
    # Only the few cells that are not plain numbers need a closer look.
    cells = raw.to_numpy(dtype=object)
    for i in np.flatnonzero(np.isnan(values)):
        text = cells[i].strip() if isinstance(cells[i], str) else ""
        try:
            number = float(text.replace(",", ""))  # " 1,234 " is still a number
        except ValueError:
            number = math.nan
        if math.isnan(number):
            symbols[i] = text
        else:
            values[i] = number
    return values, symbols


def expand_joint_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per member authority for rows that cover several ("314 / 318").

    The members get the joint return's figures (rates of a shared service), and `joint_code`
    names the return so that sums over authorities can count it once.
    """
    frame = frame.assign(joint_code="")
    is_joint = (frame["geographic_level"] == "local_authority") & frame["area_code"].str.contains(
        "/", regex=False
    )
    if not is_joint.any():
        return frame
    joint = frame[is_joint]
    codes = [[c.strip() for c in code.split("/")] for code in joint["area_code"]]

    def per_member(column: str) -> list[list[str]]:
        # Names and ONS codes are split the same way when they line up with the codes.
        split = [[v.strip() for v in value.split("/")] for value in joint[column]]
        return [
            parts if len(parts) == len(members) else [whole] * len(members)
            for parts, members, whole in zip(split, codes, joint[column], strict=True)
        ]

    members = joint.assign(
        joint_code=joint["area_code"],
        area_code=codes,
        area_name=per_member("area_name"),
        new_la_code=per_member("new_la_code"),
    ).explode(["area_code", "area_name", "new_la_code"])
    return pd.concat([frame[~is_joint], members], ignore_index=True)


def drop_placeholders(
    frame: pd.DataFrame, value_columns: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove rows kept for authorities that did not exist that year.

    A row is a placeholder only when both hold: the authority was abolished or not yet created
    in that year (areas.LA_LIFETIMES), and every value in the row is `z` or `x`. Real figures
    for an authority are never removed. Returns (kept, dropped).
    """
    is_la = frame["geographic_level"] == "local_authority"
    if not is_la.any():
        return frame, frame.iloc[0:0]
    candidate = is_la & frame["area_code"].isin(LA_LIFETIMES.keys())
    candidate &= frame[list(value_columns)].isin(PLACEHOLDER_SYMBOLS).all(axis=1)
    placeholder = pd.Series(False, index=frame.index)
    for index in frame.index[candidate]:
        placeholder[index] = not la_existed(
            frame.at[index, "area_code"], int(frame.at[index, "time_period"])
        )
    return frame[~placeholder], frame[placeholder]


def read_population(path: Path, *, raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0-17 (EES layout).

    Returns `geographic_level, area_code, area_name, mid_year, population,
    population_symbol`; `mid_year` is the file's `time_period` (mid-2024 is 2024).
    `raw`: the file already read, as for `read_ees`.
    """
    header = read_header(path) if raw is None else list(raw.columns)
    require_columns(path, header, ["population_estimate"])
    filters = {"age_group": [POPULATION_AGE_GROUP]} if "age_group" in header else None
    frame = read_ees(path, ["population_estimate"], filters=filters, raw=raw)
    if frame.empty:
        raise NationalDataError(path, f"no rows for age group {POPULATION_AGE_GROUP!r}")
    duplicated = frame.duplicated(["geographic_level", "area_code", "time_period"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise NationalDataError(
            path, f"more than one estimate for {first['area_code']} in {first['time_period']}"
        )
    values, symbols = split_values(frame["population_estimate"])
    return pd.DataFrame(
        {
            "geographic_level": frame["geographic_level"].to_numpy(),
            "area_code": frame["area_code"].to_numpy(),
            "area_name": frame["area_name"].to_numpy(),
            "mid_year": frame["time_period"].to_numpy(),
            "population": values,
            "population_symbol": symbols,
        }
    )


def read_statistical_neighbours(
    path: Path, count: int = 10, *, raw: pd.DataFrame | None = None
) -> pd.DataFrame:
    """DfE statistical neighbours, wide file (`old_la_code, SN_1..SN_10, SN_1P..SN_10P`).

    Returns one row per (LA, neighbour): `old_la_code, la_name, neighbour_rank,
    neighbour_code, closeness` (closeness is DfE's band, e.g. "Very close"; "" if absent).
    `raw`: the file already read, as for `read_ees`.
    """
    header = read_header(path) if raw is None else list(raw.columns)
    neighbour_columns = [f"SN_{i}" for i in range(1, count + 1)]
    require_columns(path, header, ["old_la_code", *neighbour_columns])
    closeness_columns = [f"SN_{i}P" for i in range(1, count + 1) if f"SN_{i}P" in header]
    wanted = ["old_la_code", *neighbour_columns, *closeness_columns]
    if "la_name" in header:
        wanted.append("la_name")
    wide = _read_columns(path, wanted) if raw is None else raw[wanted]
    wide = wide[wide["old_la_code"].str.strip() != ""]
    if wide["old_la_code"].duplicated().any():
        raise NationalDataError(path, "an old_la_code appears on more than one row")
    rows = []
    for i in range(1, count + 1):
        part = pd.DataFrame(
            {
                "old_la_code": wide["old_la_code"].str.strip().to_numpy(),
                "la_name": (wide["la_name"].str.strip().to_numpy() if "la_name" in wide else ""),
                "neighbour_rank": i,
                "neighbour_code": wide[f"SN_{i}"].str.strip().to_numpy(),
                "closeness": (
                    wide[f"SN_{i}P"].str.strip().to_numpy() if f"SN_{i}P" in wide else ""
                ),
            }
        )
        rows.append(part)
    long = pd.concat(rows, ignore_index=True)
    long = long[long["neighbour_code"] != ""]
    return long.sort_values(["old_la_code", "neighbour_rank"], ignore_index=True)
