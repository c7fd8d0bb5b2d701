"""Load every national file family from a folder, each independently.

A broken or missing file costs only its own family: the problem is recorded (file and
reason) and the other families still load. Population estimates feed the rates of the
children in need families; without them those rates are left out and the counts still load.

Each file is first checked against its family's data contract (`national.contracts`,
`data_contracts/national/<family>.v1.json`): a file that breaks an error rule is refused,
the problem names the file, the rule, the columns and example rows, and loading goes on
without that family. The file is read once, for its contract and the loader together.
great-expectations is imported for this (once per process, a few seconds); a caller that
has already validated the files, such as a report kernel, passes `check_contracts=False`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scrutiny.contracts import ContractError
from scrutiny.national.contracts import enforce, load_national_contracts, read_for_contract
from scrutiny.national.ees import read_population, read_statistical_neighbours
from scrutiny.national.errors import NationalDataError
from scrutiny.national.files import NEIGHBOURS_PATTERN, OFSTED_PATTERN, POPULATION_PATTERN
from scrutiny.national.indicators import (
    FAMILIES,
    compute_family,
    empty_long_table,
    sort_long_table,
)
from scrutiny.national.ofsted import SHEET_ROW, join_ofsted, read_ofsted_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """A file family that could not be loaded (or loaded only in part)."""

    family: str
    file: str
    problem: str
    rules: tuple[str, ...] = ()  # the contract rules the file broke, if it was refused

    def __str__(self) -> str:
        return f"{self.family}: {self.file}: {self.problem}"


@dataclass
class NationalData:
    """What `load_national` returns.

    table: the long table (`indicators.LONG_COLUMNS`).
    problems: one entry per family that failed; the other families are in `table`.
    notes: things done deliberately that a reader should know (placeholders removed, ...).
    areas: one row per LA (`old_la_code, la_name, ons_codes, region_code, region_name,
        first_year, last_year`) as seen in the files.
    shared_returns: LA rows filled from a return that covers several LAs ("314 / 318"),
        so aggregates over LAs can count such a return once.
    neighbours: statistical neighbours, long (`ees.read_statistical_neighbours`), or None.
    ofsted: latest ILACS judgements (`ofsted.read_ofsted_outcomes`), or None.
    findings: every data contract finding (`contracts.ContractFinding`), those that refused
        a file and those tolerated (also given in `notes`).
    """

    table: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    shared_returns: pd.DataFrame = field(default_factory=pd.DataFrame)
    neighbours: pd.DataFrame | None = None
    ofsted: pd.DataFrame | None = None
    findings: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_source(source_dir: Path, pattern: str) -> Path:
    """The file in `source_dir` matching `pattern`; the last by name if several (EES names
    carry the year range, so the last covers the latest year)."""
    matches = sorted(source_dir.glob(pattern))
    if not matches:
        raise NationalDataError(source_dir / pattern, f"file not found in {source_dir}")
    if len(matches) > 1:
        log.warning("several files match %s; using %s", pattern, matches[-1].name)
    return matches[-1]


def _areas(sources: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [s for s in sources if not s.empty]
    if not frames:
        return pd.DataFrame(
            columns=[
                "old_la_code",
                "la_name",
                "ons_codes",
                "region_code",
                "region_name",
                "first_year",
                "last_year",
            ]
        )
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["geographic_level"] == "local_authority"].fillna("")
    rows = rows.sort_values("time_period", kind="stable")
    grouped = rows.groupby("area_code", sort=True)
    latest = grouped.last()
    return pd.DataFrame(
        {
            "old_la_code": latest.index.to_numpy(),
            "la_name": latest["area_name"].to_numpy(),
            "ons_codes": grouped["new_la_code"]
            .agg(lambda codes: tuple(sorted({c for c in codes if c})))
            .to_numpy(),
            "region_code": latest["region_code"].to_numpy(),
            "region_name": latest["region_name"].to_numpy(),
            "first_year": grouped["time_period"].min().to_numpy(),
            "last_year": grouped["time_period"].max().to_numpy(),
        }
    )


def load_national(
    source_dir: Path | str,
    *,
    families: Iterable[str] | None = None,
    include_ofsted: bool = True,
    check_contracts: bool = True,
) -> NationalData:
    """Load the national statistics in `source_dir` into one long table.

    `families` restricts loading to some of `indicators.FAMILIES` (default: all). Reading the
    Ofsted spreadsheet is the slowest step (about half a second), so callers that only need
    the indicators can pass `include_ofsted=False`. `check_contracts=False` skips the data
    contracts (and the import of great-expectations), for files already checked.
    """
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise NationalDataError(source_dir, "source folder not found")
    wanted = list(FAMILIES) if families is None else list(families)
    unknown = [name for name in wanted if name not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown national file families: {', '.join(unknown)}")

    result = NationalData(table=empty_long_table().drop(columns="joint_code"))

    contracts = load_national_contracts() if check_contracts else {}

    def record(family: str, error: NationalDataError) -> None:
        problem = Problem(family, error.file.name, error.problem, getattr(error, "rules", ()))
        log.warning("national statistics: %s", problem)
        result.problems.append(problem)
        result.findings.extend(getattr(error, "findings", ()))

    def checked(family: str, path: Path) -> pd.DataFrame | None:
        """The file read once and checked against its contract (None: not checking)."""
        if not check_contracts:
            return None
        if family not in contracts:
            raise ContractError(f"no data contract for the national file family {family!r}")
        contract = contracts[family]
        raw = read_for_contract(contract, path)
        for finding in enforce(contract, path, raw):  # raises ContractRefusal
            result.findings.append(finding)
            result.notes.append(f"{family}: {finding} (tolerated by its contract)")
        return raw

    population = None
    try:
        path = find_source(source_dir, POPULATION_PATTERN)
        population = read_population(path, raw=checked("population", path))
    except NationalDataError as error:
        record("population", error)

    tables, sources, shared = [], [], []
    for name in wanted:
        try:
            path = find_source(source_dir, FAMILIES[name].pattern)
            raw = checked(name, path)
            family_result, notes = compute_family(FAMILIES[name], path, population, raw)
        except NationalDataError as error:
            record(name, error)
            continue
        tables.append(family_result.table)
        sources.append(family_result.sources)
        shared.append(family_result.shared_returns)
        result.notes.extend(f"{name}: {note}" for note in notes)
        if family_result.dropped_placeholders:
            result.notes.append(
                f"{name}: {family_result.dropped_placeholders} row(s) removed for authorities "
                "that did not exist that year (all values z/x)"
            )
    if tables:
        result.table = sort_long_table(pd.concat(tables, ignore_index=True))
    if shared:
        result.shared_returns = pd.concat(shared, ignore_index=True)
        for joint in sorted(set(result.shared_returns["joint_code"])):
            result.notes.append(
                f"joint return {joint}: its figures are given to each member authority"
            )
    result.areas = _areas(sources)

    try:
        path = find_source(source_dir, NEIGHBOURS_PATTERN)
        result.neighbours = read_statistical_neighbours(path, raw=checked("neighbours", path))
    except NationalDataError as error:
        record("neighbours", error)

    if include_ofsted:
        try:
            path = find_source(source_dir, OFSTED_PATTERN)
            table = checked("ofsted", path)
            if table is None:
                table = read_ofsted_table(path)
            result.ofsted = join_ofsted(table.drop(columns=SHEET_ROW), result.areas)
            unmatched = result.ofsted.loc[result.ofsted["old_la_code"].isna(), "ofsted_name"]
            if not unmatched.empty:
                # The matched rows stay usable; the unmatched ones are named.
                raise NationalDataError(path, f"no old_la_code for: {', '.join(unmatched)}")
        except NationalDataError as error:
            record("ofsted", error)
    return result
