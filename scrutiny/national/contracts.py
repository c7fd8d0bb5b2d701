"""Data contracts of the national file families, checked when the files are loaded.

Each family (one published file) has a great-expectations suite in
``data_contracts/national/<family>.v1.json``, loaded, run and worded by the engine of the
return contracts (:mod:`scrutiny.contracts`): every expectation carries a rule name, a
severity and, in words, what is wrong and how to fix it; ``meta.contract`` names the family,
the file it expects (and the pattern the loader looks for, both as in
:mod:`scrutiny.national.files`), the publication, the version and the columns the loader
reads with their types. What is particular to the national files is here: the frame each
layout (EES, statistical neighbours, Ofsted) gives the suite, and where a failing row of that
frame is in the file, with example values (published statistics identify no one).

A file that breaks an error rule is refused: :class:`ContractRefusal` (a
``NationalDataError``) names the file, the rule, the columns and example rows, and the loader
goes on without that family. Typical causes: another EES table saved under the expected name
(columns missing), a file edited in a spreadsheet (symbols or dates changed), columns swapped.

One validation per family keeps this fast (great-expectations costs a few milliseconds per
expectation, whatever the number of rows): the value columns of an EES file are checked
together, as one long column ``value`` with a ``_column`` naming the source column, so that
"is a number or a known symbol" and the range rules are one expectation each whatever the
number of columns. The first block of that long frame also carries the file's columns side
by side (for the geography and cross-column rules); later blocks leave them empty, and
great-expectations skips empty cells. Row numbers are the file's line numbers (the header is
line 1) or, for the Ofsted spreadsheet, its row numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scrutiny.contracts import (
    COLUMNS_RULE,
    ROW_COLUMN,
    Breach,
    ContractError,
    DataContract,
    Finding,
    columns_read,
    load_suites,
    run,
)
from scrutiny.national.ees import read_available_columns, read_header, strip_values
from scrutiny.national.errors import NationalDataError
from scrutiny.national.files import PUBLISHED
from scrutiny.national.ofsted import SHEET_ROW, read_ofsted_table
from scrutiny.resources import contracts_dir

NATIONAL_DIR = "national"
ROW, COLUMN, VALUE = ROW_COLUMN, "_column", "value"
INDEX_COLUMNS = (ROW, COLUMN)
# Column types whose cells are figures (numbers or suppression symbols).
VALUE_TYPES = frozenset({"count", "fte", "ratio", "percent", "rate_per_10k"})
# value__<x>: the value as a number where its column is of that type (range rules).
TYPE_SHADOWS = {"percent": "value__percent", "rate_per_10k": "value__rate"}
LAYOUTS = ("ees", "neighbours", "ofsted")
MAX_EXAMPLES = 3


@dataclass(frozen=True, kw_only=True)
class NationalContract(DataContract):
    """One national file family's contract (`data_contracts/national/<family>.vN.json`)."""

    family: str
    publication: str
    layout: str  # ees, neighbours or ofsted
    # The rows the loader reads (column -> values kept), the only rows checked.
    rows: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def file(self) -> str:
        """The published file name it expects (`files.PUBLISHED`)."""
        return PUBLISHED[self.family].name

    @property
    def pattern(self) -> str:
        """How the loader finds the file in a folder (`files.PUBLISHED`)."""
        return PUBLISHED[self.family].pattern

    @property
    def value_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.type in VALUE_TYPES]


@dataclass(frozen=True)
class ContractFinding:
    """One rule broken by one national file: the contract's finding, and its family."""

    family: str
    finding: Finding
    tolerated: bool = False  # broken by fewer rows than the rule's `mostly` allows

    @property
    def file(self) -> str:
        return self.finding.file_name

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def columns(self) -> tuple[str, ...]:
        return self.finding.columns

    @property
    def rows(self) -> tuple[int, ...]:
        """Line numbers (the header is line 1), or spreadsheet rows for Ofsted."""
        return self.finding.row_numbers

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def detail(self) -> str:
        """Where the rule is broken and what was found there (the message)."""
        return self.finding.message

    @property
    def fix(self) -> str:
        return self.finding.fix

    @property
    def refuses(self) -> bool:
        return self.finding.is_error

    def __str__(self) -> str:
        return f"{self.file}: {self.finding.describe()}"


class ContractRefusal(NationalDataError):
    """A national file refused by its contract: the findings say why."""

    def __init__(self, file: Path | str, contract: NationalContract,
                 findings: Sequence[ContractFinding]) -> None:
        self.contract = contract
        self.findings = list(findings)
        refusing = [finding for finding in self.findings if finding.refuses]
        self.rules = tuple(dict.fromkeys(finding.rule for finding in refusing))
        reasons = "; ".join(f.finding.describe(with_fix=True) for f in refusing)
        super().__init__(file, f"refused by its data contract {contract.name}: {reasons}")


# --- loading the contracts --------------------------------------------------------------------


def national_contracts_dir() -> Path:
    return contracts_dir() / NATIONAL_DIR


def load_national_contracts(directory: Path | str | None = None) -> dict[str, NationalContract]:
    """The newest version of each family's contract in ``directory`` (default
    ``data_contracts/national``, or ``$SCRUTINY_CONTRACTS_DIR/national``)."""
    return _load(Path(directory) if directory is not None else national_contracts_dir())


@cache
def _load(root: Path) -> dict[str, NationalContract]:
    return load_suites(root, family="national", identity="family", build=_national_contract)


def _national_contract(meta: Mapping[str, Any], common: dict[str, Any]) -> NationalContract:
    path, family = common["path"], meta["family"]
    if meta["layout"] not in LAYOUTS:
        raise ContractError(f"{path}: unknown layout {meta['layout']!r}")
    published = PUBLISHED.get(family)
    if published is None:
        raise ContractError(f"{path}: no published file is known for the family {family!r} "
                            "(scrutiny/national/files.py)")
    if (meta["file"], meta["pattern"]) != (published.name, published.pattern):
        # the file names live in one place; the contract's copy is for its reader
        raise ContractError(
            f"{path}: meta.contract expects {meta['file']} ({meta['pattern']}), but the loader "
            f"looks for {published.name} ({published.pattern}, scrutiny/national/files.py)")
    return NationalContract(
        **common, family=family, publication=meta["publication"], layout=meta["layout"],
        rows={name: tuple(values) for name, values in meta.get("rows", {}).items()},
    )


# --- reading and checking a file --------------------------------------------------------------


def read_for_contract(contract: NationalContract, path: Path) -> pd.DataFrame:
    """The file as the loader reads it: the contract's columns that the file has (strings),
    or for Ofsted the judgements table (`ofsted.read_ofsted_table`)."""
    if contract.layout == "ofsted":
        return read_ofsted_table(path)
    return read_available_columns(path, contract.column_names)


def check(contract: NationalContract, path: Path, raw: pd.DataFrame) -> list[ContractFinding]:
    """Run the contract over `raw` (`read_for_contract`) in one validation; every finding,
    refusing or not."""
    frame, parameters = _validation_frame(contract, raw)
    # published statistics: quoting a failing value helps and identifies no one
    breaches = run(contract, frame, parameters, index_columns=INDEX_COLUMNS, keep_values=True)
    return [_finding(contract, path, breach, frame, parameters) for breach in breaches]


def enforce(contract: NationalContract, path: Path, raw: pd.DataFrame) -> list[ContractFinding]:
    """`check`, raising ContractRefusal when an error rule is broken; otherwise the findings
    that do not refuse the file (tolerated or warnings)."""
    findings = check(contract, path, raw)
    if any(finding.refuses for finding in findings):
        raise ContractRefusal(path, contract, findings)
    return findings


def check_file(family: str, path: Path | str) -> list[ContractFinding]:
    """Check one national file against its family's contract, without loading it."""
    contract = load_national_contracts()[family]
    path = Path(path)
    return check(contract, path, read_for_contract(contract, path))


# --- the frame great-expectations sees --------------------------------------------------------


def _validation_frame(contract: NationalContract,
                      raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    if contract.layout == "ees":
        return _ees_frame(contract, raw), {}
    if contract.layout == "neighbours":
        return _neighbours_frame(contract, raw)
    return _ofsted_frame(raw), {}


def _text(column: pd.Series) -> np.ndarray:
    return strip_values(column.astype(object)).to_numpy(dtype=object)


def _numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy("float64")


def _ees_frame(contract: NationalContract, raw: pd.DataFrame) -> pd.DataFrame:
    """One block per value column and per code column (`_column` names it), the first block
    also carrying every column side by side, shadows for the rules that compare numbers."""
    text = {name: _text(raw[name]) for name in raw.columns}
    keep = np.ones(len(raw), dtype=bool)
    for name, values in contract.rows.items():
        if name in text:
            keep &= np.isin(text[name], list(values))
    rows = np.arange(2, len(raw) + 2)[keep]
    text = {name: column[keep] for name, column in text.items()}
    present = [column for column in contract.columns if column.name in text]
    values = [column.name for column in present if column.type in VALUE_TYPES]
    codes = [column.name for column in present if column.type == "code"]

    first = pd.DataFrame({ROW: rows, COLUMN: values[0] if values else ""})
    for column in present:
        first[column.name] = text[column.name]
    for base in _pair_bases(contract):
        if base in text:
            first[f"{base}__number"] = _numbers(text[base])
    if {"geographic_level", "region_code", "old_la_code"} <= text.keys():
        level = text["geographic_level"]
        first["area_code"] = np.where(
            level == "Regional", text["region_code"],
            np.where(level == "Local authority", text["old_la_code"], None))
    blocks = [first.assign(**{VALUE: text[values[0]]}) if values else first]
    blocks += [pd.DataFrame({ROW: rows, COLUMN: name, VALUE: text[name]}) for name in values[1:]]
    blocks += [pd.DataFrame({ROW: rows, COLUMN: name, "code": text[name]}) for name in codes]
    frame = pd.concat(blocks, ignore_index=True)
    if values:
        number = _numbers(frame[VALUE])
        frame["value__number"] = number
        types = frame[COLUMN].map({c.name: c.type for c in present}).to_numpy()
        for type_, shadow in TYPE_SHADOWS.items():
            frame[shadow] = np.where(types == type_, number, np.nan)
    return frame


def _neighbours_frame(contract: NationalContract,
                      raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    text = pd.DataFrame({name: _text(raw[name]) for name in raw.columns}, index=raw.index)
    rows = np.arange(2, len(raw) + 2)
    keep = (text != "").any(axis=1).to_numpy() if len(text.columns) else np.ones(len(raw), bool)
    text, rows = text[keep], rows[keep]
    neighbours = [c.name for c in contract.columns if c.type == "neighbour" and c.name in text]
    first = pd.DataFrame({ROW: rows, COLUMN: neighbours[0] if neighbours else ""})
    for name in text.columns:
        first[name] = text[name].to_numpy()
    parts = []
    for i, name in enumerate(neighbours):
        part = first if i == 0 else pd.DataFrame({ROW: rows, COLUMN: name})
        closeness = f"{name}P"
        part = part.assign(
            neighbour=text[name].to_numpy(),
            closeness=text[closeness].to_numpy() if closeness in text else None,
        )
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True) if parts else first
    # Without old_la_code there is nothing to check the neighbours against (None: not run).
    codes = sorted(set(text["old_la_code"])) if "old_la_code" in text else None
    return frame, {"la_codes": codes}


def _ofsted_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The judgements table; a blank overall effectiveness is "" (so that the grade rule
    reports it), other blanks None."""
    frame = pd.DataFrame({ROW: table[SHEET_ROW].to_numpy(), COLUMN: ""})
    for name in table.columns:
        if name == SHEET_ROW:
            continue
        column = table[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            frame[name] = column.to_numpy()
        else:  # plain objects with None for blanks: what great-expectations handles best
            blank = "" if name == "overall_effectiveness" else None
            frame[name] = column.astype(object).where(column.notna(), blank).to_numpy()
    return frame


def _pair_bases(contract: NationalContract) -> list[str]:
    bases = []
    for item in contract.suite["expectations"]:
        for name in columns_read(item["kwargs"], condition=False):
            if name.endswith("__number") and not name.startswith(VALUE):
                bases.append(name.removesuffix("__number"))
    return list(dict.fromkeys(bases))


# --- findings ---------------------------------------------------------------------------------


def _finding(contract: NationalContract, path: Path, breach: Breach, frame: pd.DataFrame,
             parameters: Mapping[str, Any]) -> ContractFinding:
    """The shared finding, told where the long frame's rows and columns are in the file."""
    kwargs = breach.kwargs
    if breach.type == COLUMNS_RULE:
        missing = [name for name in kwargs["column_set"] if name not in frame.columns]
        header = _header(path)
        shown = ", ".join(header[:15]) + (", ..." if len(header) > 15 else "")
        finding = breach.finding(path.name, columns=missing, parameters=parameters,
                                 evidence=f" (the file's columns are: {shown})" if header else "")
    elif breach.about_the_file:  # the rows the loader reads are not in the file
        column = kwargs["column"]
        seen = set(frame[column].dropna())
        absent = " or ".join(f"{column} = {value!r}" for value in kwargs["value_set"]
                             if value not in seen)
        finding = breach.finding(path.name, columns=[column], parameters=parameters,
                                 evidence=f" (no rows with {absent})")
    else:
        entries = breach.entries
        rows = sorted({int(entry[ROW]) for entry in entries})
        columns = list(dict.fromkeys(
            name for entry in entries for name in _entry_columns(entry, kwargs)))
        examples = "; ".join(_example(entry, kwargs) for entry in entries[:MAX_EXAMPLES])
        finding = breach.finding(path.name, columns=columns, row_numbers=rows,
                                 evidence=f" ({examples})" if examples else "",
                                 parameters=parameters)
    return ContractFinding(contract.family, finding, breach.tolerated)


def _entry_columns(entry: Mapping[str, Any], kwargs: Mapping[str, Any]) -> list[str]:
    names = []
    for name in columns_read(kwargs, condition=False):
        if name in (VALUE, "code", "neighbour") or name.startswith("value__"):
            names.append(str(entry.get(COLUMN, name)))
        elif name == "closeness":
            names.append(f"{entry.get(COLUMN, '')}P")
        else:
            names.append(name.removesuffix("__number"))
    return names


def _example(entry: Mapping[str, Any], kwargs: Mapping[str, Any]) -> str:
    shown = []
    for name in columns_read(kwargs, condition=False):
        if name not in entry:
            continue
        label = _entry_columns(entry, {"column": name})[0]
        shown.append(f"{label}={_show(entry[name])}")
    return f"row {int(entry[ROW])}: {', '.join(shown)}"


def _show(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "blank" if np.isnan(value) else f"{float(value):.12g}"
    if value is None or value is pd.NaT:
        return "blank"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return repr(str(value))


def _header(path: Path) -> list[str]:
    if path.suffix.lower() != ".csv":
        return []
    try:
        return read_header(path)
    except NationalDataError:
        return []
