"""Where the real DfE files are, and a plain `csv` reading of them for cross-checks.

The published files are read from `SCRUTINY_DFE_DIR` or `../shared/data/dfe` beside the
repository; they are never copied into it. `PlainFiles` uses the standard `csv` module only,
so that the loader is checked against an independent reading.
"""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

AVON_AND_SOMERSET = ("800", "801", "802", "803", "933")
SOUTH_WEST = "E12000009"
ENGLAND = "E92000001"

B1 = "b1_children_in_need_2013_to_2025.csv"
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
C4 = "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
CLA = "cla_number_and_rate_per_10k_children.csv"
PLACEMENTS = "la_cla_during_year_new_placements.csv"
CARE_LEAVERS = "la_care_leavers_activity.csv"
CSWW = "csww_indicators_2017_to_2025.csv"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
SN = "sn_model_2025_wide.csv"
OFSTED = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
CLA_AT31 = {"population_type": "Children looked after on 31 March each year"}


def find_dfe_dir() -> Path | None:
    """`SCRUTINY_DFE_DIR` when set, else `../shared/data/dfe` beside the repository."""
    configured = os.environ.get("SCRUTINY_DFE_DIR")
    candidate = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[2] / "../shared/data/dfe"
    )
    if candidate.is_dir() and any(candidate.glob("*.csv")):
        return candidate.resolve()
    return None


class PlainFiles:
    """The published CSVs read with `csv.DictReader` and nothing else."""

    LEVEL = {"england": "National", "region": "Regional", "local_authority": "Local authority"}

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @functools.cache  # noqa: B019 - one instance per session
    def rows(self, name: str) -> tuple[dict[str, str], ...]:
        with (self.folder / name).open(encoding="utf-8-sig", newline="") as handle:
            return tuple(csv.DictReader(handle))

    @functools.cache  # noqa: B019 - one instance per session
    def _index(self, name: str) -> dict[tuple[str, str, str], list[dict[str, str]]]:
        index: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for row in self.rows(name):
            code = {"National": "", "Regional": row["region_code"]}.get(
                row["geographic_level"], row["old_la_code"]
            )
            key = (row["geographic_level"], code, row["time_period"])
            index.setdefault(key, []).append(row)
        return index

    def matching(self, name: str, level: str, code: str, year: int, **filters: str):
        code = "" if level == "england" else code
        candidates = self._index(name).get((self.LEVEL[level], code, str(year)), [])
        return [r for r in candidates if all(r[k] == v for k, v in filters.items())]

    def cell(self, name: str, column: str, level: str, code: str, year: int, **filters: str):
        """The published cell, or None when the file has no such row."""
        found = self.matching(name, level, code, year, **filters)
        assert len(found) <= 1, f"{name}: several rows for {code} {year} {filters}"
        return found[0][column] if found else None

    def years(self, name: str) -> list[int]:
        return sorted({int(row["time_period"]) for row in self.rows(name)})


def level_of(code: str) -> str:
    if code == ENGLAND:
        return "england"
    return "region" if code.startswith("E1") else "local_authority"


_ROW_INDEX: dict[int, tuple[object, dict]] = {}


def row_of(table, indicator_id: str, code: str, year: int) -> dict | None:
    """The single long-table row (as a dict), or None. Indexed once per table."""
    cached = _ROW_INDEX.get(id(table))
    if cached is None or cached[0] is not table:
        index: dict = {}
        for record in table.to_dict("records"):
            key = (
                record["indicator_id"],
                record["area_code"],
                record["time_period"],
                record["geographic_level"],
            )
            assert key not in index, key
            index[key] = record
        cached = _ROW_INDEX[id(table)] = (table, index)
    return cached[1].get((indicator_id, code, year, level_of(code)))
