"""Synthetic national statistics for the demonstration partnership, in the published layouts.

:func:`write_synthetic_national` writes files with the same names and the same layout as the
published ones (Explore Education Statistics tidy CSV: the shared geographic columns, years
in `time_period`, `geographic_level` National / Regional / Local authority, suppression
symbols in a few small cells; the ONS population file, DfE's wide statistical neighbours file
and Ofsted's inspection outcomes spreadsheet), so that :func:`scrutiny.national.load_national`
reads them exactly as it reads the real files. Every figure is invented: nothing is read from
the published files, and the files are not official statistics.

What is in them:

- years 2021-2025 (years ending 31 March; the workforce census year as DfE labels it) and
  ONS mid-year populations 2020-2024 (a rate for year t uses mid-year t-1, as DfE does);
- the five authorities of the demonstration partnership (`scrutiny.demo_areas.AREAS`: real names,
  ONS codes and old_la_codes), with figures of the same size as the demo's local returns
  (the same rates per 10,000 children and percentages);
- twenty clearly synthetic authorities, "Synthetic authority 01" to "20", with old_la_codes
  980-999 (DfE's codes stop in the 940s) and ONS codes E06999901-E06999920 (real E06 codes
  stop in the E060000xx range). 01-10 are in the South West with the five demo areas (fifteen
  authorities, as the real region has); 11-20 are in "Synthetic region" E12999999, which
  stands for the rest of England;
- South West (E12000009), Synthetic region and England (E92000001) rows computed from their
  members as DfE does: counts summed and rounded to the nearest 10 (children in need and
  children looked after files), percentages and rates recomputed from the unrounded sums;
  populations and workforce figures summed unrounded;
- suppression as DfE publishes it: children looked after counts of 1 to 5 (and their
  percentages) are `c`; a few other cells carry `u`, `x`, `low` and `c` (`SYMBOL_CELLS`),
  only ever for synthetic authorities, so that the five demo areas have every figure;
- each authority's ten statistical neighbours among the 25 (closest by size and by the
  levels of need), and an Ofsted spreadsheet with a latest inspection for each authority.

The output is deterministic: the same seed gives the same bytes on every call.
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from scrutiny.demo_areas import AREAS, REGION_CODE, REGION_NAME
from scrutiny.national.files import PUBLISHED
from scrutiny.national.ofsted import SHEET as OFSTED_SHEET

YEARS = tuple(range(2021, 2026))  # years ending 31 March
MID_YEARS = tuple(range(2020, 2025))  # ONS mid-year estimates

ENGLAND = ("E92000001", "England")
SOUTH_WEST = (REGION_CODE, REGION_NAME)  # the demo partnership's region
SYNTHETIC_REGION = ("E12999999", "Synthetic region")
SYNTHETIC_COUNT = 20
SYNTHETIC_OLD_CODES = tuple(str(980 + i) for i in range(SYNTHETIC_COUNT))  # 980-999
SYNTHETIC_ONS_CODES = tuple(f"E06999{901 + i:03d}" for i in range(SYNTHETIC_COUNT))

# File names exactly as published (files.PUBLISHED: the loader finds them by its patterns).
B1 = PUBLISHED["cin"].name
C1 = PUBLISHED["referrals"].name
C4 = PUBLISHED["s47_icpc"].name
D3 = PUBLISHED["cpp_subsequent"].name
D5 = PUBLISHED["cpp"].name
CLA = PUBLISHED["cla"].name
PLACEMENTS = PUBLISHED["placements"].name
CARE_LEAVERS = PUBLISHED["care_leavers"].name
CSWW = PUBLISHED["workforce"].name
ONS = PUBLISHED["population"].name
SN = PUBLISHED["neighbours"].name
OFSTED = PUBLISHED["ofsted"].name
README_NAME = "README.txt"

# Cells published as a symbol rather than a number: (file, old_la_code, year) -> {column: symbol}.
SYMBOL_CELLS: dict[tuple[str, str, int], dict[str, str]] = {
    (B1, "984", 2021): {"At31_episodes": "x"},  # not available that year
    (C1, "987", 2022): {"rereferral_count": "u", "rereferral_percent": "u"},  # low reliability
    (D3, "991", 2023): {"CPP_subsequent": "c", "CPP_subsequent_percent": "c"},  # suppressed
    (CSWW, "995", 2024): {"agency_fte": "low", "agency_rate_fte": "low"},  # rounds to nil
}

GEOGRAPHY = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "old_la_code", "new_la_code", "la_name")
# The children looked after files put la_name before new_la_code.
CLA_GEOGRAPHY = ("time_period", "time_identifier", "geographic_level", "country_code",
                 "country_name", "region_code", "region_name", "old_la_code", "la_name",
                 "new_la_code")
QUOTED_EMPTY = object()  # some files write an empty cell as "" (the C4, D3 and D5 tables)

_LOCATION = "Location of new placements during the year"
PLACEMENT_BREAKDOWNS = (
    ("Distance not known or not recorded", 0.03),
    ("Placed inside LA boundary less than 20 miles from home", None),  # the rest
    ("Placed inside LA boundary more than 20 miles from home", 0.03),
    ("Placed outside LA boundary less than 20 miles from home", 0.22),
    ("Placed outside LA boundary more than 20 miles from home", "distant"),
)
_EET = ("Education other than higher education", "Higher education i.e. studies beyond A level",
        "In an apprenticeship", "In training or employment (excl. apprenticeship)")
_EET_SHARES = (0.45, 0.12, 0.08, 0.35)
_NEET = ("Not in education, training or employment, owing to illness or disability",
         "Not in education, training or employment, owing to other reasons",
         "Not in education, training or employment, owing to pregnancy or parenting")
_NEET_SHARES = (0.3, 0.58, 0.12)
CARE_LEAVER_AGES = ("17 to 18 years", "19 to 21 years")
GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
CLOSENESS = ("Very close", "Very close", "Close ", "Close ", "Close ",  # "Close " as published
             "Somewhat close", "Somewhat close", "Somewhat close", "Somewhat close", "Not close")
ODS_TIMESTAMP = (2026, 4, 1, 0, 0, 0)
# Rates per 10,000 children are kept within the ranges of the demo's local returns
# (referrals 200-550, section 47 enquiries 100-250, plans 25-55, looked after 40-80).
RATE_BOUNDS = {"referrals": (202, 548), "s47": (102, 248), "cpp": (26, 54), "cla": (41, 79)}
# and so are re-referrals (13-26%) and second or subsequent plans (15-30%).
SHARE_BOUNDS = {"rereferral": (0.135, 0.255), "cpp_subsequent": (0.155, 0.295)}


@dataclass(frozen=True)
class Authority:
    """One local authority of the synthetic files and its invented profile."""

    old_la_code: str
    name: str
    ons_code: str
    region: tuple[str, str]
    children: int  # ONS mid-2024 children aged 0-17
    ofsted_name: str
    demo: bool  # one of the demonstration partnership's five areas
    profile: dict[str, float] = field(default_factory=dict, hash=False, compare=False)


def authorities(seed: int = 2026) -> tuple[Authority, ...]:
    """The 25 authorities: the demo's five, then the twenty synthetic ones."""
    found = []
    for area in AREAS:
        rng = _rng(seed, "profile", area.code)
        p = area.profile
        found.append(Authority(
            str(area.old_la_code), area.name, area.code, SOUTH_WEST,
            area.children_0_17 + int(rng.integers(-49, 50)),
            "Bristol" if area.old_la_code == 801 else area.name, True,
            {
                "trend": p["trend"], "referrals": p["referrals"], "rereferral": p["rereferral"],
                "s47": p["s47"], "icpc_share": p["icpc_share"], "cpp": p["cpp"],
                "cpp_subsequent": p["cpp_subsequent"], "cla": p["cla"],
                "cla_starts": p["cla_starts"], "eet": p["eet"], **_drawn(rng),
            },
        ))
    for i in range(SYNTHETIC_COUNT):
        rng = _rng(seed, "profile", SYNTHETIC_OLD_CODES[i])
        name = f"Synthetic authority {i + 1:02d}"
        found.append(Authority(
            SYNTHETIC_OLD_CODES[i], name, SYNTHETIC_ONS_CODES[i],
            SOUTH_WEST if i < 10 else SYNTHETIC_REGION,
            int(rng.integers(12_000, 130_000)), name, False,
            {
                "trend": float(rng.uniform(-0.03, 0.03)),
                "referrals": float(rng.uniform(230, 530)),
                "rereferral": float(rng.uniform(0.14, 0.25)),
                "s47": float(rng.uniform(105, 240)),
                "icpc_share": float(rng.uniform(0.29, 0.41)),
                "cpp": float(rng.uniform(27, 53)),
                "cpp_subsequent": float(rng.uniform(0.16, 0.29)),
                "cla": float(rng.uniform(42, 78)),
                "cla_starts": float(rng.uniform(18, 30)),
                "eet": float(rng.uniform(0.46, 0.62)),
                **_drawn(rng),
            },
        ))
    return tuple(found)


def _drawn(rng: np.random.Generator) -> dict[str, float]:
    """The parts of a profile that the demo's local returns do not fix."""
    return {
        "cin": float(rng.uniform(270, 390)),  # children in need at 31 March per 10,000
        "population_growth": float(rng.uniform(-0.006, 0.004)),
        "placements_ratio": float(rng.uniform(0.55, 0.75)),  # new placements per child looked after
        "distant": float(rng.uniform(0.08, 0.24)),
        "not_known": float(rng.uniform(0.02, 0.07)),
        "social_workers": float(rng.uniform(30, 40)),  # FTE per 10,000 children
        "turnover": float(rng.uniform(0.08, 0.2)),
        "agency": float(rng.uniform(0.04, 0.22)),
        "vacancy": float(rng.uniform(0.06, 0.22)),
        "case_holding": float(rng.uniform(0.55, 0.68)),
        "caseload": float(rng.uniform(13.5, 19.5)),
    }


# --- the figures ------------------------------------------------------------------------------


@dataclass
class _Figures:
    """Local authority figures, by (file, old_la_code, year[, group]) -> {column: number},
    and the populations by (old_la_code, mid-year)."""

    population: dict[tuple[str, int], int] = field(default_factory=dict)
    values: dict[tuple, dict[str, float]] = field(default_factory=dict)


def _figures(las: Sequence[Authority], seed: int) -> _Figures:
    figures = _Figures()
    for la in las:
        rng = _rng(seed, "figures", la.old_la_code)
        p = la.profile
        for year in MID_YEARS:
            figures.population[la.old_la_code, year] = int(round(
                la.children * (1 + p["population_growth"]) ** (year - 2024)))
        for year in YEARS:
            kids = figures.population[la.old_la_code, year - 1] / 10_000
            drift = (1 + p["trend"]) ** (year - 2024)

            def rate(per_10k: float, sd: float = 0.03, drift: float = drift,
                     kids: float = kids, rng: np.random.Generator = rng,
                     bounds: tuple[float, float] = (0.0, math.inf)) -> int:
                value = per_10k * drift * math.exp(rng.normal(0, sd))
                return int(round(float(np.clip(value, *bounds)) * kids))

            def share(mean: float, sd: float = 0.01, rng: np.random.Generator = rng,
                      bounds: tuple[float, float] = (0.01, 0.99)) -> float:
                return float(np.clip(mean + rng.normal(0, sd), *bounds))

            referrals = rate(p["referrals"], bounds=RATE_BOUNDS["referrals"])
            rereferrals = int(round(referrals * share(p["rereferral"],
                                                      bounds=SHARE_BOUNDS["rereferral"])))
            figures.values[C1, la.old_la_code, year] = {
                "referral_count": referrals, "rereferral_count": rereferrals}
            figures.values[B1, la.old_la_code, year] = {
                "At31_episodes": rate(p["cin"], 0.02)}
            s47 = rate(p["s47"], bounds=RATE_BOUNDS["s47"])
            icpc = int(round(s47 * share(p["icpc_share"])))
            figures.values[C4, la.old_la_code, year] = {"Section47": s47, "ICPC": icpc}
            started = int(round(icpc * share(0.86, 0.02)))
            figures.values[D3, la.old_la_code, year] = {
                "CPP_start": started,
                "CPP_subsequent": int(round(started * share(
                    p["cpp_subsequent"], bounds=SHARE_BOUNDS["cpp_subsequent"]))),
            }
            figures.values[D5, la.old_la_code, year] = {
                "CPP_At31": rate(p["cpp"], 0.04, bounds=RATE_BOUNDS["cpp"])}
            looked_after = rate(p["cla"], 0.015, 1.01 ** (year - 2024), bounds=RATE_BOUNDS["cla"])
            starting = rate(p["cla_starts"], 0.05, 1.0)
            figures.values[CLA, la.old_la_code, year] = {
                "looked_after": looked_after, "starting": starting,
                "ceasing": int(round(starting * share(0.97, 0.04))),
            }
            new = int(round(looked_after * share(p["placements_ratio"], 0.03)))
            placed = {}
            for breakdown, part in PLACEMENT_BREAKDOWNS:
                if part is not None:
                    mean = p["distant"] if part == "distant" else float(part)
                    placed[breakdown] = int(rng.binomial(new, share(mean, 0.01)))
            inside = PLACEMENT_BREAKDOWNS[1][0]
            placed[inside] = max(new - sum(placed.values()), 0)
            placed["Total new placements"] = sum(placed.values())
            figures.values[PLACEMENTS, la.old_la_code, year] = placed
            for age, scale in zip(CARE_LEAVER_AGES, (0.2, 0.45), strict=True):
                total = int(round(looked_after * scale * math.exp(rng.normal(0, 0.05))))
                eet_share = share(p["eet"] + (0.15 if age == CARE_LEAVER_AGES[0] else 0.0), 0.02)
                not_known = int(rng.binomial(total, share(p["not_known"], 0.01)))
                eet = int(rng.binomial(total - not_known, eet_share))
                neet = total - not_known - eet
                activity = dict(zip(_EET, rng.multinomial(eet, _EET_SHARES), strict=True))
                activity |= dict(zip(_NEET, rng.multinomial(neet, _NEET_SHARES), strict=True))
                activity |= {
                    "Total": total,
                    "Total in education, employment or training": eet,
                    "Total information not known": not_known,
                    "Total not in education, employment or training": neet,
                }
                figures.values[CARE_LEAVERS, la.old_la_code, year, age] = {
                    k: int(v) for k, v in activity.items()}
            inpost = round(p["social_workers"] * kids * math.exp(rng.normal(0, 0.03)), 1)
            agency_rate = share(p["agency"], 0.015)
            vacancy_rate = share(p["vacancy"], 0.015)
            case_holders = round(inpost * share(p["case_holding"], 0.02), 1)
            figures.values[CSWW, la.old_la_code, year] = {
                "inpost_fte": inpost,
                "leavers_fte": round(inpost * share(p["turnover"], 0.015), 1),
                "agency_fte": round(inpost * agency_rate / (1 - agency_rate), 1),
                "vacancy_fte": round(inpost * vacancy_rate / (1 - vacancy_rate), 1),
                "case_holders_fte": case_holders,
                "cases": int(round(case_holders * p["caseload"] * math.exp(rng.normal(0, 0.03)))),
            }
    return figures


# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    level: str  # National, Regional, Local authority
    members: tuple[Authority, ...]
    region: tuple[str, str] = ("", "")
    la: Authority | None = None


def _areas(las: Sequence[Authority]) -> list[_Area]:
    """England, the regions, then the authorities by region and code (EES order)."""
    regions = [SOUTH_WEST, SYNTHETIC_REGION]
    areas = [_Area("National", tuple(las))]
    areas += [_Area("Regional", tuple(la for la in las if la.region == r), r) for r in regions]
    for region in regions:
        members = sorted((la for la in las if la.region == region), key=lambda la: la.old_la_code)
        areas += [_Area("Local authority", (la,), region, la) for la in members]
    return areas


def _geography(area: _Area, year: int, order: Sequence[str] = GEOGRAPHY,
               quoted_empty: bool = False) -> list[object]:
    empty: object = QUOTED_EMPTY if quoted_empty else ""
    la = area.la
    values = {
        "time_period": str(year),
        "time_identifier": "Reporting year",
        "geographic_level": area.level,
        "country_code": ENGLAND[0],
        "country_name": ENGLAND[1],
        "region_code": area.region[0] or empty,
        "region_name": area.region[1] or empty,
        "old_la_code": la.old_la_code if la else "",
        "new_la_code": la.ons_code if la else empty,
        "la_name": la.name if la else empty,
    }
    return [values[name] for name in order]


def _round10(value: float) -> int:
    return int(math.floor(value / 10 + 0.5)) * 10


def _half_up(value: float, places: int = 0) -> float:
    scale = 10**places
    return math.floor(value * scale + 0.5) / scale


def _number(value: float, places: int = 0) -> str:
    """A figure as DfE writes it: 22.6, 21 (not 21.0), 1234."""
    rounded = _half_up(value, places)
    if places == 0 or rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{places}f}"


def _percent(part: float, whole: float, places: int) -> str:
    return _number(100 * part / whole, places) if whole else "z"


def _sum(figures: _Figures, file: str, area: _Area, year: int, key: str,
         suffix: tuple = ()) -> float:
    return sum(figures.values[(file, la.old_la_code, year, *suffix)][key] for la in area.members)


def _count(area: _Area, total: float, rounded: bool = True) -> tuple[float, str]:
    """A count as published: LA figures exact, national and regional rounded to 10."""
    if area.level == "Local authority" or not rounded:
        return total, _number(total)
    return total, _number(_round10(total))


def _apply_symbols(file: str, area: _Area, year: int, cells: dict[str, str]) -> dict[str, str]:
    if area.la is not None:
        cells.update(SYMBOL_CELLS.get((file, area.la.old_la_code, year), {}))
    return cells


def _cin_rows(figures: _Figures, areas: list[_Area], file: str, category: str,
              counts: Sequence[str], percent: tuple[str, str, str] | None,
              quoted_empty: bool) -> list[list[object]]:
    rows = []
    for year in reversed(YEARS):
        for area in areas:
            cells = {}
            for column in counts:
                _, cells[column] = _count(area, _sum(figures, file, area, year, column))
            if percent is not None:
                column, part, whole = percent
                cells[column] = _percent(_sum(figures, file, area, year, part),
                                         _sum(figures, file, area, year, whole), 1)
            cells = _apply_symbols(file, area, year, cells)
            rows.append([*_geography(area, year, quoted_empty=quoted_empty), category,
                         *(cells[c] for c in [*counts, *([percent[0]] if percent else [])])])
    return rows


def _cla_rows(figures: _Figures, areas: list[_Area]) -> list[list[object]]:
    types = (("Children ceasing to be looked after each year", "ceasing"),
             ("Children looked after on 31 March each year", "looked_after"),
             ("Children starting to be looked after each year", "starting"))
    rows = []
    for year in reversed(YEARS):
        for area in areas:
            population = sum(figures.population[la.old_la_code, year - 1] for la in area.members)
            for label, key in types:
                exact, shown = _count(area, _sum(figures, CLA, area, year, key))
                rate = _number(exact / population * 10_000)
                if area.la is not None and 1 <= exact <= 5:
                    shown, rate = "c", "c"
                rows.append([*_geography(area, year, CLA_GEOGRAPHY), label, str(population),
                             shown, rate])
    return rows


def _breakdown_rows(figures: _Figures, areas: list[_Area], file: str, group: str,
                    groups: Sequence[str], breakdowns: Sequence[str], total: str,
                    suffixed: bool) -> list[list[object]]:
    """Rows of a file with one row per breakdown (placements, care leavers): counts (small
    LA counts suppressed) and whole-number percentages of the group's total."""
    rows = []
    for year in reversed(YEARS):
        for area in areas:
            for name in groups:
                suffix = (name,) if suffixed else ()
                whole = _sum(figures, file, area, year, total, suffix)
                for breakdown in breakdowns:
                    if breakdown == "In training or employment":  # an older category
                        rows.append([*_geography(area, year, CLA_GEOGRAPHY), name, breakdown,
                                     "z", "z"])
                        continue
                    exact, shown = _count(area, _sum(figures, file, area, year, breakdown, suffix))
                    percent = _percent(exact, whole, 0)
                    if area.la is not None and 1 <= exact <= 5:
                        shown, percent = "c", "c"
                    rows.append([*_geography(area, year, CLA_GEOGRAPHY), name, breakdown,
                                 shown, percent])
    return rows


def _csww_rows(figures: _Figures, areas: list[_Area]) -> list[list[object]]:
    rows = []
    for year in reversed(YEARS):
        for area in areas:
            def total(key: str, area: _Area = area, year: int = year) -> float:
                return _sum(figures, CSWW, area, year, key)

            inpost, leavers = total("inpost_fte"), total("leavers_fte")
            agency, vacancy = total("agency_fte"), total("vacancy_fte")
            holders, cases = total("case_holders_fte"), total("cases")
            cells = {
                "inpost_fte": _number(inpost, 1),
                "leavers_fte": _number(leavers, 1),
                "turnover_rate_fte": _percent(leavers, inpost, 1),
                "agency_fte": _number(agency, 1),
                "agency_rate_fte": _percent(agency, agency + inpost, 1),
                "vacancy_fte": _number(vacancy, 1),
                "vacancy_rate_fte": _percent(vacancy, vacancy + inpost, 1),
                "cases": _number(cases),
                "case_holders_fte": _number(holders, 1),
                "caseload_fte": _number(cases / holders, 1),
            }
            cells = _apply_symbols(CSWW, area, year, cells)
            rows.append([*_geography(area, year), *(cells[c] for c in CSWW_COLUMNS)])
    return rows


CSWW_COLUMNS = ("inpost_fte", "leavers_fte", "turnover_rate_fte", "agency_fte", "agency_rate_fte",
                "vacancy_fte", "vacancy_rate_fte", "case_holders_fte", "cases", "caseload_fte")


def _population_rows(figures: _Figures, areas: list[_Area]) -> list[list[object]]:
    rows = []
    for year in reversed(MID_YEARS):
        for area in areas:
            population = sum(figures.population[la.old_la_code, year] for la in area.members)
            rows.append([*_geography(area, year), "Children aged 0 to 17 years", str(population)])
    return rows


def _neighbour_rows(las: Sequence[Authority]) -> list[list[object]]:
    """Each authority's ten closest others by size and levels of need (standardised)."""
    def features(la: Authority) -> list[float]:
        p = la.profile
        return [math.log(la.children), p["referrals"], p["cla"], p["cpp"], p["s47"]]

    matrix = np.array([features(la) for la in las])
    matrix = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)
    region_ind = {SOUTH_WEST: "9", SYNTHETIC_REGION: "99"}
    rows = []
    for la in sorted(las, key=lambda a: a.old_la_code):
        i = las.index(la)
        distance = np.sqrt(((matrix - matrix[i]) ** 2).sum(axis=1))
        others = sorted((float(distance[j]), las[j].old_la_code) for j in range(len(las)) if j != i)
        row: list[object] = [la.old_la_code, la.name, region_ind[la.region], la.region[1]]
        for rank, (_, code) in enumerate(others[:10]):
            row += [code, CLOSENESS[rank]]
        rows.append(row)
    return rows


# --- the Ofsted spreadsheet -------------------------------------------------------------------


OFSTED_HEADER = (
    "Web link", "Local authority area code", "Local authority name", "Ofsted region",
    "Inspection date", "Publication date", "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
)


def _ofsted_rows(las: Sequence[Authority], seed: int) -> list[list[object]]:
    rows = []
    for la in sorted(las, key=lambda a: a.ofsted_name):
        rng = _rng(seed, "ofsted", la.old_la_code)
        # The demo's real names are given the middle grades only: invented, but not harsh.
        weights = [0, 0.6, 0.4, 0] if la.demo else [0.15, 0.5, 0.25, 0.1]
        overall = int(rng.choice(4, p=weights))
        inspected = date(2022, 1, 3) + timedelta(weeks=int(rng.integers(0, 165)))
        published = inspected + timedelta(weeks=int(rng.integers(6, 10)))
        subs = [GRADES[int(np.clip(overall + rng.choice([-1, 0, 0, 0, 1]), 0, 3))]
                for _ in range(4)]
        if inspected < date(2023, 1, 1):
            subs[3] = None  # care leavers were judged separately from January 2023
        region = "South West" if la.region == SOUTH_WEST else "Synthetic region"
        rows.append(["Synthetic Ofsted webpage (not a real link)", la.ons_code, la.ofsted_name,
                     region, inspected, published, GRADES[overall], *subs])
    return rows


def _ods(sheet: str, title: str, note: str, header: Sequence[str],
         rows: Iterable[Sequence[object]]) -> bytes:
    """A minimal OpenDocument spreadsheet (one sheet) whose bytes depend only on its content."""
    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, date):
            return (f'<table:table-cell office:value-type="date" office:date-value='
                    f'"{value.isoformat()}"><text:p>{value.strftime("%d/%m/%Y")}</text:p>'
                    "</table:table-cell>")
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")

    lines = [[title], [note], list(header), *rows]
    body = "".join("<table:table-row>" + "".join(cell(v) for v in line) + "</table:table-row>"
                   for line in lines)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>\n"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in (
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
            ("content.xml", content, zipfile.ZIP_DEFLATED),
        ):
            info = zipfile.ZipInfo(name, date_time=ODS_TIMESTAMP)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.encode("utf-8"))
    return buffer.getvalue()


# --- writing ----------------------------------------------------------------------------------


def _field(value: object) -> str:
    if value is QUOTED_EMPTY:
        return '""'
    text = str(value)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = False) -> bytes:
    lines = [",".join(header)] + [",".join(_field(v) for v in row) for row in rows]
    return (b"\xef\xbb\xbf" if bom else b"") + ("\n".join(lines) + "\n").encode("utf-8")


README = """\
Synthetic national statistics (scrutiny demonstration)
======================================================

These files are SYNTHETIC. They are NOT OFFICIAL STATISTICS and not real data: every figure,
judgement and neighbour was invented by scrutiny.national.synthetic (seed {seed}) to
demonstrate and test the scrutiny tool. They were not derived from the published files.

They are written in the layouts of the published files, under the same file names, so that the
tool reads them as it reads the real downloads: the DfE Explore Education Statistics (EES) tidy
CSV layout (children in need tables B1, C1, C4, D3 and D5; children looked after, new
placements and care leavers; the children's social work workforce), ONS mid-year estimates of
children aged 0-17 in the EES layout, DfE's wide statistical neighbours file and Ofsted's
children's services inspection outcomes spreadsheet. The file names keep the published year
ranges; the files hold the years 2021-2025 (populations mid-2020 to mid-2024).

Areas: England (E92000001), the South West (E12000009), "Synthetic region" (E12999999, standing
for the rest of England), the five authorities of the demonstration partnership under their real
names and codes (Bath and North East Somerset 800, Bristol 801, North Somerset 802, South
Gloucestershire 803, Somerset 933) with invented figures of the size of the demo's returns, and
"Synthetic authority 01" to "20": old_la_code 980-999 and ONS codes E06999901-E06999920, codes
that no real authority has. Regional and England counts are the sums of their members, rounded
to the nearest 10 as DfE rounds them.

For real figures, download the published files from Explore Education Statistics, ONS, DfE and
Ofsted and point the tool at that folder.
"""


def write_if_changed(path: Path, data: bytes) -> None:
    """Write ``data`` unless the file holds it already: a re-run then sees its inputs
    unchanged (their modification times too) and can keep the reports built from them."""
    if not (path.is_file() and path.read_bytes() == data):
        path.write_bytes(data)


def write_synthetic_national(out_dir: Path | str, seed: int = 2026) -> list[Path]:
    """Write the synthetic national files (and a README.txt) into ``out_dir``; return the
    paths written, sorted. The same ``seed`` gives byte-identical files on every call."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    las = authorities(seed)
    figures = _figures(las, seed)
    areas = _areas(las)
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        path = out_dir / name
        write_if_changed(path, data)
        written.append(path)

    cin: Mapping[str, tuple[str, Sequence[str], tuple[str, str, str] | None, bool]] = {
        B1: ("Children in Need", ["At31_episodes"], None, False),
        C1: ("Referrals and Re-referrals", ["referral_count", "rereferral_count"],
             ("rereferral_percent", "rereferral_count", "referral_count"), False),
        C4: ("Section 47s and Initial Child Protection Conferences", ["Section47", "ICPC"],
             None, True),
        D3: ("Child Protection Plans which are a second or subsequent plan",
             ["CPP_start", "CPP_subsequent"],
             ("CPP_subsequent_percent", "CPP_subsequent", "CPP_start"), True),
        D5: ("Child Protection Plans by length of time", ["CPP_At31"], None, True),
    }
    for name, (category, counts, percent, quoted) in cin.items():
        header = [*GEOGRAPHY, "category", *counts, *([percent[0]] if percent else [])]
        put(name, _csv(header, _cin_rows(figures, areas, name, category, counts, percent,
                                         quoted)))
    put(CLA, _csv([*CLA_GEOGRAPHY, "population_type", "population_estimate", "children_count",
                   "rate_per_10000"], _cla_rows(figures, areas), bom=True))
    breakdowns = [b for b, _ in PLACEMENT_BREAKDOWNS] + ["Total new placements"]
    put(PLACEMENTS, _csv(
        [*CLA_GEOGRAPHY, "characteristic", "breakdown", "children_count", "children_percent"],
        _breakdown_rows(figures, areas, PLACEMENTS, "characteristic", [_LOCATION], breakdowns,
                        "Total new placements", suffixed=False)))
    activities = sorted([*_EET, *_NEET, "In training or employment", "Total",
                         "Total in education, employment or training",
                         "Total information not known",
                         "Total not in education, employment or training"])
    put(CARE_LEAVERS, _csv(
        [*CLA_GEOGRAPHY, "care_leaver_age", "breakdown", "care_leaver_count",
         "care_leaver_percent"],
        _breakdown_rows(figures, areas, CARE_LEAVERS, "care_leaver_age", CARE_LEAVER_AGES,
                        activities, "Total", suffixed=True), bom=True))
    put(CSWW, _csv([*GEOGRAPHY, *CSWW_COLUMNS], _csww_rows(figures, areas)))
    put(ONS, _csv([*GEOGRAPHY, "age_group", "population_estimate"],
                  _population_rows(figures, areas)))
    sn_header = ["old_la_code", "la_name", "region_ind", "region_name"]
    sn_header += [name for i in range(1, 11) for name in (f"SN_{i}", f"SN_{i}P")]
    put(SN, _csv(sn_header, _neighbour_rows(las), bom=True))
    put(OFSTED, _ods(
        OFSTED_SHEET,
        "Local authority inspection judgements as at 31 March 2025 (SYNTHETIC, not Ofsted data)",
        "Synthetic demonstration data written by scrutiny: every judgement is invented.",
        OFSTED_HEADER, _ofsted_rows(las, seed)))
    put(README_NAME, README.format(seed=seed).encode("utf-8"))
    return sorted(written)


def _rng(seed: int, *names: str) -> np.random.Generator:
    """A generator for one part of the files, independent of the order parts are made in."""
    return np.random.default_rng([seed, *(zlib.crc32(name.encode()) for name in names)])


__all__ = ["SYMBOL_CELLS", "Authority", "authorities", "write_synthetic_national"]
