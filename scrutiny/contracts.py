"""Data contracts: great-expectations suites in ``data_contracts/`` and what they find.

A contract is a great-expectations suite (JSON) whose ``meta.contract`` documents the return's
columns, and whose expectations each carry a rule name, a severity and, in words a data officer
can act on, what is wrong and how to fix it. Validation runs once per return type over every
received file of that type together (so a cycle of hundreds of files costs a handful of
validations); each failing row is traced back to its file and spreadsheet row number.

great-expectations is imported only when validating: it is slow to import and has no place in
a report kernel.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from scrutiny.framework import Framework
from scrutiny.partnership import Partnership
from scrutiny.resources import contracts_dir
from scrutiny.returns import ReturnName

FILE_COLUMN, ROW_COLUMN = "_file", "_row"


class ContractError(RuntimeError):
    """A contract that cannot be loaded or run (a fault in the contract, not in a return)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    example: str
    allowed: tuple[str, ...] | str | None = None


@dataclass(frozen=True)
class Contract:
    return_type: str
    version: str
    path: Path
    suite: dict = field(repr=False, hash=False, compare=False)
    one_row_is: str = ""
    description: str = ""
    key: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.suite['name']} v{self.version}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def rules(self) -> list[dict]:
        """Each expectation's meta (rule, severity, explain, fix) with its kwargs."""
        return [{**item["meta"], "kwargs": item["kwargs"]} for item in self.suite["expectations"]]


@dataclass(frozen=True)
class Finding:
    """One rule broken by one file: enough for a data officer to find and fix it."""

    file_name: str
    rule: str
    severity: str  # error (the file is rejected) or warning (accepted, flagged as suspect)
    columns: tuple[str, ...]
    rows: int  # how many data rows break the rule (0 for a whole-file problem)
    row_numbers: tuple[int, ...]  # spreadsheet row numbers (the header is row 1)
    message: str
    fix: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@cache
def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """The newest version of each return type's contract in ``directory/returns``."""
    root = Path(directory or contracts_dir()) / "returns"
    if not root.is_dir():
        raise ContractError(f"no contracts found: {root} does not exist")
    found: dict[str, Contract] = {}
    for path in sorted(root.glob("*.json")):
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
            meta = suite["meta"]["contract"]
            contract = Contract(
                return_type=meta["return_type"], version=meta["version"], path=path, suite=suite,
                one_row_is=meta["one_row_is"], description=meta["description"],
                key=tuple(meta["key"]),
                columns=tuple(
                    Column(**{**col, "allowed": tuple(col["allowed"])
                              if isinstance(col.get("allowed"), list) else col.get("allowed")})
                    for col in meta["columns"]
                ),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ContractError(f"{path} is not a scrutiny contract: {error}") from error
        current = found.get(contract.return_type)
        if current is None or version_key(contract.version) > version_key(current.version):
            found[contract.return_type] = contract
    return found


def version_key(text: str) -> tuple[int, ...]:
    """``1.10.0`` sorts after ``1.9.0``: contract versions compare as numbers."""
    return tuple(int(part) for part in text.split("."))


def parameters_for(partnership: Partnership, framework: Framework) -> dict[str, list[str]]:
    """Values of the contracts' ``$PARAMETER`` code lists for this partnership."""
    return {
        "area_codes": partnership.area_codes,
        "theme_ids": framework.theme_ids,
        "step_ids": [step.id for step in framework.steps],
        "indicator_ids": [ind.id for ind in framework.indicators_for(source="indicators")],
    }


def allowed_values(column: Column, parameters: Mapping[str, list[str]]) -> list[str]:
    if column.allowed is None:
        return []
    if isinstance(column.allowed, str):
        return list(parameters.get(column.allowed.removeprefix("$"), []))
    return list(column.allowed)


def validation_frame(contract: Contract, name: ReturnName, file_name: str, table: pd.DataFrame,
                     framework: Framework) -> pd.DataFrame:
    """The received text plus what the suite compares: typed shadows and the file's facts.

    Typed shadows (``col__number``, ``col__date``) let cross-field rules compare numbers and
    dates, while the format rules judge the text exactly as sent.
    """
    frame = table[[col for col in contract.column_names if col in table.columns]].copy()
    for column in contract.columns:
        if column.name not in frame.columns and not column.required:
            frame[column.name] = None  # optional columns may be left out
        if column.name not in frame.columns:
            continue
        text = frame[column.name]
        if column.type == "integer":
            # only well-formed counts are compared; a malformed one is already reported
            whole = text.where(text.str.fullmatch(r"[0-9]{1,12}", na=False))
            frame[f"{column.name}__number"] = pd.to_numeric(whole, errors="coerce")
        elif column.type in ("date", "month"):
            pattern = "%Y-%m-%d" if column.type == "date" else "%Y-%m"
            frame[f"{column.name}__date"] = pd.to_datetime(text, format=pattern, errors="coerce")
    for total, parts in contract.suite["meta"]["contract"].get("totals", {}).items():
        shadows = [f"{part}__number" for part in parts]
        frame[total] = (frame[shadows].sum(axis=1, min_count=len(parts))
                        if set(shadows) <= set(frame.columns) else float("nan"))
    if "indicator_id" in frame.columns:
        units = {ind.id: ind.unit for ind in framework.indicators}
        frame["_unit"] = frame["indicator_id"].map(units)
    frame[FILE_COLUMN] = file_name
    # the table is indexed by spreadsheet row number (title rows and blank lines included)
    frame[ROW_COLUMN] = table.index.to_numpy()
    frame["_file_area"] = name.area_code
    frame["_file_period"] = name.period.label
    frame["_period_start"] = pd.Timestamp(name.period.start)
    frame["_period_end"] = pd.Timestamp(name.period.end)
    return frame


def check(contract: Contract, frames: Mapping[str, pd.DataFrame],
          parameters: Mapping[str, list[str]]) -> dict[str, list[Finding]]:
    """Validate every file of one return type; the findings of each file, by file name.

    ``frames`` maps file name to its :func:`validation_frame`. Files are validated together,
    grouped by which required columns they lack (a missing column is reported once, and the
    rules that need it cannot run for that file).
    """
    findings: dict[str, list[Finding]] = {name: [] for name in frames}
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for file_name, frame in frames.items():
        missing = frozenset(c for c in contract.column_names if c not in frame.columns)
        groups[missing].append(file_name)
    for missing, file_names in groups.items():
        combined = pd.concat([frames[name] for name in file_names], ignore_index=True)
        results = _run_suite(contract, combined, parameters, skip_columns=missing)
        for expectation, result in results:
            for finding in _findings(expectation, result, file_names, missing, parameters,
                                     frames):
                findings[finding.file_name].append(finding)
    return findings


def _run_suite(contract: Contract, frame: pd.DataFrame, parameters: Mapping[str, list[str]],
               skip_columns: Iterable[str]) -> list[tuple[dict, Any]]:
    skip = set(skip_columns)
    expectations = [
        item for item in contract.suite["expectations"]
        if not (set(_columns_of(item["kwargs"])) & skip | _shadow_bases(item["kwargs"]) & skip)
    ]
    try:
        return validate_frame(contract.suite["name"], expectations, frame, parameters)
    except ContractError as error:
        raise ContractError(f"{contract.name}: {error}") from error


def validate_frame(suite_name: str, expectations: list[dict], frame: pd.DataFrame,
                   parameters: Mapping[str, Any] | None = None,
                   index_columns: tuple[str, ...] = (FILE_COLUMN, ROW_COLUMN),
                   *, keep_values: bool = False) -> list[tuple[dict, Any]]:
    """Run great-expectations ``expectations`` (suite JSON items) over ``frame``.

    Returns each expectation paired with its result; failing rows are identified by
    ``index_columns`` in each result's ``unexpected_index_list``. The failing values are kept
    only with ``keep_values`` (for published statistics, never for returns: a value in a
    return may be a child's identifier typed in the wrong column). Raises ContractError if an
    expectation cannot run at all (a fault in the contract, not in the data).
    """
    gx = _great_expectations()
    with warnings.catch_warnings():
        # string row conditions are deprecated for GX 2.0 (we pin <2): not for the run log
        warnings.simplefilter("ignore", DeprecationWarning)
        # great-expectations reorders results, so each expectation carries its position
        suite = gx.ExpectationSuite(name=suite_name, expectations=[
            {"type": item["type"], "kwargs": item["kwargs"],
             "meta": {**item["meta"], "position": i}}
            for i, item in enumerate(expectations)
        ])
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        try:
            validation = batch.validate(
                suite,
                result_format={"result_format": "COMPLETE",
                               "exclude_unexpected_values": not keep_values,
                               "partial_unexpected_count": 20 if keep_values else 0,
                               "unexpected_index_column_names": list(index_columns)},
                expectation_parameters=dict(parameters or {}),
            )
        except Exception as error:  # great-expectations raises many kinds; all mean the same
            raise ContractError(f"the suite could not run: {error}") from error
    paired = []
    for result in validation.results:
        expectation = expectations[result.expectation_config.meta["position"]]
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise ContractError(
                f"rule {expectation['meta'].get('rule', expectation['type'])} on "
                f"{_columns_of(expectation['kwargs'])}: "
                f"{result.exception_info.get('exception_message')}"
            )
        paired.append((expectation, result))
    return paired


def _columns_of(kwargs: Mapping[str, Any]) -> list[str]:
    columns = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    columns += list(kwargs.get("column_list", []))
    return [column for column in columns if not column.startswith("_")]


def _shadow_bases(kwargs: Mapping[str, Any]) -> set[str]:
    return {column.split("__")[0] for column in _columns_of(kwargs) if "__" in column}


def _readable_columns(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    names = [column.split("__")[0] for column in _columns_of(kwargs)]
    return tuple(dict.fromkeys(names))


def _findings(expectation: dict, result: Any, file_names: list[str],
              missing: frozenset[str], parameters: Mapping[str, list[str]],
              frames: Mapping[str, pd.DataFrame]) -> list[Finding]:
    meta, kwargs = expectation["meta"], expectation["kwargs"]
    if result.success:
        return []
    fix = meta["fix"]
    value_set = kwargs.get("value_set")
    if isinstance(value_set, dict) and "$PARAMETER" in value_set:
        allowed = parameters.get(value_set["$PARAMETER"], [])
        listed = ", ".join(allowed) if len(allowed) <= 12 else "the list in the guidance"
        fix = fix.replace("the list in the guidance", listed)
    if expectation["type"] == "expect_table_columns_to_match_set":
        absent = ", ".join(sorted(missing)) or "?"
        return [
            Finding(name, meta["rule"], meta["severity"], tuple(sorted(missing)), 0, (),
                    f"missing column(s): {absent}", fix)
            for name in file_names
        ]
    by_file: dict[str, set[int]] = defaultdict(set)
    for file_name, row in _failing_rows(result.result.get("unexpected_index_list") or []):
        by_file[file_name].add(row)
    columns = tuple(meta.get("columns") or _readable_columns(kwargs))
    findings = []
    for file_name, rows in by_file.items():
        numbers = tuple(sorted(rows))
        message = f"{rows_phrase(numbers)}: {meta['explain']}"
        if meta["rule"] in QUOTED_RULES and columns and file_name in frames:
            message += found_phrase(frames[file_name], columns[0], numbers, meta["rule"])
        findings.append(Finding(file_name, meta["rule"], meta["severity"], columns,
                                len(numbers), numbers, message, fix))
    return findings


def _failing_rows(index_list: list[dict]) -> Iterable[tuple[str, int]]:
    """(file, row) of each failing row. With ``exclude_unexpected_values`` great-expectations
    gives one dict of lists (and no values); otherwise a dict per row."""
    for entry in index_list:
        files, rows = entry[FILE_COLUMN], entry[ROW_COLUMN]
        if isinstance(files, list):
            yield from ((name, int(row)) for name, row in zip(files, rows, strict=True))
        else:
            yield files, int(rows)


# A wrong value is quoted so that the officer can find it, but only when it has the shape of
# what the column wants: a code (one word), or a number or date (with a digit). Anything else,
# such as a name, or an NHS number typed into a count, is described and never quoted.
_QUOTABLE = {
    "code_list": re.compile(r"^[A-Za-z0-9_.:/+-]{1,24}$"),
    "whole_number": re.compile(r"^(?=.*\d)[A-Za-z0-9 .,:/+-]{1,24}$"),
}
_QUOTABLE["date"] = _QUOTABLE["month"] = _QUOTABLE["whole_number"]
QUOTED_RULES = frozenset(_QUOTABLE)


def found_phrase(frame: pd.DataFrame, column: str, row_numbers: Iterable[int],
                 rule: str = "code_list") -> str:
    """`` (found 'x', 'y')`` for values safe to quote; the others are counted, not shown."""
    from scrutiny.privacy import identifier_kinds, kinds_phrase

    if column not in frame.columns:
        return ""
    by_row = frame.set_index(ROW_COLUMN)[column]
    values = list(dict.fromkeys(str(by_row.get(number)) for number in row_numbers
                                if by_row.get(number) is not None))
    quoted = [value for value in values
              if _QUOTABLE[rule].match(value) and not identifier_kinds(value)]
    kinds = list(dict.fromkeys(kind for value in values if value not in quoted
                               for kind in identifier_kinds(value)))
    parts = [", ".join(repr(value) for value in quoted[:3])] if quoted else []
    hidden = len(values) - len(quoted)
    if hidden:
        why = (f"{'they look' if hidden > 1 else 'it looks'} like {kinds_phrase(kinds, 'or')}"
               if kinds else "only values shaped like a number, date or code are quoted")
        parts.append(f"{hidden} value{'s' if hidden > 1 else ''} not shown here: {why}")
    return f" (found {'; '.join(parts)})" if parts else ""


def rows_phrase(numbers: Iterable[int]) -> str:
    """``row 4`` or ``rows 2, 5, 9 and 3 more``: spreadsheet row numbers a data officer finds."""
    numbers = list(numbers)
    shown = ", ".join(str(number) for number in numbers[:10])
    more = f" and {len(numbers) - 10:,} more" if len(numbers) > 10 else ""
    label = "row" if len(numbers) == 1 else "rows"
    return f"{label} {shown}{more}"


@cache
def _great_expectations():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network calls during a run
    import great_expectations as gx

    return gx


@cache
def _batch_definition():
    gx = _great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("returns").add_dataframe_asset("return")
    return asset.add_batch_definition_whole_dataframe("whole return")
