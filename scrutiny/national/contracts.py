"""Data contracts of the national file families, checked when the files are loaded.

Each family (one published file) has a great-expectations suite in
``data_contracts/national/<family>.v1.json``, in the style of the return contracts: every
expectation carries a rule name, a severity and, in words, what is wrong and how to fix it;
``meta.contract`` names the family, the file it expects (and the pattern the loader looks
for), the publication, the version and the columns the loader reads with their types.

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

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scrutiny.contracts import ContractError, validate_frame, version_key
from scrutiny.national.ees import read_available_columns, read_header, strip_values
from scrutiny.national.errors import NationalDataError
from scrutiny.national.ofsted import SHEET_ROW, read_ofsted_table
from scrutiny.resources import contracts_dir

NATIONAL_DIR = "national"
ROW, COLUMN, VALUE = "_row", "_column", "value"
INDEX_COLUMNS = (ROW, COLUMN)
# Column types whose cells are figures (numbers or suppression symbols).
VALUE_TYPES = frozenset({"count", "fte", "ratio", "percent", "rate_per_10k"})
# value__<x>: the value as a number where its column is of that type (range rules).
TYPE_SHADOWS = {"percent": "value__percent", "rate_per_10k": "value__rate"}
LAYOUTS = ("ees", "neighbours", "ofsted")
MAX_EXAMPLES = 3


@dataclass(frozen=True)
class ContractColumn:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class NationalContract:
    """One national file family's contract (`data_contracts/national/<family>.vN.json`)."""

    family: str
    file: str  # the published file name it expects
    pattern: str  # how the loader finds the file in a folder
    publication: str
    version: str
    layout: str  # ees, neighbours or ofsted
    path: Path
    suite: dict = field(repr=False, hash=False, compare=False)
    columns: tuple[ContractColumn, ...] = ()
    # The rows the loader reads (column -> values kept), the only rows checked.
    rows: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.suite['name']} v{self.version}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    @property
    def value_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.type in VALUE_TYPES]

    def rules(self) -> list[dict]:
        """Each expectation's meta (rule, severity, explain, fix) with its kwargs."""
        return [{**item["meta"], "kwargs": item["kwargs"]} for item in self.suite["expectations"]]


@dataclass(frozen=True)
class ContractFinding:
    """One rule broken by one national file."""

    family: str
    file: str
    rule: str
    severity: str  # error: the file is refused (unless tolerated); warning: noted only
    columns: tuple[str, ...]
    rows: tuple[int, ...]  # line numbers (header = 1), or spreadsheet rows for Ofsted
    detail: str  # which rows / columns / values, e.g. "rows 5, 9 (row 5: ICPC=12, ...)"
    explain: str
    fix: str
    tolerated: bool = False  # broken by fewer rows than the rule's `mostly` allows

    @property
    def refuses(self) -> bool:
        return self.severity == "error" and not self.tolerated

    @property
    def message(self) -> str:
        on = f" on {', '.join(self.columns)}" if self.columns else ""
        return f"rule '{self.rule}'{on}: {self.explain}: {self.detail}"

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


class ContractRefusal(NationalDataError):
    """A national file refused by its contract: the findings say why."""

    def __init__(self, file: Path | str, contract: NationalContract,
                 findings: Sequence[ContractFinding]) -> None:
        self.contract = contract
        self.findings = list(findings)
        refusing = [finding for finding in self.findings if finding.refuses]
        self.rules = tuple(dict.fromkeys(finding.rule for finding in refusing))
        reasons = "; ".join(f"{f.message} (fix: {f.fix})" for f in refusing)
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
    if not root.is_dir():
        raise ContractError(f"no national contracts found: {root} does not exist")
    found: dict[str, NationalContract] = {}
    for path in sorted(root.glob("*.json")):
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
            meta = suite["meta"]["contract"]
            contract = NationalContract(
                family=meta["family"], file=meta["file"], pattern=meta["pattern"],
                publication=meta["publication"], version=meta["version"],
                layout=meta["layout"], path=path, suite=suite,
                columns=tuple(ContractColumn(c["name"], c["type"], c["required"],
                                             c["description"]) for c in meta["columns"]),
                rows={name: tuple(values) for name, values in meta.get("rows", {}).items()},
            )
            for item in suite["expectations"]:
                if not {"rule", "severity", "explain", "fix"} <= set(item["meta"]):
                    raise KeyError(f"meta of {item['type']} lacks rule/severity/explain/fix")
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ContractError(f"{path} is not a national data contract: {error}") from error
        if contract.layout not in LAYOUTS:
            raise ContractError(f"{path}: unknown layout {contract.layout!r}")
        current = found.get(contract.family)
        if current is None or version_key(contract.version) > version_key(current.version):
            found[contract.family] = contract
    return found


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
    expectations = [item for item in contract.suite["expectations"]
                    if _runnable(item, frame.columns, parameters)]
    try:
        # published statistics: quoting a failing value helps and identifies no one
        results = validate_frame(contract.suite["name"], expectations, frame, parameters,
                                 index_columns=INDEX_COLUMNS, keep_values=True)
    except ContractError as error:
        raise ContractError(f"{contract.name}: {error}") from error
    findings = []
    for expectation, result in results:
        finding = _finding(contract, path, expectation, result, frame)
        if finding is not None:
            findings.append(finding)
    return findings


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
        for name in _columns_of(item["kwargs"]):
            if name.endswith("__number") and not name.startswith(VALUE):
                bases.append(name.removesuffix("__number"))
    return list(dict.fromkeys(bases))


def _columns_of(kwargs: Mapping[str, Any], *, condition: bool = True) -> list[str]:
    """The frame columns an expectation reads (with those of its row condition)."""
    names = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    names += list(kwargs.get("column_list", []))
    row_condition = kwargs.get("row_condition")
    if condition and isinstance(row_condition, str):
        names += re.findall(r"([A-Za-z_]\w*)\s*==", row_condition)
    return names


def _runnable(item: dict, columns: pd.Index, parameters: Mapping[str, Any]) -> bool:
    """Whether every column (and parameter) the expectation needs is there: a missing file
    column is reported once, by the `columns` rule."""
    value_set = item["kwargs"].get("value_set")
    if isinstance(value_set, dict) and parameters.get(value_set.get("$PARAMETER")) is None:
        return False
    return all(name in columns for name in _columns_of(item["kwargs"]))


# --- findings ---------------------------------------------------------------------------------


def _finding(contract: NationalContract, path: Path, expectation: dict, result: Any,
             frame: pd.DataFrame) -> ContractFinding | None:
    meta, kwargs = expectation["meta"], expectation["kwargs"]
    kind = expectation["type"]
    entries = list(result.result.get("unexpected_index_list") or [])
    if result.success and not entries:
        return None

    def make(columns: Sequence[str], rows: Sequence[int], detail: str) -> ContractFinding:
        return ContractFinding(
            family=contract.family, file=path.name, rule=meta["rule"],
            severity=meta["severity"], columns=tuple(columns), rows=tuple(rows),
            detail=detail, explain=meta["explain"], fix=meta["fix"],
            tolerated=bool(result.success),
        )

    if kind == "expect_table_columns_to_match_set":
        missing = [name for name in kwargs["column_set"] if name not in frame.columns]
        detail = f"missing {', '.join(missing)}"
        header = _header(path)
        if header:
            shown = ", ".join(header[:15]) + (", ..." if len(header) > 15 else "")
            detail += f" (the file's columns are: {shown})"
        return make(missing, (), detail)
    if kind == "expect_column_distinct_values_to_contain_set":
        column = kwargs["column"]
        seen = set(frame[column].dropna())
        missing = [value for value in kwargs["value_set"] if value not in seen]
        return make([column], (), "no rows with " + " or ".join(
            f"{column} = {value!r}" for value in missing))

    rows = sorted({int(entry[ROW]) for entry in entries})
    columns = list(dict.fromkeys(
        name for entry in entries for name in _entry_columns(entry, kwargs)))
    examples = [_example(entry, kwargs) for entry in entries[:MAX_EXAMPLES]]
    detail = f"{_rows_phrase(rows)} ({'; '.join(examples)})"
    if result.success:
        detail += f", within the {kwargs.get('mostly', 1):.0%} the contract requires"
    return make(columns, rows, detail)


def _entry_columns(entry: Mapping[str, Any], kwargs: Mapping[str, Any]) -> list[str]:
    names = []
    for name in _columns_of(kwargs, condition=False):
        if name in (VALUE, "code", "neighbour") or name.startswith("value__"):
            names.append(str(entry.get(COLUMN, name)))
        elif name == "closeness":
            names.append(f"{entry.get(COLUMN, '')}P")
        else:
            names.append(name.removesuffix("__number"))
    return names


def _example(entry: Mapping[str, Any], kwargs: Mapping[str, Any]) -> str:
    shown = []
    for name in _columns_of(kwargs, condition=False):
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


def _rows_phrase(rows: Sequence[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:8])
    more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"


def _header(path: Path) -> list[str]:
    if path.suffix.lower() != ".csv":
        return []
    try:
        return read_header(path)
    except NationalDataError:
        return []
