"""Data contracts: great-expectations suites in ``data_contracts/`` and what they find.

One engine serves every family of contracts: the returns (``data_contracts/returns``, checked
here) and the published national files (``data_contracts/national``, whose layouts
:mod:`scrutiny.national.contracts` brings). A contract is a great-expectations suite (JSON)
whose ``meta.contract`` documents the file's columns, and whose expectations each carry a rule
name, a severity and, in words a data officer can act on, what is wrong (``explain``) and how
to fix it (``fix``). This module loads the suites (:func:`load_suites`), runs one over a frame
(:func:`run`) and words what broke (:class:`Breach`, :class:`Finding`) the same way for every
family; a family brings the frame the suite sees and says where each failing row is.

Returns are validated once per return type over every received file of that type together
(so a cycle of hundreds of files costs a handful of validations); each failing row is traced
back to its file and spreadsheet row number.

great-expectations is imported only when validating: it is slow to import and has no place in
a report kernel.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from scrutiny.deferred import defer_until_used
from scrutiny.framework import Framework
from scrutiny.partnership import Partnership
from scrutiny.resources import contracts_dir
from scrutiny.returns import ReturnName

FILE_COLUMN, ROW_COLUMN = "_file", "_row"
COLUMNS_RULE = "expect_table_columns_to_match_set"  # the rule "columns" of every contract
# Rules about a file as a whole: broken without naming rows.
TABLE_RULES = frozenset({COLUMNS_RULE, "expect_column_distinct_values_to_contain_set"})
RULE_META = ("rule", "severity", "explain", "fix")


class ContractError(RuntimeError):
    """A contract that cannot be loaded or run (a fault in the contract, not in a file)."""


# --- what a contract is --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    example: str = ""
    allowed: tuple[str, ...] | str | None = None  # the codes, or "$parameter" naming them

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Column:
        allowed = meta.get("allowed")
        return cls(meta["name"], meta["type"], meta["required"], meta["description"],
                   meta.get("example", ""),
                   tuple(allowed) if isinstance(allowed, list) else allowed)


@dataclass(frozen=True, kw_only=True)
class DataContract:
    """What every contract has: a versioned suite and the columns it documents."""

    version: str
    path: Path
    suite: dict = field(repr=False, hash=False, compare=False)
    columns: tuple[Column, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.suite['name']} v{self.version}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def rules(self) -> list[dict]:
        """Each expectation's meta (rule, severity, explain, fix) with its kwargs."""
        return [{**item["meta"], "kwargs": item["kwargs"]} for item in self.suite["expectations"]]


@dataclass(frozen=True, kw_only=True)
class Contract(DataContract):
    """A return type's contract (``data_contracts/returns/<type>.vN.json``)."""

    return_type: str
    one_row_is: str = ""
    description: str = ""
    key: tuple[str, ...] = ()


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

    def describe(self, *, with_fix: bool = False) -> str:
        """The finding in one line, for a message that has no table to put it in."""
        on = f" on {', '.join(self.columns)}" if self.columns else ""
        fix = f" (fix: {self.fix})" if with_fix else ""
        return f"rule '{self.rule}'{on}: {self.message}{fix}"


# --- loading ---------------------------------------------------------------------------------

C = TypeVar("C", bound=DataContract)


def load_suites(root: Path, *, family: str, identity: str,
                build: Callable[[Mapping[str, Any], dict[str, Any]], C]) -> dict[str, C]:
    """The newest version of each contract in ``root``, by its ``meta.contract[identity]``.

    ``build(meta, common)`` makes one family's contract from its ``meta.contract`` and the
    fields every contract has (``common``: version, path, suite and columns).
    """
    if not root.is_dir():
        raise ContractError(f"no {family} contracts found: {root} does not exist")
    found: dict[str, C] = {}
    for path in sorted(root.glob("*.json")):
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
            meta = suite["meta"]["contract"]
            for item in suite["expectations"]:
                lacking = [key for key in RULE_META if key not in item["meta"]]
                if lacking:  # every finding needs them: refuse the contract, not a file
                    raise KeyError(f"meta of {item['type']} lacks {', '.join(lacking)}")
            common = {"version": meta["version"], "path": path, "suite": suite,
                      "columns": tuple(Column.from_meta(column) for column in meta["columns"])}
            contract, subject = build(meta, common), meta[identity]
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ContractError(f"{path} is not a {family} data contract: {error}") from error
        current = found.get(subject)
        if current is None or version_key(contract.version) > version_key(current.version):
            found[subject] = contract
    return found


def version_key(text: str) -> tuple[int, ...]:
    """``1.10.0`` sorts after ``1.9.0``: contract versions compare as numbers."""
    return tuple(int(part) for part in text.split("."))


@cache
def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """The newest version of each return type's contract in ``directory/returns``."""
    return load_suites(Path(directory or contracts_dir()) / "returns", family="return",
                       identity="return_type", build=_return_contract)


def _return_contract(meta: Mapping[str, Any], common: dict[str, Any]) -> Contract:
    return Contract(**common, return_type=meta["return_type"], one_row_is=meta["one_row_is"],
                    description=meta["description"], key=tuple(meta["key"]))


# --- running a suite and wording what broke --------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """One rule broken in a frame: its expectation and the rows that break it."""

    expectation: dict
    # one per failing row: its index columns, and its values when they were kept
    entries: tuple[Mapping[str, Any], ...] = ()
    tolerated: bool = False  # fewer rows than the rule's ``mostly`` allows: noted, not refused

    @property
    def rule(self) -> str:
        return self.expectation["meta"]["rule"]

    @property
    def type(self) -> str:
        return self.expectation["type"]

    @property
    def kwargs(self) -> Mapping[str, Any]:
        return self.expectation["kwargs"]

    @property
    def about_the_file(self) -> bool:
        return self.type in TABLE_RULES

    def columns(self) -> tuple[str, ...]:
        """The file's columns the rule is about, as a reader knows them (no shadows)."""
        return tuple(self.expectation["meta"].get("columns") or readable_columns(self.kwargs))

    def fix(self, parameters: Mapping[str, Any] | None = None) -> str:
        """The contract's fix, with the allowed codes listed where there are few of them."""
        fix = self.expectation["meta"]["fix"]
        value_set = self.kwargs.get("value_set")
        if isinstance(value_set, dict) and "$PARAMETER" in value_set:
            allowed = (parameters or {}).get(value_set["$PARAMETER"]) or []
            listed = ", ".join(allowed) if len(allowed) <= 12 else "the list in the guidance"
            fix = fix.replace("the list in the guidance", listed)
        return fix

    def finding(self, file_name: str, *, columns: Sequence[str] | None = None,
                row_numbers: Sequence[int] = (), evidence: str = "",
                parameters: Mapping[str, Any] | None = None) -> Finding:
        """The finding of one file, worded as every contract words it.

        ``row_numbers`` are the file's rows that break the rule (none for a whole-file rule);
        ``evidence`` is what the family can show of them, in brackets, e.g. `` (found 'x')``;
        ``columns`` default to the rule's own (for the ``columns`` rule: the missing ones).
        """
        columns = tuple(self.columns() if columns is None else columns)
        numbers = tuple(row_numbers)
        if self.type == COLUMNS_RULE:
            message = f"missing column(s): {', '.join(columns) or '?'}{evidence}"
        else:
            where = f"{rows_phrase(numbers)}: " if numbers else ""
            within = (f", within the {self.kwargs.get('mostly', 1):.0%} the contract requires"
                      if self.tolerated else "")
            message = f"{where}{self.expectation['meta']['explain']}{evidence}{within}"
        # a rule's `mostly` makes the few rows it tolerates a warning: noted, not refused
        severity = "warning" if self.tolerated else self.expectation["meta"]["severity"]
        return Finding(file_name, self.rule, severity, columns, len(numbers), numbers, message,
                       self.fix(parameters))


def run(contract: DataContract, frame: pd.DataFrame, parameters: Mapping[str, Any],
        *, index_columns: tuple[str, ...] = (FILE_COLUMN, ROW_COLUMN),
        keep_values: bool = False) -> list[Breach]:
    """Every rule of ``contract`` that rows of ``frame`` break, in one validation.

    A rule that reads a column the frame lacks does not run: the missing column is reported
    once, by the ``columns`` rule. Nor does one whose ``$PARAMETER`` has no value (None).
    """
    expectations = [item for item in contract.suite["expectations"]
                    if runnable(item["kwargs"], frame.columns, parameters)]
    try:
        results = validate_frame(contract.suite["name"], expectations, frame, parameters,
                                 index_columns, keep_values=keep_values)
    except ContractError as error:
        raise ContractError(f"{contract.name}: {error}") from error
    breaches = []
    for expectation, result in results:
        entries = tuple(_entries(result.result.get("unexpected_index_list") or [],
                                 index_columns))
        if not result.success or entries:  # success with rows: within the rule's `mostly`
            breaches.append(Breach(expectation, entries, tolerated=bool(result.success)))
    return breaches


def runnable(kwargs: Mapping[str, Any], columns: Iterable[str],
             parameters: Mapping[str, Any]) -> bool:
    """Whether every column (and parameter) an expectation needs is there."""
    value_set = kwargs.get("value_set")
    if isinstance(value_set, dict) and parameters.get(value_set.get("$PARAMETER")) is None:
        return False
    present = set(columns)
    return all(name in present for name in columns_read(kwargs))


def columns_read(kwargs: Mapping[str, Any], *, condition: bool = True) -> list[str]:
    """The frame columns an expectation reads (with those of its row condition)."""
    names = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    names += list(kwargs.get("column_list", []))
    row_condition = kwargs.get("row_condition")
    if condition and isinstance(row_condition, str):
        names += re.findall(r"([A-Za-z_]\w*)\s*==", row_condition)
    return names


def readable_columns(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    """The file's columns an expectation reads: no shadows (``col__number``), no facts
    (``_file``)."""
    names = [name.split("__")[0] for name in columns_read(kwargs, condition=False)
             if not name.startswith("_")]
    return tuple(dict.fromkeys(names))


def _entries(index_list: list[dict], index_columns: Sequence[str]
             ) -> Iterator[Mapping[str, Any]]:
    """One mapping per failing row. With ``exclude_unexpected_values`` great-expectations
    gives one dict of lists (the index columns only); otherwise a dict per row."""
    for entry in index_list:
        if isinstance(entry[index_columns[0]], list):
            names = list(entry)
            for values in zip(*(entry[name] for name in names), strict=True):
                yield dict(zip(names, values, strict=True))
        else:
            yield entry


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
                f"{columns_read(expectation['kwargs'], condition=False)}: "
                f"{result.exception_info.get('exception_message')}"
            )
        paired.append((expectation, result))
    return paired


def rows_phrase(numbers: Iterable[int]) -> str:
    """``row 4`` or ``rows 2, 5, 9 and 3 more``: row numbers a data officer finds."""
    numbers = list(numbers)
    shown = ", ".join(str(number) for number in numbers[:10])
    more = f" and {len(numbers) - 10:,} more" if len(numbers) > 10 else ""
    label = "row" if len(numbers) == 1 else "rows"
    return f"{label} {shown}{more}"


# --- the returns -----------------------------------------------------------------------------


def parameters_for(partnership: Partnership, framework: Framework) -> dict[str, list[str]]:
    """Values of the contracts' ``$PARAMETER`` code lists for this partnership: its areas,
    and its framework's steps, themes, monthly indicators and code lists."""
    return {"area_codes": partnership.area_codes, **framework.contract_parameters()}


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
    return validation_frames(contract, [(name, file_name, table)], framework)[file_name]


def validation_frames(contract: Contract,
                      received: Sequence[tuple[ReturnName, str, pd.DataFrame]],
                      framework: Framework) -> dict[str, pd.DataFrame]:
    """:func:`validation_frame` of many files of one return type (name, file name, table),
    by file name. Files with the same columns are framed together: a quarter's returns are
    hundreds of tables of a few dozen rows, where pandas' cost is per call, not per row."""
    alike: dict[tuple[str, ...], list[tuple[ReturnName, str, pd.DataFrame]]] = defaultdict(list)
    for entry in received:
        table = entry[2]
        alike[tuple(col for col in contract.column_names if col in table.columns)].append(entry)
    frames: dict[str, pd.DataFrame] = {}
    for present, entries in alike.items():
        sizes = [len(table) for _name, _file, table in entries]
        combined = (pd.concat([table[list(present)] for _name, _file, table in entries],
                              ignore_index=True)
                    if present else pd.DataFrame(index=pd.RangeIndex(sum(sizes))))
        columns = _shadowed(contract, combined, framework)

        def each(values: list, sizes: list[int] = sizes) -> np.ndarray:
            return np.repeat(np.array(values, dtype=object), sizes)

        columns[FILE_COLUMN] = each([file_name for _name, file_name, _table in entries])
        # the table is indexed by spreadsheet row number (title rows and blank lines included)
        columns[ROW_COLUMN] = np.concatenate(
            [table.index.to_numpy(dtype="int64") for _name, _file, table in entries])
        columns["_file_area"] = each([name.area_code for name, _file, _table in entries])
        columns["_file_period"] = each([name.period.label for name, _file, _table in entries])
        for key, when in (("_period_start", "start"), ("_period_end", "end")):
            columns[key] = pd.to_datetime(each(
                [pd.Timestamp(getattr(name.period, when)) for name, _file, _table in entries]))
        frame = pd.DataFrame(columns, index=combined.index)
        start = 0
        for (_name, file_name, table), size in zip(entries, sizes, strict=True):
            part = frame.iloc[start:start + size].copy()
            part.index = table.index
            frames[file_name] = part
            start += size
    return frames


def _shadowed(contract: Contract, combined: pd.DataFrame, framework: Framework
              ) -> dict[str, object]:
    """The contract's columns as received, with their typed shadows and the totals the
    suite compares (optional columns left out are added, empty)."""
    columns: dict[str, object] = dict(combined.items())
    for column in contract.columns:
        if column.name not in columns and not column.required:
            columns[column.name] = pd.Series(None, index=combined.index, dtype=object)
        if column.name not in columns:
            continue
        text = columns[column.name]
        if column.type == "integer":
            # only well-formed counts are compared; a malformed one is already reported
            whole = text.where(text.str.fullmatch(r"[0-9]{1,12}", na=False))
            columns[f"{column.name}__number"] = pd.to_numeric(whole, errors="coerce")
        elif column.type in ("date", "month"):
            pattern = "%Y-%m-%d" if column.type == "date" else "%Y-%m"
            columns[f"{column.name}__date"] = pd.to_datetime(text, format=pattern,
                                                             errors="coerce")
    for total, parts in contract.suite["meta"]["contract"].get("totals", {}).items():
        shadows = [f"{part}__number" for part in parts]
        columns[total] = (pd.concat([columns[shadow] for shadow in shadows], axis=1)
                          .sum(axis=1, min_count=len(parts))
                          if all(shadow in columns for shadow in shadows) else float("nan"))
    if "indicator_id" in columns:
        units = {ind.id: ind.unit for ind in framework.indicators}
        columns["_unit"] = columns["indicator_id"].map(units)
    return columns


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
        for breach in run(contract, combined, parameters):
            if breach.about_the_file:
                columns = sorted(missing) if breach.type == COLUMNS_RULE else None
                for name in file_names:
                    findings[name].append(breach.finding(name, columns=columns,
                                                         parameters=parameters))
                continue
            by_file: dict[str, set[int]] = defaultdict(set)
            for entry in breach.entries:
                by_file[entry[FILE_COLUMN]].add(int(entry[ROW_COLUMN]))
            columns = breach.columns()
            for file_name, rows in by_file.items():
                numbers = tuple(sorted(rows))
                evidence = (found_phrase(frames[file_name], columns[0], numbers, breach.rule)
                            if breach.rule in QUOTED_RULES and columns else "")
                findings[file_name].append(breach.finding(
                    file_name, row_numbers=numbers, evidence=evidence, parameters=parameters))
    return findings


# A wrong value is quoted so that the officer can find it, but only when its shape leaves no
# room for a name or other identifier typed into the cell: "Jayden Smith 12" is not a count,
# "Tyler Nowak Jan-26" is not a month. A number is digits with separators, a sign, a decimal
# point or a percent sign (no letters: a unit would let a word through); a date is digits and
# separators, or a month's name and a year; a code is quoted only as an ONS area code (a
# letter and 8 digits), since any single word, "TylerNowak" among them, may be a name.
_MONTH_NAME = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february"
               r"|march|april|june|july|august|september|october|november|december)")
_QUOTABLE = {
    "whole_number": re.compile(r"[+-]?\d(?:[\d,. ]*\d)?%?"),
    # "Jan-26", "1-Jan-26", "Jan 2026"; not "May 12", which may be a name and an age
    "date": re.compile(r"\d{1,4}(?:[-/.]\d{1,4}){0,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
                       rf"|(?:\d{{1,2}}[-\s])?{_MONTH_NAME}\.?(?:[-/]'?\d{{2}}|[-/\s]\d{{4}})",
                       re.IGNORECASE),
    "code_list": re.compile(r"[EKNSW]\d{8}"),
}
_QUOTABLE["month"] = _QUOTABLE["date"]
QUOTED_RULES = frozenset(_QUOTABLE)
_MOST_DIGITS = 12  # the contracts' longest whole number: longer runs of digits are no count
_NOT_QUOTED = {
    "code_list": "a wrong code is never quoted, in case it is a name",
    "whole_number": "only values shaped like a number are quoted",
    "date": "only values shaped like a date are quoted",
    "month": "only values shaped like a month are quoted",
}


def quotable(value: str, rule: str) -> bool:
    """Whether a wrong value of a column checked by ``rule`` may be quoted in a message: it
    has the shape the rule asks for, and looks like no identifier."""
    from scrutiny.privacy import identifier_kinds

    pattern = _QUOTABLE.get(rule)
    return (pattern is not None and len(value) <= 24 and pattern.fullmatch(value) is not None
            and sum(character.isdigit() for character in value) <= _MOST_DIGITS
            and not identifier_kinds(value))


def found_phrase(frame: pd.DataFrame, column: str, row_numbers: Iterable[int],
                 rule: str = "code_list") -> str:
    """`` (found 'x', 'y')`` for values safe to quote; the others are counted, not shown."""
    from scrutiny.privacy import identifier_kinds, kinds_phrase

    if column not in frame.columns:
        return ""
    by_row = frame.set_index(ROW_COLUMN)[column]
    values = list(dict.fromkeys(str(by_row.get(number)) for number in row_numbers
                                if by_row.get(number) is not None))
    quoted = [value for value in values if quotable(value, rule)]
    kinds = list(dict.fromkeys(kind for value in values if value not in quoted
                               for kind in identifier_kinds(value)))
    parts = [", ".join(repr(value) for value in quoted[:3])] if quoted else []
    hidden = len(values) - len(quoted)
    if hidden:
        why = (f"{'they look' if hidden > 1 else 'it looks'} like {kinds_phrase(kinds, 'or')}"
               if kinds else _NOT_QUOTED.get(rule, "it is not shaped like a number or date"))
        parts.append(f"{hidden} value{'s' if hidden > 1 else ''} not shown here: {why}")
    return f" (found {'; '.join(parts)})" if parts else ""


# --- great-expectations ----------------------------------------------------------------------


@cache
def _great_expectations():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network calls during a run
    defer_until_used("scipy.stats")  # see scrutiny.deferred
    import great_expectations as gx

    return gx


def warm_up() -> None:
    """Import great-expectations and make its context, ahead of the first check."""
    _batch_definition()


@cache
def _batch_definition():
    gx = _great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("returns").add_dataframe_asset("return")
    return asset.add_batch_definition_whole_dataframe("whole return")
